//! PPO (clipped, GAE, value clipping, entropy bonus, observation normalisation) over a `VecEnv`
//! in `delta` mode, one categorical head per pool, following CleanRL's `ppo.py` top to bottom.
//! Inference is batched across envs. Acting in evaluation is greedy (argmax per head). Trains on
//! `crate::nn::device()` (CUDA when libtorch sees one, `SHOPGYM_DEVICE` overrides); a loaded
//! policy acts on the CPU.
//!
//! `config` is always compiled (agent files parse and validate without libtorch); the network
//! and the training loop (`trainer`) need the `tch` feature. Checkpoint files:
//! `model.safetensors`, `adam.safetensors` (the optimiser's moments and step count: `nn::Adam`,
//! since tch's own optimiser cannot be read back), `obs_norm.json`, `agent.yaml`, `state.json`
//! (with where the envs stand: `learn::episodes`).
//!
//! Resume is exact: checkpoints fall on iteration boundaries, each iteration reseeds libtorch's
//! generator from `(seed, iteration)` (action sampling, minibatch order), the envs are replayed
//! to the checkpoint, so a run stopped at any checkpoint and resumed ends with the same weights,
//! Adam state, observation statistics, `train.csv` and TensorBoard scalars as a straight run
//! (only wall-clock values differ).
//!
//! The horizon is part of the task (`time.progress` is observed), so a truncated episode is not
//! bootstrapped.

pub mod config;
#[cfg(feature = "tch")]
pub mod network;
#[cfg(feature = "tch")]
mod trainer;

pub use config::PpoConfig;
#[cfg(feature = "tch")]
pub use network::ActorCritic;
#[cfg(feature = "tch")]
pub use trainer::{load_policy, train, PpoPolicy};
