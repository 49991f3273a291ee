//! The simulation core: a pure simulation of an e-commerce cluster. No RL, no forecasting, no
//! I/O, no threads: it takes a validated `SimConfig` and a seed and is driven by `Simulator` (the
//! discrete-event ground truth) or `FluidSimulator` (the fast mean-field model), both behind
//! `ClusterSim`, chosen by `SimConfig::fidelity`.
//! Time is integer microseconds (`SimTime`); all randomness comes from named ChaCha8 streams of
//! one root seed (`rng`), so two policies on one seed face the same requests; events are ordered
//! by `(time, priority, seq)`; memory does not grow with episode length.

pub mod cluster;
pub mod config;
pub mod dist;
pub mod engine;
pub(crate) mod event;
pub mod fidelity;
pub mod fluid;
pub mod metrics;
pub(crate) mod pool;
pub mod rng;
pub mod summary;
pub mod time;
pub mod traffic;

pub use cluster::ClusterSim;
pub use config::{
    ClassConfig, FailureConfig, Fault, PoolConfig, SimConfig, Slo, Stage, MAX_STAGES,
};
pub use dist::DurationDist;
pub use engine::{PoolView, ScaleOutcome, Simulator, Totals};
pub use fidelity::{Fidelity, FluidArrivals, FluidOptions};
pub use fluid::FluidSimulator;
pub use metrics::{ClassInterval, ClassSummary, IntervalStats, LatencyMs, PoolInterval};
pub use summary::SimSummary;
pub use time::SimTime;
pub use traffic::{NoiseConfig, Promotion, Traffic, TrafficConfig, TrafficSource};
