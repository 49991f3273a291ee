//! Baseline scaling policies and the models they plan with. All implement `policy::Policy`.
//!
//! Parts:
//! - `queueing`: Erlang B/C, M/M/c/K and M/M/c tail formulas.
//! - `model`: `PoolModel`, a per-pool queueing model predicting an interval's cost, lost revenue
//!   and SLO violations for an instance count and arrival rates.
//! - `context`: what the baselines read once from the env (models, weights, codec, lead times).
//! - `hpa` + `threshold`: the Kubernetes HPA algorithm and the reactive `threshold` policy.
//! - `greedy_budget`: demand sizing with greedy allocation of a cluster budget.
//! - `predictive`: forecast sizing over the cold-start lead time.
//! - `dp` + `dp_policy`: finite-horizon DP planner and the receding-horizon `dp`/`dp_oracle` policy.
//!
//! The static policy (`policy::StaticPolicy`) is the fifth baseline.

pub mod context;
pub mod dp;
pub mod dp_policy;
pub mod greedy_budget;
pub mod hpa;
pub mod model;
pub mod predictive;
pub mod queueing;
pub mod threshold;

pub use context::Context;
pub use dp_policy::DpPolicy;
pub use greedy_budget::GreedyBudgetPolicy;
pub use predictive::PredictivePolicy;
pub use threshold::ThresholdPolicy;
