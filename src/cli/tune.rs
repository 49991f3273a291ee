//! `shopgym tune SPACE.yaml --scenario FAMILY.yaml ... --seeds A..B --out TUNED.yaml`: calibrates
//! a baseline's parameters on validation draws (`evaluate::tune`) and writes the tuned agent file
//! and a CSV of every candidate (atomically, and only once every episode has run). The seeds
//! must be a validation split: the tuned file says so in its header, and results are to be
//! reported on other (test) seeds.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;

use super::output::parse_range;
use crate::evaluate::tune::{tune, SearchSpace};
use crate::io::atomic_write;
use crate::scenario::Scenario;

#[derive(Debug, Args)]
pub struct TuneArgs {
    /// Search-space file (`agents/tune/*.yaml`): a base agent file and a grid of parameter values.
    pub space: PathBuf,
    /// Scenario (family) file to tune on; repeat for several (each counts equally).
    #[arg(long = "scenario", required = true)]
    pub scenarios: Vec<PathBuf>,
    /// Validation seeds `A..B` (B excluded). Never the test seeds.
    #[arg(long, value_parser = parse_range, required_unless_present = "check")]
    pub seeds: Option<(u64, u64)>,
    /// The tuned agent file; its file stem is the agent's name (e.g. `agents/threshold_tuned.yaml`).
    #[arg(long, required_unless_present = "check")]
    pub out: Option<PathBuf>,
    /// Every candidate's results (default: `--out` with extension `.csv`).
    #[arg(long)]
    pub csv: Option<PathBuf>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Only validate the space, every candidate and the scenarios; run nothing.
    #[arg(long)]
    pub check: bool,
    #[command(flatten)]
    pub guard: super::guard::GuardArgs,
}

pub fn run(args: TuneArgs) -> anyhow::Result<()> {
    let space = SearchSpace::load(&args.space)?;
    let scenarios = args
        .scenarios
        .iter()
        .map(|p| {
            let s = Scenario::load(p)?;
            args.guard.check(&s)?;
            Ok(s)
        })
        .collect::<anyhow::Result<Vec<Scenario>>>()?;
    space.check(&scenarios)?;
    if args.check {
        println!(
            "{}: {} candidates of {} over {}, on {} scenario(s)",
            args.space.display(),
            space.candidates.len(),
            space.base.agent.path.display(),
            space.params.join(" x "),
            scenarios.len()
        );
        return Ok(());
    }
    let (Some((a, b)), Some(out)) = (args.seeds, args.out.as_deref()) else {
        anyhow::bail!("--seeds and --out are required unless --check");
    };
    if a == b {
        anyhow::bail!("--seeds {a}..{b}: no seeds to tune on");
    }
    let csv_path = args
        .csv
        .clone()
        .unwrap_or_else(|| out.with_extension("csv"));
    refuse_overwrite(out, &csv_path, &space)?;

    let pool = match args.jobs {
        Some(n) => rayon::ThreadPoolBuilder::new().num_threads(n.max(1)),
        None => rayon::ThreadPoolBuilder::new(),
    }
    .build()?;
    let bar = crate::io::progress_bar(
        space.episodes(scenarios.len(), (b - a) as usize),
        "episodes",
    );
    let tuning = pool
        .install(|| tune(&space, &scenarios, a..b, &|| bar.inc(1)))
        .with_context(|| format!("tuning {}", args.space.display()))?;
    bar.finish_and_clear();

    let mut command = format!("shopgym tune {}", args.space.display());
    for s in &args.scenarios {
        command += &format!(" --scenario {}", s.display());
    }
    command += &format!(" --seeds {a}..{b}");
    for p in [out, csv_path.as_path()] {
        if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::io::create_dir_all(dir)?;
        }
    }
    atomic_write(out, tuning.tuned_yaml(&space, &command, out).as_bytes())?;
    atomic_write(&csv_path, tuning.csv(&space).as_bytes())?;

    let (row, _) = tuning.winner(&space);
    println!(
        "best of {} candidates: {} ({} {}, base {})",
        space.candidates.len(),
        tuning.chosen(&space),
        space.objective.label(),
        row.objective,
        tuning.base.objective
    );
    if tuning.best.is_none() {
        eprintln!(
            "note: no grid point beat the base agent's own values; {} holds them",
            out.display()
        );
    }
    eprintln!("wrote {} and {}", out.display(), csv_path.display());
    Ok(())
}

/// Refuses outputs that would overwrite an input (the space or base agent file) or each other.
fn refuse_overwrite(out: &Path, csv: &Path, space: &SearchSpace) -> anyhow::Result<()> {
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    };
    if same(out, csv) {
        anyhow::bail!("--csv {} is the --out file", csv.display());
    }
    for p in [out, csv] {
        for input in [&space.path, &space.base.agent.path] {
            if same(p, input) {
                anyhow::bail!(
                    "{} would overwrite the input {}",
                    p.display(),
                    input.display()
                );
            }
        }
    }
    Ok(())
}
