//! Policies: what chooses actions. Baselines (static, threshold, predictive, DP) and RL agents
//! all implement `Policy`, so the CLI, evaluation and examples drive any of them the same way.
//!
//! A policy gets the flat observation and the env's structured `StepInfo` (pool views, the last
//! interval's statistics, the forecast, the action mask) and returns an `Action` of the env's
//! mode; policies that think in instance counts build it with the env's `ActionCodec`
//! (`ScalingEnv::codec`, `encode_targets`).

pub mod random;
pub mod rollout;
pub mod static_policy;

pub use random::RandomPolicy;
pub use rollout::run_episode;
pub use static_policy::StaticPolicy;

use crate::env::{Action, StepInfo};

/// Chooses actions from observations.
pub trait Policy: Send {
    /// Short name for run directories and summaries (`static`, `random`, `dqn`, ...).
    fn name(&self) -> &str;

    /// Called at each episode start: `Some(seed)` re-seeds the policy's randomness, `None`
    /// continues it. Deterministic policies ignore it.
    fn reset(&mut self, seed: Option<u64>);

    /// The action for observation `obs` (with its `info` from `reset` or `step`).
    fn act(&mut self, obs: &[f32], info: &StepInfo) -> Action;
}
