//! Experience replay for off-policy learners (DQN): `NStep` turns one env's steps into n-step
//! transitions, `ReplayBuffer` keeps the last `capacity` of them in flat arrays and samples
//! minibatches with a passed-in RNG (so a run is reproducible from its seed).
//!
//! Plain Rust, no libtorch: the learner turns a `Batch` into tensors. Observations are stored raw
//! (the learner normalises a batch with its current statistics). A buffer saves to one binary file
//! (`replay.bin`, little-endian) so `--resume` continues with the experience it had.
//!
//! Episode ends: the horizon is part of the task (as for the other learners), so both terminated
//! and truncated episodes end without bootstrapping: their transitions get `discount = 0`.

use std::collections::VecDeque;
use std::path::Path;

use rand::Rng;

use super::LearnError;

/// One n-step transition: from `obs` the agent took `action`, collected `reward` (the discounted
/// sum of up to n rewards) and reached `next_obs`, whose value counts with weight `discount`
/// (`gamma^n`, or 0 when the episode ended inside the n steps).
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    pub obs: Vec<f32>,
    pub action: i64,
    pub reward: f32,
    pub discount: f32,
    pub next_obs: Vec<f32>,
    /// Actions allowed in `next_obs` (all allowed when empty).
    pub next_mask: Vec<bool>,
}

/// Assembles n-step transitions for one env.
#[derive(Debug, Clone)]
pub struct NStep {
    n: usize,
    gamma: f32,
    /// `(obs, action, reward)` of the steps whose transition is not yet complete.
    pending: VecDeque<(Vec<f32>, i64, f32)>,
}

impl NStep {
    pub fn new(n: usize, gamma: f64) -> NStep {
        NStep {
            n: n.max(1),
            gamma: gamma as f32,
            pending: VecDeque::new(),
        }
    }

    /// Adds one step (`obs` before it, `action`, `reward`, then `next_obs` / `next_mask` after
    /// it, and whether the episode ended) and returns the transitions it completes: one once `n`
    /// steps are pending, every pending one when the episode ended.
    pub fn push(
        &mut self,
        obs: &[f32],
        action: i64,
        reward: f32,
        next_obs: &[f32],
        next_mask: &[bool],
        done: bool,
    ) -> Vec<Transition> {
        self.pending.push_back((obs.to_vec(), action, reward));
        let mut out = Vec::new();
        if done {
            while !self.pending.is_empty() {
                out.push(self.emit(next_obs, next_mask, 0.0));
            }
        } else if self.pending.len() == self.n {
            let discount = self.gamma.powi(self.n as i32);
            out.push(self.emit(next_obs, next_mask, discount));
        }
        out
    }

    /// Pops the oldest pending step as a transition over every pending reward.
    fn emit(&mut self, next_obs: &[f32], next_mask: &[bool], discount: f32) -> Transition {
        let reward = self
            .pending
            .iter()
            .rev()
            .fold(0f32, |acc, (_, _, r)| r + self.gamma * acc);
        let (obs, action, _) = self.pending.pop_front().expect("a pending step");
        Transition {
            obs,
            action,
            reward,
            discount,
            next_obs: next_obs.to_vec(),
            next_mask: next_mask.to_vec(),
        }
    }
}

/// A sampled minibatch, row-major.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    /// `[B, dim]`
    pub obs: Vec<f32>,
    /// `[B]`
    pub actions: Vec<i64>,
    /// `[B]`
    pub rewards: Vec<f32>,
    /// `[B]`
    pub discounts: Vec<f32>,
    /// `[B, dim]`
    pub next_obs: Vec<f32>,
    /// `[B, n_actions]`
    pub next_mask: Vec<bool>,
}

/// A ring buffer of transitions.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayBuffer {
    dim: usize,
    n_actions: usize,
    capacity: usize,
    /// Next slot to write.
    pos: usize,
    len: usize,
    obs: Vec<f32>,
    next_obs: Vec<f32>,
    actions: Vec<i64>,
    rewards: Vec<f32>,
    discounts: Vec<f32>,
    next_mask: Vec<bool>,
}

const MAGIC: &[u8; 8] = b"SGREPLY1";

impl ReplayBuffer {
    /// An empty buffer for observations of `dim` features and `n_actions` actions.
    pub fn new(capacity: usize, dim: usize, n_actions: usize) -> ReplayBuffer {
        let capacity = capacity.max(1);
        ReplayBuffer {
            dim,
            n_actions,
            capacity,
            pos: 0,
            len: 0,
            obs: vec![0.0; capacity * dim],
            next_obs: vec![0.0; capacity * dim],
            actions: vec![0; capacity],
            rewards: vec![0.0; capacity],
            discounts: vec![0.0; capacity],
            next_mask: vec![true; capacity * n_actions],
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Stores `t`, overwriting the oldest transition when full. A mask of the wrong length (or
    /// one allowing nothing) is stored as all-allowed, so a target's max is always finite.
    pub fn push(&mut self, t: &Transition) {
        assert_eq!(t.obs.len(), self.dim, "observation width");
        assert_eq!(t.next_obs.len(), self.dim, "observation width");
        let p = self.pos;
        self.obs[p * self.dim..(p + 1) * self.dim].copy_from_slice(&t.obs);
        self.next_obs[p * self.dim..(p + 1) * self.dim].copy_from_slice(&t.next_obs);
        self.actions[p] = t.action;
        self.rewards[p] = t.reward;
        self.discounts[p] = t.discount;
        let m = &mut self.next_mask[p * self.n_actions..(p + 1) * self.n_actions];
        if t.next_mask.len() == self.n_actions && t.next_mask.iter().any(|&b| b) {
            m.copy_from_slice(&t.next_mask);
        } else {
            m.fill(true);
        }
        self.pos = (p + 1) % self.capacity;
        self.len = (self.len + 1).min(self.capacity);
    }

    /// `batch` transitions drawn uniformly with replacement (empty buffer: an empty batch).
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R, batch: usize) -> Batch {
        let mut b = Batch::default();
        if self.len == 0 {
            return b;
        }
        let (d, a) = (self.dim, self.n_actions);
        for _ in 0..batch {
            let i = rng.random_range(0..self.len);
            b.obs.extend_from_slice(&self.obs[i * d..(i + 1) * d]);
            b.next_obs
                .extend_from_slice(&self.next_obs[i * d..(i + 1) * d]);
            b.actions.push(self.actions[i]);
            b.rewards.push(self.rewards[i]);
            b.discounts.push(self.discounts[i]);
            b.next_mask
                .extend_from_slice(&self.next_mask[i * a..(i + 1) * a]);
        }
        b
    }

    /// Writes the buffer to `path` atomically.
    pub fn save(&self, path: &Path) -> Result<(), LearnError> {
        let mut out = Vec::with_capacity(64 + self.obs.len() * 8 + self.capacity * 16);
        out.extend_from_slice(MAGIC);
        for v in [self.dim, self.n_actions, self.capacity, self.pos, self.len] {
            out.extend_from_slice(&(v as u64).to_le_bytes());
        }
        let n = self.len;
        let d = self.dim;
        for x in self.obs[..n * d].iter().chain(&self.next_obs[..n * d]) {
            out.extend_from_slice(&x.to_le_bytes());
        }
        for x in &self.actions[..n] {
            out.extend_from_slice(&x.to_le_bytes());
        }
        for x in self.rewards[..n].iter().chain(&self.discounts[..n]) {
            out.extend_from_slice(&x.to_le_bytes());
        }
        out.extend(
            self.next_mask[..n * self.n_actions]
                .iter()
                .map(|&b| u8::from(b)),
        );
        Ok(crate::io::atomic_write(path, &out)?)
    }

    /// Reads a buffer written by `save`; it must be for `dim` features and `n_actions` actions.
    /// Its capacity becomes `capacity` (the oldest transitions are dropped if it shrank).
    pub fn load(
        path: &Path,
        capacity: usize,
        dim: usize,
        n_actions: usize,
    ) -> Result<ReplayBuffer, LearnError> {
        let bytes = std::fs::read(path).map_err(|source| LearnError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let bad = |why: &str| LearnError::Parse {
            path: path.to_path_buf(),
            what: "a replay buffer",
            message: why.to_string(),
        };
        if bytes.len() < 48 || &bytes[..8] != MAGIC {
            return Err(bad("bad header"));
        }
        let word = |k: usize| -> usize {
            u64::from_le_bytes(bytes[8 + 8 * k..16 + 8 * k].try_into().expect("8 bytes")) as usize
        };
        let (f_dim, f_actions, f_cap, f_pos, n) = (word(0), word(1), word(2), word(3), word(4));
        if f_dim != dim || f_actions != n_actions {
            return Err(LearnError::Mismatch {
                path: path.to_path_buf(),
                message: format!(
                    "replay buffer for {f_dim} features and {f_actions} actions, the env has {dim} and {n_actions}"
                ),
            });
        }
        let want = 48 + n * (8 * dim + 8 + 8 + n_actions);
        if bytes.len() != want || n > f_cap || f_pos >= f_cap.max(1) {
            return Err(bad("truncated or inconsistent"));
        }
        let mut at = 48;
        let obs: Vec<f32> = take_le(&bytes, &mut at, n * dim, f32::from_le_bytes);
        let next_obs: Vec<f32> = take_le(&bytes, &mut at, n * dim, f32::from_le_bytes);
        let actions: Vec<i64> = take_le(&bytes, &mut at, n, i64::from_le_bytes);
        let rewards: Vec<f32> = take_le(&bytes, &mut at, n, f32::from_le_bytes);
        let discounts: Vec<f32> = take_le(&bytes, &mut at, n, f32::from_le_bytes);
        let next_mask: Vec<bool> = bytes[at..].iter().map(|&b| b != 0).collect();
        if capacity == f_cap {
            // The same layout: sampling and overwriting continue exactly as before the save.
            let mut buf = ReplayBuffer::new(capacity, dim, n_actions);
            buf.obs[..n * dim].copy_from_slice(&obs);
            buf.next_obs[..n * dim].copy_from_slice(&next_obs);
            buf.actions[..n].copy_from_slice(&actions);
            buf.rewards[..n].copy_from_slice(&rewards);
            buf.discounts[..n].copy_from_slice(&discounts);
            buf.next_mask[..n * n_actions].copy_from_slice(&next_mask);
            buf.pos = f_pos;
            buf.len = n;
            return Ok(buf);
        }
        // Another capacity: re-insert oldest first (the newest survive a smaller buffer).
        let mut buf = ReplayBuffer::new(capacity, dim, n_actions);
        let oldest = if n < f_cap { 0 } else { f_pos };
        for k in 0..n {
            let i = (oldest + k) % n.max(1);
            buf.push(&Transition {
                obs: obs[i * dim..(i + 1) * dim].to_vec(),
                action: actions[i],
                reward: rewards[i],
                discount: discounts[i],
                next_obs: next_obs[i * dim..(i + 1) * dim].to_vec(),
                next_mask: next_mask[i * n_actions..(i + 1) * n_actions].to_vec(),
            });
        }
        Ok(buf)
    }
}

/// Reads `count` little-endian values of `N` bytes from `bytes[*at..]` (the length was checked).
fn take_le<T, const N: usize>(
    bytes: &[u8],
    at: &mut usize,
    count: usize,
    from: fn([u8; N]) -> T,
) -> Vec<T> {
    let v = bytes[*at..*at + N * count]
        .chunks_exact(N)
        .map(|c| from(c.try_into().expect("N bytes")))
        .collect();
    *at += N * count;
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::stream;

    fn obs(x: f32) -> Vec<f32> {
        vec![x, -x]
    }

    #[test]
    fn one_step_transitions_bootstrap_until_the_episode_ends() {
        let mut ns = NStep::new(1, 0.9);
        let t = ns.push(&obs(0.0), 1, 2.0, &obs(1.0), &[true, false], false);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].reward, 2.0);
        assert!((t[0].discount - 0.9).abs() < 1e-7);
        assert_eq!(t[0].next_obs, obs(1.0));
        let t = ns.push(&obs(1.0), 0, 3.0, &obs(2.0), &[true, true], true);
        assert_eq!((t.len(), t[0].discount, t[0].reward), (1, 0.0, 3.0));
    }

    #[test]
    fn n_step_returns_sum_discounted_rewards_and_flush_at_episode_end() {
        let mut ns = NStep::new(3, 0.5);
        assert!(ns.push(&obs(0.0), 0, 1.0, &obs(1.0), &[], false).is_empty());
        assert!(ns.push(&obs(1.0), 1, 2.0, &obs(2.0), &[], false).is_empty());
        let t = ns.push(&obs(2.0), 2, 4.0, &obs(3.0), &[], false);
        // 1 + 0.5·2 + 0.25·4 = 3, bootstrapped from obs 3 with 0.5³.
        assert_eq!(t.len(), 1);
        assert_eq!((t[0].obs.clone(), t[0].action), (obs(0.0), 0));
        assert!((t[0].reward - 3.0).abs() < 1e-6);
        assert!((t[0].discount - 0.125).abs() < 1e-7);
        assert_eq!(t[0].next_obs, obs(3.0));
        // The episode ends: the three pending steps (from obs 1, 2, 3) complete without bootstrap.
        let t = ns.push(&obs(3.0), 3, 8.0, &obs(9.0), &[], true);
        let rewards: Vec<f32> = t.iter().map(|t| t.reward).collect();
        assert_eq!(
            rewards,
            vec![2.0 + 0.5 * 4.0 + 0.25 * 8.0, 4.0 + 0.5 * 8.0, 8.0]
        );
        assert!(t.iter().all(|t| t.discount == 0.0));
        assert_eq!(
            t.iter().map(|t| t.action).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        // Nothing carries into the next episode.
        assert!(ns.push(&obs(0.0), 0, 1.0, &obs(1.0), &[], false).is_empty());
    }

    fn filled(capacity: usize, n: usize) -> ReplayBuffer {
        let mut b = ReplayBuffer::new(capacity, 2, 3);
        for k in 0..n {
            b.push(&Transition {
                obs: obs(k as f32),
                action: (k % 3) as i64,
                reward: k as f32,
                discount: 0.5,
                next_obs: obs(k as f32 + 1.0),
                next_mask: vec![k % 2 == 0, true, false],
            });
        }
        b
    }

    #[test]
    fn ring_buffer_keeps_the_newest_and_samples_reproducibly() {
        let b = filled(4, 10);
        assert_eq!(b.len(), 4);
        let s = b.sample(&mut stream(1, "t"), 64);
        assert_eq!(s.actions.len(), 64);
        assert!(s.rewards.iter().all(|&r| (6.0..=9.0).contains(&r)), "{s:?}");
        for (k, &r) in s.rewards.iter().enumerate() {
            assert_eq!(s.obs[2 * k], r, "row {k} is one transition");
            assert_eq!(s.next_obs[2 * k], r + 1.0);
        }
        let again = b.sample(&mut stream(1, "t"), 64);
        assert_eq!(s.rewards, again.rewards);
    }

    #[test]
    fn an_empty_mask_is_stored_as_all_allowed() {
        let mut b = ReplayBuffer::new(2, 2, 3);
        let mut t = filled(1, 1).sample(&mut stream(0, "t"), 1);
        t.next_mask = vec![false, false, false];
        b.push(&Transition {
            obs: t.obs,
            action: 0,
            reward: 0.0,
            discount: 0.0,
            next_obs: t.next_obs,
            next_mask: t.next_mask,
        });
        assert_eq!(b.sample(&mut stream(0, "t"), 1).next_mask, vec![true; 3]);
    }

    #[test]
    fn save_and_load_round_trip_keeps_ring_order() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("replay.bin");
        for (cap, n) in [(4, 10), (8, 3), (5, 0)] {
            let b = filled(cap, n);
            b.save(&p).expect("saves");
            let mut back = ReplayBuffer::load(&p, cap, 2, 3).expect("loads");
            assert_eq!(back, b, "same capacity: identical layout");
            let mut orig = b.clone();
            // Same content now, and the same slot is overwritten next.
            for s in 0..3 {
                assert_eq!(
                    back.sample(&mut stream(s, "t"), 16).rewards,
                    orig.sample(&mut stream(s, "t"), 16).rewards
                );
            }
            let extra = filled(1, 1).sample(&mut stream(0, "t"), 1);
            let t = Transition {
                obs: extra.obs,
                action: 2,
                reward: 100.0,
                discount: 0.0,
                next_obs: extra.next_obs,
                next_mask: vec![true; 3],
            };
            back.push(&t);
            orig.push(&t);
            let mut r1 = back.sample(&mut stream(9, "t"), 32).rewards;
            let mut r2 = orig.sample(&mut stream(9, "t"), 32).rewards;
            r1.sort_by(f32::total_cmp);
            r2.sort_by(f32::total_cmp);
            assert_eq!(r1, r2);
        }
        // A smaller capacity keeps the newest transitions.
        filled(4, 10).save(&p).expect("saves");
        let small = ReplayBuffer::load(&p, 2, 2, 3).expect("loads");
        let mut r = small.sample(&mut stream(3, "t"), 32).rewards;
        r.sort_by(f32::total_cmp);
        r.dedup();
        assert_eq!(r, vec![8.0, 9.0]);
        assert!(ReplayBuffer::load(&p, 5, 3, 3).is_err(), "wrong width");
        std::fs::write(&p, b"junk").expect("writes");
        let err = ReplayBuffer::load(&p, 5, 2, 3).expect_err("junk");
        assert!(err.to_string().contains("replay.bin"), "{err}");
    }
}
