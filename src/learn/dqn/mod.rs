//! DQN (Mnih et al. 2015) with the usual improvements, following CleanRL's `dqn.py` top to
//! bottom: a replay buffer (`learn::replay`, optionally n-step), a target network (hard copies
//! every `target_update_interval` steps, or Polyak averaging with `tau < 1`), double-DQN targets
//! (van Hasselt et al. 2016), an optional dueling head, Huber loss, gradient-norm clipping, a
//! linear epsilon schedule and action masking (random and greedy choices, and the max in the
//! target, only over allowed actions). Acts in the env's `joint` mode over a `VecEnv`, all envs
//! with one batched forward pass.
//!
//! `config` is always compiled (agent files parse and validate without libtorch); the network
//! and the training loop (`trainer`) need the `tch` feature. Checkpoint files:
//! `model.safetensors`, `target.safetensors`, `adam.safetensors` (the optimiser's moments and
//! step count: `nn::Adam`), `obs_norm.json`, `rng.json`, `loop.json` (when the next update is due
//! and the loss sums since the last log row), `agent.yaml`, `state.json` (with the training envs'
//! `learn::episodes` cursor), and in `checkpoints/latest/` also `replay.bin`.
//!
//! Resume is exact: a run stopped (Ctrl-C) or killed after a checkpoint and continued with
//! `--resume` ends with the same weights, optimiser state, replay buffer, `train.csv` rows and
//! TensorBoard scalars as a straight run (`tests/resume_exact.rs`). The envs are re-simulated to
//! where the checkpoint left them (`Episodes::restore_with`), which also rebuilds the pending
//! n-step transitions of their running episodes; the logs are cut back to the checkpoint
//! (`learn::run`).
//!
//! Randomness: exploration, minibatch sampling and weight initialisation draw from the named
//! streams `dqn/explore`, `dqn/replay` and `dqn/init`; libtorch's global generator is not used, so
//! on the CPU a run repeats bit for bit from its seed, whatever else runs in the process.
//!
//! The horizon is part of the task (`time.progress` is observed), so a truncated episode is not
//! bootstrapped.

pub mod config;
#[cfg(feature = "tch")]
mod learner;
#[cfg(feature = "tch")]
pub mod network;
#[cfg(feature = "tch")]
mod trainer;

pub use config::DqnConfig;
#[cfg(feature = "tch")]
pub use network::QNetwork;
#[cfg(feature = "tch")]
pub use trainer::{load_policy, train, DqnPolicy};
