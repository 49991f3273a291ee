//! shopgym: a discrete-event simulator of an e-commerce cluster, a Gym-like environment around it,
//! traffic forecasters, scaling policies and benchmark experiments. See `ARCHITECTURE.md`.

pub mod cli;
#[cfg(feature = "tch")]
pub mod nn;
pub mod scenario;
pub mod sim;
pub mod summary;
