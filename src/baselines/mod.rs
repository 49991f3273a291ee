//! Baseline scaling policies and the models they plan with.
//!
//! Parts:
//! - `queueing`: Erlang B/C, M/M/c/K and M/M/c tail formulas.
//! - `model`: `PoolModel`, a per-pool queueing model predicting an interval's cost, lost revenue
//!   and SLO violations for an instance count and arrival rates.
//! - `hpa`: the Kubernetes HPA algorithm (tolerance, stabilisation windows).
//! - `dp`: finite-horizon DP over instance levels with launch lead time, and the budget allocation.

pub mod dp;
pub mod hpa;
pub mod model;
pub mod queueing;
