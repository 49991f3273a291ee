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
    /// The simulator hit its cap on requests in the system (`sim::engine::MAX_IN_SYSTEM`): the
    /// episode is overloaded past any meaningful result (a rate typo, too little capacity for an
    /// unbounded queue). `reset` starts a new episode; the scenario needs fixing.
    #[error(
        "{in_system} requests in the system at t = {t_s:.0} s, the simulator's cap: the cluster \
         is overloaded past any meaningful result (check the traffic rates, pool capacity and \
         queue limits)"
    )]
    Overloaded { in_system: u64, t_s: f64 },
    /// A render mode other than `ansi` and `rgb_array` (`env::render`).
    #[error("render_mode {0:?}: expected \"ansi\" or \"rgb_array\"")]
    RenderMode(String),
}
