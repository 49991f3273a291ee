//! `shopgym evaluate`: N episodes of an agent on seeds S..S+N−1, with means and 95 % intervals;
//! `--compare` runs more agents on the same seeds and reports paired differences against the
//! first. Writes `episodes.csv` and `summary.json` (atomically) to `--out`.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use serde::Serialize;

use super::output::run_dir;
use crate::agents::Agent;
use crate::evaluate::{evaluate, metric_names, paired, EpisodeMetrics, Evaluation, Paired};
use crate::io::atomic_write;
use crate::scenario::Scenario;

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// Scenario YAML file.
    #[arg(long)]
    pub scenario: PathBuf,
    /// Agent YAML file (the reference when comparing).
    #[arg(long)]
    pub agent: PathBuf,
    /// Training run directory (`shopgym train --out`) of the `--agent` learner: acts greedily
    /// with its final model (or its last checkpoint if training was interrupted).
    #[arg(long)]
    pub checkpoint: Option<PathBuf>,
    /// More agents to run on the same seeds, compared pairwise with `--agent`.
    #[arg(long, num_args = 1..)]
    pub compare: Vec<PathBuf>,
    /// Episodes per agent.
    #[arg(long, default_value_t = 10)]
    pub episodes: u64,
    /// First seed (evaluation seeds are S..S+N−1).
    #[arg(long, default_value_t = 1000)]
    pub seed: u64,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output directory (default runs/<scenario>__<agent>__<seed>__<time>/).
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

#[derive(Serialize)]
struct Comparison<'a> {
    scenario: &'a str,
    seeds: &'a [u64],
    agents: &'a [Evaluation],
    paired: Vec<Paired>,
}

pub fn run(args: EvaluateArgs) -> anyhow::Result<()> {
    if args.episodes == 0 {
        anyhow::bail!("--episodes must be at least 1");
    }
    let scenario = Scenario::load(&args.scenario)?.with_fidelity(args.fidelity);
    args.guard.check(&scenario)?;
    let mut first = Agent::load(&args.agent)?;
    if let Some(dir) = &args.checkpoint {
        if !first.spec.is_learner() {
            anyhow::bail!(
                "--checkpoint is for learners; {} is `{}`",
                args.agent.display(),
                first.spec.kind()
            );
        }
        first = first.with_checkpoint(dir);
    }
    let mut agents = vec![first];
    for p in &args.compare {
        agents.push(Agent::load(p)?);
    }
    for a in &agents {
        // Fail early (before any episode runs) on an agent that cannot run on this scenario.
        a.env_config(&scenario)
            .with_context(|| format!("agent {}", a.path.display()))?;
    }
    let seeds: Vec<u64> = (args.seed..args.seed + args.episodes).collect();
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| run_dir(scenario.name(), &agents[0].name, args.seed));
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;

    let pool = match args.threads {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build()?,
        None => rayon::ThreadPoolBuilder::new().build()?,
    };
    let bar = crate::io::progress_bar(seeds.len() as u64 * agents.len() as u64, "episodes");
    let mut results = Vec::new();
    for agent in &agents {
        let on_done = |_: &EpisodeMetrics| bar.inc(1);
        let r = pool
            .install(|| evaluate(&scenario, agent, &seeds, &on_done))
            .with_context(|| format!("evaluating {}", agent.name))?;
        results.push(r);
    }
    bar.finish_and_clear();

    write_csv(&out, &results)?;
    let names = metric_names(&scenario);
    let json = if results.len() == 1 {
        serde_json::to_string_pretty(&results[0])?
    } else {
        let paired: Vec<Paired> = results[1..]
            .iter()
            .map(|b| paired(&results[0], b, &names))
            .collect();
        serde_json::to_string_pretty(&Comparison {
            scenario: scenario.name(),
            seeds: &seeds,
            agents: &results,
            paired,
        })?
    };
    atomic_write(&out.join("summary.json"), json.as_bytes())?;
    if args.json {
        println!("{json}");
    } else {
        print_table(&results, &names);
        eprintln!("results in {}", out.display());
    }
    Ok(())
}

fn write_csv(out: &std::path::Path, results: &[Evaluation]) -> anyhow::Result<()> {
    let path = out.join("episodes.csv");
    let tmp = path.with_extension("tmp");
    let mut w =
        csv::Writer::from_path(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    let classes: Vec<String> = results[0]
        .episodes
        .first()
        .map(|e| e.classes.keys().cloned().collect())
        .unwrap_or_default();
    let mut header = vec!["agent".to_string(), "seed".into()];
    header.extend(crate::evaluate::METRICS.iter().map(|m| m.to_string()));
    header.extend([
        "instance_seconds".into(),
        "steps".into(),
        "terminated".into(),
    ]);
    header.extend(classes.iter().map(|c| format!("p99_ms.{c}")));
    w.write_record(&header)?;
    for r in results {
        for e in &r.episodes {
            let mut row = vec![r.agent.clone(), e.seed.to_string()];
            row.extend(
                crate::evaluate::METRICS
                    .iter()
                    .map(|m| format!("{}", e.get(m))),
            );
            row.extend([
                format!("{}", e.totals.instance_seconds),
                e.tally.steps.to_string(),
                e.tally.terminated.to_string(),
            ]);
            row.extend(classes.iter().map(|c| {
                e.classes[c]
                    .p99_ms
                    .map(|v| format!("{v}"))
                    .unwrap_or_default()
            }));
            w.write_record(&row)?;
        }
    }
    w.flush()?;
    drop(w);
    std::fs::rename(&tmp, &path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

fn print_table(results: &[Evaluation], names: &[String]) {
    // No interval from one episode: `[n/a]`, not a zero-width `[m, m]`.
    let fmt = |m: f64, ci: [f64; 2]| {
        if ci[0].is_nan() {
            format!("{m:.2} [n/a]")
        } else {
            format!("{m:.2} [{:.2}, {:.2}]", ci[0], ci[1])
        }
    };
    if let Some(r) = results.first() {
        println!(
            "n = {} episodes per agent; means with 95 % t-intervals",
            r.episodes.len()
        );
    }
    println!(
        "{:<18} {}",
        "agent",
        names.iter().map(|n| format!("{n:>34}")).collect::<String>()
    );
    for r in results {
        println!(
            "{:<18} {}",
            r.agent,
            names
                .iter()
                .map(|n| format!("{:>34}", fmt(r.mean[n], r.ci95[n])))
                .collect::<String>()
        );
    }
    if results.len() > 1 {
        let names_owned: Vec<String> = names.to_vec();
        println!("paired differences vs {} (95 % CI):", results[0].agent);
        for b in &results[1..] {
            let p = paired(&results[0], b, &names_owned);
            println!(
                "{:<18} {}",
                p.agent,
                names
                    .iter()
                    .map(|n| format!("{:>34}", fmt(p.mean[n], p.ci95[n])))
                    .collect::<String>()
            );
        }
    }
}
