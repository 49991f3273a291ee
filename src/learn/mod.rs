//! Learning agents: tabular Q-learning (always built), DQN and PPO (`--features tch`), trained by
//! `shopgym train` and evaluated by `shopgym evaluate --checkpoint RUN_DIR` like any baseline.
//!
//! Parts:
//! - `run`: the run directory (resolved config, `train.csv`, TensorBoard events, checkpoints),
//!   `TrainOptions`, the Ctrl-C stop flag and the progress bar.
//! - `tensorboard`: scalar event files through `tensorboard-rs`.
//! - `obs_norm`: `ObsNorm`, running observation standardisation saved with the model.
//! - `eval`: greedy evaluation on fixed held-out seeds during training (episodes in lockstep,
//!   batched inference).
//! - `replay`: the replay buffer and n-step transitions of off-policy learners.
//! - `q_learning`: tabular Q-learning over a configurable state discretisation, `joint` actions.
//! - `dqn`: double DQN (target network, replay, Huber loss, optional dueling and n-step) over
//!   `joint` actions with action masking.
//! - `ppo`: clipped PPO with GAE over `VecEnv`, one categorical head per pool (`delta` actions).
//!
//! Lifecycle of a run: `train(scenario, agent, options)` builds the envs from the agent's
//! `env_config`, writes `RUN_DIR/agent.yaml` (the resolved agent), then loops collect / update /
//! log, writing `RUN_DIR/checkpoints/latest/` every `checkpoint_every` steps and `RUN_DIR/final/`
//! at the end. A checkpoint directory holds the model, the observation statistics and
//! `state.json` (counters); `load_policy` turns one into a greedy `Policy`.

#[cfg(feature = "tch")]
pub mod dqn;
pub mod dqn_config;
pub mod eval;
pub mod obs_norm;
#[cfg(feature = "tch")]
pub mod ppo;
pub mod ppo_config;
pub mod q_learning;
pub mod replay;
pub mod run;
pub mod tensorboard;

use std::path::{Path, PathBuf};

pub use run::{request_stop, stop_requested, TrainOptions, TrainSummary};

use crate::agents::{Agent, AgentSpec};
use crate::scenario::Scenario;

/// Why training or loading a learner failed.
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

/// Trains `agent` on `scenario`; returns what the run did.
pub fn train(
    scenario: &Scenario,
    agent: &Agent,
    options: &TrainOptions,
) -> anyhow::Result<TrainSummary> {
    match &agent.spec {
        AgentSpec::QLearning(cfg) => q_learning::train(scenario, agent, cfg, options),
        #[cfg(feature = "tch")]
        AgentSpec::Dqn(cfg) => dqn::train(scenario, agent, cfg, options),
        #[cfg(not(feature = "tch"))]
        AgentSpec::Dqn(_) => Err(LearnError::NoTch("dqn").into()),
        #[cfg(feature = "tch")]
        AgentSpec::Ppo(cfg) => ppo::train(scenario, agent, cfg, options),
        #[cfg(not(feature = "tch"))]
        AgentSpec::Ppo(_) => Err(LearnError::NoTch("ppo").into()),
        other => Err(LearnError::NotLearner(other.kind()).into()),
    }
}
