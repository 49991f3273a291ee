//! `StepInfo`: the structured side channel of `reset` and `step` (Gymnasium's `info` dict, typed).
//! Policies that need more than the flat observation (threshold, predictive and DP baselines) read
//! the raw pool views, the last interval's statistics and the forecast here.

use serde::Serialize;

use super::EpisodeTally;
use crate::sim::{IntervalStats, PoolView, ScaleOutcome};

/// The reward of one step split into its terms. Each term is its signed, weighted and scaled
/// contribution, so `reward == cost + revenue_lost + slo_penalty` exactly (all <= 0 by default).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct RewardTerms {
    /// −scale · cost_weight · instance cost of the interval [$].
    pub cost: f64,
    /// −scale · revenue_weight · revenue lost to failed requests [$].
    pub revenue_lost: f64,
    /// −scale · slo_penalty · classes that violated their SLO in the interval.
    pub slo_penalty: f64,
}

impl RewardTerms {
    /// The reward these terms make up.
    pub fn total(&self) -> f64 {
        self.cost + self.revenue_lost + self.slo_penalty
    }

    pub fn add(&mut self, o: &RewardTerms) {
        self.cost += o.cost;
        self.revenue_lost += o.revenue_lost;
        self.slo_penalty += o.slo_penalty;
    }
}

/// Forecast arrivals per class and interval ahead.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ArrivalForecast {
    /// Intervals ahead (0 when the env has no forecaster).
    pub horizon: usize,
    pub n_classes: usize,
    /// `values[h * n_classes + c]`: expected arrivals of class `c` in interval `h` (0 = next)
    /// [requests per interval].
    pub values: Vec<f64>,
}

impl ArrivalForecast {
    /// Class `c`, `h` intervals ahead (0 = the next interval) [requests].
    pub fn get(&self, c: usize, h: usize) -> f64 {
        self.values[h * self.n_classes + c]
    }
}

/// Everything `reset` and `step` report besides observation and reward.
#[derive(Debug, Clone, Default)]
pub struct StepInfo {
    /// Steps taken in this episode (0 after reset).
    pub step: u64,
    /// Simulated time now [s since episode start].
    pub time_s: f64,
    /// Reward split (zeros after reset).
    pub reward_terms: RewardTerms,
    /// Classes that violated their SLO in the interval.
    pub slo_violations: u32,
    /// Per pool, what the action's target became (empty after reset).
    pub scaling: Vec<ScaleOutcome>,
    /// True when any pool's target was clipped (to `[min, max]` or the budget).
    pub clipped: bool,
    /// Action mask for the next action (length `action_space().flat_dim()`; see `ActionCodec::mask`).
    pub action_mask: Vec<bool>,
    /// Pools now, in pool order.
    pub pools: Vec<PoolView>,
    /// Billed instances now (all pools).
    pub billed_instances: u32,
    /// Forecast of the coming intervals (what the observation's forecast features encode).
    pub forecast: ArrivalForecast,
    /// The interval just simulated (`None` after reset).
    pub stats: Option<IntervalStats>,
    /// Set on an episode's last step by `EpisodeStatistics`.
    pub episode: Option<EpisodeTally>,
    /// `VecEnv` in `SameStep` autoreset mode: the ended episode's last observation (the returned
    /// observation is already the next episode's first).
    pub final_obs: Option<Vec<f32>>,
    /// `VecEnv` in `SameStep` autoreset mode: the ended episode's last info.
    pub final_info: Option<Box<StepInfo>>,
    /// After `reset` on a scenario family: the values drawn for the episode, by field (empty
    /// otherwise).
    pub scenario_params: Vec<(String, f64)>,
}
