//! The validated configuration the simulator runs: request classes, service pools, routes,
//! traffic, horizon. It is built from a scenario file by `scenario::Scenario` (which checks every
//! invariant listed here once, with errors that name the file and field) and is read-only here.

use super::dist::DurationDist;
use super::fidelity::{Fidelity, FluidOptions};
use super::time::SimTime;
use super::traffic::TrafficConfig;

/// Most services one request class may visit in sequence.
pub const MAX_STAGES: usize = 4;

/// A latency and error objective for one class, judged per interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Slo {
    /// Latency quantile judged, in (0, 1), e.g. 0.95 for p95.
    pub quantile: f64,
    /// Target for that quantile [ms].
    pub latency_ms: f64,
    /// Largest tolerated share of failed requests (rejected, timed out, crashed) in an interval.
    pub max_error_rate: f64,
}

/// One request class.
#[derive(Debug, Clone)]
pub struct ClassConfig {
    pub name: String,
    pub slo: Slo,
    /// Longest a request waits in one queue before it abandons (`None` = waits forever).
    pub timeout: Option<SimTime>,
    /// Business value lost when one request of this class fails [$].
    pub value_per_failure: f64,
}

/// One visit of a request to a pool.
#[derive(Debug, Clone)]
pub struct Stage {
    /// Index into `SimConfig::pools`.
    pub pool: usize,
    /// Service time on one worker slot [µs].
    pub service: DurationDist,
}

/// Random instance crashes.
#[derive(Debug, Clone)]
pub struct FailureConfig {
    /// Time between failures of one running instance [µs].
    pub time_to_failure: DurationDist,
    /// Time from a crash until the instance serves again [µs] (billed meanwhile).
    pub restart: DurationDist,
}

/// One service pool (a deployment of identical instances).
#[derive(Debug, Clone)]
pub struct PoolConfig {
    pub name: String,
    /// Worker slots per instance (requests served at once).
    pub concurrency: u32,
    /// Instances running at time 0 (`min <= initial <= max`).
    pub initial: u32,
    pub min: u32,
    /// `max >= 1`.
    pub max: u32,
    /// Most requests waiting in the queue (`None` = unbounded); overflow is rejected (HTTP 503).
    pub queue_capacity: Option<u32>,
    /// Provisioning delay of a new instance [µs].
    pub cold_start: DurationDist,
    /// Price of one instance [$ / hour], prorated per microsecond while billed.
    pub cost_per_hour: f64,
    pub failures: Option<FailureConfig>,
}

/// A fault injected into an episode (stress tests).
#[derive(Debug, Clone)]
pub enum Fault {
    /// Service on `pool` takes `factor` times longer for work started in [start, end) (a slow
    /// dependency). The drawn service times are multiplied, so common random numbers are kept.
    Slowdown {
        pool: usize,
        start: SimTime,
        end: SimTime,
        factor: f64,
    },
    /// Instances launched on `pool` (all pools if `None`) in [start, end) boot `factor` times slower.
    SlowColdStart {
        pool: Option<usize>,
        start: SimTime,
        end: SimTime,
        factor: f64,
    },
    /// At `at`, a `fraction` of `pool`'s running instances crash (lowest indices first) and
    /// restart after `restart`; their in-flight requests fail.
    CrashBurst {
        pool: usize,
        at: SimTime,
        fraction: f64,
        restart: DurationDist,
    },
}

/// Everything the simulator needs for one episode.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub classes: Vec<ClassConfig>,
    pub pools: Vec<PoolConfig>,
    /// `routes[c]`: the stages class `c` visits, 1..=MAX_STAGES of them.
    pub routes: Vec<Vec<Stage>>,
    pub traffic: TrafficConfig,
    /// Episode length.
    pub horizon: SimTime,
    /// Metric (and decision) interval length, > 0.
    pub interval: SimTime,
    /// Cluster-wide cap on billed instances over all pools (`None` = no cap).
    pub budget: Option<u32>,
    /// Injected faults (empty for normal runs).
    pub faults: Vec<Fault>,
    /// Which simulator runs the episode (`ClusterSim::new` reads it).
    pub fidelity: Fidelity,
    /// Options of the fluid simulator (unused by the DES).
    pub fluid: FluidOptions,
}

impl SimConfig {
    /// Number of whole-or-partial intervals in an episode.
    pub fn n_intervals(&self) -> u64 {
        self.horizon.as_micros().div_ceil(self.interval.as_micros())
    }

    /// Index of the class called `name`.
    pub fn class_index(&self, name: &str) -> Option<usize> {
        self.classes.iter().position(|c| c.name == name)
    }

    /// Index of the pool called `name`.
    pub fn pool_index(&self, name: &str) -> Option<usize> {
        self.pools.iter().position(|p| p.name == name)
    }
}
