//! `shopgym simulate`: one episode of a scenario under its own (static) policy.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;

use super::output::{atomic_write, run_dir};
use crate::scenario::Scenario;
use crate::sim::{IntervalStats, Simulator};
use crate::summary::EpisodeSummary;

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Scenario YAML file.
    #[arg(long)]
    pub scenario: PathBuf,
    /// Root seed of every random stream.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Output directory (default: runs/<scenario>__static__<seed>__<time>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print the summary JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: SimulateArgs) -> anyhow::Result<()> {
    let scenario = Scenario::load(&args.scenario)?;
    let policy = "static";
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| run_dir(scenario.name(), policy, args.seed));
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    std::fs::write(out.join("scenario.yaml"), scenario.to_yaml())
        .with_context(|| format!("writing {}", out.display()))?;

    let csv_path = out.join("intervals.csv");
    let mut csv = csv::Writer::from_path(&csv_path)
        .with_context(|| format!("creating {}", csv_path.display()))?;
    csv.write_record(IntervalStats::csv_header(&scenario.sim))?;

    let bar = progress(scenario.sim.n_intervals());
    let started = Instant::now();
    let mut sim = Simulator::new(scenario.sim.clone(), args.seed);
    for (p, &n) in scenario.static_counts.iter().enumerate() {
        sim.set_target(p, i64::from(n));
    }
    let mut write_err = None;
    sim.run_to_end(|s| {
        if write_err.is_none() {
            write_err = csv.write_record(s.csv_row()).err();
        }
        bar.inc(1);
    });
    let wall = started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    if let Some(e) = write_err {
        return Err(e).with_context(|| format!("writing {}", csv_path.display()));
    }
    csv.flush()
        .with_context(|| format!("writing {}", csv_path.display()))?;

    let summary = EpisodeSummary::collect(&sim, scenario.name(), args.seed, policy, wall);
    let json = serde_json::to_string_pretty(&summary)?;
    atomic_write(&out.join("summary.json"), json.as_bytes())?;
    if args.json {
        println!("{json}");
    } else {
        eprintln!(
            "{}: {} requests, {:.1} s simulated in {:.2} s ({:.2} M req/s); cost ${:.2}, revenue lost ${:.2}; results in {}",
            scenario.name(),
            summary.totals.arrivals,
            summary.sim_seconds,
            wall,
            summary.perf.requests_per_second / 1e6,
            summary.totals.cost,
            summary.totals.revenue_lost,
            out.display()
        );
    }
    Ok(())
}

/// A progress bar on a terminal, hidden otherwise.
pub(crate) fn progress(len: u64) -> indicatif::ProgressBar {
    if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(len);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{elapsed_precise} [{bar:40}] {pos}/{len} intervals ({eta} left)",
            )
            .expect("static template is valid"),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    }
}
