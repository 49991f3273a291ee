//! Baseline scaling policies and the models they plan with. All implement `policy::Policy`.
//!
//! Each baseline reads only the env's observation and `StepInfo`; the model-based ones plan with
//! the per-pool queueing `PoolModel`s of a `ClusterModel` read once from the env.
//!
//! The static policy (`policy::StaticPolicy`) is the fifth baseline.

pub mod cluster;
pub mod dp;
pub mod dp_policy;
pub mod greedy_budget;
pub mod hpa;
pub mod model;
pub mod peak;
pub mod predictive;
pub mod queueing;
pub mod threshold;

pub use cluster::ClusterModel;
pub use dp_policy::DpPolicy;
pub use greedy_budget::GreedyBudgetPolicy;
pub use predictive::PredictivePolicy;
pub use threshold::ThresholdPolicy;
