//! `RandomPolicy`: a uniform random action each step, from its own seeded stream (`policy/random`).
//! With `masked` (the default) each component is drawn among the values the action mask allows,
//! so no action is clipped (except by the joint budget in `MultiDiscrete` modes).

use rand::Rng;

use super::Policy;
use crate::env::{Action, Space, StepInfo};
use crate::sim::rng::{stream, StreamRng};

/// Uniform random actions over an action space.
pub struct RandomPolicy {
    space: Space,
    rng: StreamRng,
    /// Draw only among allowed values (`info.action_mask`).
    pub masked: bool,
}

impl RandomPolicy {
    /// Over `space` (the env's action space), seeded with `seed`.
    pub fn new(space: Space, seed: u64) -> RandomPolicy {
        RandomPolicy {
            space,
            rng: stream(seed, "policy/random"),
            masked: true,
        }
    }

    /// Index of a uniform `true` in `mask` (uniform over all of it when none is true).
    fn pick(rng: &mut StreamRng, mask: &[bool]) -> usize {
        let allowed = mask.iter().filter(|&&m| m).count();
        if allowed == 0 {
            return rng.random_range(0..mask.len().max(1));
        }
        let k = rng.random_range(0..allowed);
        mask.iter()
            .enumerate()
            .filter(|(_, &m)| m)
            .nth(k)
            .map_or(0, |(i, _)| i)
    }
}

impl Policy for RandomPolicy {
    fn name(&self) -> &str {
        "random"
    }

    fn reset(&mut self, seed: Option<u64>) {
        if let Some(s) = seed {
            self.rng = stream(s, "policy/random");
        }
    }

    fn act(&mut self, _obs: &[f32], info: &StepInfo) -> Action {
        let use_mask = self.masked && info.action_mask.len() == self.space.flat_dim();
        match &self.space {
            Space::Discrete(d) if use_mask => {
                Action::Discrete(d.start + Self::pick(&mut self.rng, &info.action_mask) as i64)
            }
            Space::MultiDiscrete(m) if use_mask => {
                let offsets = self.space.mask_offsets();
                Action::MultiDiscrete(
                    (0..m.nvec.len())
                        .map(|p| {
                            let block = &info.action_mask[offsets[p]..offsets[p + 1]];
                            m.start[p] + Self::pick(&mut self.rng, block) as i64
                        })
                        .collect(),
                )
            }
            space => space
                .sample_action(&mut self.rng)
                .unwrap_or(Action::MultiDiscrete(Vec::new())),
        }
    }
}
