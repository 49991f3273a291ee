//! `PpoConfig`: every PPO hyperparameter with its default (`agents/ppo.yaml` shows them all).
//! Always compiled, so agent files parse without libtorch and fail with a clear error instead.

use serde::{Deserialize, Serialize};

use crate::io::{ConfigError, Ctx};
use crate::learn::check_hidden;
use crate::scenario::env_spec::{CalendarObsSpec, ObsForecastSpec};

/// Clipped PPO with GAE over a `VecEnv`, one categorical head per pool over `delta` moves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PpoConfig {
    /// Largest move per pool and step [action units] (`delta` mode). Default 2.
    #[serde(default = "default_max_delta")]
    pub max_delta: u32,
    /// Instances per action unit. Default 1.
    #[serde(default = "one_u32")]
    pub step_size: u32,
    /// The forecast in the observation; default: the scenario's.
    #[serde(default)]
    pub forecast: Option<ObsForecastSpec>,
    /// Calendar features of the announced promotions in the observation; default: the
    /// scenario's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<CalendarObsSpec>,
    /// Hidden layer sizes of the actor and of the critic (separate tanh MLPs). Default [64, 64].
    #[serde(default = "default_hidden")]
    pub hidden: Vec<i64>,
    /// Parallel envs. Default 8.
    #[serde(default = "default_num_envs")]
    pub num_envs: usize,
    /// Steps per env per rollout. Default 120 (one flash-sale episode).
    #[serde(default = "default_num_steps")]
    pub num_steps: usize,
    /// Env steps of a run unless `--steps` says otherwise. Default 96 000.
    #[serde(default = "default_total_steps")]
    pub total_steps: u64,
    /// Adam learning rate, annealed linearly to 0 when `anneal_lr`. Defaults 3e-4, true.
    #[serde(default = "default_lr")]
    pub learning_rate: f64,
    #[serde(default = "yes")]
    pub anneal_lr: bool,
    /// Defaults 0.99, 0.95.
    #[serde(default = "default_gamma")]
    pub gamma: f64,
    #[serde(default = "default_lambda")]
    pub gae_lambda: f64,
    /// Minibatches per epoch and epochs per rollout. Defaults 4, 4.
    #[serde(default = "default_four")]
    pub num_minibatches: usize,
    #[serde(default = "default_four")]
    pub update_epochs: usize,
    /// Normalise advantages per minibatch. Default true.
    #[serde(default = "yes")]
    pub norm_adv: bool,
    /// Policy ratio clip. Default 0.2.
    #[serde(default = "default_clip")]
    pub clip_coef: f64,
    /// Clip the value loss around the old values with `clip_coef`. Default true.
    #[serde(default = "yes")]
    pub clip_vloss: bool,
    /// Entropy bonus and value-loss weights. Defaults 0.01, 0.5.
    #[serde(default = "default_ent")]
    pub ent_coef: f64,
    #[serde(default = "default_vf")]
    pub vf_coef: f64,
    /// Global gradient norm clip. Default 0.5.
    #[serde(default = "default_clip_grad")]
    pub max_grad_norm: f64,
    /// Rewards are multiplied by this before learning (the env's reward is in $). Default 1e-4.
    #[serde(default = "default_reward_scale")]
    pub reward_scale: f64,
    /// Running observation standardisation. Default true.
    #[serde(default = "yes")]
    pub norm_obs: bool,
    /// Greedy evaluation every this many env steps on `eval_episodes` seeds from `eval_seed`.
    /// Defaults 9 600, 4, 900.
    #[serde(default = "default_eval_every")]
    pub eval_every: u64,
    #[serde(default = "default_eval_episodes")]
    pub eval_episodes: u64,
    #[serde(default = "default_eval_seed")]
    pub eval_seed: u64,
    /// Checkpoint every this many env steps. Default 9 600.
    #[serde(default = "default_eval_every")]
    pub checkpoint_every: u64,
}

impl PpoConfig {
    /// Checks every value against its documented range (errors name the field in `ctx`'s file).
    pub fn validate(&self, ctx: &Ctx) -> Result<(), ConfigError> {
        ctx.check_range("gamma", self.gamma, 0.0, 1.0)?;
        ctx.check_range("gae_lambda", self.gae_lambda, 0.0, 1.0)?;
        ctx.check_range("clip_coef", self.clip_coef, 0.0, 10.0)?;
        ctx.check_range("learning_rate", self.learning_rate, 0.0, 1.0)?;
        check_hidden(ctx, &self.hidden)?;
        if self.step_size == 0 || self.max_delta == 0 || self.num_envs == 0 || self.num_steps == 0 {
            return Err(ctx.invalid("step_size/max_delta/num_envs/num_steps", 0, "must be >= 1"));
        }
        Ok(())
    }
}

impl Default for PpoConfig {
    fn default() -> Self {
        serde_yaml::from_str("{}").expect("every field has a default")
    }
}

fn default_max_delta() -> u32 {
    2
}
fn one_u32() -> u32 {
    1
}
fn default_hidden() -> Vec<i64> {
    vec![64, 64]
}
fn default_num_envs() -> usize {
    8
}
fn default_num_steps() -> usize {
    120
}
fn default_total_steps() -> u64 {
    96_000
}
fn default_lr() -> f64 {
    3e-4
}
fn yes() -> bool {
    true
}
fn default_gamma() -> f64 {
    0.99
}
fn default_lambda() -> f64 {
    0.95
}
fn default_four() -> usize {
    4
}
fn default_clip() -> f64 {
    0.2
}
fn default_ent() -> f64 {
    0.01
}
fn default_vf() -> f64 {
    0.5
}
fn default_clip_grad() -> f64 {
    0.5
}
fn default_reward_scale() -> f64 {
    1e-4
}
fn default_eval_every() -> u64 {
    9_600
}
fn default_eval_episodes() -> u64 {
    4
}
fn default_eval_seed() -> u64 {
    900
}
