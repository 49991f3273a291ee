//! Experiments: a grid of scenarios × agents × held-out seeds. Trains what needs training (or
//! reuses a named checkpoint), evaluates every agent on the same seeds in parallel (rayon; each
//! run is independent and seeded, so results do not depend on the thread count), writes each
//! run's result atomically as it ends (so an interrupted experiment resumes where it stopped;
//! `force` re-runs), then builds `runs.csv`, `summary.csv`, `report.md` and the plots.
//!
//! Learners (`q_learning`, `dqn`, `ppo`) are trained first, one run per scenario in
//! `train/<scenario>__<agent>/` on training seeds (from 0, disjoint from the evaluation seeds),
//! with the entry's `train_steps` (`full_train_steps` with `--full`); a finished training is
//! reused, an interrupted one resumed.
//!
//! Output layout: `experiment.yaml` (resolved), `runs/<scenario>__<agent>__<seed>.json`,
//! `traces/<scenario>__<agent>.csv` (first seed, per interval), `runs.csv`, `summary.csv`,
//! `report.md`, `plots/*.{png,svg}`.

mod error;
pub mod lock;
pub mod plots;
pub mod report;
pub mod runs;
pub mod spec;
pub mod stress;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::agents::Agent;
use crate::evaluate::{run_one_traced, EpisodeMetrics, TracePoint};
use crate::io::{atomic_write, create_dir_all, ConfigError, FileError};
use crate::learn::TrainOptions;
use crate::scenario::Scenario;
pub use error::ExperimentError;
use runs::{run_file, RunRecord};
pub use spec::ExperimentSpec;

/// A loaded experiment: its scenarios and agents resolved.
pub struct Experiment {
    pub spec: ExperimentSpec,
    pub path: PathBuf,
    pub scenarios: Vec<Scenario>,
    pub agents: Vec<(Agent, spec::AgentEntry)>,
}

impl Experiment {
    pub fn load(path: impl AsRef<Path>) -> Result<Experiment, ConfigError> {
        let path = path.as_ref();
        let spec: ExperimentSpec = crate::io::read_yaml(path)?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let ctx = crate::io::Ctx { file: path };
        if spec.scenarios.is_empty() || spec.agents.is_empty() || spec.seeds.count == 0 {
            return Err(ctx.invalid(
                "scenarios/agents/seeds.count",
                "(empty)",
                "an experiment needs scenarios, agents and seeds",
            ));
        }
        // A referenced file that cannot be read is this file's mistake (its field names it); a
        // referenced file that is bad names itself.
        let unreadable = |field: String, e: ConfigError| match e {
            ConfigError::Io { file, cause } => {
                ctx.invalid(field, file.display(), format!("cannot read: {cause}"))
            }
            e => e,
        };
        let scenarios = spec
            .scenarios
            .iter()
            .enumerate()
            .map(|(i, s)| {
                Scenario::load(dir.join(s)).map_err(|e| unreadable(format!("scenarios[{i}]"), e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut agents = Vec::new();
        for (i, a) in spec.agents.iter().enumerate() {
            let agent = Agent::load(dir.join(&a.file))
                .map_err(|e| unreadable(format!("agents[{i}].file"), e))?;
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

    /// Checks what `load` cannot: every `checkpoint` an entry names holds a trained run for each
    /// scenario it runs on. Reads files, writes nothing (what `shopgym experiment --check` adds
    /// to loading).
    pub fn check(&self) -> Result<(), ConfigError> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let ctx = crate::io::Ctx { file: &self.path };
        for (ai, (a, entry)) in self.agents.iter().enumerate() {
            let Some(ck) = &entry.checkpoint else {
                continue;
            };
            if !a.spec.is_learner() {
                return Err(ctx.invalid(
                    format!("agents[{ai}].checkpoint"),
                    ck,
                    format!("agent `{}` is not a learner: it has no checkpoint", a.name),
                ));
            }
            for (si, s) in self.scenarios.iter().enumerate() {
                if !self.runs_on(ai, si) {
                    continue;
                }
                let path = dir.join(ck.replace("{scenario}", s.name()));
                crate::learn::checkpoint_dir(&path).map_err(|e| {
                    ctx.invalid(
                        format!("agents[{ai}].checkpoint"),
                        path.display(),
                        e.to_string(),
                    )
                })?;
            }
        }
        for (ai, (_, entry)) in self.agents.iter().enumerate() {
            for name in entry.scenarios.iter().flatten() {
                if !self.scenarios.iter().any(|s| s.name() == name) {
                    return Err(ctx.invalid(
                        format!("agents[{ai}].scenarios"),
                        name,
                        "not the name of one of the experiment's scenarios",
                    ));
                }
            }
        }
        Ok(())
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

/// Writes a trace as CSV: t, total arrival rate, then per pool active/running, per class latencies.
fn write_trace(
    path: &Path,
    scenario: &Scenario,
    trace: &[TracePoint],
) -> Result<(), ExperimentError> {
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
    w.flush().map_err(FileError::at("writing", &tmp))?;
    drop(w);
    std::fs::rename(&tmp, path).map_err(FileError::at(
        format!("renaming {} to", tmp.display()),
        path,
    ))?;
    Ok(())
}

/// Runs the experiment: evaluations not yet on disk (all with `force`), then the report.
/// `on_progress(done, total)` is called as runs finish.
pub fn run(
    exp: &Experiment,
    opts: &RunOptions,
    on_progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<(), ExperimentError> {
    create_dir_all(&opts.out)?;
    let _lock = lock::OutLock::acquire(&opts.out)?;
    create_dir_all(&opts.out.join("runs"))?;
    create_dir_all(&opts.out.join("traces"))?;
    atomic_write(
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
            .try_for_each(|&(si, ai, seed, traced)| -> Result<(), ExperimentError> {
                let scenario = &exp.scenarios[si];
                let agent = &agents[si][ai];
                let mut trace = Vec::new();
                let m: EpisodeMetrics =
                    run_one_traced(scenario, agent, seed, traced.then_some(&mut trace)).map_err(
                        |source| ExperimentError::Run {
                            run: format!("{} / {} / seed {seed}", scenario.name(), agent.name),
                            source: Box::new(source),
                        },
                    )?;
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
                atomic_write(&file, serde_json::to_string_pretty(&rec)?.as_bytes())?;
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
fn train_learners(exp: &Experiment, opts: &RunOptions) -> Result<Vec<Vec<Agent>>, ExperimentError> {
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
                    return Err(ExperimentError::Budget {
                        dir: run_dir,
                        had,
                        wanted,
                    });
                }
            }
            if run_dir.exists() {
                // A kill mid-checkpoint may have left a swap to finish.
                crate::learn::run::recover_checkpoints(&run_dir).map_err(|e| {
                    ExperimentError::Train {
                        agent: a.name.clone(),
                        scenario: s.name().to_string(),
                        source: Box::new(e.into()),
                    }
                })?;
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
                    std::fs::remove_dir_all(&run_dir)
                        .map_err(FileError::at("removing", &run_dir))?;
                }
                eprintln!(
                    "training {} on {} ({} steps)",
                    a.name,
                    s.name(),
                    steps.map_or("default".into(), |n| n.to_string())
                );
                a.train(
                    s,
                    &TrainOptions {
                        steps,
                        seed: 0,
                        out: run_dir.clone(),
                        resume,
                        progress: false,
                    },
                )
                .map_err(|source| ExperimentError::Train {
                    agent: a.name.clone(),
                    scenario: s.name().to_string(),
                    source: Box::new(source),
                })?;
            }
            row.push(a.clone().with_checkpoint(run_dir));
        }
        out.push(row);
    }
    Ok(out)
}
