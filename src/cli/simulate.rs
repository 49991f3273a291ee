//! `shopgym simulate`: one episode of a scenario driven through the RL environment by a baseline
//! policy (`--policy static`, the default, or `random`). Writes `scenario.yaml`, `intervals.csv`
//! and `summary.json` (the episode summary plus the policy's `return` and `reward_terms`).
//!
//! `static` runs in `target` action mode whatever the scenario's `env.action.mode`, so it sets the
//! scenario's static counts at time 0 exactly as a bare simulation does; `random` uses the
//! scenario's `env:` section as written.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::{Args, ValueEnum};
use serde::Serialize;

use super::output::run_dir;
use crate::env::{Env, EnvConfig, RewardTerms, ScalingEnv};
use crate::io::atomic_write;
use crate::policy::{run_episode, Policy, RandomPolicy, StaticPolicy};
use crate::scenario::env_spec::ActionModeSpec;
use crate::scenario::Scenario;
use crate::sim::IntervalStats;
use crate::sim::SimSummary;

/// Baseline policies the CLI can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PolicyChoice {
    /// The scenario's static instance counts (`policy:` section).
    Static,
    /// Uniform random actions among those the action mask allows (seeded by `--seed`).
    Random,
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Scenario YAML file.
    #[arg(long)]
    pub scenario: PathBuf,
    /// Root seed of every random stream (simulator and policy).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Policy driving the episode.
    #[arg(long, value_enum, default_value_t = PolicyChoice::Static)]
    pub policy: PolicyChoice,
    /// Output directory (default: runs/<scenario>__<policy>__<seed>__<time>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print the summary JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Simulator fidelity: `des` (discrete events) or `fluid` (mean-field, fast); default: the
    /// scenario's `fidelity` field.
    #[arg(long)]
    pub fidelity: Option<crate::sim::Fidelity>,
    #[command(flatten)]
    pub guard: super::guard::GuardArgs,
}

/// `summary.json`: the episode summary plus what the policy earned.
#[derive(Debug, Serialize)]
struct SimulateSummary {
    #[serde(flatten)]
    summary: SimSummary,
    /// Σ reward over the episode (see `env.reward`).
    #[serde(rename = "return")]
    episode_return: f64,
    /// Σ of each reward term; they add up to `return`.
    reward_terms: RewardTerms,
    steps: u64,
    terminated: bool,
}

pub fn run(args: SimulateArgs) -> anyhow::Result<()> {
    let scenario = Scenario::load(&args.scenario)?.with_fidelity(args.fidelity);
    args.guard.check(&scenario)?;
    let config = EnvConfig::from_scenario(&scenario)?;
    let config = match args.policy {
        PolicyChoice::Static => config
            .with_action_mode(ActionModeSpec::Target)
            .context("target action mode")?,
        PolicyChoice::Random => config,
    };
    let mut env = ScalingEnv::new(&scenario, config)?;
    let mut policy: Box<dyn Policy> = match args.policy {
        PolicyChoice::Static => Box::new(StaticPolicy::for_env(&env)),
        PolicyChoice::Random => Box::new(RandomPolicy::new(env.action_space().clone(), args.seed)),
    };
    let policy_name = policy.name().to_string();

    let out = args
        .out
        .clone()
        .unwrap_or_else(|| run_dir(scenario.name(), &policy_name, args.seed));
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    std::fs::write(out.join("scenario.yaml"), scenario.to_yaml())
        .with_context(|| format!("writing {}", out.display()))?;

    let csv_path = out.join("intervals.csv");
    let mut csv = csv::Writer::from_path(&csv_path)
        .with_context(|| format!("creating {}", csv_path.display()))?;
    csv.write_record(IntervalStats::csv_header(&scenario.sim))?;

    let bar = crate::io::progress_bar(scenario.sim.n_intervals(), "intervals");
    let started = Instant::now();
    let mut write_err = None;
    let result = run_episode(&mut env, policy.as_mut(), Some(args.seed), |step| {
        if let (None, Some(s)) = (&write_err, &step.info.stats) {
            write_err = csv.write_record(s.csv_row()).err();
        }
        bar.inc(1);
    })?;
    let wall = started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    if let Some(e) = write_err {
        return Err(e).with_context(|| format!("writing {}", csv_path.display()));
    }
    csv.flush()
        .with_context(|| format!("writing {}", csv_path.display()))?;

    let summary = SimulateSummary {
        summary: SimSummary::collect(env.sim(), scenario.name(), args.seed, &policy_name, wall),
        episode_return: result.episode_return,
        reward_terms: result.reward_terms,
        steps: result.steps,
        terminated: result.terminated,
    };
    let json = serde_json::to_string_pretty(&summary)?;
    atomic_write(&out.join("summary.json"), json.as_bytes())?;
    if args.json {
        println!("{json}");
    } else {
        let s = &summary.summary;
        eprintln!(
            "{} ({}): {} requests, {:.1} s simulated in {:.2} s ({:.2} M req/s); cost ${:.2}, revenue lost ${:.2}, return {:.2}; results in {}",
            scenario.name(),
            policy_name,
            s.totals.arrivals,
            s.sim_seconds,
            wall,
            s.perf.requests_per_second / 1e6,
            s.totals.cost,
            s.totals.revenue_lost,
            summary.episode_return,
            out.display()
        );
    }
    Ok(())
}
