//! Wrappers: an `Env` around an `Env`, each changing one thing (Gymnasium's wrapper idea).
//!
//! Wrappers compose (`EpisodeStatistics::new(TimeLimit::new(env, 100))`) and go inside a `VecEnv`.

pub mod episode_stats;
pub mod normalize;
pub mod time_limit;

pub use episode_stats::EpisodeStatistics;
pub use normalize::{NormalizeObservation, NormalizeState, RunningMeanStd, StateError};
pub use time_limit::TimeLimit;
