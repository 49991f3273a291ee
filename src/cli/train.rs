//! `shopgym train`: trains a learner (`q_learning`, `dqn`, `ppo`) on a scenario and writes a run
//! directory (resolved config, `train.csv`, TensorBoard events, checkpoints, `final/`); see
//! `learn::run`. `--resume RUN_DIR` continues a run from its last checkpoint; Ctrl-C checkpoints
//! and exits cleanly.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use crate::agents::Agent;
use crate::learn::{self, TrainOptions};
use crate::scenario::Scenario;

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Scenario YAML file.
    #[arg(long)]
    pub scenario: PathBuf,
    /// Learner agent YAML file (agents/q_learning.yaml, agents/dqn.yaml, agents/ppo.yaml).
    #[arg(long)]
    pub agent: PathBuf,
    /// Env steps to train for (default: the agent's `total_steps`).
    #[arg(long)]
    pub steps: Option<u64>,
    /// Root seed of the run.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Run directory (default runs/<scenario>__<agent>__<seed>__<time>/).
    #[arg(long, conflicts_with = "resume")]
    pub out: Option<PathBuf>,
    /// Continue the run in this directory from its last checkpoint (same agent file and seed).
    #[arg(long)]
    pub resume: Option<PathBuf>,
    /// Worker threads for the parallel envs (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Simulator fidelity: `des` (discrete events) or `fluid` (mean-field, fast); default: the
    /// scenario's `fidelity` field.
    #[arg(long)]
    pub fidelity: Option<crate::sim::Fidelity>,
    #[command(flatten)]
    pub guard: super::guard::GuardArgs,
}

pub fn run(args: TrainArgs) -> anyhow::Result<()> {
    let scenario = Scenario::load(&args.scenario)?.with_fidelity(args.fidelity);
    args.guard.check(&scenario)?;
    let agent = Agent::load(&args.agent)?;
    agent
        .env_config(&scenario)
        .with_context(|| format!("agent {}", agent.path.display()))?;
    let (out, resume) = match &args.resume {
        Some(dir) => {
            // A kill mid-checkpoint may have left a swap to finish.
            learn::run::recover_checkpoints(dir)
                .with_context(|| format!("--resume {}", dir.display()))?;
            if !dir.join("checkpoints/latest/state.json").is_file() {
                anyhow::bail!(
                    "--resume {}: no checkpoints/latest/state.json there",
                    dir.display()
                );
            }
            (dir.clone(), true)
        }
        None => (
            args.out
                .clone()
                .unwrap_or_else(|| super::output::run_dir(scenario.name(), &agent.name, args.seed)),
            false,
        ),
    };
    let options = TrainOptions {
        steps: args.steps,
        seed: args.seed,
        out,
        resume,
        progress: true,
        ..Default::default()
    };
    learn::run::install_ctrlc();
    let pool = match args.threads {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build()?,
        None => rayon::ThreadPoolBuilder::new().build()?,
    };
    let summary = pool.install(|| agent.train(&scenario, &options))?;
    println!("{}", serde_json::to_string_pretty(&summary)?);
    if summary.interrupted {
        eprintln!(
            "interrupted: checkpoint in {}/checkpoints/latest (continue with --resume {})",
            summary.run_dir.display(),
            summary.run_dir.display()
        );
    }
    Ok(())
}
