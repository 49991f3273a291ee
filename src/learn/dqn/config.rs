//! `DqnConfig`: every DQN hyperparameter with its default (`agents/dqn.yaml` shows them all).
//! Always compiled, so agent files parse without libtorch and fail with a clear error instead.

use serde::{Deserialize, Serialize};

use crate::env::RewardTerms;
use crate::io::{ConfigError, Ctx};
use crate::learn::{check_epsilon, check_hidden};
use crate::scenario::env_spec::{CalendarObsSpec, ObsForecastSpec};

/// Double DQN with a target network, replay buffer, Huber loss and gradient clipping over the
/// env's `joint` actions (each pool −1 / 0 / +1 × `step_size`: `3^pools` actions, masked).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DqnConfig {
    /// Instances per move of one pool and step. Default 2.
    #[serde(default = "default_step_size")]
    pub step_size: u32,
    /// The forecast in the observation; default: the scenario's.
    #[serde(default)]
    pub forecast: Option<ObsForecastSpec>,
    /// Calendar features of the announced promotions in the observation; default: the
    /// scenario's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<CalendarObsSpec>,
    /// Hidden layer sizes of the Q-network (ReLU MLP). Default [128, 128].
    #[serde(default = "default_hidden")]
    pub hidden: Vec<i64>,
    /// Dueling head: Q = V + A − mean(A) over a shared trunk. Default false.
    #[serde(default)]
    pub dueling: bool,
    /// Double DQN: the online network picks the next action, the target network values it.
    /// Default true.
    #[serde(default = "yes")]
    pub double: bool,
    /// Steps per return (n-step targets, `discount = gamma^n`). Default 1.
    #[serde(default = "one_usize")]
    pub n_step: usize,
    /// Parallel envs (one `VecEnv`). Default 4.
    #[serde(default = "default_num_envs")]
    pub num_envs: usize,
    /// Env steps of a run unless `--steps` says otherwise. Default 48 000.
    #[serde(default = "default_total_steps")]
    pub total_steps: u64,
    /// Transitions kept (oldest overwritten). Default 50 000.
    #[serde(default = "default_buffer")]
    pub buffer_size: usize,
    /// Env steps of pure exploration before the first update. Default 2 000.
    #[serde(default = "default_learning_starts")]
    pub learning_starts: u64,
    /// Transitions per gradient step. Default 128.
    #[serde(default = "default_batch")]
    pub batch_size: usize,
    /// Env steps (all envs together) between update rounds, and gradient steps per round.
    /// Defaults 4, 1.
    #[serde(default = "default_four")]
    pub train_frequency: u64,
    #[serde(default = "one_usize")]
    pub gradient_steps: usize,
    /// Env steps between target-network updates; each update moves the target `tau` of the way
    /// to the online network (1 = hard copy). Defaults 1 000, 1.0.
    #[serde(default = "default_target_interval")]
    pub target_update_interval: u64,
    #[serde(default = "one_f64")]
    pub tau: f64,
    /// Adam learning rate. Default 5e-4.
    #[serde(default = "default_lr")]
    pub learning_rate: f64,
    /// Default 0.99.
    #[serde(default = "default_gamma")]
    pub gamma: f64,
    /// Epsilon falls linearly from `epsilon_start` to `epsilon_end` over the first
    /// `exploration_fraction` of the run. Defaults 1.0, 0.05, 0.3.
    #[serde(default = "one_f64")]
    pub epsilon_start: f64,
    #[serde(default = "default_eps_end")]
    pub epsilon_end: f64,
    #[serde(default = "default_exploration")]
    pub exploration_fraction: f64,
    /// Huber loss threshold (in scaled reward units). Default 1.0.
    #[serde(default = "one_f64")]
    pub huber_delta: f64,
    /// Global gradient norm clip. Default 10.
    #[serde(default = "default_clip_grad")]
    pub max_grad_norm: f64,
    /// Rewards are multiplied by this before learning (the env's reward is in $). Default 1e-4.
    #[serde(default = "default_reward_scale")]
    pub reward_scale: f64,
    /// Training-only weight of the reward's SLO term: the learner learns from `cost +
    /// revenue_lost + slo_weight · slo_penalty` (times `reward_scale`), so a weight above 1 makes
    /// it avoid SLO-violation minutes more than the benchmark's return prices them. Evaluation,
    /// `best/` selection and every reported return use the env's own reward. Default 1 (the
    /// env's reward, unchanged).
    #[serde(default = "one_f64")]
    pub slo_weight: f64,
    /// Running observation standardisation (raw observations are stored; batches are normalised
    /// with the current statistics). Default true.
    #[serde(default = "yes")]
    pub norm_obs: bool,
    /// Greedy evaluation every this many env steps on `eval_episodes` seeds from `eval_seed`.
    /// Defaults 8 000, 4, 900.
    #[serde(default = "default_eval_every")]
    pub eval_every: u64,
    #[serde(default = "default_eval_episodes")]
    pub eval_episodes: u64,
    #[serde(default = "default_eval_seed")]
    pub eval_seed: u64,
    /// Checkpoint (with the replay buffer, for `--resume`) every this many env steps.
    /// Default 8 000.
    #[serde(default = "default_eval_every")]
    pub checkpoint_every: u64,
}

impl DqnConfig {
    /// What the learner learns from for one step with env reward `reward` split into `terms`:
    /// the reward with its SLO term weighted by `slo_weight`, times `reward_scale`. With the
    /// default weight it is exactly `reward · reward_scale`.
    pub fn learning_reward(&self, reward: f64, terms: &RewardTerms) -> f32 {
        ((reward + (self.slo_weight - 1.0) * terms.slo_penalty) * self.reward_scale) as f32
    }

    /// Checks every value against its documented range (errors name the field in `ctx`'s file).
    pub fn validate(&self, ctx: &Ctx) -> Result<(), ConfigError> {
        ctx.check_range("gamma", self.gamma, 0.0, 1.0)?;
        ctx.check_range("learning_rate", self.learning_rate, 0.0, 1.0)?;
        ctx.check_range("tau", self.tau, 1e-9, 1.0)?;
        check_epsilon(
            ctx,
            self.epsilon_start,
            self.epsilon_end,
            self.exploration_fraction,
        )?;
        ctx.check_range("huber_delta", self.huber_delta, 1e-9, 1e9)?;
        ctx.check_range("max_grad_norm", self.max_grad_norm, 1e-9, 1e9)?;
        ctx.check_range("reward_scale", self.reward_scale, 1e-12, 1e6)?;
        ctx.check_range("slo_weight", self.slo_weight, 0.0, 1e6)?;
        check_hidden(ctx, &self.hidden)?;
        for (field, v) in [
            ("step_size", self.step_size as usize),
            ("num_envs", self.num_envs),
            ("n_step", self.n_step),
            ("buffer_size", self.buffer_size),
            ("batch_size", self.batch_size),
            ("gradient_steps", self.gradient_steps),
        ] {
            if v == 0 {
                return Err(ctx.invalid(field, 0, "must be >= 1"));
            }
        }
        if self.n_step > 1000 {
            return Err(ctx.invalid("n_step", self.n_step, "must be <= 1000"));
        }
        Ok(())
    }
}

impl Default for DqnConfig {
    fn default() -> Self {
        serde_yaml::from_str("{}").expect("every field has a default")
    }
}

fn default_step_size() -> u32 {
    2
}
fn default_hidden() -> Vec<i64> {
    vec![128, 128]
}
fn yes() -> bool {
    true
}
fn one_usize() -> usize {
    1
}
fn one_f64() -> f64 {
    1.0
}
fn default_num_envs() -> usize {
    4
}
fn default_total_steps() -> u64 {
    48_000
}
fn default_buffer() -> usize {
    50_000
}
fn default_learning_starts() -> u64 {
    2_000
}
fn default_batch() -> usize {
    128
}
fn default_four() -> u64 {
    4
}
fn default_target_interval() -> u64 {
    1_000
}
fn default_lr() -> f64 {
    5e-4
}
fn default_gamma() -> f64 {
    0.99
}
fn default_eps_end() -> f64 {
    0.05
}
fn default_exploration() -> f64 {
    0.3
}
fn default_clip_grad() -> f64 {
    10.0
}
fn default_reward_scale() -> f64 {
    1e-4
}
fn default_eval_every() -> u64 {
    8_000
}
fn default_eval_episodes() -> u64 {
    4
}
fn default_eval_seed() -> u64 {
    900
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learning_reward_weights_only_the_slo_term() {
        let terms = RewardTerms {
            cost: -120.5,
            revenue_lost: -33.25,
            slo_penalty: -3.0,
        };
        let reward = terms.total();
        let base = DqnConfig::default();
        // The default weight learns from the env's reward itself, bit for bit.
        assert_eq!(
            base.learning_reward(reward, &terms).to_bits(),
            ((reward * base.reward_scale) as f32).to_bits()
        );
        let heavy = DqnConfig {
            slo_weight: 10.0,
            ..DqnConfig::default()
        };
        let want = ((-120.5 - 33.25 - 30.0) * heavy.reward_scale) as f32;
        assert!((heavy.learning_reward(reward, &terms) - want).abs() < 1e-9);
        let none = DqnConfig {
            slo_weight: 0.0,
            ..DqnConfig::default()
        };
        let want = ((-120.5 - 33.25) * none.reward_scale) as f32;
        assert!((none.learning_reward(reward, &terms) - want).abs() < 1e-9);
    }
}
