//! Experiments: a grid of scenarios × agents × held-out seeds. Trains what needs training (or
//! reuses a named checkpoint), evaluates every agent on the same seeds in parallel (rayon; each
//! run is independent and seeded, so results do not depend on the thread count), writes each
//! run's result atomically as it ends (so an interrupted experiment resumes where it stopped;
//! `force` re-runs), then builds `runs.csv`, `summary.csv`, `report.md` and the plots.
//!
//! Parts: `spec` (the YAML format), `report` (tables), `plots` (plotters PNG + SVG), `stress`
//! (breaking points as a surge grows).
//!
//! Learners (`q_learning`, `dqn`, `ppo`) are trained first, one run per scenario in
//! `train/<scenario>__<agent>/` on training seeds (from 0, disjoint from the evaluation seeds),
//! with the entry's `train_steps` (`full_train_steps` with `--full`); a finished training is
//! reused, an interrupted one resumed.
//!
//! Output layout: `experiment.yaml` (resolved), `runs/<scenario>__<agent>__<seed>.json`,
//! `traces/<scenario>__<agent>.csv` (first seed, per interval), `runs.csv`, `summary.csv`,
//! `report.md`, `plots/*.{png,svg}`.

pub mod plots;
pub mod report;
pub mod spec;
pub mod stress;

use std::path::{Path, PathBuf};

use anyhow::Context;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::agents::Agent;
use crate::evaluate::{run_one_traced, EpisodeMetrics, TracePoint};
use crate::scenario::{Scenario, ScenarioError};
pub use spec::ExperimentSpec;

/// One finished run, as stored in `runs/*.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunRecord {
    pub scenario: String,
    pub agent: String,
    pub seed: u64,
    pub metrics: serde_json::Value,
}

/// A loaded experiment: its scenarios and agents resolved.
pub struct Experiment {
    pub spec: ExperimentSpec,
    pub path: PathBuf,
    pub scenarios: Vec<Scenario>,
    pub agents: Vec<(Agent, spec::AgentEntry)>,
}

impl Experiment {
    pub fn load(path: impl AsRef<Path>) -> Result<Experiment, ScenarioError> {
        let path = path.as_ref();
        let spec: ExperimentSpec = crate::scenario::read_yaml(path)?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let ctx = crate::scenario::error::Ctx { file: path };
        if spec.scenarios.is_empty() || spec.agents.is_empty() || spec.seeds.count == 0 {
            return Err(ctx.invalid(
                "scenarios/agents/seeds.count",
                "(empty)",
                "an experiment needs scenarios, agents and seeds",
            ));
        }
        let scenarios = spec
            .scenarios
            .iter()
            .map(|s| Scenario::load(dir.join(s)))
            .collect::<Result<Vec<_>, _>>()?;
        let mut agents = Vec::new();
        for (i, a) in spec.agents.iter().enumerate() {
            let agent = Agent::load(dir.join(&a.file))?;
            if agents
                .iter()
                .any(|(b, _): &(Agent, _)| b.name == agent.name)
            {
                return Err(ctx.invalid(
                    format!("agents[{i}].file"),
                    &a.file,
                    "two agents with the same name (file stem)",
                ));
            }
            agents.push((agent, a.clone()));
        }
        if !agents.iter().any(|(a, _)| a.name == spec.reference) {
            return Err(ctx.invalid(
                "reference",
                &spec.reference,
                "not the name (file stem) of one of the agents",
            ));
        }
        for s in &scenarios {
            for (a, _) in &agents {
                a.env_config(s)?;
            }
        }
        Ok(Experiment {
            spec,
            path: path.to_path_buf(),
            scenarios,
            agents,
        })
    }

    /// Whether agent `ai` runs on scenario `si`.
    pub fn runs_on(&self, ai: usize, si: usize) -> bool {
        self.agents[ai]
            .1
            .scenarios
            .as_ref()
            .is_none_or(|names| names.iter().any(|n| n == self.scenarios[si].name()))
    }

    /// Evaluation seeds under the chosen budget.
    pub fn seeds(&self, full: bool) -> Vec<u64> {
        let n = match (&self.spec.full, full) {
            (Some(f), true) => f.seeds,
            _ => self.spec.seeds.count,
        };
        (self.spec.seeds.start..self.spec.seeds.start + n).collect()
    }
}

/// Options of one experiment run.
pub struct RunOptions {
    pub out: PathBuf,
    /// Worker threads for runs.
    pub jobs: usize,
    pub force: bool,
    pub full: bool,
}

fn run_file(out: &Path, scenario: &str, agent: &str, seed: u64) -> PathBuf {
    out.join("runs")
        .join(format!("{scenario}__{agent}__{seed}.json"))
}

/// Writes a trace as CSV: t, total arrival rate, then per pool active/running, per class latencies.
fn write_trace(path: &Path, scenario: &Scenario, trace: &[TracePoint]) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    let mut w = csv::Writer::from_path(&tmp)?;
    let cfg = &scenario.sim;
    let mut header = vec!["t_s".to_string(), "arrival_rate".to_string()];
    header.extend(cfg.classes.iter().map(|c| format!("{}_rate", c.name)));
    header.extend(cfg.pools.iter().map(|p| format!("{}_active", p.name)));
    header.extend(cfg.pools.iter().map(|p| format!("{}_running", p.name)));
    header.extend(
        cfg.classes
            .iter()
            .map(|c| format!("{}_slo_latency_ms", c.name)),
    );
    header.extend(cfg.classes.iter().map(|c| format!("{}_p99_ms", c.name)));
    w.write_record(&header)?;
    let opt = |x: &Option<f64>| x.map(|v| format!("{v:.3}")).unwrap_or_default();
    for p in trace {
        let mut row = vec![
            format!("{}", p.t_s),
            format!("{:.3}", p.arrival_rate.iter().sum::<f64>()),
        ];
        row.extend(p.arrival_rate.iter().map(|r| format!("{r:.3}")));
        row.extend(p.active.iter().map(u32::to_string));
        row.extend(p.running.iter().map(u32::to_string));
        row.extend(p.slo_latency_ms.iter().map(opt));
        row.extend(p.p99_ms.iter().map(opt));
        w.write_record(&row)?;
    }
    w.flush()?;
    drop(w);
    std::fs::rename(&tmp, path)?;
    Ok(())
}

/// Runs the experiment: evaluations not yet on disk (all with `force`), then the report.
/// `on_progress(done, total)` is called as runs finish.
pub fn run(
    exp: &Experiment,
    opts: &RunOptions,
    on_progress: &(dyn Fn(u64, u64) + Sync),
) -> anyhow::Result<()> {
    std::fs::create_dir_all(opts.out.join("runs"))?;
    std::fs::create_dir_all(opts.out.join("traces"))?;
    crate::util::atomic_write(
        &opts.out.join("experiment.yaml"),
        serde_yaml::to_string(&exp.spec)?.as_bytes(),
    )?;
    let seeds = exp.seeds(opts.full);
    let agents = train_learners(exp, opts)?;
    let mut todo = Vec::new();
    for (si, s) in exp.scenarios.iter().enumerate() {
        for (ai, a) in agents[si].iter().enumerate() {
            if !exp.runs_on(ai, si) {
                continue;
            }
            for (k, &seed) in seeds.iter().enumerate() {
                let file = run_file(&opts.out, s.name(), &a.name, seed);
                if opts.force || !file.exists() {
                    todo.push((si, ai, seed, k == 0));
                }
            }
        }
    }
    let total = todo.len() as u64;
    let done = std::sync::atomic::AtomicU64::new(0);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs.max(1))
        .build()?;
    pool.install(|| {
        todo.par_iter()
            .try_for_each(|&(si, ai, seed, traced)| -> anyhow::Result<()> {
                let scenario = &exp.scenarios[si];
                let agent = &agents[si][ai];
                let mut trace = Vec::new();
                let m: EpisodeMetrics =
                    run_one_traced(scenario, agent, seed, traced.then_some(&mut trace))
                        .with_context(|| {
                            format!("{} / {} / seed {seed}", scenario.name(), agent.name)
                        })?;
                if traced {
                    let tp = opts.out.join("traces").join(format!(
                        "{}__{}.csv",
                        scenario.name(),
                        agent.name
                    ));
                    write_trace(&tp, scenario, &trace)?;
                }
                let rec = RunRecord {
                    scenario: scenario.name().to_string(),
                    agent: agent.name.clone(),
                    seed,
                    metrics: serde_json::to_value(&m)?,
                };
                let file = run_file(&opts.out, scenario.name(), &agent.name, seed);
                crate::util::atomic_write(&file, serde_json::to_string_pretty(&rec)?.as_bytes())?;
                let n = done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                on_progress(n, total);
                Ok(())
            })
    })?;
    plots::write_all(exp, &opts.out, &seeds)?;
    report::write_all(exp, &opts.out, &seeds)?;
    Ok(())
}

/// The step budget a training directory was started (or last resumed) with: `total_steps` of its
/// `run_resume.json`, else of its `run.json`; `None` when there is no training there.
fn trained_for(run_dir: &Path) -> Option<u64> {
    ["run_resume.json", "run.json"].iter().find_map(|f| {
        let text = std::fs::read_to_string(run_dir.join(f)).ok()?;
        let v: serde_json::Value = serde_json::from_str(&text).ok()?;
        v["total_steps"].as_u64()
    })
}

/// Trains (or finds, or resumes) every learner on every scenario it runs on; returns the agents
/// to evaluate per scenario, learners pointing at their trained checkpoints.
fn train_learners(exp: &Experiment, opts: &RunOptions) -> anyhow::Result<Vec<Vec<Agent>>> {
    let dir = exp.path.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    for (si, s) in exp.scenarios.iter().enumerate() {
        let mut row = Vec::new();
        for (ai, (a, entry)) in exp.agents.iter().enumerate() {
            if !a.spec.is_learner() || !exp.runs_on(ai, si) {
                row.push(a.clone());
                continue;
            }
            if let Some(ck) = &entry.checkpoint {
                row.push(
                    a.clone()
                        .with_checkpoint(dir.join(ck.replace("{scenario}", s.name()))),
                );
                continue;
            }
            let run_dir = opts
                .out
                .join("train")
                .join(format!("{}__{}", s.name(), a.name));
            let steps = if opts.full {
                entry.full_train_steps.or(entry.train_steps)
            } else {
                entry.train_steps
            };
            // A training left by a run with another budget (e.g. the default budget, then
            // `--full` into the same directory) must not be reused, nor the results it gave.
            let wanted = steps.or(a.spec.total_steps());
            if let (false, Some(had), Some(wanted)) = (opts.force, trained_for(&run_dir), wanted) {
                if had != wanted {
                    anyhow::bail!(
                        "{} was trained for {had} steps, this run asks for {wanted}: \
                         pass --force to retrain (and re-run every result), or use another --out",
                        run_dir.display()
                    );
                }
            }
            let finished = run_dir.join("final").join("state.json").is_file();
            if opts.force || !finished {
                let resume = !opts.force
                    && run_dir
                        .join("checkpoints")
                        .join("latest")
                        .join("state.json")
                        .is_file();
                if opts.force && run_dir.exists() {
                    std::fs::remove_dir_all(&run_dir)?;
                }
                eprintln!(
                    "training {} on {} ({} steps)",
                    a.name,
                    s.name(),
                    steps.map_or("default".into(), |n| n.to_string())
                );
                crate::learn::train(
                    s,
                    a,
                    &crate::learn::TrainOptions {
                        steps,
                        seed: 0,
                        out: run_dir.clone(),
                        resume,
                        progress: false,
                    },
                )
                .with_context(|| format!("training {} on {}", a.name, s.name()))?;
            }
            row.push(a.clone().with_checkpoint(run_dir));
        }
        out.push(row);
    }
    Ok(out)
}
