//! The discrete-event core: a pure simulation of an e-commerce cluster. No RL, no forecasting, no
//! I/O, no threads: it takes a validated `SimConfig` and a seed and is driven by `Simulator`.
//!
//! Parts:
//! - `time`: `SimTime`, integer microseconds.
//! - `rng`: named ChaCha8 streams derived from one root seed (common random numbers).
//! - `dist`: duration distributions (service, cold start, failures).
//! - `traffic`: per-class arrival rates (synthetic profiles, promotions, noise, trace replay).
//! - `config`: the validated configuration (classes, pools, routes).
//! - `event`: the future-event list and its `(time, priority, seq)` order.
//! - `pool`: instances, worker slots, queues and time integrals of one pool.
//! - `metrics`: streaming interval and episode statistics.
//! - `engine`: `Simulator`, the event loop and the scaling API.

pub mod config;
pub mod dist;
pub mod engine;
pub(crate) mod event;
pub mod metrics;
pub(crate) mod pool;
pub mod rng;
pub mod time;
pub mod traffic;

pub use config::{
    ClassConfig, FailureConfig, Fault, PoolConfig, SimConfig, Slo, Stage, MAX_STAGES,
};
pub use dist::DurationDist;
pub use engine::{PoolView, ScaleOutcome, Simulator, Totals};
pub use metrics::{ClassInterval, ClassSummary, IntervalStats, LatencyMs, PoolInterval};
pub use time::SimTime;
pub use traffic::{NoiseConfig, Promotion, Traffic, TrafficConfig, TrafficSource};
