//! `shopgym scenario validate|show|sample FILE`.

use std::collections::BTreeSet;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};

use super::output::parse_range;
use crate::io::atomic_write;
use crate::scenario::Scenario;

#[derive(Debug, Args)]
pub struct ScenarioArgs {
    #[command(subcommand)]
    pub command: ScenarioCommand,
}

#[derive(Debug, Subcommand)]
pub enum ScenarioCommand {
    /// Check a scenario file; exits non-zero with a message naming the field and value if it is bad.
    Validate { file: PathBuf },
    /// Print the resolved scenario (every default filled in) as YAML; for a family, the instance
    /// of episode seed `--seed` (default 0) as a plain scenario file.
    Show {
        file: PathBuf,
        /// The episode seed whose instance of a family to print.
        #[arg(long, default_value_t = 0)]
        seed: u64,
    },
    /// Write the instances of a family for seeds A..B (B excluded) as plain scenario files,
    /// with `params.csv` (seed, then one column per drawn field; empty where not drawn).
    Sample {
        file: PathBuf,
        /// Seed range `A..B`.
        #[arg(long, value_parser = parse_range)]
        seeds: (u64, u64),
        #[arg(long)]
        out: PathBuf,
    },
}

pub fn run(args: ScenarioArgs) -> anyhow::Result<()> {
    match args.command {
        ScenarioCommand::Validate { file } => {
            let s = Scenario::load(&file)?;
            // The `env:` section is checked when an environment is built from it.
            crate::env::EnvConfig::from_scenario(&s)?;
            let family = if s.is_family() {
                format!(", a family of {} drawn fields", s.params.len())
            } else {
                String::new()
            };
            println!(
                "{}: ok ({} classes, {} pools, {:.0} s horizon, {} intervals, ~{:.2e} requests per episode{family})",
                file.display(),
                s.sim.classes.len(),
                s.sim.pools.len(),
                s.sim.horizon.as_secs_f64(),
                s.sim.n_intervals(),
                crate::scenario::size::estimated_requests(&s.sim)
            );
        }
        ScenarioCommand::Show { file, seed } => {
            print!("{}", Scenario::load(&file)?.draw_seed(seed)?.to_yaml());
        }
        ScenarioCommand::Sample { file, seeds, out } => sample(&file, seeds, &out)?,
    }
    Ok(())
}

fn sample(file: &PathBuf, (a, b): (u64, u64), out: &PathBuf) -> anyhow::Result<()> {
    let family = Scenario::load(file)?;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let mut rows = Vec::new();
    let mut columns = Vec::new();
    let mut seen = BTreeSet::new();
    for seed in a..b {
        let inst = family.draw_seed(seed)?;
        let path = out.join(format!("{}_seed{seed}.yaml", family.name()));
        atomic_write(&path, inst.to_yaml().as_bytes())?;
        for (name, _) in &inst.params {
            if seen.insert(name.clone()) {
                columns.push(name.clone());
            }
        }
        rows.push((seed, inst.params));
    }
    let mut csv = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["seed".to_string()];
    header.extend(columns.iter().cloned());
    csv.write_record(&header)?;
    for (seed, params) in rows {
        let mut row = vec![seed.to_string()];
        row.extend(columns.iter().map(|c| {
            params
                .iter()
                .find(|(n, _)| n == c)
                .map(|(_, v)| format!("{v}"))
                .unwrap_or_default()
        }));
        csv.write_record(&row)?;
    }
    let bytes = csv.into_inner().context("writing params.csv")?;
    atomic_write(&out.join("params.csv"), &bytes)?;
    eprintln!(
        "{}: {} instances and params.csv in {}",
        file.display(),
        b - a,
        out.display()
    );
    Ok(())
}
