//! Experiments: a grid of scenarios × agents × held-out seeds. Trains what needs training (or
//! reuses a named checkpoint), evaluates every agent on the same seeds in parallel (rayon; each
//! run is independent and seeded, so results do not depend on the thread count), writes each
//! run's result atomically as it ends (so an interrupted experiment resumes where it stopped;
//! `force` re-runs), then builds `runs.csv`, `summary.csv`, `report.md` and the plots.
//!
//! Learners (`q_learning`, `dqn`, `ppo`) are trained first, one run per scenario in
//! `train/<scenario>__<agent>/` on training seeds (from 0, disjoint from the evaluation seeds),
//! with the entry's `train_steps` (`full_train_steps` with `--full`); a finished training is
//! reused, an interrupted one resumed. Up to `jobs` trainings run at once.
//!
//! A stored run that is unreadable, or stored by an older shopgym without the per-episode
//! `peak_instances` the report's capacity plans need, is run again on resume (`runs::Stored`).
//!
//! Output layout: `experiment.yaml` (resolved), `runs/<scenario>__<agent>__<seed>.json`,
//! `traces/<scenario>__<agent>.csv` (first seed, per interval), `runs.csv`, `summary.csv`,
//! `report.md`, `plots/*.{png,svg}`.

mod capacity;
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
    /// The `scenarios`, then the `ood` sets.
    pub scenarios: Vec<Scenario>,
    /// What each scenario is for, in the order of `scenarios`.
    pub roles: Vec<Role>,
    pub agents: Vec<(Agent, spec::AgentEntry)>,
    /// Per agent, the scenario its `train_on` names.
    pub train_on: Vec<Option<Scenario>>,
}

/// What a scenario of an experiment is for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Role {
    /// Evaluated on the experiment's `seeds`; learners train on hashed seeds.
    Plain,
    /// A family with train / validation / test seed ranges; evaluated on `test`.
    Split(spec::Splits),
    /// An out-of-distribution set, evaluated only on `seeds`: learners run the training of
    /// scenario `trained_on` (an index into `scenarios`).
    Ood {
        trained_on: usize,
        seeds: spec::SeedRange,
    },
}

impl Experiment {
    pub fn load(path: impl AsRef<Path>) -> Result<Experiment, ConfigError> {
        let path = path.as_ref();
        let spec: ExperimentSpec = crate::io::read_yaml(path)?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let ctx = crate::io::Ctx { file: path };
        if spec.scenarios.is_empty() || spec.agents.is_empty() {
            return Err(ctx.invalid(
                "scenarios/agents",
                "(empty)",
                "an experiment needs scenarios and agents",
            ));
        }
        match (&spec.seeds, &spec.splits) {
            (Some(_), Some(_)) => {
                return Err(ctx.invalid(
                    "seeds",
                    "(given with splits)",
                    "give either `seeds` (one set of evaluation seeds) or `splits` (train, \
                     validation and test ranges), not both",
                ))
            }
            (None, None) => {
                return Err(ctx.invalid(
                    "seeds",
                    "(missing)",
                    "an experiment needs `seeds` or `splits`",
                ))
            }
            (Some(s), None) if s.count == 0 => {
                return Err(ctx.invalid("seeds.count", 0, "no evaluation seeds"))
            }
            _ if spec.full.as_ref().is_some_and(|f| f.seeds == 0) => {
                return Err(ctx.invalid("full.seeds", 0, "no evaluation seeds under --full"))
            }
            _ => {}
        }
        // A referenced file that cannot be read is this file's mistake (its field names it); a
        // referenced file that is bad names itself.
        let unreadable = |field: String, e: ConfigError| match e {
            ConfigError::Io { file, cause } => {
                ctx.invalid(field, file.display(), format!("cannot read: {cause}"))
            }
            e => e,
        };
        let mut scenarios = spec
            .scenarios
            .iter()
            .enumerate()
            .map(|(i, s)| {
                Scenario::load(dir.join(s)).map_err(|e| unreadable(format!("scenarios[{i}]"), e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut agents = Vec::new();
        let mut train_on = Vec::new();
        for (i, a) in spec.agents.iter().enumerate() {
            let mut agent = Agent::load(dir.join(&a.file))
                .map_err(|e| unreadable(format!("agents[{i}].file"), e))?;
            if let Some(n) = &a.name {
                agent.name = n.clone();
            }
            train_on.push(
                a.train_on
                    .as_ref()
                    .map(|f| {
                        if !agent.spec.is_learner() {
                            return Err(ctx.invalid(
                                format!("agents[{i}].train_on"),
                                f,
                                format!("agent `{}` is not a learner", agent.name),
                            ));
                        }
                        Scenario::load(dir.join(f))
                            .map_err(|e| unreadable(format!("agents[{i}].train_on"), e))
                    })
                    .transpose()?,
            );
            if agents
                .iter()
                .any(|(b, _): &(Agent, _)| b.name == agent.name)
            {
                return Err(ctx.invalid(
                    format!("agents[{i}].file"),
                    &a.file,
                    "two agents with the same name (file stem, or `name`)",
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
        let mut roles = Vec::new();
        for s in &scenarios {
            let splits = spec.scenario_splits.get(s.name()).or(spec.splits.as_ref());
            let role = match (&spec.splits, splits) {
                (Some(_), Some(sp)) => Role::Split(*sp),
                _ => Role::Plain,
            };
            if let Role::Split(sp) = role {
                let field = if spec.scenario_splits.contains_key(s.name()) {
                    format!("scenario_splits.{}", s.name())
                } else {
                    "splits".into()
                };
                check_splits(&ctx, &field, &sp, spec.full.as_ref())?;
            }
            roles.push(role);
        }
        if let Some(name) = spec
            .scenario_splits
            .keys()
            .find(|n| !scenarios.iter().any(|s| s.name() == n.as_str()))
        {
            return Err(ctx.invalid(
                "scenario_splits",
                name,
                "not the name of one of the experiment's scenarios",
            ));
        }
        if !spec.scenario_splits.is_empty() && spec.splits.is_none() {
            return Err(ctx.invalid(
                "scenario_splits",
                "(without splits)",
                "per-scenario splits need the protocol with `splits`",
            ));
        }
        for (i, o) in spec.ood.iter().enumerate() {
            let s = Scenario::load(dir.join(&o.file))
                .map_err(|e| unreadable(format!("ood[{i}].file"), e))?;
            let Some(trained_on) = scenarios[..spec.scenarios.len()]
                .iter()
                .position(|f| f.name() == o.trained_on)
            else {
                return Err(ctx.invalid(
                    format!("ood[{i}].trained_on"),
                    &o.trained_on,
                    "not the name of one of the experiment's scenarios",
                ));
            };
            if o.seeds.count == 0 {
                return Err(ctx.invalid(format!("ood[{i}].seeds.count"), 0, "no seeds"));
            }
            if scenarios.iter().any(|f| f.name() == s.name()) {
                return Err(ctx.invalid(
                    format!("ood[{i}].file"),
                    &o.file,
                    format!(
                        "a scenario called `{}` is already in the experiment",
                        s.name()
                    ),
                ));
            }
            scenarios.push(s);
            roles.push(Role::Ood {
                trained_on,
                seeds: o.seeds,
            });
        }
        let exp = Experiment {
            spec,
            path: path.to_path_buf(),
            scenarios,
            roles,
            agents,
            train_on,
        };
        for si in 0..exp.scenarios.len() {
            for ai in 0..exp.agents.len() {
                if exp.runs_on(ai, si) {
                    exp.agent_on(ai, si).env_config(&exp.scenarios[si])?;
                }
            }
        }
        // A learner brings its network to the OOD sets, and from its `train_on` scenario: the
        // observations must be alike.
        for (ai, t) in exp.train_on.iter().enumerate() {
            let Some(t) = t else { continue };
            let there = obs_dim(&exp, ai, None, t, &ctx)?;
            for si in (0..exp.scenarios.len()).filter(|&si| exp.runs_on(ai, si)) {
                let here = obs_dim(&exp, ai, Some(si), &exp.scenarios[si], &ctx)?;
                if here != there {
                    return Err(ctx.invalid(
                        format!("agents[{ai}].train_on"),
                        t.path.display(),
                        format!(
                            "agent `{}` observes {there} features there and {here} on `{}`: \
                             the scenarios need the same classes and pools",
                            exp.agents[ai].0.name,
                            exp.scenarios[si].name()
                        ),
                    ));
                }
            }
        }
        for (si, role) in exp.roles.iter().enumerate() {
            let Role::Ood { trained_on, .. } = *role else {
                continue;
            };
            for (ai, (a, _)) in exp.agents.iter().enumerate() {
                if !a.spec.is_learner() || !exp.runs_on(ai, si) || exp.train_on[ai].is_some() {
                    continue;
                }
                let (here, there) = (
                    obs_dim(&exp, ai, Some(si), &exp.scenarios[si], &ctx)?,
                    obs_dim(&exp, ai, Some(trained_on), &exp.scenarios[trained_on], &ctx)?,
                );
                if here != there {
                    return Err(ctx.invalid(
                        format!("ood[{}].file", si - exp.spec.scenarios.len()),
                        exp.scenarios[si].path.display(),
                        format!(
                            "agent `{}` observes {here} features here and {there} on `{}`, \
                             where it trains: the scenarios need the same classes and pools",
                            a.name,
                            exp.scenarios[trained_on].name()
                        ),
                    ));
                }
            }
        }
        Ok(exp)
    }

    /// Agent `ai` as it runs on scenario `si`: on an OOD set, with the fitted forecast of the
    /// family it was trained on (the same for learners and baselines).
    pub fn agent_on(&self, ai: usize, si: usize) -> Agent {
        let a = &self.agents[ai].0;
        match self.roles[si] {
            Role::Ood { trained_on, .. } => a.with_fitted_forecast_of(&self.scenarios[trained_on]),
            _ => a.clone(),
        }
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

    /// Whether agent `ai` runs on scenario `si` (on an OOD set: where it runs on the scenario
    /// it was trained on).
    pub fn runs_on(&self, ai: usize, si: usize) -> bool {
        let si = match self.roles[si] {
            Role::Ood { trained_on, .. } => trained_on,
            _ => si,
        };
        self.agents[ai]
            .1
            .scenarios
            .as_ref()
            .is_none_or(|names| names.iter().any(|n| n == self.scenarios[si].name()))
    }

    /// Evaluation seeds of scenario `si` under the chosen budget: the experiment's `seeds`, a
    /// family's test split or an OOD set's seeds (`full.seeds` replaces the count of the first
    /// two under `--full`).
    pub fn eval_seeds(&self, si: usize, full: bool) -> Vec<u64> {
        let full_n = self.spec.full.as_ref().filter(|_| full).map(|f| f.seeds);
        let range = match self.roles[si] {
            Role::Plain => {
                let s = self.spec.seeds.as_ref().expect("checked at load");
                spec::SeedRange {
                    start: s.start,
                    count: full_n.unwrap_or(s.count),
                }
            }
            Role::Split(sp) => spec::SeedRange {
                start: sp.test.start,
                count: full_n.unwrap_or(sp.test.count),
            },
            Role::Ood { seeds, .. } => seeds,
        };
        range.seeds()
    }

    /// Training draws a learner is also evaluated on, for the generalisation gap: as many as it
    /// has evaluation seeds, from the start of the train split (none without splits).
    pub fn gap_seeds(&self, si: usize, full: bool) -> Vec<u64> {
        match self.roles[si] {
            Role::Split(sp) => {
                let n = (self.eval_seeds(si, full).len() as u64).min(sp.train.count);
                (sp.train.start..sp.train.start + n).collect()
            }
            _ => Vec::new(),
        }
    }

    /// Training runs of agent `ai` under the chosen budget: `full_training_runs` (with
    /// `--full`) or `training_runs` of a learner's entry, default 1; 1 for a baseline or a
    /// learner run from a `checkpoint`.
    pub fn training_runs(&self, ai: usize, full: bool) -> u64 {
        let (a, e) = &self.agents[ai];
        if !a.spec.is_learner() || e.checkpoint.is_some() {
            return 1;
        }
        let n = if full {
            e.full_training_runs.or(e.training_runs)
        } else {
            e.training_runs
        };
        n.unwrap_or(1).max(1)
    }

    /// The names agent `ai`'s training runs are stored under (`runs/`, `train/`, `runs.csv`):
    /// its own name for run 0, `<name>.t<k>` for run k >= 1. One name for a baseline.
    pub fn run_names(&self, ai: usize, full: bool) -> Vec<String> {
        let name = &self.agents[ai].0.name;
        (0..self.training_runs(ai, full))
            .map(|k| run_name(name, k))
            .collect()
    }

    /// Every run: (scenario, agent, training run, seed) under the chosen budget; learners also
    /// on the `gap_seeds`.
    pub fn runs(&self, full: bool) -> Vec<(usize, usize, u64, u64)> {
        let mut v = Vec::new();
        for si in 0..self.scenarios.len() {
            let seeds = self.eval_seeds(si, full);
            let gap = self.gap_seeds(si, full);
            for ai in 0..self.agents.len() {
                if !self.runs_on(ai, si) {
                    continue;
                }
                for k in 0..self.training_runs(ai, full) {
                    v.extend(seeds.iter().map(|&seed| (si, ai, k, seed)));
                    if self.agents[ai].0.spec.is_learner() {
                        v.extend(gap.iter().map(|&seed| (si, ai, k, seed)));
                    }
                }
            }
        }
        v
    }
}

/// How many features agent `ai` observes on `scenario`.
fn obs_dim(
    exp: &Experiment,
    ai: usize,
    si: Option<usize>,
    scenario: &Scenario,
    ctx: &crate::io::Ctx,
) -> Result<usize, ConfigError> {
    let agent = si.map_or_else(|| exp.agents[ai].0.clone(), |si| exp.agent_on(ai, si));
    let env = agent.make_env(scenario).map_err(|e| {
        ctx.invalid(
            format!("agents[{ai}].file"),
            &exp.agents[ai].1.file,
            e.to_string(),
        )
    })?;
    Ok(crate::env::Env::obs_names(&env).len())
}

/// Refuses overlapping or empty ranges of one family's splits (and a `--full` test range that
/// would reach into another split).
fn check_splits(
    ctx: &crate::io::Ctx,
    field: &str,
    sp: &spec::Splits,
    full: Option<&spec::FullSpec>,
) -> Result<(), ConfigError> {
    let full_test = spec::SeedRange {
        count: full.map_or(sp.test.count, |f| f.seeds),
        ..sp.test
    };
    let named = [
        ("train", sp.train),
        ("validation", sp.validation),
        ("test", sp.test),
        ("test (with --full)", full_test),
    ];
    for (name, r) in &named[..3] {
        if r.count == 0 {
            return Err(ctx.invalid(format!("{field}.{name}.count"), 0, "an empty split"));
        }
    }
    for (i, (a, ra)) in named.iter().enumerate() {
        for (b, rb) in &named[i + 1..] {
            if b.starts_with(a) || a.starts_with("test") && b.starts_with("test") {
                continue;
            }
            if ra.overlaps(rb) {
                return Err(ctx.invalid(
                    format!("{field}.{b}"),
                    format!("{}..{}", rb.start, rb.end()),
                    format!(
                        "overlaps the {a} split {}..{}: splits must be disjoint",
                        ra.start,
                        ra.end()
                    ),
                ));
            }
        }
    }
    Ok(())
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
    let agents = train_learners(exp, opts)?;
    let mut todo = Vec::new();
    let mut stale = 0;
    for (si, ai, k, seed) in exp.runs(opts.full) {
        let (s, a) = (&exp.scenarios[si], &agents[si][ai][k as usize]);
        let stored = runs::stored(&run_file(&opts.out, s.name(), &a.name, seed));
        stale += usize::from(stored == runs::Stored::Stale);
        if opts.force || stored != runs::Stored::Current {
            let first = k == 0 && exp.eval_seeds(si, opts.full)[0] == seed;
            todo.push((si, ai, k as usize, seed, first));
        }
    }
    if stale > 0 && !opts.force {
        eprintln!(
            "{stale} stored runs are unreadable or predate per-episode peak instances (an older \
             shopgym): running them again"
        );
    }
    let total = todo.len() as u64;
    let done = std::sync::atomic::AtomicU64::new(0);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs.max(1))
        .build()?;
    pool.install(|| {
        todo.par_iter().try_for_each(
            |&(si, ai, k, seed, traced)| -> Result<(), ExperimentError> {
                let scenario = &exp.scenarios[si];
                let agent = &agents[si][ai][k];
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
            },
        )
    })?;
    plots::write_all(exp, &opts.out, opts.full)?;
    report::write_all(exp, &opts.out, opts.full)?;
    Ok(())
}

/// The seeds a learner trains and selects on under `role`: a family's train split, and its
/// validation split for `best/` (the first `eval_episodes` of it).
fn split_options(role: Role) -> TrainOptions {
    match role {
        Role::Split(sp) => TrainOptions {
            train_seeds: Some(sp.train),
            eval_seeds: Some(sp.validation.seeds()),
            ..Default::default()
        },
        _ => TrainOptions::default(),
    }
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

/// Trains (or finds, or resumes) every learner on every scenario it runs on; returns, per
/// scenario and agent, the agents to evaluate: a baseline once, a learner once per training run
/// (run `k` >= 1 is named `<agent>.t<k>`, trained from seed `k`), pointing at its checkpoint.
/// The training runs are independent (each its own seed and directory), so up to `opts.jobs` of
/// them run at once (`train_all`); what each one writes does not depend on that.
fn train_learners(
    exp: &Experiment,
    opts: &RunOptions,
) -> Result<Vec<Vec<Vec<Agent>>>, ExperimentError> {
    let dir = exp.path.parent().unwrap_or(Path::new("."));
    // What to train, in (scenario, agent, run) order; an OOD set runs the learners of the
    // family it names, a `checkpoint` entry its named checkpoint.
    let trains = |si: usize, ai: usize| {
        exp.agents[ai].0.spec.is_learner()
            && exp.runs_on(ai, si)
            && !matches!(exp.roles[si], Role::Ood { .. })
            && exp.agents[ai].1.checkpoint.is_none()
    };
    let mut jobs = Vec::new();
    for si in 0..exp.scenarios.len() {
        for ai in 0..exp.agents.len() {
            if trains(si, ai) {
                jobs.extend((0..exp.training_runs(ai, opts.full)).map(|k| (si, ai, k)));
            }
        }
    }
    let mut trained = train_all(exp, opts, &jobs)?.into_iter();
    let mut out: Vec<Vec<Vec<Agent>>> = Vec::new();
    for (si, s) in exp.scenarios.iter().enumerate() {
        let mut row = Vec::new();
        for (ai, (_, entry)) in exp.agents.iter().enumerate() {
            let a = &exp.agent_on(ai, si);
            if trains(si, ai) {
                row.push(
                    trained
                        .by_ref()
                        .take(exp.training_runs(ai, opts.full) as usize)
                        .collect(),
                );
            } else if !a.spec.is_learner() || !exp.runs_on(ai, si) {
                row.push(vec![a.clone()]);
            } else if let Role::Ood { trained_on, .. } = exp.roles[si] {
                // The runs trained on the family it came from (an earlier scenario).
                let runs = out[trained_on][ai]
                    .iter()
                    .map(|t: &Agent| {
                        let mut b = a.clone().with_checkpoint(
                            t.checkpoint
                                .clone()
                                .expect("a trained learner has a checkpoint"),
                        );
                        b.name = t.name.clone();
                        b
                    })
                    .collect();
                row.push(runs);
            } else if let Some(ck) = &entry.checkpoint {
                row.push(vec![a
                    .clone()
                    .with_checkpoint(dir.join(ck.replace("{scenario}", s.name())))]);
            }
        }
        out.push(row);
    }
    Ok(out)
}

/// Runs the training `jobs` (scenario, agent, run), up to `opts.jobs` at once, each on its own
/// thread taking the next job (so a long training never waits behind a nested task, as it could
/// in a rayon pool; the envs inside a training still use rayon's global pool). Jobs start run by
/// run (every learner's first run, then every second run, ...), so trainings that hold libtorch's
/// generator (PPO: `nn::seed_exclusive`) seldom run beside each other and wait. Returns the
/// trained agents in job order. After a failure no further job starts; the ones running finish
/// (their checkpoints are resumed next time) and the first failure to start is returned.
fn train_all(
    exp: &Experiment,
    opts: &RunOptions,
    jobs: &[(usize, usize, u64)],
) -> Result<Vec<Agent>, ExperimentError> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Mutex;
    let workers = opts.jobs.clamp(1, jobs.len().max(1));
    if workers == 1 {
        return jobs
            .iter()
            .map(|&(si, ai, k)| train_one(exp, opts, si, ai, k))
            .collect();
    }
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|&i| (jobs[i].2, i));
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let results: Vec<Mutex<Option<Result<Agent, ExperimentError>>>> =
        jobs.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while !failed.load(Ordering::SeqCst) {
                    let Some(&i) = order.get(next.fetch_add(1, Ordering::SeqCst)) else {
                        break;
                    };
                    let (si, ai, k) = jobs[i];
                    let r = train_one(exp, opts, si, ai, k);
                    failed.fetch_or(r.is_err(), Ordering::SeqCst);
                    *results[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
                }
            });
        }
    });
    let mut results: Vec<Option<Result<Agent, ExperimentError>>> = results
        .into_iter()
        .map(|r| r.into_inner().unwrap_or_else(|e| e.into_inner()))
        .collect();
    if let Some(i) = order
        .iter()
        .copied()
        .find(|&i| matches!(results[i], Some(Err(_))))
    {
        if let Some(Err(e)) = results.swap_remove(i) {
            return Err(e);
        }
    }
    Ok(results
        .into_iter()
        .map(|r| match r {
            Some(Ok(a)) => a,
            _ => unreachable!("without a failure every job ran"),
        })
        .collect())
}

/// The name training run `k` of agent `name` is stored under (see `Experiment::run_names`).
fn run_name(name: &str, k: u64) -> String {
    if k == 0 {
        name.to_string()
    } else {
        format!("{name}.t{k}")
    }
}

/// Training run `k` of learner `ai` for scenario `si` (trained, found finished, or resumed).
fn train_one(
    exp: &Experiment,
    opts: &RunOptions,
    si: usize,
    ai: usize,
    k: u64,
) -> Result<Agent, ExperimentError> {
    let (s, entry) = (&exp.scenarios[si], &exp.agents[ai].1);
    let mut a = exp.agent_on(ai, si);
    a.name = run_name(&a.name, k);
    // The scenario it trains on, and under which protocol.
    let (ts, role) = match &exp.train_on[ai] {
        Some(t) => (t, Role::Plain),
        None => (s, exp.roles[si]),
    };
    let run_dir = opts
        .out
        .join("train")
        .join(format!("{}__{}", ts.name(), a.name));
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
    let failed = |source: crate::agents::AgentError| ExperimentError::Train {
        agent: a.name.clone(),
        scenario: ts.name().to_string(),
        source: Box::new(source),
    };
    if run_dir.exists() {
        // A kill mid-checkpoint may have left a swap to finish.
        crate::learn::run::recover_checkpoints(&run_dir).map_err(|e| failed(e.into()))?;
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
            std::fs::remove_dir_all(&run_dir).map_err(FileError::at("removing", &run_dir))?;
        }
        eprintln!(
            "training {} on {} ({} steps)",
            a.name,
            ts.name(),
            steps.map_or("default".into(), |n| n.to_string())
        );
        a.train(
            ts,
            &TrainOptions {
                steps,
                seed: k,
                out: run_dir.clone(),
                resume,
                progress: false,
                ..split_options(role)
            },
        )
        .map_err(failed)?;
    }
    Ok(a.with_checkpoint(run_dir))
}
