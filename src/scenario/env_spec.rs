//! The `env:` section of a scenario file: how the RL environment (`crate::env::ScalingEnv`) acts,
//! observes, rewards and ends episodes. Pure serde data with documented defaults; every field is
//! optional, so scenario files without an `env:` section get the defaults below. It is validated
//! once into `crate::env::EnvConfig` (errors name `env.<field>`, the value and the file).
//!
//! ```yaml
//! env:
//!   action: { mode: delta, max_delta: 2, step_size: 1 }
//!   forecast: { model: none, horizon: 3, rel_error: 0.1, season_intervals: null }
//!   reward: { cost_weight: 1.0, revenue_weight: 1.0, slo_penalty: 1.0, scale: 1.0 }
//!   termination: { max_error_rate: null, patience_intervals: 3 }
//!   calendar: { promotions: 0 }
//! ```
//!
//! Experiments override fields in code: clone `scenario.spec.env`, change it, and validate it with
//! `EnvConfig::new(&spec, &scenario)`.

use serde::{Deserialize, Serialize};

/// The whole `env:` section.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvSpec {
    #[serde(default)]
    pub action: ActionSpec,
    #[serde(default)]
    pub forecast: ObsForecastSpec,
    #[serde(default)]
    pub reward: RewardSpec,
    #[serde(default)]
    pub termination: TerminationSpec,
    /// Calendar features of the announced promotions. Default none.
    #[serde(default, skip_serializing_if = "CalendarObsSpec::is_off")]
    pub calendar: CalendarObsSpec,
}

/// The observation's calendar features: for each of the next `promotions` announced promotions
/// (known by now, not yet over, by announced start), `calendar.<k>.known`,
/// `calendar.<k>.until_start_h`, `calendar.<k>.peak` and `calendar.<k>.duration_h`, all from the
/// announcement, never from the true traffic.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarObsSpec {
    /// Promotion slots (0 to 8). Default 0: no calendar features.
    #[serde(default)]
    pub promotions: usize,
}

impl CalendarObsSpec {
    fn is_off(&self) -> bool {
        self.promotions == 0
    }
}

/// How an action is read. One step applies one action at the start of a decision interval.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionModeSpec {
    /// Per pool, a change in instances: `MultiDiscrete`, values `-max_delta..=max_delta`, each
    /// unit worth `step_size` instances.
    #[default]
    Delta,
    /// Per pool, the instance count wanted: `MultiDiscrete`, values `min..=max` of each pool.
    Target,
    /// One `Discrete` action over every combination of per-pool moves {-1, 0, +1} × `step_size`
    /// (3^pools actions, pool 0 the least significant base-3 digit), for tabular learners.
    Joint,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionSpec {
    /// Default `delta`.
    #[serde(default)]
    pub mode: ActionModeSpec,
    /// Largest move per pool and step in `delta` mode [action units]. Default 2.
    #[serde(default = "default_max_delta")]
    pub max_delta: u32,
    /// Instances per action unit in `delta` and `joint` modes. Default 1.
    #[serde(default = "one_u32")]
    pub step_size: u32,
}

impl Default for ActionSpec {
    fn default() -> Self {
        ActionSpec {
            mode: ActionModeSpec::Delta,
            max_delta: default_max_delta(),
            step_size: 1,
        }
    }
}

fn default_max_delta() -> u32 {
    2
}
fn one_u32() -> u32 {
    1
}

/// Which arrival forecaster feeds the observation. New models are added as variants here and
/// built in `crate::env::forecast::build`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ObsForecastModel {
    /// No forecast features (the observation has none, whatever `horizon` says).
    #[default]
    None,
    /// The true expected arrivals (integral of the episode's true rates): sees the future.
    Oracle,
    /// The oracle times (1 + `rel_error` · z), z ~ N(0, 1) per value, floored at 0: for ablations.
    NoisyOracle,
    /// The count observed one season earlier (`season_intervals`), else the last count, else 0.
    SeasonalNaive,
    /// A model of the forecasting module (`classical:` gives its spec, e.g. `{ model:
    /// holt_winters_add, season: 1440, refit_every: 60 }`), one per class, updated every interval.
    Classical,
    /// A model fitted offline on the scenario family by `shopgym forecast fit` (direct ridge on
    /// recent counts, the time of day and the announced promotions; `forecast::direct`), read
    /// from `path`. Sees only the past and the announcements.
    Fitted,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObsForecastSpec {
    /// Default `none`.
    #[serde(default)]
    pub model: ObsForecastModel,
    /// Intervals ahead forecast (features `h1..hH` per class). Default 3.
    #[serde(default = "default_horizon")]
    pub horizon: usize,
    /// Relative standard deviation of `noisy_oracle` errors. Default 0.1.
    #[serde(default = "default_rel_error")]
    pub rel_error: f64,
    /// Season length of `seasonal_naive` [intervals]. Default: one day (86 400 s / interval).
    #[serde(default)]
    pub season_intervals: Option<u32>,
    /// The forecasting-module spec used by `model: classical` (see `forecast::spec`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classical: Option<serde_yaml::Value>,
    /// The model file of `model: fitted`, relative to the file that names it. Default: the
    /// scenario's own, `forecasts/<scenario name>.json` beside the scenario file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<std::path::PathBuf>,
}

impl Default for ObsForecastSpec {
    fn default() -> Self {
        ObsForecastSpec {
            model: ObsForecastModel::None,
            horizon: default_horizon(),
            rel_error: default_rel_error(),
            season_intervals: None,
            classical: None,
            path: None,
        }
    }
}

fn default_horizon() -> usize {
    3
}
fn default_rel_error() -> f64 {
    0.1
}

/// reward = −scale · (cost_weight · cost [$] + revenue_weight · revenue lost [$]
///                    + slo_penalty [$] · classes violating their SLO in the interval)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RewardSpec {
    /// Weight of the interval's instance cost [$]. Default 1.
    #[serde(default = "one")]
    pub cost_weight: f64,
    /// Weight of the interval's revenue lost to failed requests [$]. Default 1.
    #[serde(default = "one")]
    pub revenue_weight: f64,
    /// Penalty per class whose SLO an interval violates [$ per class-interval]. Default 1.
    /// It is per interval: doubling `decision_interval_s` halves its weight per hour.
    #[serde(default = "one")]
    pub slo_penalty: f64,
    /// Multiplier on the whole reward (for learners that want O(1) rewards). Default 1.
    #[serde(default = "one")]
    pub scale: f64,
}

impl Default for RewardSpec {
    fn default() -> Self {
        RewardSpec {
            cost_weight: 1.0,
            revenue_weight: 1.0,
            slo_penalty: 1.0,
            scale: 1.0,
        }
    }
}

fn one() -> f64 {
    1.0
}

/// Optional failure condition: the episode is `terminated` once the cluster-wide error rate
/// (failed / finished requests, all classes) exceeds `max_error_rate` for `patience_intervals`
/// intervals in a row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TerminationSpec {
    /// In [0, 1]. Default none (episodes only end at the horizon).
    #[serde(default)]
    pub max_error_rate: Option<f64>,
    /// Consecutive bad intervals that end the episode, >= 1. Default 3.
    #[serde(default = "default_patience")]
    pub patience_intervals: u32,
}

impl Default for TerminationSpec {
    fn default() -> Self {
        TerminationSpec {
            max_error_rate: None,
            patience_intervals: default_patience(),
        }
    }
}

fn default_patience() -> u32 {
    3
}
