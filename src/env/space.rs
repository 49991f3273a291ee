//! Spaces, as in Gymnasium: the set an action or observation belongs to, with `contains`,
//! `sample(rng)` and a flat dimension.
//!
//! - `Discrete { n, start }`: integers `start..start + n`.
//! - `MultiDiscrete { nvec, start }`: vectors whose `i`-th entry is in `start[i]..start[i] + nvec[i]`.
//! - `Box` (`BoxSpace`): `f32` vectors with per-entry `[low, high]` bounds and a shape.
//!
//! `flat_dim` follows `gymnasium.spaces.flatdim`: `n` for `Discrete` and `Σ nvec` for
//! `MultiDiscrete` (their one-hot encodings, which is also the length of an action mask), and the
//! number of entries for `Box`. Sampling takes the RNG from the caller.

use rand::Rng;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

/// One action: an element of the env's action space (`Space::contains_action`,
/// `Space::sample_action`); `ActionCodec` says what it means for the pools.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    /// `joint` mode: one index.
    Discrete(i64),
    /// `delta` and `target` modes: one value per pool, in pool order.
    MultiDiscrete(Vec<i64>),
}

/// Integers `start..start + n` (`n >= 1`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discrete {
    pub n: u64,
    pub start: i64,
}

impl Discrete {
    pub fn contains(&self, x: i64) -> bool {
        x >= self.start && ((x - self.start) as u64) < self.n
    }

    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> i64 {
        self.start + rng.random_range(0..self.n) as i64
    }
}

/// Integer vectors with entry `i` in `start[i]..start[i] + nvec[i]` (every `nvec[i] >= 1`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MultiDiscrete {
    pub nvec: Vec<u64>,
    pub start: Vec<i64>,
}

impl MultiDiscrete {
    pub fn contains(&self, x: &[i64]) -> bool {
        x.len() == self.nvec.len()
            && x.iter()
                .zip(self.nvec.iter().zip(&self.start))
                .all(|(&v, (&n, &s))| v >= s && ((v - s) as u64) < n)
    }

    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Vec<i64> {
        self.nvec
            .iter()
            .zip(&self.start)
            .map(|(&n, &s)| s + rng.random_range(0..n) as i64)
            .collect()
    }
}

/// `f32` vectors with per-entry bounds (infinite bounds allowed) and a shape (row-major).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoxSpace {
    low: Vec<f32>,
    high: Vec<f32>,
    shape: Vec<usize>,
}

impl BoxSpace {
    /// A box of the given shape; `low` and `high` have one entry per element and `low <= high`.
    ///
    /// # Panics
    /// When the lengths disagree with the shape or a bound is NaN or `low > high` (a programming
    /// error: boxes are built by code, not read from files).
    pub fn new(low: Vec<f32>, high: Vec<f32>, shape: Vec<usize>) -> BoxSpace {
        let n: usize = shape.iter().product();
        assert!(
            low.len() == n && high.len() == n,
            "box bounds must match the shape"
        );
        assert!(
            low.iter().zip(&high).all(|(l, h)| l <= h),
            "box needs low <= high and no NaN"
        );
        BoxSpace { low, high, shape }
    }

    /// A flat box of `n` entries, all in `[low, high]`.
    pub fn uniform(n: usize, low: f32, high: f32) -> BoxSpace {
        BoxSpace::new(vec![low; n], vec![high; n], vec![n])
    }

    pub fn low(&self) -> &[f32] {
        &self.low
    }

    pub fn high(&self) -> &[f32] {
        &self.high
    }

    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// Whether `x` has the right length, no NaN and every entry within its bounds.
    pub fn contains(&self, x: &[f32]) -> bool {
        x.len() == self.low.len()
            && x.iter()
                .zip(self.low.iter().zip(&self.high))
                .all(|(&v, (&l, &h))| v >= l && v <= h)
    }

    /// Uniform on bounded entries; N(0, 1) when unbounded both sides; shifted exponential when
    /// bounded on one side (as Gymnasium does).
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Vec<f32> {
        self.low
            .iter()
            .zip(&self.high)
            .map(|(&l, &h)| match (l.is_finite(), h.is_finite()) {
                (true, true) => l + (h - l) * rng.random::<f32>(),
                (false, false) => rng.sample::<f32, _>(StandardNormal),
                (true, false) => l + rng.sample::<f32, _>(rand_distr::Exp1),
                (false, true) => h - rng.sample::<f32, _>(rand_distr::Exp1),
            })
            .collect()
    }
}

/// Any space.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Space {
    Discrete(Discrete),
    MultiDiscrete(MultiDiscrete),
    Box(BoxSpace),
}

impl Space {
    /// Length of the flattened (one-hot for discrete spaces) encoding.
    pub fn flat_dim(&self) -> usize {
        match self {
            Space::Discrete(d) => d.n as usize,
            Space::MultiDiscrete(m) => m.nvec.iter().sum::<u64>() as usize,
            Space::Box(b) => b.low.len(),
        }
    }

    /// Shape of one element (`[]` for `Discrete`, `[pools]` for `MultiDiscrete`).
    pub fn shape(&self) -> Vec<usize> {
        match self {
            Space::Discrete(_) => vec![],
            Space::MultiDiscrete(m) => vec![m.nvec.len()],
            Space::Box(b) => b.shape.clone(),
        }
    }

    /// Whether an action belongs to this (discrete) space.
    pub fn contains_action(&self, a: &Action) -> bool {
        match (self, a) {
            (Space::Discrete(d), Action::Discrete(x)) => d.contains(*x),
            (Space::MultiDiscrete(m), Action::MultiDiscrete(x)) => m.contains(x),
            _ => false,
        }
    }

    /// Whether an observation belongs to this (`Box`) space.
    pub fn contains_obs(&self, x: &[f32]) -> bool {
        matches!(self, Space::Box(b) if b.contains(x))
    }

    /// A uniform action from a discrete space (`None` for a `Box`).
    pub fn sample_action<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<Action> {
        match self {
            Space::Discrete(d) => Some(Action::Discrete(d.sample(rng))),
            Space::MultiDiscrete(m) => Some(Action::MultiDiscrete(m.sample(rng))),
            Space::Box(_) => None,
        }
    }

    /// Offset of each component's block in the flat (mask) encoding: `[0, n_0, n_0 + n_1, ...]`.
    pub fn mask_offsets(&self) -> Vec<usize> {
        match self {
            Space::MultiDiscrete(m) => std::iter::once(0)
                .chain(m.nvec.iter().scan(0usize, |acc, &n| {
                    *acc += n as usize;
                    Some(*acc)
                }))
                .collect(),
            _ => vec![0, self.flat_dim()],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::stream;

    #[test]
    fn samples_are_contained() {
        let mut rng = stream(1, "test");
        let d = Space::Discrete(Discrete { n: 81, start: 0 });
        let m = Space::MultiDiscrete(MultiDiscrete {
            nvec: vec![5, 5, 3],
            start: vec![-2, -2, 7],
        });
        let b = BoxSpace::new(
            vec![0.0, -1.0, f32::NEG_INFINITY],
            vec![1.0, 1.0, f32::INFINITY],
            vec![3],
        );
        for _ in 0..200 {
            assert!(d.contains_action(&d.sample_action(&mut rng).unwrap()));
            assert!(m.contains_action(&m.sample_action(&mut rng).unwrap()));
            assert!(b.contains(&b.sample(&mut rng)));
        }
        assert!(!m.contains_action(&Action::MultiDiscrete(vec![3, 0, 7])));
        assert!(!m.contains_action(&Action::MultiDiscrete(vec![0, 0])));
        assert!(!m.contains_action(&Action::Discrete(0)));
        assert!(!b.contains(&[0.5, f32::NAN, 0.0]));
        assert_eq!(d.flat_dim(), 81);
        assert_eq!(m.flat_dim(), 13);
        assert_eq!(m.mask_offsets(), vec![0, 5, 10, 13]);
    }
}
