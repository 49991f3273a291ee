//! Wrappers: an `Env` around an `Env`, each changing one thing (Gymnasium's wrapper idea).
//!
//! Parts:
//! - `normalize`: `NormalizeObservation`, running mean/std standardisation with saveable state.
//! - `time_limit`: `TimeLimit`, truncates episodes after a number of steps.
//! - `episode_stats`: `EpisodeStatistics`, puts an episode's return, length and cost/SLO totals
//!   into the last step's `info.episode`.
//!
//! Wrappers compose (`EpisodeStatistics::new(TimeLimit::new(env, 100))`) and go inside a `VecEnv`.

pub mod episode_stats;
pub mod normalize;
pub mod time_limit;

pub use episode_stats::EpisodeStatistics;
pub use normalize::{NormalizeObservation, NormalizeState, RunningMeanStd, StateError};
pub use time_limit::TimeLimit;
