//! `QLearningConfig`: everything a tabular Q-learning run needs, with documented defaults
//! (`agents/q_learning.yaml` shows them all).

use serde::{Deserialize, Serialize};

use crate::io::{ConfigError, Ctx};
use crate::learn::check_epsilon;
use crate::scenario::env_spec::{CalendarObsSpec, ObsForecastSpec};

/// Tabular Q-learning over `joint` actions (3^pools: each pool −1 / 0 / +1 × `step_size`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QLearningConfig {
    /// Instances per joint move. Default 1.
    #[serde(default = "one_u32")]
    pub step_size: u32,
    /// The forecast in the observation (feeds the `trend` bins); default: the scenario's.
    #[serde(default)]
    pub forecast: Option<ObsForecastSpec>,
    /// Calendar features of the announced promotions in the observation; default: the
    /// scenario's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<CalendarObsSpec>,
    /// The state discretisation.
    #[serde(default)]
    pub bins: Bins,
    /// Discount. Default 0.98.
    #[serde(default = "default_gamma")]
    pub gamma: f64,
    /// Learning rate, linearly from `lr_start` to `lr_end` over training. Defaults 0.3, 0.02.
    #[serde(default = "default_lr_start")]
    pub lr_start: f64,
    #[serde(default = "default_lr_end")]
    pub lr_end: f64,
    /// Epsilon-greedy exploration, linearly from `epsilon_start` to `epsilon_end` over the first
    /// `exploration_fraction` of training. Defaults 1.0, 0.05, 0.6.
    #[serde(default = "one_f64")]
    pub epsilon_start: f64,
    #[serde(default = "default_epsilon_end")]
    pub epsilon_end: f64,
    #[serde(default = "default_exploration_fraction")]
    pub exploration_fraction: f64,
    /// Double Q-learning (two tables, each updated toward the other's value of its argmax).
    #[serde(default)]
    pub double_q: bool,
    /// Rewards are multiplied by this before learning (the env's reward is in $). Default 1e-4.
    #[serde(default = "default_reward_scale")]
    pub reward_scale: f64,
    /// Parallel envs (a `VecEnv`). Default 2.
    #[serde(default = "default_num_envs")]
    pub num_envs: usize,
    /// Env steps of a run (all envs together) unless `--steps` says otherwise. Default 24 000.
    #[serde(default = "default_total_steps")]
    pub total_steps: u64,
    /// Greedy evaluation every this many env steps, on `eval_episodes` seeds from `eval_seed`.
    /// Defaults 6 000, 2, 900.
    #[serde(default = "default_eval_every")]
    pub eval_every: u64,
    #[serde(default = "default_eval_episodes")]
    pub eval_episodes: u64,
    #[serde(default = "default_eval_seed")]
    pub eval_seed: u64,
    /// Checkpoint every this many env steps. Default 6 000.
    #[serde(default = "default_eval_every")]
    pub checkpoint_every: u64,
}

/// Bins per state feature (1 turns a feature off). The state index is their mixed-radix number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bins {
    /// Episode progress (`time.progress`), equal-width: the time of day within the episode's
    /// window. Default 12.
    #[serde(default = "default_time_bins")]
    pub time: usize,
    /// Mean arrival rate over classes relative to its scenario average, log2 bins
    /// (<1, 1–2, 2–4, ...). Default 4.
    #[serde(default = "default_load_bins")]
    pub load: usize,
    /// Mean running instances as a fraction of the pools' max, log2 bins (<1/8, 1/8–1/4, ...).
    /// Default 3.
    #[serde(default = "default_small_bins")]
    pub instances: usize,
    /// Highest pool utilisation, equal-width over [0, 1] (a queue counts as full). Default 3.
    #[serde(default = "default_small_bins")]
    pub utilisation: usize,
    /// Forecast trend (last forecast step / current arrivals: falling, flat, rising); needs a
    /// forecast in the observation. Default 1 (off).
    #[serde(default = "default_trend_bins")]
    pub trend: usize,
}

impl QLearningConfig {
    /// Checks every value against its documented range (errors name the field in `ctx`'s file).
    pub fn validate(&self, ctx: &Ctx) -> Result<(), ConfigError> {
        ctx.check_range("gamma", self.gamma, 0.0, 1.0)?;
        check_epsilon(
            ctx,
            self.epsilon_start,
            self.epsilon_end,
            self.exploration_fraction,
        )?;
        ctx.check_range("lr_start", self.lr_start, 0.0, 1.0)?;
        ctx.check_range("lr_end", self.lr_end, 0.0, 1.0)?;
        let b = &self.bins;
        let states: f64 = [b.time, b.load, b.instances, b.utilisation, b.trend]
            .iter()
            .map(|&n| n.max(1) as f64)
            .product();
        if states > 1e6 {
            return Err(ctx.invalid("bins", states, "more than 1e6 states"));
        }
        if self.step_size == 0 || self.num_envs == 0 {
            return Err(ctx.invalid("step_size/num_envs", 0, "must be >= 1"));
        }
        Ok(())
    }
}

impl Default for Bins {
    fn default() -> Self {
        Bins {
            time: default_time_bins(),
            load: default_load_bins(),
            instances: default_small_bins(),
            utilisation: default_small_bins(),
            trend: default_trend_bins(),
        }
    }
}

impl Default for QLearningConfig {
    fn default() -> Self {
        serde_yaml::from_str("{}").expect("every field has a default")
    }
}

fn one_u32() -> u32 {
    1
}
fn one_f64() -> f64 {
    1.0
}
fn default_gamma() -> f64 {
    0.98
}
fn default_lr_start() -> f64 {
    0.3
}
fn default_lr_end() -> f64 {
    0.02
}
fn default_epsilon_end() -> f64 {
    0.05
}
fn default_exploration_fraction() -> f64 {
    0.6
}
fn default_reward_scale() -> f64 {
    1e-4
}
fn default_num_envs() -> usize {
    2
}
fn default_total_steps() -> u64 {
    24_000
}
fn default_eval_every() -> u64 {
    6_000
}
fn default_eval_episodes() -> u64 {
    2
}
fn default_eval_seed() -> u64 {
    900
}
fn default_time_bins() -> usize {
    12
}
fn default_load_bins() -> usize {
    4
}
fn default_small_bins() -> usize {
    3
}
fn default_trend_bins() -> usize {
    1
}
