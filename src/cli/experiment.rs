//! `shopgym experiment FILE`: run a benchmark grid (scenarios × agents × seeds), resuming where an
//! interrupted run stopped, and write runs.csv, summary.csv, report.md and plots. `--check` only
//! validates every file the experiment names. Two runs on one `--out` at once: the second refuses
//! (`experiment::lock`).

use std::path::PathBuf;

use clap::Args;

use crate::experiment::{run, Experiment, RunOptions};

#[derive(Debug, Args)]
pub struct ExperimentArgs {
    /// Experiment YAML file.
    pub file: PathBuf,
    /// Output directory (default results/<experiment name>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Runs in parallel (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Re-run runs that already have results.
    #[arg(long)]
    pub force: bool,
    /// The full budget (the experiment's `full` seeds and agents' `full_train_steps`).
    #[arg(long)]
    pub full: bool,
    /// Simulator fidelity of every scenario: `des` or `fluid` (default: each scenario's own).
    /// Give fluid runs their own `--out`: results are keyed by scenario, agent and seed.
    #[arg(long)]
    pub fidelity: Option<crate::sim::Fidelity>,
    /// Only validate the experiment file and every file it names (scenarios, traces, agents,
    /// checkpoints); run nothing and write nothing.
    #[arg(long)]
    pub check: bool,
    #[command(flatten)]
    pub guard: super::guard::GuardArgs,
}

pub fn run_cli(args: ExperimentArgs) -> anyhow::Result<()> {
    let mut exp = Experiment::load(&args.file)?;
    exp.scenarios = std::mem::take(&mut exp.scenarios)
        .into_iter()
        .map(|s| s.with_fidelity(args.fidelity))
        .collect();
    for s in &exp.scenarios {
        args.guard.check(s)?;
    }
    if args.check {
        exp.check()?;
        let runs = exp.runs(args.full).len();
        println!(
            "{}: ok ({} scenarios, {} agents, {} seeds, {runs} runs)",
            args.file.display(),
            exp.scenarios.len(),
            exp.agents.len(),
            seeds_text(&exp, args.full),
        );
        return Ok(());
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results").join(&exp.spec.name));
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let started = std::time::Instant::now();
    let bar = crate::io::progress_bar(0, "runs");
    let on_progress = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
    };
    run(
        &exp,
        &RunOptions {
            out: out.clone(),
            jobs,
            force: args.force,
            full: args.full,
        },
        &on_progress,
    )?;
    bar.finish_and_clear();
    eprintln!(
        "{}: {} scenarios x {} agents x {} seeds in {:.0} s; report: {}",
        exp.spec.name,
        exp.scenarios.len(),
        exp.agents.len(),
        seeds_text(&exp, args.full),
        started.elapsed().as_secs_f64(),
        out.join("report.md").display()
    );
    Ok(())
}

/// The evaluation seeds per scenario: one count when they agree, else the counts in order.
fn seeds_text(exp: &Experiment, full: bool) -> String {
    let counts: Vec<usize> = (0..exp.scenarios.len())
        .map(|si| exp.eval_seeds(si, full).len())
        .collect();
    if counts.windows(2).all(|w| w[0] == w[1]) {
        counts[0].to_string()
    } else {
        counts
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join("/")
    }
}
