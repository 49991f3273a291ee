//! Learning algorithms as a library: tabular Q-learning (always built), DQN and PPO (their
//! trainers need `--features tch`; their configs are always compiled, so agent files parse and
//! validate without libtorch). Nothing here knows agent files: `agents/` turns one into a call.
//!
//! Lifecycle of a run: `<learner>::train(cfg, make_env, meta, options)` builds its envs with
//! `make_env` (a `MakeEnv`, like CleanRL's `make_env`), writes `RUN_DIR/agent.yaml` (the resolved
//! config text of `meta`), then loops collect / update / log, writing
//! `RUN_DIR/checkpoints/latest/` every `checkpoint_every` steps, `RUN_DIR/best/` at its best
//! periodic evaluation (greedy, on held-out seeds, envs from the same `make_env`) and
//! `RUN_DIR/final/` at the end. A checkpoint directory holds the model, the observation statistics
//! and `state.json` (counters); `<learner>::load_policy` turns one into a greedy `Policy`.

pub mod dqn;
pub mod episodes;
pub mod eval;
pub mod obs_norm;
pub mod ppo;
pub mod q_learning;
pub mod replay;
pub mod run;
pub mod tensorboard;

use std::path::{Path, PathBuf};

pub use run::{request_stop, stop_requested, RunMeta, TrainOptions, TrainSummary};

use crate::env::{EnvError, ScalingEnv};
use crate::io::{ConfigError, Ctx, FileError};

/// Makes one fresh env for a learner to train or evaluate in; every call gives an env of the
/// same configuration (the agent's env config on the scenario). Seeding is the learner's.
pub type MakeEnv<'a> = dyn Fn() -> Result<ScalingEnv, EnvError> + Sync + 'a;

/// Why training or loading a learner failed. A training that fails keeps what it checkpointed
/// (`checkpoints/latest/`, `best/`), so it can be resumed once the cause is fixed.
#[derive(Debug, thiserror::Error)]
pub enum LearnError {
    /// The agent file names a deep agent but this binary has no libtorch.
    #[error("agent `{0}` needs libtorch: this shopgym was built without the tch feature (rebuild with `--features tch`)")]
    NoTch(&'static str),
    /// The agent is a baseline: nothing to train.
    #[error("agent `{0}` is not a learner (q_learning, dqn, ppo): nothing to train")]
    NotLearner(&'static str),
    /// A learner was asked for a policy without a trained checkpoint.
    #[error(
        "agent `{0}` is a learner: pass --checkpoint RUN_DIR (a `shopgym train` run directory)"
    )]
    NoCheckpoint(String),
    /// The checkpoint directory lacks a file or holds another agent kind.
    #[error("checkpoint {path}: {reason}")]
    BadCheckpoint { path: PathBuf, reason: String },
    /// A checkpoint file does not fit the env it is loaded for (another scenario or config).
    #[error("{path}: {message}")]
    Mismatch { path: PathBuf, message: String },
    /// A checkpoint file could not be read.
    #[error("{}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A checkpoint file is not what its name says.
    #[error("{}: not {what}: {message}", path.display())]
    Parse {
        path: PathBuf,
        what: &'static str,
        message: String,
    },
    /// The env's action space is not the kind the learner acts in.
    #[error("{learner} needs a {expected} action space, got {got}")]
    ActionSpace {
        learner: &'static str,
        expected: &'static str,
        got: String,
    },
    /// `--resume` could not restore the last checkpoint.
    #[error("resuming")]
    Resume(#[source] Box<LearnError>),
    /// A run-directory or checkpoint file could not be written.
    #[error(transparent)]
    File(#[from] FileError),
    /// `train.csv` could not be written.
    #[error("writing {}", path.display())]
    Csv { path: PathBuf, source: csv::Error },
    /// A checkpoint could not be encoded.
    #[error("encoding a checkpoint: {0}")]
    Encode(#[from] serde_json::Error),
    /// Writing `agent.yaml` failed to encode the config.
    #[error("encoding agent.yaml: {0}")]
    Yaml(#[from] serde_yaml::Error),
    /// An env refused a call (construction or step).
    #[error(transparent)]
    Env(#[from] EnvError),
    /// libtorch plumbing (device, threads, networks, checkpoints).
    #[cfg(feature = "tch")]
    #[error(transparent)]
    Nn(#[from] crate::nn::NnError),
    /// A libtorch operation failed.
    #[cfg(feature = "tch")]
    #[error(transparent)]
    Tch(#[from] tch::TchError),
}

/// Reads checkpoint file `path` as JSON; `what` names what it should hold in errors.
pub(crate) fn load_json<T: serde::de::DeserializeOwned>(
    path: &Path,
    what: &'static str,
) -> Result<T, LearnError> {
    let text = std::fs::read_to_string(path).map_err(|source| LearnError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|e| LearnError::Parse {
        path: path.to_path_buf(),
        what,
        message: e.to_string(),
    })
}

/// The checkpoint directory a run directory stands for: `RUN_DIR/final/` when training finished,
/// else `RUN_DIR/checkpoints/latest/` (an interrupted run); a checkpoint directory itself is
/// accepted too.
pub fn checkpoint_dir(run_dir: &Path) -> Result<PathBuf, LearnError> {
    for cand in [
        run_dir.join("final"),
        run_dir.join("checkpoints").join("latest"),
        run_dir.to_path_buf(),
    ] {
        if cand.join("state.json").is_file() {
            return Ok(cand);
        }
    }
    Err(LearnError::BadCheckpoint {
        path: run_dir.to_path_buf(),
        reason:
            "no final/ or checkpoints/latest/ with a state.json (not a training run directory?)"
                .into(),
    })
}

/// Checks a linear epsilon schedule: both ends in [0, 1], over a fraction of the run in (0, 1].
pub(crate) fn check_epsilon(
    ctx: &Ctx,
    start: f64,
    end: f64,
    fraction: f64,
) -> Result<(), ConfigError> {
    ctx.check_range("epsilon_start", start, 0.0, 1.0)?;
    ctx.check_range("epsilon_end", end, 0.0, 1.0)?;
    ctx.check_range("exploration_fraction", fraction, 1e-9, 1.0)
}

/// Checks the hidden layer sizes of a network: each at least 1.
pub(crate) fn check_hidden(ctx: &Ctx, hidden: &[i64]) -> Result<(), ConfigError> {
    if hidden.iter().any(|&h| h < 1) {
        return Err(ctx.invalid("hidden", format!("{hidden:?}"), "sizes must be >= 1"));
    }
    Ok(())
}

/// Action masks of `infos` as a bool tensor `[B, width]` on `device` (all allowed where an info
/// has no mask of that width). Shared by the deep learners.
#[cfg(feature = "tch")]
pub(crate) fn mask_tensor(
    infos: &[&crate::env::StepInfo],
    width: usize,
    device: tch::Device,
) -> tch::Tensor {
    let flat: Vec<bool> = infos
        .iter()
        .flat_map(|i| {
            if i.action_mask.len() == width {
                i.action_mask.clone()
            } else {
                vec![true; width]
            }
        })
        .collect();
    tch::Tensor::from_slice(&flat)
        .view([infos.len() as i64, width as i64])
        .to_device(device)
}
