//! `shopgym stress`: the breaking point of each agent as a scenario's surge grows.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use crate::agents::Agent;
use crate::experiment::stress::{stress, Limits};
use crate::scenario::Scenario;

#[derive(Debug, Args)]
pub struct StressArgs {
    /// Scenario with synthetic traffic and at least one promotion.
    #[arg(long)]
    pub scenario: PathBuf,
    /// Agent file(s) to stress.
    #[arg(long, num_args = 1.., required = true)]
    pub agent: Vec<PathBuf>,
    /// Peak multipliers of the surge (times base traffic), comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "2,5,10,20,50")]
    pub peaks: Vec<f64>,
    /// Episodes per agent and peak.
    #[arg(long, default_value_t = 3)]
    pub episodes: u64,
    /// First seed.
    #[arg(long, default_value_t = 1000)]
    pub seed: u64,
    /// Broken above this many SLO-violation minutes per episode (mean).
    #[arg(long, default_value_t = 10.0)]
    pub max_slo_minutes: f64,
    /// Broken above this error rate (mean failed / arrivals).
    #[arg(long, default_value_t = 0.01)]
    pub max_error_rate: f64,
    /// Output directory for stress.json and stress.csv (default: runs/<scenario>__stress__<seed>__<time>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print the JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Simulator fidelity: `des` (discrete events) or `fluid` (mean-field, fast); default: the
    /// scenario's `fidelity` field.
    #[arg(long)]
    pub fidelity: Option<crate::sim::Fidelity>,
    #[command(flatten)]
    pub guard: super::guard::GuardArgs,
}

pub fn run(args: StressArgs) -> anyhow::Result<()> {
    if args.peaks.is_empty() || args.peaks.iter().any(|p| !(p.is_finite() && *p > 0.0)) {
        anyhow::bail!("--peaks: give positive multipliers, e.g. 2,5,10");
    }
    if args.episodes == 0 {
        anyhow::bail!("--episodes must be at least 1");
    }
    let scenario = Scenario::load(&args.scenario)?.with_fidelity(args.fidelity);
    // The base scenario; stress levels scale its surge up from there.
    args.guard.check(&scenario)?;
    let agents = args
        .agent
        .iter()
        .map(Agent::load)
        .collect::<Result<Vec<_>, _>>()?;
    let seeds: Vec<u64> = (args.seed..args.seed + args.episodes).collect();
    let limits = Limits {
        max_slo_minutes: args.max_slo_minutes,
        max_error_rate: args.max_error_rate,
    };
    let bar = crate::io::progress_bar(agents.len() as u64, "agents");
    let mut results = Vec::new();
    for a in &agents {
        results.push(
            stress(&scenario, a, &args.peaks, &seeds, limits)
                .with_context(|| format!("stressing {}", a.name))?,
        );
        bar.inc(1);
    }
    bar.finish_and_clear();
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| super::output::run_dir(scenario.name(), "stress", args.seed));
    std::fs::create_dir_all(&out)?;
    let json = serde_json::to_string_pretty(&serde_json::json!({
        "scenario": scenario.name(), "seeds": seeds, "limits": limits, "agents": results,
    }))?;
    crate::io::atomic_write(&out.join("stress.json"), json.as_bytes())?;
    let mut csv = String::from("agent,peak,slo_violation_minutes,error_rate,cost_per_order,cost,revenue_lost,broken,capacity_plan,cost_per_1000_orders,capacity_plan_real\n");
    for r in &results {
        for p in &r.points {
            let plan: Vec<String> = p.capacity_plan.iter().map(u32::to_string).collect();
            let real: Vec<String> = p.capacity_plan_real.iter().map(u32::to_string).collect();
            csv.push_str(&format!(
                "{},{},{},{},{},{},{},{},{},{},{}\n",
                r.agent,
                p.peak,
                p.slo_violation_minutes,
                p.error_rate,
                p.cost_per_order,
                p.cost,
                p.revenue_lost,
                p.broken,
                plan.join(";"),
                p.cost_per_1000_orders,
                real.join(";")
            ));
        }
    }
    crate::io::atomic_write(&out.join("stress.csv"), csv.as_bytes())?;
    if args.json {
        println!("{json}");
        return Ok(());
    }
    let pools: Vec<&str> = scenario.sim.pools.iter().map(|p| p.name.as_str()).collect();
    println!("{}: limits {} SLO-violation min, error rate {}; capacity plan = max real instances per pool {:?} (run at scale {})", scenario.name(), limits.max_slo_minutes, limits.max_error_rate, pools, scenario.spec.scale);
    println!(
        "{:<14} {:>6} {:>10} {:>10} {:>14} {:>8}  plan",
        "agent", "peak", "SLO min", "err rate", "$/1k orders", "broken"
    );
    for r in &results {
        for p in &r.points {
            println!(
                "{:<14} {:>6} {:>10.1} {:>10.4} {:>14.4} {:>8}  {:?}",
                r.agent,
                p.peak,
                p.slo_violation_minutes,
                p.error_rate,
                p.cost_per_1000_orders,
                p.broken,
                p.capacity_plan_real
            );
        }
        match r.breaking_point {
            Some(b) => println!("{:<14} breaks at {b}x", r.agent),
            None => println!("{:<14} held at every peak tried", r.agent),
        }
    }
    eprintln!("results in {}", out.display());
    Ok(())
}
