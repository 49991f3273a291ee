//! Shared libtorch (`tch`) plumbing for the deep agents (DQN, PPO) and the LSTM forecaster; only
//! built with `--features tch`.
//!
//! Parts, in the order a training run uses them:
//! * [`device`](device.rs): [`init_threads`] caps libtorch's CPU threads, [`seed_all`] seeds its
//!   generators ([`seed_exclusive`] also keeps them from other threads until its guard drops;
//!   [`hold_generator`] keeps them without seeding, for draws that are thrown away),
//!   [`device`] picks CPU or CUDA (`SHOPGYM_DEVICE` overrides).
//! * [`mlp`](mlp.rs): [`Mlp`], a validated layer-size list that builds an `nn::Sequential` of
//!   Linear layers with Tanh or ReLU between them, optionally orthogonally initialised.
//! * [`checkpoint`](checkpoint.rs): [`save_var_store`] writes a `VarStore` atomically (temporary
//!   file + rename), [`load_var_store`] reads it back into a model of the same shape.
//! * [`adam`](adam.rs): [`Adam`], the optimiser over tensors, whose moments and step count a
//!   checkpoint keeps (exact resume).
//!
//! Nothing here knows about the simulator; agents pass tensors in and out. Linking and run-time
//! lookup of libtorch are handled by `build.rs` (rpath) and `scripts/setup_libtorch.sh`.

mod adam;
mod checkpoint;
mod device;
mod mlp;

use std::path::PathBuf;

pub use adam::Adam;
pub use checkpoint::{load_var_store, save_var_store};
pub use device::{
    device, hold_generator, init_threads, parse_device, seed_all, seed_exclusive,
    DEFAULT_TORCH_THREADS, DEVICE_ENV, THREADS_ENV,
};
pub use mlp::{Activation, Mlp};

/// What can go wrong in the tch plumbing. None of these leave libtorch in a bad state: the caller
/// can fix the input (environment variable, sizes, path) and try again.
#[derive(Debug, thiserror::Error)]
pub enum NnError {
    /// `SHOPGYM_DEVICE` holds something other than `cpu`, `cuda` or `cuda:<index>`.
    #[error("{DEVICE_ENV}={0:?}: expected `cpu`, `cuda` or `cuda:<index>`")]
    BadDevice(String),
    /// `SHOPGYM_DEVICE` asks for a CUDA device that libtorch does not see (no GPU, no driver,
    /// a CPU-only libtorch, or an index past the device count).
    #[error("{DEVICE_ENV}={requested:?}, but libtorch sees {available} CUDA device(s)")]
    CudaUnavailable {
        /// The value of `SHOPGYM_DEVICE`.
        requested: String,
        /// How many CUDA devices libtorch reports.
        available: usize,
    },
    /// `SHOPGYM_TORCH_THREADS` is not a positive integer.
    #[error("{THREADS_ENV}={0:?}: expected a positive integer")]
    BadThreads(String),
    /// An MLP needs an input and an output size, each at least 1.
    #[error("MLP layer sizes {0:?}: need at least two sizes, each >= 1")]
    BadMlpSizes(Vec<i64>),
    /// libtorch could not write or read a checkpoint, or its variables do not match the model.
    #[error("checkpoint {path}: {source}")]
    Checkpoint {
        /// The checkpoint file.
        path: PathBuf,
        /// libtorch's error.
        source: tch::TchError,
    },
    /// A file-system step of an atomic save (sync, rename) failed.
    #[error("checkpoint {path}: {source}")]
    Io {
        /// The file being written.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}
