//! What actions mean: the `ActionCodec` turns the `Action` a policy returns (an element of the
//! action space, defined with the spaces) into per-pool instance targets (and back), builds the
//! action space and the action mask.
//!
//! Modes (`env.action.mode`):
//! - `delta`: `MultiDiscrete`, per pool a value `v` in `-max_delta..=max_delta`; target = active +
//!   `v · step_size`.
//! - `target`: `MultiDiscrete`, per pool a value in `min..=max`; target = that value.
//! - `joint`: `Discrete(3^pools)`; index `i` has base-3 digits `d_p` (pool 0 least significant),
//!   target of pool `p` = active + `(d_p − 1) · step_size`. Small enough for tabular learners.
//!
//! Targets are applied with `Simulator::set_target` in pool order, which clips them to the pool's
//! `[min, max]` and the cluster budget (so under a budget, lower-numbered pools launch first). The
//! mask marks the values that would not be clipped, given the current pools; for `MultiDiscrete`
//! each pool's block is judged alone against the remaining budget (a mask cannot express the joint
//! budget), for `joint` the whole combination is judged.

use super::space::{Action, Discrete, MultiDiscrete, Space};
use crate::scenario::env_spec::{ActionModeSpec, ActionSpec};
use crate::sim::{PoolView, SimConfig};

/// Reads actions of one mode for one cluster. Built by `ScalingEnv`; `Policy`s use it to express
/// the targets they want in the env's mode (`encode_targets`).
#[derive(Debug, Clone)]
pub struct ActionCodec {
    mode: ActionModeSpec,
    max_delta: u32,
    step_size: u32,
    /// Per pool `(min, max)` instances.
    bounds: Vec<(u32, u32)>,
    budget: Option<u32>,
    space: Space,
}

impl ActionCodec {
    /// The codec of `spec` (validated) over the pools of `sim`.
    pub(crate) fn new(spec: &ActionSpec, sim: &SimConfig) -> ActionCodec {
        let bounds: Vec<(u32, u32)> = sim.pools.iter().map(|p| (p.min, p.max)).collect();
        let np = bounds.len();
        let space = match spec.mode {
            ActionModeSpec::Delta => Space::MultiDiscrete(MultiDiscrete {
                nvec: vec![2 * u64::from(spec.max_delta) + 1; np],
                start: vec![-i64::from(spec.max_delta); np],
            }),
            ActionModeSpec::Target => Space::MultiDiscrete(MultiDiscrete {
                nvec: bounds
                    .iter()
                    .map(|&(lo, hi)| u64::from(hi - lo) + 1)
                    .collect(),
                start: bounds.iter().map(|&(lo, _)| i64::from(lo)).collect(),
            }),
            ActionModeSpec::Joint => Space::Discrete(Discrete {
                n: 3u64.pow(np as u32),
                start: 0,
            }),
        };
        ActionCodec {
            mode: spec.mode,
            max_delta: spec.max_delta,
            step_size: spec.step_size,
            bounds,
            budget: sim.budget,
            space,
        }
    }

    pub fn mode(&self) -> ActionModeSpec {
        self.mode
    }

    /// Instances per action unit in `delta` and `joint` modes.
    pub fn step_size(&self) -> u32 {
        self.step_size
    }

    /// The action space.
    pub fn space(&self) -> &Space {
        &self.space
    }

    /// Pool `p`'s move of joint index `i` in action units (-1, 0, +1).
    fn joint_digit(i: i64, p: usize) -> i64 {
        (i / 3i64.pow(p as u32)) % 3 - 1
    }

    /// The per-pool targets `action` asks for (before clipping), given the current pools.
    /// `action` must be in the action space (`ScalingEnv::step` checks).
    pub fn targets(&self, action: &Action, pools: &[PoolView]) -> Vec<i64> {
        let step = i64::from(self.step_size);
        match (self.mode, action) {
            (ActionModeSpec::Delta, Action::MultiDiscrete(v)) => pools
                .iter()
                .zip(v)
                .map(|(pv, &d)| i64::from(pv.active) + d * step)
                .collect(),
            (ActionModeSpec::Target, Action::MultiDiscrete(v)) => v.clone(),
            (ActionModeSpec::Joint, Action::Discrete(i)) => pools
                .iter()
                .enumerate()
                .map(|(p, pv)| i64::from(pv.active) + Self::joint_digit(*i, p) * step)
                .collect(),
            // Not in the space: hold every pool (unreachable through `ScalingEnv::step`).
            _ => pools.iter().map(|pv| i64::from(pv.active)).collect(),
        }
    }

    /// The action of this mode that moves each pool as close to `targets[p]` as one step allows.
    pub fn encode_targets(&self, targets: &[u32], pools: &[PoolView]) -> Action {
        let step = f64::from(self.step_size);
        let units = |p: usize, limit: i64| {
            let diff = f64::from(targets[p]) - f64::from(pools[p].active);
            ((diff / step).round() as i64).clamp(-limit, limit)
        };
        match self.mode {
            ActionModeSpec::Delta => Action::MultiDiscrete(
                (0..pools.len())
                    .map(|p| units(p, i64::from(self.max_delta)))
                    .collect(),
            ),
            ActionModeSpec::Target => Action::MultiDiscrete(
                targets
                    .iter()
                    .zip(&self.bounds)
                    .map(|(&t, &(lo, hi))| i64::from(t.clamp(lo, hi)))
                    .collect(),
            ),
            ActionModeSpec::Joint => Action::Discrete(
                (0..pools.len())
                    .rev()
                    .fold(0, |acc, p| acc * 3 + units(p, 1) + 1),
            ),
        }
    }

    /// The action that keeps every pool as it is.
    pub fn hold(&self, pools: &[PoolView]) -> Action {
        let t: Vec<u32> = pools.iter().map(|p| p.active).collect();
        self.encode_targets(&t, pools)
    }

    /// Whether moving pool `p` from `active` to `target` stays in `[min, max]` and within `room`.
    fn feasible(&self, p: usize, active: u32, target: i64, room: i64) -> bool {
        let (lo, hi) = self.bounds[p];
        target >= i64::from(lo)
            && target <= i64::from(hi)
            && target - i64::from(active) <= room.max(0)
    }

    /// The action mask (length `space().flat_dim()`): `true` where the value would not be clipped.
    /// `billed` is the cluster's billed instances (`Simulator::billed_instances`).
    pub fn mask(&self, pools: &[PoolView], billed: u32) -> Vec<bool> {
        let room = self
            .budget
            .map_or(i64::MAX, |b| i64::from(b) - i64::from(billed));
        let step = i64::from(self.step_size);
        let mut mask = Vec::with_capacity(self.space.flat_dim());
        match &self.space {
            Space::MultiDiscrete(m) => {
                // A pool's targets rise with its value (`step_size` >= 1), and `feasible` asks for
                // `lo <= target <= upper`: so its block is false, then true, then false, with both
                // edges found by bisection on `feasible`'s own tests instead of testing every
                // value (a target-mode block at full scale is over a thousand values per step).
                for (p, pv) in pools.iter().enumerate() {
                    let n = m.nvec[p] as usize;
                    let target = |k: usize| match self.mode {
                        ActionModeSpec::Target => m.start[p] + k as i64,
                        _ => i64::from(pv.active) + (m.start[p] + k as i64) * step,
                    };
                    let below = |k: usize| target(k) < i64::from(self.bounds[p].0);
                    let first = first_false(n, below);
                    let end = first_false(n, |k| {
                        below(k) || self.feasible(p, pv.active, target(k), room)
                    });
                    mask.resize(mask.len() + first, false);
                    mask.resize(mask.len() + (end - first), true);
                    mask.resize(mask.len() + (n - end), false);
                }
            }
            Space::Discrete(d) => {
                for i in 0..d.n as i64 {
                    let mut up = 0;
                    let ok = pools.iter().enumerate().all(|(p, pv)| {
                        let delta = Self::joint_digit(i, p) * step;
                        up += delta.max(0);
                        self.feasible(p, pv.active, i64::from(pv.active) + delta, i64::MAX)
                    });
                    mask.push(ok && up <= room.max(0));
                }
            }
            Space::Box(_) => {}
        }
        mask
    }
}

/// The first `k` in `0..n` where `pred` is false, for a `pred` that is true up to some `k` and
/// false from there on (bisection, as `slice::partition_point` over `0..n`).
fn first_false(n: usize, pred: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if pred(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::stream;
    use rand::Rng;

    /// The mask as it was first written: every value of every pool tested on its own.
    fn mask_value_by_value(c: &ActionCodec, pools: &[PoolView], billed: u32) -> Vec<bool> {
        let room = c
            .budget
            .map_or(i64::MAX, |b| i64::from(b) - i64::from(billed));
        let Space::MultiDiscrete(m) = &c.space else {
            unreachable!("built MultiDiscrete below")
        };
        let mut mask = Vec::new();
        for (p, pv) in pools.iter().enumerate() {
            for k in 0..m.nvec[p] as i64 {
                let v = m.start[p] + k;
                let target = match c.mode {
                    ActionModeSpec::Target => v,
                    _ => i64::from(pv.active) + v * i64::from(c.step_size),
                };
                mask.push(c.feasible(p, pv.active, target, room));
            }
        }
        mask
    }

    #[test]
    fn multi_discrete_mask_equals_testing_every_value() {
        let mut rng = stream(3, "test/mask");
        for case in 0..2000 {
            let np = rng.random_range(1..5usize);
            let bounds: Vec<(u32, u32)> = (0..np)
                .map(|_| {
                    let lo = rng.random_range(0..30u32);
                    (lo, lo + rng.random_range(0..1300u32))
                })
                .collect();
            let (mode, max_delta, step_size) = if case % 2 == 0 {
                (ActionModeSpec::Target, 0, 1)
            } else {
                (
                    ActionModeSpec::Delta,
                    rng.random_range(1..6u32),
                    rng.random_range(1..5u32),
                )
            };
            let space = Space::MultiDiscrete(MultiDiscrete {
                nvec: bounds
                    .iter()
                    .map(|&(lo, hi)| match mode {
                        ActionModeSpec::Target => u64::from(hi - lo + 1),
                        _ => u64::from(2 * max_delta + 1),
                    })
                    .collect(),
                start: bounds
                    .iter()
                    .map(|&(lo, _)| match mode {
                        ActionModeSpec::Target => i64::from(lo),
                        _ => -i64::from(max_delta),
                    })
                    .collect(),
            });
            let budget = (case % 3 != 0).then(|| rng.random_range(0..3000u32));
            let codec = ActionCodec {
                mode,
                max_delta,
                step_size,
                bounds: bounds.clone(),
                budget,
                space,
            };
            let pools: Vec<PoolView> = bounds
                .iter()
                .map(|&(lo, hi)| PoolView {
                    running: 0,
                    provisioning: 0,
                    draining: 0,
                    restarting: 0,
                    // Sometimes outside the bounds (a pool the budget or a crash left there).
                    active: rng.random_range(lo.saturating_sub(3)..hi + 4),
                    queue_len: 0,
                    busy_slots: 0,
                    concurrency: 1,
                })
                .collect();
            let billed = rng.random_range(0..3500u32);
            assert_eq!(
                codec.mask(&pools, billed),
                mask_value_by_value(&codec, &pools, billed),
                "case {case}: {bounds:?}, budget {budget:?}, billed {billed}"
            );
        }
    }
}
