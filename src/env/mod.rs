//! The reinforcement-learning environment: the simulator behind Gymnasium's API, in Rust.
//!
//! The central trait is `Env`. Its contract (checked by `check_env`): `reset(Some(s))` re-seeds
//! every random stream, so the same seed and the same actions give bit-identical trajectories;
//! `reset(None)` continues the streams (a new, reproducible episode); `step` returns an
//! observation in `observation_space()`, a finite reward and separate `terminated` (the task
//! failed) and `truncated` (the horizon or a time limit cut the episode) flags; after either,
//! `step` returns `EnvError::NeedsReset` until the next `reset`.

pub mod action;
pub mod check;
pub mod config;
pub mod error;
pub mod forecast;
pub mod forecast_fit;
pub mod info;
pub(crate) mod observation;
pub mod render;
pub mod scaling;
pub mod space;
pub mod tally;
pub mod vec_env;
pub mod wrappers;

pub use action::ActionCodec;
pub use check::{check_env, CheckError, CheckOptions, CheckReport};
pub use config::EnvConfig;
pub use error::EnvError;
pub use forecast::ArrivalForecaster;
pub use info::{ArrivalForecast, RewardTerms, StepInfo};
pub use observation::{LATENCY_CLIP, QUEUE_CLIP, RATE_CLIP};
pub use render::{Frame, Image, RenderMode};
pub use scaling::ScalingEnv;
pub use space::{Action, BoxSpace, Discrete, MultiDiscrete, Space};
pub use tally::EpisodeTally;
pub use vec_env::{AutoresetMode, VecEnv, VecStep};
pub use wrappers::{EpisodeStatistics, NormalizeObservation, RunningMeanStd, TimeLimit};

/// What one `step` returns.
#[derive(Debug, Clone)]
pub struct Step {
    /// The observation after the step (`observation_space()`).
    pub obs: Vec<f32>,
    /// See `RewardTerms`; by default −($ cost + $ revenue lost + $ SLO penalty) of the interval.
    pub reward: f64,
    /// The episode failed (the task's own end, e.g. the error-rate condition).
    pub terminated: bool,
    /// The episode was cut (horizon or time limit); bootstrapping from `obs` is valid.
    pub truncated: bool,
    pub info: StepInfo,
}

/// A Gymnasium-style environment with flat `f32` observations.
pub trait Env: Send {
    /// Starts an episode: `Some(seed)` re-seeds every random stream, `None` continues them.
    fn reset(&mut self, seed: Option<u64>) -> (Vec<f32>, StepInfo);

    /// Applies `action` and advances one step.
    fn step(&mut self, action: &Action) -> Result<Step, EnvError>;

    fn observation_space(&self) -> &Space;

    fn action_space(&self) -> &Space;

    /// Name of every observation feature, in order (see `observation` for their meaning).
    fn obs_names(&self) -> &[String];
}
