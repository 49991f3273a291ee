//! `StaticPolicy`: holds fixed instance counts per pool (the scenario's `policy: static`, or any
//! counts), expressed in the env's action mode. In `target` mode it asks for the counts every step;
//! in `delta`/`joint` modes it moves toward them as fast as the mode allows and then holds.

use super::Policy;
use crate::env::{Action, ActionCodec, ScalingEnv, StepInfo};

/// Fixed per-pool instance targets.
pub struct StaticPolicy {
    targets: Vec<u32>,
    codec: ActionCodec,
}

impl StaticPolicy {
    /// Holds `targets` (one per pool), encoded with `codec` (the env's `ScalingEnv::codec`).
    pub fn new(targets: Vec<u32>, codec: ActionCodec) -> StaticPolicy {
        StaticPolicy { targets, codec }
    }

    /// The scenario's static counts in `env`'s action mode.
    pub fn for_env(env: &ScalingEnv) -> StaticPolicy {
        StaticPolicy::new(env.static_counts().to_vec(), env.codec().clone())
    }

    pub fn targets(&self) -> &[u32] {
        &self.targets
    }
}

impl Policy for StaticPolicy {
    fn name(&self) -> &str {
        "static"
    }

    fn reset(&mut self, _seed: Option<u64>) {}

    fn act(&mut self, _obs: &[f32], info: &StepInfo) -> Action {
        self.codec.encode_targets(&self.targets, &info.pools)
    }
}
