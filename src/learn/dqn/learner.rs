//! What a DQN checkpoint holds (`Learner`: networks, optimiser, observation statistics, replay
//! buffer, stream positions, update schedule), its save and restore, and one gradient step.

use std::path::Path;

use tch::{Kind, Reduction, Tensor};

use super::network::{self, QNetwork};
use super::DqnConfig;
use crate::learn::obs_norm::ObsNorm;
use crate::learn::replay::{Batch, ReplayBuffer};
use crate::learn::run::{save_agent, RunMeta, TrainState};
use crate::learn::{load_json, LearnError};
use crate::sim::rng::StreamRng;

/// Positions of the two ChaCha streams, saved so `--resume` continues them.
#[derive(serde::Serialize, serde::Deserialize)]
struct RngState {
    explore: String,
    replay: String,
}

/// Where the update and log schedule stand between two log rows (`loop.json`): what a resumed
/// run needs to train on the same steps and log the same averages as a straight one.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub(super) struct LoopState {
    /// The env step at which the next round of `gradient_steps` is due.
    pub(super) next_train: u64,
    /// Σ TD loss over the updates since the last `losses/*` row, as `f64::to_bits` (exact,
    /// and NaN survives JSON).
    loss_sum_bits: u64,
    /// Σ mean Q(s, a) over those updates, as `f64::to_bits`.
    q_sum_bits: u64,
    /// Updates since the last `losses/*` row.
    updates: u64,
}

impl LoopState {
    pub(super) fn new(cfg: &DqnConfig) -> LoopState {
        LoopState {
            next_train: cfg.learning_starts,
            loss_sum_bits: 0f64.to_bits(),
            q_sum_bits: 0f64.to_bits(),
            updates: 0,
        }
    }

    /// Adds one update's `(td_loss, mean Q)`.
    pub(super) fn add(&mut self, loss: f64, q: f64) {
        self.loss_sum_bits = (f64::from_bits(self.loss_sum_bits) + loss).to_bits();
        self.q_sum_bits = (f64::from_bits(self.q_sum_bits) + q).to_bits();
        self.updates += 1;
    }

    /// The mean `(td_loss, mean Q)` since the last row (`None` without updates); starts anew.
    pub(super) fn take_means(&mut self) -> Option<(f64, f64)> {
        let n = self.updates;
        let means = (n > 0).then(|| {
            (
                f64::from_bits(self.loss_sum_bits) / n as f64,
                f64::from_bits(self.q_sum_bits) / n as f64,
            )
        });
        (self.loss_sum_bits, self.q_sum_bits, self.updates) = (0f64.to_bits(), 0f64.to_bits(), 0);
        means
    }
}

/// Everything a checkpoint holds besides the counters of `TrainState`.
pub(super) struct Learner {
    pub(super) online: QNetwork,
    pub(super) target: QNetwork,
    /// Adam over `online`'s variables, its moments checkpointed (`adam.safetensors`).
    pub(super) opt: crate::nn::Adam,
    pub(super) norm: ObsNorm,
    pub(super) buffer: ReplayBuffer,
    pub(super) explore: StreamRng,
    pub(super) sampler: StreamRng,
    pub(super) schedule: LoopState,
}

impl Learner {
    /// Writes a checkpoint to `dir`; the replay buffer only into `checkpoints/latest/`.
    pub(super) fn save(
        &self,
        dir: &Path,
        meta: &RunMeta,
        state: &TrainState,
    ) -> Result<(), LearnError> {
        crate::nn::save_var_store(&self.online.vs, &dir.join("model.safetensors"))?;
        crate::nn::save_var_store(&self.target.vs, &dir.join("target.safetensors"))?;
        self.opt.save(&dir.join("adam.safetensors"))?;
        self.norm.save(&dir.join("obs_norm.json"))?;
        let r = RngState {
            explore: self.explore.get_word_pos().to_string(),
            replay: self.sampler.get_word_pos().to_string(),
        };
        crate::io::atomic_write(&dir.join("rng.json"), &serde_json::to_vec(&r)?)?;
        let schedule = serde_json::to_vec_pretty(&self.schedule)?;
        crate::io::atomic_write(&dir.join("loop.json"), &schedule)?;
        if crate::learn::run::is_latest(dir) {
            self.buffer.save(&dir.join("replay.bin"))?;
        }
        save_agent(dir, meta)?;
        state.save(dir)
    }

    /// Restores a checkpoint written by `save` into this (freshly built) learner. A checkpoint
    /// from before the optimiser and the schedule were saved restarts Adam's moments and the
    /// schedule (training from `global_step` on, no partial log averages).
    pub(super) fn restore(
        &mut self,
        dir: &Path,
        cfg: &DqnConfig,
    ) -> Result<TrainState, LearnError> {
        let state = TrainState::load(dir)?;
        crate::nn::load_var_store(&mut self.online.vs, &dir.join("model.safetensors"))?;
        crate::nn::load_var_store(&mut self.target.vs, &dir.join("target.safetensors"))?;
        let adam = dir.join("adam.safetensors");
        if adam.is_file() {
            self.opt.load(&adam)?;
        }
        let schedule = dir.join("loop.json");
        self.schedule = if schedule.is_file() {
            load_json(&schedule, "a DQN schedule")?
        } else {
            LoopState {
                next_train: state.global_step.max(cfg.learning_starts),
                ..LoopState::new(cfg)
            }
        };
        self.norm = ObsNorm::load(&dir.join("obs_norm.json"))?;
        let p = dir.join("rng.json");
        let r: RngState = load_json(&p, "a stream position")?;
        let pos = |field: &str, v: &str| -> Result<u128, LearnError> {
            v.parse().map_err(|e| LearnError::Parse {
                path: p.clone(),
                what: "a stream position",
                message: format!("{field} {v:?}: {e}"),
            })
        };
        self.explore.set_word_pos(pos("explore", &r.explore)?);
        self.sampler.set_word_pos(pos("replay", &r.replay)?);
        self.buffer = ReplayBuffer::load(
            &dir.join("replay.bin"),
            cfg.buffer_size,
            self.norm.rms.mean.len(),
            self.online.n_actions as usize,
        )?;
        Ok(state)
    }

    /// One gradient step on a sampled minibatch; returns `(td_loss, mean Q(s, a))`.
    pub(super) fn update(&mut self, cfg: &DqnConfig) -> Result<(f64, f64), LearnError> {
        let device = self.online.vs.device();
        let b: Batch = self.buffer.sample(&mut self.sampler, cfg.batch_size);
        let rows = b.actions.len() as i64;
        let n_act = self.online.n_actions;
        let tensor = |v: &[f32]| Tensor::from_slice(v).to_device(device);
        let obs = tensor(&self.norm.normalize(&b.obs)).view([rows, -1]); // [B, D]
        let next_obs = tensor(&self.norm.normalize(&b.next_obs)).view([rows, -1]); // [B, D]
        let actions = Tensor::from_slice(&b.actions)
            .to_device(device)
            .unsqueeze(-1); // [B, 1]
        let rewards = tensor(&b.rewards); // [B]
        let discounts = tensor(&b.discounts); // [B]
        let next_mask = Tensor::from_slice(&b.next_mask)
            .view([rows, n_act])
            .to_device(device); // [B, A]

        // target: r + discount · Q_target(s', a*), a* by the online net (double) or the target
        let y = tch::no_grad(|| {
            let q_next = self.target.q(&next_obs); // [B, A]
            let v_next = if cfg.double {
                let a_star = self.online.greedy(&next_obs, &next_mask).unsqueeze(-1); // [B, 1]
                q_next.gather(1, &a_star, false).squeeze_dim(-1)
            } else {
                network::masked(&q_next, &next_mask).amax(-1, false)
            }; // [B]
            &rewards + &discounts * v_next
        });
        let q_sa = self
            .online
            .q(&obs)
            .gather(1, &actions, false)
            .squeeze_dim(-1); // [B]
        let loss = q_sa.huber_loss(&y, Reduction::Mean, cfg.huber_delta);
        self.opt.zero_grad();
        loss.backward();
        self.opt.clip_grad_norm(cfg.max_grad_norm);
        self.opt.step();
        Ok((
            f64::try_from(&loss)?,
            f64::try_from(q_sa.detach().mean(Kind::Float))?,
        ))
    }
}
