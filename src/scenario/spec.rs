//! The scenario file format, as parsed (serde), with documented defaults. Unknown fields are
//! errors. `validate.rs` turns a `ScenarioSpec` into the simulator's validated `SimConfig`.
//! Serialising a parsed spec gives the resolved scenario with every default filled in.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::env_spec::EnvSpec;
use crate::sim::{Fidelity, FluidArrivals};

/// A whole scenario file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Episode length [s].
    pub horizon_s: f64,
    /// Decision and metric interval [s]. Default 60.
    #[serde(default = "default_interval")]
    pub decision_interval_s: f64,
    /// Shrinks rates and instance counts (initial, min, max, budget, static policy) together for
    /// fast runs. Default 1. Instance counts are rounded, at least 1 where they were >= 1.
    #[serde(default = "one")]
    pub scale: f64,
    /// Wall-clock position of the episode start (time-of-day and weekday profiles, time features).
    #[serde(default)]
    pub start: StartSpec,
    /// Cluster-wide cap on billed instances (all pools). Default none.
    #[serde(default)]
    pub budget: Option<u32>,
    /// Faults injected for stress tests. Default none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<FaultSpec>,
    pub classes: Vec<ClassSpec>,
    pub pools: Vec<PoolSpec>,
    /// Class name -> the pools it visits in order. Default: each class visits the pool of its own name.
    #[serde(default)]
    pub routes: BTreeMap<String, Vec<StageSpec>>,
    pub traffic: TrafficSpec,
    /// The policy `shopgym simulate` runs. Default: static at each pool's initial count.
    #[serde(default)]
    pub policy: PolicySpec,
    /// The RL environment around the scenario (`crate::env`). Default: see `EnvSpec`.
    #[serde(default)]
    pub env: EnvSpec,
    /// Which simulator runs it: `des` (discrete events, the ground truth) or `fluid` (the
    /// mean-field model, `docs/fluid.md`). Default des; `--fidelity` overrides it.
    #[serde(default, skip_serializing_if = "is_des")]
    pub fidelity: Fidelity,
    /// Options of the fluid model. Default: see `FluidSpec`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fluid: Option<FluidSpec>,
}

fn is_des(f: &Fidelity) -> bool {
    *f == Fidelity::Des
}

/// Options of the fluid model (`fidelity: fluid`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FluidSpec {
    /// Longest fluid step while a pool is congested [ms]. Default 1000.
    #[serde(default = "default_fluid_step_ms")]
    pub step_ms: f64,
    /// `mean` (expected counts per step) or `poisson` (counts drawn from the arrival streams).
    /// Default mean.
    #[serde(default)]
    pub arrivals: FluidArrivals,
}

fn default_fluid_step_ms() -> f64 {
    1000.0
}

fn default_interval() -> f64 {
    60.0
}
fn one() -> f64 {
    1.0
}

/// When the episode starts.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartSpec {
    /// Day of week: 0 = Monday .. 6 = Sunday. Default 0.
    #[serde(default)]
    pub weekday: u32,
    /// Hour of day [h], fractional allowed. Default 0.
    #[serde(default)]
    pub hour: f64,
}

impl Default for StartSpec {
    fn default() -> Self {
        StartSpec {
            weekday: 0,
            hour: 0.0,
        }
    }
}

/// A duration distribution. Give the mean in `mean_ms` or `mean_s` (exactly one); `cv` for
/// lognormal and gamma; `min_*`/`max_*` for uniform.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistSpec {
    pub dist: DistKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean_s: Option<f64>,
    /// Coefficient of variation (std / mean).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cv: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_s: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DistKind {
    Deterministic,
    Exponential,
    Lognormal,
    Gamma,
    Uniform,
}

/// A request class.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassSpec {
    pub name: String,
    /// Service time on its own pool (used by the default route).
    pub service: DistSpec,
    pub slo: SloSpec,
    /// Longest wait in a queue before the request abandons [ms]. Default none (waits forever).
    #[serde(default)]
    pub timeout_ms: Option<f64>,
    /// Revenue lost per failed request [$]. Default 0.
    #[serde(default)]
    pub value_per_failure: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SloSpec {
    /// Latency quantile judged, in (0, 1). Default 0.95.
    #[serde(default = "default_quantile")]
    pub quantile: f64,
    /// Target for that quantile [ms].
    pub latency_ms: f64,
    /// Largest tolerated failed share of an interval's outcomes. Default 0.01.
    #[serde(default = "default_error_rate")]
    pub max_error_rate: f64,
}

fn default_quantile() -> f64 {
    0.95
}
fn default_error_rate() -> f64 {
    0.01
}

/// A service pool.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolSpec {
    pub name: String,
    /// Worker slots per instance. Default 1.
    #[serde(default = "one_u32")]
    pub concurrency: u32,
    /// Instances running at time 0. Default `min`.
    #[serde(default)]
    pub initial: Option<u32>,
    /// Default 1.
    #[serde(default = "one_u32")]
    pub min: u32,
    pub max: u32,
    /// Most waiting requests; overflow is rejected (HTTP 503). Default none (unbounded).
    #[serde(default)]
    pub queue_capacity: Option<u32>,
    /// Provisioning delay. Default none (instant).
    #[serde(default)]
    pub cold_start: Option<DistSpec>,
    /// [$ per instance-hour]. Default 0.
    #[serde(default)]
    pub cost_per_hour: f64,
    /// Random crashes. Default none.
    #[serde(default)]
    pub failures: Option<FailureSpec>,
}

fn one_u32() -> u32 {
    1
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailureSpec {
    /// Mean time between failures of one running instance [s] (exponential).
    pub mtbf_s: f64,
    /// Restart delay.
    pub restart: DistSpec,
}

/// One stage of a route.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageSpec {
    pub pool: String,
    /// Service time at this pool. Default: the class's `service`.
    #[serde(default)]
    pub service: Option<DistSpec>,
}

/// Traffic: exactly one of `synthetic` or `trace`, plus shared settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrafficSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synthetic: Option<SyntheticSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<TraceSpec>,
    /// Class name -> share of total traffic (normalised). Required for synthetic traffic and for
    /// traces without class columns.
    #[serde(default)]
    pub mix: BTreeMap<String, f64>,
    /// Length of the piecewise-constant rate segments [s]. Default 5.
    #[serde(default = "default_rate_step")]
    pub rate_step_s: f64,
    /// Multiplicative AR(1) log-noise. Default none.
    #[serde(default)]
    pub noise: Option<NoiseSpec>,
}

fn default_rate_step() -> f64 {
    5.0
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyntheticSpec {
    /// Total rate at profile value 1 [req/s].
    pub base_rate: f64,
    /// 24 multipliers, value i at hour i, linearly interpolated. Default flat.
    #[serde(default = "flat_day")]
    pub daily_profile: Vec<f64>,
    /// 7 multipliers, Monday first. Default flat.
    #[serde(default = "flat_week")]
    pub weekly_profile: Vec<f64>,
    /// Relative growth per day. Default 0.
    #[serde(default)]
    pub trend_per_day: f64,
    /// Shifts the daily profile later by this many hours (value i then applies at hour i +
    /// shift, interpolated, wrapping around midnight). Default 0.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub phase_shift_h: f64,
    #[serde(default)]
    pub promotions: Vec<PromotionSpec>,
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

fn flat_day() -> Vec<f64> {
    vec![1.0; 24]
}
fn flat_week() -> Vec<f64> {
    vec![1.0; 7]
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromotionSpec {
    #[serde(default)]
    pub name: String,
    /// Start of the ramp [s since episode start].
    pub start_s: f64,
    /// Ramp-up [s]. Default 0.
    #[serde(default)]
    pub ramp_s: f64,
    /// Traffic multiplier at the peak.
    pub peak: f64,
    /// Peak hold [s]. Default 0.
    #[serde(default)]
    pub hold_s: f64,
    /// Exponential decay time constant [s]. Default 0.
    #[serde(default)]
    pub decay_s: f64,
    /// Class name -> multiplier of its share at the peak. Default none.
    #[serde(default)]
    pub mix_boost: BTreeMap<String, f64>,
    /// The shop announces the promotion this long before its start [s] (it then appears in the
    /// observation's calendar features). Default none: never announced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub announced_s: Option<f64>,
    /// The start as announced [s since episode start]. Default: the true `start_s`. A family's
    /// `announce_error` draws it per episode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub announced_start_s: Option<f64>,
    /// The peak as announced. Default: the true `peak`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub announced_peak: Option<f64>,
    /// The length (ramp + hold) as announced [s]. Default: the true `ramp_s + hold_s`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub announced_duration_s: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceSpec {
    /// CSV file, relative to the scenario file.
    pub file: String,
    /// Timestamp column (`YYYY-MM-DD HH:MM:SS`); rows are then placed by time and gaps (absent
    /// rows, and with `empty_is_gap` rows whose values are all empty) are zero.
    /// Default none: rows are consecutive, each `row_s` long.
    #[serde(default)]
    pub time_column: Option<String>,
    /// Row length [s] when there is no time column (with one it is inferred). Default 60.
    #[serde(default = "default_row")]
    pub row_s: f64,
    /// Column of total traffic (ignored when `class_columns` is given). Default "count".
    #[serde(default = "default_value_column")]
    pub value_column: String,
    /// Whether values are request counts per row or rates [req/s]. Default counts.
    #[serde(default)]
    pub values: TraceValues,
    /// Class name -> column, for traces with per-class traffic.
    #[serde(default)]
    pub class_columns: BTreeMap<String, String>,
    /// First timestamp replayed (with a time column). Default: the first row.
    #[serde(default)]
    pub start: Option<String>,
    /// Multiplier on the trace. Default 1.
    #[serde(default = "one")]
    pub factor: f64,
    /// With a time column, a row whose values are all empty is a gap (e.g. the NASA trace's
    /// hourly file leaves the hours no log covers empty). Default false: an empty value is an
    /// error.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub empty_is_gap: bool,
}

fn default_row() -> f64 {
    60.0
}
fn default_value_column() -> String {
    "count".into()
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TraceValues {
    #[default]
    Counts,
    Rate,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoiseSpec {
    /// Stationary std of the log multiplier.
    pub sigma: f64,
    /// Lag-one autocorrelation per step, in [0, 1). Default 0.9.
    #[serde(default = "default_phi")]
    pub phi: f64,
    /// Step [s]. Default 60.
    #[serde(default = "default_interval")]
    pub step_s: f64,
}

fn default_phi() -> f64 {
    0.9
}

/// The scenario's own policy for `shopgym simulate`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case", tag = "kind")]
pub enum PolicySpec {
    /// Fixed instance counts: pool name -> instances (pools not named keep `initial`).
    Static {
        #[serde(default)]
        instances: BTreeMap<String, u32>,
    },
}

impl Default for PolicySpec {
    fn default() -> Self {
        PolicySpec::Static {
            instances: BTreeMap::new(),
        }
    }
}

/// A fault injected into the episode.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case", tag = "kind")]
pub enum FaultSpec {
    /// Service on `pool` takes `factor` times longer for work started in the window (a slow dependency).
    Slowdown {
        pool: String,
        start_s: f64,
        duration_s: f64,
        factor: f64,
    },
    /// Instances launched in the window boot `factor` times slower (all pools unless `pool` is given).
    SlowColdStart {
        #[serde(default)]
        pool: Option<String>,
        start_s: f64,
        duration_s: f64,
        factor: f64,
    },
    /// At `at_s`, a `fraction` of `pool`'s running instances crash and restart after `restart`.
    CrashBurst {
        pool: String,
        at_s: f64,
        fraction: f64,
        restart: DistSpec,
    },
}
