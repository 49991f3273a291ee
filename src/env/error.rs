//! `EnvError`: why an environment call was refused. None of them corrupts the env: after one, the
//! caller can fix the call (or `reset`) and go on.

/// A refused `step` or environment construction.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EnvError {
    /// `step` before the first `reset`, or after the episode ended (`terminated` or `truncated`).
    #[error("step called without a running episode: call reset first")]
    NeedsReset,
    /// The action is not an element of the action space (wrong variant, length or value).
    #[error("action {action} is not in the action space {space}")]
    InvalidAction { action: String, space: String },
    /// An `EnvConfig` validated for a scenario with a different number of pools.
    #[error("env config is for {config_pools} pools but the scenario has {scenario_pools}")]
    ConfigMismatch {
        config_pools: usize,
        scenario_pools: usize,
    },
    /// `VecEnv`: the sub-envs disagree on spaces, or the number of actions is not the number of envs.
    #[error("vector env: {0}")]
    Vector(String),
}
