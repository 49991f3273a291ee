//! shopgym: a discrete-event simulator of an e-commerce cluster, a Gym-like environment around it,
//! traffic forecasters, scaling policies and benchmark experiments. See `ARCHITECTURE.md`.

pub mod agents;
pub mod baselines;
pub mod cli;
pub mod env;
pub mod evaluate;
pub mod experiment;
pub mod forecast;
pub mod io;
pub mod learn;
#[cfg(feature = "tch")]
pub mod nn;
pub mod policy;
pub mod scenario;
pub mod sim;
