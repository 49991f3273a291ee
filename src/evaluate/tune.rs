//! Tuning a baseline (`shopgym tune`): a search-space file names a base agent file and a grid of
//! values for some of its parameters; every point of the grid runs on every scenario × seed of
//! the validation draws, and the best point becomes a tuned agent file. Baselines are tuned with
//! the same care as learners (which select their `best/` model on validation draws), and never
//! on test draws: the tuned file's header says which seeds it was chosen on.
//!
//! Lifecycle: `SearchSpace::load` parses the space (`SpaceSpec`), loads the base agent and builds
//! every candidate once: the base file's YAML mapping with the grid values set, serialised and
//! parsed back as an agent file (the same parser and validation as `Agent::load`), so a bad
//! value is refused before anything runs, with an error naming the space file, the grid field
//! and the value. `SearchSpace::check` then checks every candidate's env on each scenario, and
//! `tune` runs the episodes in parallel and reduces them in a fixed order (so the result does
//! not depend on the thread count). `Tuning::tuned_yaml` and `Tuning::csv` render the outputs.
//!
//! The objective of a candidate is the mean over scenarios of its mean over seeds (each family
//! counts equally). The base agent's own parameters are evaluated too, as a reference row. The
//! first grid point with the highest objective wins (grid order: the space file's keys, the last
//! key varying fastest); the base wins only when strictly better than every grid point.

use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;
use serde::Deserialize;
use serde_yaml::{Mapping, Value};

use crate::agents::{Agent, AgentSpec};
use crate::io::{ConfigError, Ctx};
use crate::scenario::Scenario;

use super::{run_one, EvalError, METRICS};

/// The most candidates a search space may have (a grid past it is refused before running).
pub const MAX_CANDIDATES: usize = 10_000;

/// Metrics reported per scenario for every candidate (the CSV), besides the objective's.
pub const REPORTED: [&str; 3] = ["return", "cost", "slo_violation_minutes"];

/// A search-space file (`agents/tune/*.yaml`) as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SpaceSpec {
    /// The base agent file, relative to the space file.
    agent: PathBuf,
    /// Parameter (dotted for nested ones: `forecast.horizon`) -> candidate values; a full grid,
    /// in file order.
    grid: Mapping,
    /// The metric maximised (one of `evaluate::METRICS`); `-name` minimises it. Default `return`.
    #[serde(default = "default_objective")]
    objective: String,
}

fn default_objective() -> String {
    "return".into()
}

/// What a tuning maximises: the metric, or its negation when `minimise`.
#[derive(Debug, Clone, PartialEq)]
pub struct Objective {
    pub metric: String,
    pub minimise: bool,
}

impl Objective {
    fn parse(s: &str, ctx: &Ctx) -> Result<Objective, ConfigError> {
        let (metric, minimise) = match s.strip_prefix('-') {
            Some(m) => (m, true),
            None => (s, false),
        };
        if !METRICS.contains(&metric) {
            return Err(ctx.invalid(
                "objective",
                s,
                format!(
                    "not a metric; one of {} (`-name` minimises)",
                    METRICS.join(", ")
                ),
            ));
        }
        Ok(Objective {
            metric: metric.to_string(),
            minimise,
        })
    }

    /// The metric as written in the space file (`return`, `-cost`).
    pub fn label(&self) -> String {
        format!("{}{}", if self.minimise { "-" } else { "" }, self.metric)
    }

    /// The maximised value of a mean of the metric.
    fn signed(&self, v: f64) -> f64 {
        if self.minimise {
            -v
        } else {
            v
        }
    }
}

/// One point of the search: an agent file's mapping and the agent it validates into.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The grid parameters' values, in grid order (the base's resolved default where its file
    /// leaves one out; `None` for a default the spec does not write, e.g. `lookahead: 0`).
    pub values: Vec<Option<Value>>,
    /// The agent file's mapping (the base file's, with the grid values set).
    pub mapping: Mapping,
    /// The agent it parses into; `path` is the base file's (relative paths inside resolve alike).
    pub agent: Agent,
}

/// A validated search space: the base agent, the grid and every candidate built from it.
#[derive(Debug, Clone)]
pub struct SearchSpace {
    /// The space file.
    pub path: PathBuf,
    /// The base agent, loaded from its file.
    pub base: Candidate,
    /// The grid parameters (dotted keys), in file order.
    pub params: Vec<String>,
    /// The grid points, in grid order (the last parameter varies fastest).
    pub candidates: Vec<Candidate>,
    pub objective: Objective,
}

/// Why a tuning failed. Each ends that tuning before anything is written; rerun it after the fix.
#[derive(Debug, thiserror::Error)]
pub enum TuneError {
    /// The space file, its base agent, a candidate or a scenario is not valid (nothing ran, or
    /// for a scenario-specific refusal, nothing was kept).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// An episode of a candidate failed.
    #[error("candidate {candidate} on {scenario}, seed {seed}")]
    Eval {
        /// `base` or the candidate's number (1-based, grid order).
        candidate: String,
        scenario: String,
        seed: u64,
        #[source]
        source: Box<EvalError>,
    },
    /// No scenario or no seed was given: there is nothing to measure.
    #[error("nothing to tune on: {0}")]
    Empty(&'static str),
}

/// A value as written in one line (scalars plain, anything else as JSON).
pub fn show(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        other => serde_json::to_string(other).unwrap_or_else(|_| format!("{other:?}")),
    }
}

/// The value at a dotted `key` of `map`.
fn lookup<'a>(map: &'a Mapping, key: &str) -> Option<&'a Value> {
    let mut parts = key.split('.');
    let mut v = map.get(parts.next()?)?;
    for p in parts {
        v = v.as_mapping()?.get(p)?;
    }
    Some(v)
}

/// Sets the dotted `key` of `map` to `value`. A parent the file leaves out is taken from
/// `resolved` (the base spec with its defaults), so `forecast.horizon` changes only the horizon
/// of the default forecast. `Err` says why the key cannot be set.
fn set(map: &mut Mapping, resolved: &Mapping, key: &str, value: Value) -> Result<(), String> {
    let Some((head, rest)) = key.split_once('.') else {
        map.insert(Value::from(key), value);
        return Ok(());
    };
    let sub_resolved = resolved
        .get(head)
        .and_then(Value::as_mapping)
        .cloned()
        .unwrap_or_default();
    let entry = map
        .entry(Value::from(head))
        .or_insert_with(|| Value::Mapping(sub_resolved.clone()));
    match entry {
        Value::Mapping(sub) => set(sub, &sub_resolved, rest, value),
        other => Err(format!("`{head}` is `{}`, not a mapping", show(other))),
    }
}

/// Parses `mapping` as an agent file the way `Agent::load` does (YAML text -> `AgentSpec` ->
/// `Agent::new`); errors name `file`.
fn parse_agent(mapping: &Mapping, name: &str, file: &Path) -> Result<Agent, ConfigError> {
    let text = serde_yaml::to_string(mapping).expect("a YAML mapping serialises");
    let spec: AgentSpec = crate::io::parse_yaml(&text, file)?;
    Agent::new(name.to_string(), spec, file)
}

/// The message of a config error, without its file (the caller names the space file).
fn reason(e: &ConfigError, key: &str) -> String {
    match e {
        ConfigError::Parse { field, message, .. } | ConfigError::Invalid { field, message, .. }
            if field != key && field != "(top level)" =>
        {
            format!("{message} (field `{field}`)")
        }
        ConfigError::Parse { message, .. } | ConfigError::Invalid { message, .. } => {
            message.clone()
        }
        ConfigError::Io { cause, .. } => cause.to_string(),
    }
}

impl SearchSpace {
    /// Reads a space file, loads its base agent and validates every candidate.
    pub fn load(path: impl AsRef<Path>) -> Result<SearchSpace, ConfigError> {
        let path = path.as_ref();
        let ctx = Ctx { file: path };
        let spec: SpaceSpec = crate::io::read_yaml(path)?;
        let objective = Objective::parse(&spec.objective, &ctx)?;
        let base = Base::load(&spec.agent, ctx)?;
        let grid = parse_grid(&spec.grid, &ctx)?;
        let params: Vec<String> = grid.iter().map(|(k, _)| k.clone()).collect();

        // Each value alone on the base first, so a bad one is named by its field.
        for (key, values) in &grid {
            for v in values {
                let field = format!("grid.{key}");
                let m = base.with(&[(key, v)])?;
                parse_agent(&m, &base.agent.name, path)
                    .map_err(|e| ctx.invalid(&field, show(v), reason(&e, key)))?;
            }
        }
        let candidates = grid_points(&grid)
            .iter()
            .enumerate()
            .map(|(i, point)| base.candidate(&grid, point, i + 1, &params))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SearchSpace {
            path: path.to_path_buf(),
            base: Candidate {
                values: base.values(&base.map, &params),
                mapping: base.map.clone(),
                agent: base.agent,
            },
            params,
            candidates,
            objective,
        })
    }

    /// Checks that the base and every candidate can run on each scenario (their env builds) and
    /// that the scenarios' names differ (they label the results).
    pub fn check(&self, scenarios: &[Scenario]) -> Result<(), ConfigError> {
        for (i, s) in scenarios.iter().enumerate() {
            if let Some(other) = scenarios[..i].iter().find(|o| o.name() == s.name()) {
                return Err(Ctx { file: &s.path }.invalid(
                    "name",
                    s.name(),
                    format!("{} has the same name", other.path.display()),
                ));
            }
            for c in std::iter::once(&self.base).chain(&self.candidates) {
                c.agent.env_config(s)?;
            }
        }
        Ok(())
    }

    /// Episodes a tuning on `scenarios` × `seeds` runs (the base included).
    pub fn episodes(&self, scenarios: usize, seeds: usize) -> u64 {
        (self.candidates.len() as u64 + 1) * scenarios as u64 * seeds as u64
    }
}

/// The base agent of a space, and what every candidate is made from: its file's mapping and its
/// resolved spec (the defaults the file leaves out).
struct Base<'a> {
    agent: Agent,
    map: Mapping,
    resolved: Mapping,
    /// The space file's context: errors name it.
    ctx: Ctx<'a>,
}

impl<'a> Base<'a> {
    /// Loads the base agent file `agent` (relative to the space file) and refuses a learner.
    fn load(agent: &Path, ctx: Ctx<'a>) -> Result<Base<'a>, ConfigError> {
        let path = ctx.file.parent().unwrap_or(Path::new(".")).join(agent);
        let base = Agent::load(&path).map_err(|e| match e {
            ConfigError::Io { file, cause } => ctx.invalid(
                "agent",
                agent.display(),
                format!("cannot read {}: {cause}", file.display()),
            ),
            other => other,
        })?;
        if base.spec.is_learner() {
            return Err(ctx.invalid(
                "agent",
                agent.display(),
                format!(
                    "a `{}` learner: tune calibrates baselines (learners select on validation \
                     draws in `shopgym experiment`)",
                    base.spec.kind()
                ),
            ));
        }
        let resolved = match serde_yaml::to_value(&base.spec) {
            Ok(Value::Mapping(m)) => m,
            _ => Mapping::new(),
        };
        Ok(Base {
            map: crate::io::read_yaml(&path)?,
            agent: base,
            resolved,
            ctx,
        })
    }

    /// The base mapping with each (dotted key, value) set.
    fn with(&self, values: &[(&str, &Value)]) -> Result<Mapping, ConfigError> {
        let mut m = self.map.clone();
        for (key, v) in values {
            set(&mut m, &self.resolved, key, (*v).clone())
                .map_err(|why| self.ctx.invalid(format!("grid.{key}"), show(v), why))?;
        }
        Ok(m)
    }

    /// The values of `params` in `m` (the resolved default where `m` leaves one out).
    fn values(&self, m: &Mapping, params: &[String]) -> Vec<Option<Value>> {
        params
            .iter()
            .map(|k| lookup(m, k).or_else(|| lookup(&self.resolved, k)).cloned())
            .collect()
    }

    /// Candidate `number` (1-based): the grid point `point` set on the base, validated.
    fn candidate(
        &self,
        grid: &[(String, Vec<Value>)],
        point: &[Value],
        number: usize,
        params: &[String],
    ) -> Result<Candidate, ConfigError> {
        let pairs: Vec<(&str, &Value)> = grid.iter().map(|(k, _)| k.as_str()).zip(point).collect();
        let m = self.with(&pairs)?;
        let name = format!("{}#{number}", self.agent.name);
        let mut agent = parse_agent(&m, &name, self.ctx.file).map_err(|e| {
            let shown: Vec<String> = pairs
                .iter()
                .map(|(k, v)| format!("{k} = {}", show(v)))
                .collect();
            self.ctx.invalid("grid", shown.join(", "), reason(&e, ""))
        })?;
        // Relative paths inside (a forecast model) resolve from the base file's folder.
        agent.path = self.agent.path.clone();
        Ok(Candidate {
            values: self.values(&m, params),
            mapping: m,
            agent,
        })
    }
}

/// The grid as (key, values) in file order, every key and list checked.
fn parse_grid(grid: &Mapping, ctx: &Ctx) -> Result<Vec<(String, Vec<Value>)>, ConfigError> {
    if grid.is_empty() {
        return Err(ctx.invalid("grid", "{}", "must name at least one parameter"));
    }
    let mut out: Vec<(String, Vec<Value>)> = Vec::new();
    for (k, v) in grid {
        let key = k
            .as_str()
            .filter(|s| !s.is_empty() && s.split('.').all(|p| !p.is_empty()))
            .ok_or_else(|| ctx.invalid("grid", show(k), "keys are parameter names"))?;
        let field = format!("grid.{key}");
        if key == "agent" {
            return Err(ctx.invalid(field, show(v), "the kind is the base file's, not tuned"));
        }
        if let Some((other, _)) = out
            .iter()
            .find(|(o, _)| key.starts_with(&format!("{o}.")) || o.starts_with(&format!("{key}.")))
        {
            return Err(ctx.invalid(field, show(v), format!("overlaps `grid.{other}`")));
        }
        let values = v
            .as_sequence()
            .ok_or_else(|| ctx.invalid(&field, show(v), "must be a list of candidate values"))?;
        if values.is_empty() {
            return Err(ctx.invalid(field, "[]", "must list at least one value"));
        }
        for (i, x) in values.iter().enumerate() {
            if values[..i].contains(x) {
                return Err(ctx.invalid(field, show(x), "listed twice"));
            }
        }
        out.push((key.to_string(), values.clone()));
    }
    let n = out
        .iter()
        .try_fold(1usize, |n, (_, v)| n.checked_mul(v.len()))
        .filter(|&n| n <= MAX_CANDIDATES);
    if n.is_none() {
        let sizes: Vec<String> = out.iter().map(|(_, v)| v.len().to_string()).collect();
        return Err(ctx.invalid(
            "grid",
            format!("{} candidates", sizes.join(" x ")),
            format!("at most {MAX_CANDIDATES} candidates"),
        ));
    }
    Ok(out)
}

/// Every point of the grid, the last key varying fastest.
fn grid_points(grid: &[(String, Vec<Value>)]) -> Vec<Vec<Value>> {
    let mut points: Vec<Vec<Value>> = vec![Vec::new()];
    for (_, values) in grid {
        points = points
            .into_iter()
            .flat_map(|p| {
                values.iter().map(move |v| {
                    let mut q = p.clone();
                    q.push(v.clone());
                    q
                })
            })
            .collect();
    }
    points
}

/// One candidate's results.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Per scenario (in the order given): the mean over seeds of each of `Tuning::metrics`.
    pub means: Vec<Vec<f64>>,
    /// The maximised value: the mean over scenarios of the objective metric's means, signed.
    pub objective: f64,
}

/// The results of a tuning.
#[derive(Debug, Clone)]
pub struct Tuning {
    /// The scenarios' names, in the order given.
    pub scenarios: Vec<String>,
    pub seeds: std::ops::Range<u64>,
    /// The metrics of `Row::means`: `REPORTED`, then the objective's if it is not among them.
    pub metrics: Vec<String>,
    /// The base agent's own parameters.
    pub base: Row,
    /// One per candidate, in grid order.
    pub rows: Vec<Row>,
    /// The winner: `Some(i)` for candidate `i` (0-based), `None` for the base.
    pub best: Option<usize>,
}

/// Runs the base and every candidate of `space` on every scenario × seed (in the current rayon
/// pool) and picks the best; `on_done` is called as each episode ends.
pub fn tune(
    space: &SearchSpace,
    scenarios: &[Scenario],
    seeds: std::ops::Range<u64>,
    on_done: &(dyn Fn() + Sync),
) -> Result<Tuning, TuneError> {
    if scenarios.is_empty() {
        return Err(TuneError::Empty("no scenario"));
    }
    if seeds.is_empty() {
        return Err(TuneError::Empty("no seed"));
    }
    space.check(scenarios)?;
    let mut metrics: Vec<String> = REPORTED.iter().map(|m| m.to_string()).collect();
    if !metrics.contains(&space.objective.metric) {
        metrics.push(space.objective.metric.clone());
    }
    let agents: Vec<&Agent> = std::iter::once(&space.base.agent)
        .chain(space.candidates.iter().map(|c| &c.agent))
        .collect();
    let n_seeds = (seeds.end - seeds.start) as usize;
    let per_agent = scenarios.len() * n_seeds;

    // run: episode j is agent j / per_agent, scenario (j / n_seeds) % scenarios, seed j % n_seeds
    let episodes: Vec<Vec<f64>> = (0..agents.len() * per_agent)
        .into_par_iter()
        .map(|j| {
            let (a, s) = (j / per_agent, j / n_seeds % scenarios.len());
            let seed = seeds.start + (j % n_seeds) as u64;
            let m = run_one(&scenarios[s], agents[a], seed).map_err(|source| TuneError::Eval {
                candidate: if a == 0 { "base".into() } else { a.to_string() },
                scenario: scenarios[s].name().to_string(),
                seed,
                source: Box::new(source),
            })?;
            on_done();
            Ok(metrics.iter().map(|name| m.get(name)).collect())
        })
        .collect::<Result<_, TuneError>>()?;

    // reduce, in a fixed order
    let obj = metrics
        .iter()
        .position(|m| *m == space.objective.metric)
        .expect("the objective's metric is among the metrics");
    let mut rows: Vec<Row> = episodes
        .chunks(per_agent)
        .map(|agent| Row::reduce(agent, n_seeds, obj, &space.objective))
        .collect();
    let base = rows.remove(0);
    let best = pick(&rows, &base);
    Ok(Tuning {
        scenarios: scenarios.iter().map(|s| s.name().to_string()).collect(),
        seeds,
        metrics,
        base,
        rows,
        best,
    })
}

impl Row {
    /// One agent's episodes (scenario-major, seeds within) reduced to per-scenario means (summed
    /// in seed order) and the objective (metric `obj`, averaged over scenarios in order).
    fn reduce(episodes: &[Vec<f64>], n_seeds: usize, obj: usize, objective: &Objective) -> Row {
        let means: Vec<Vec<f64>> = episodes
            .chunks(n_seeds)
            .map(|scenario| {
                (0..scenario[0].len())
                    .map(|k| scenario.iter().map(|e| e[k]).sum::<f64>() / n_seeds as f64)
                    .collect()
            })
            .collect();
        let mean = means.iter().map(|m| m[obj]).sum::<f64>() / means.len() as f64;
        Row {
            objective: objective.signed(mean),
            means,
        }
    }
}

/// The winner: the first grid row with the highest objective (`Some(i)`), or the base (`None`)
/// when it is strictly higher still. A NaN objective loses to any number.
fn pick(rows: &[Row], base: &Row) -> Option<usize> {
    let better = |a: f64, b: f64| a > b || (b.is_nan() && !a.is_nan());
    let mut best: Option<(usize, f64)> = None;
    for (i, r) in rows.iter().enumerate() {
        if best.is_none_or(|(_, b)| better(r.objective, b)) {
            best = Some((i, r.objective));
        }
    }
    match best {
        Some((_, b)) if better(base.objective, b) => None,
        other => other.map(|(i, _)| i),
    }
}

impl Tuning {
    /// The winning row and candidate.
    pub fn winner<'a>(&'a self, space: &'a SearchSpace) -> (&'a Row, &'a Candidate) {
        match self.best {
            Some(i) => (&self.rows[i], &space.candidates[i]),
            None => (&self.base, &space.base),
        }
    }

    /// The winner's grid values: `key = value, ...`.
    pub fn chosen(&self, space: &SearchSpace) -> String {
        let (_, winner) = self.winner(space);
        let pairs: Vec<String> = space
            .params
            .iter()
            .zip(&winner.values)
            .map(|(k, v)| format!("{k} = {}", v.as_ref().map_or("(default)".into(), show)))
            .collect();
        pairs.join(", ")
    }

    /// The tuned agent file, to be written at `out`: a comment header (made by `shopgym tune`,
    /// `command`, the choice, the tuned and base objectives, the validation-split warning) and
    /// the winner's mapping (a relative `forecast.path` rewritten for `out`'s folder).
    pub fn tuned_yaml(&self, space: &SearchSpace, command: &str, out: &Path) -> String {
        let (row, winner) = self.winner(space);
        let which = match self.best {
            Some(i) => format!("candidate {} of {}", i + 1, self.rows.len()),
            None => format!(
                "the base's own values: none of the {} grid points beat them",
                self.rows.len()
            ),
        };
        let (a, b) = (self.seeds.start, self.seeds.end);
        let mut mapping = winner.mapping.clone();
        rebase_forecast_path(&mut mapping, &space.base.agent.path, out);
        format!(
            "# Made by `shopgym tune` (shopgym {version}) from {space}, base agent {base}:\n\
             #   {command}\n\
             # Chosen ({which}): {chosen}.\n\
             # Objective `{objective}` (mean over {k} scenario(s) of the mean over seeds {a}..{b}): \
             tuned {tuned}, base (untuned) {untuned}, on the same draws.\n\
             # VALIDATION SPLIT: seeds {a}..{b} chose these values; report results on other \
             (test) seeds only.\n\
             {yaml}",
            version = env!("CARGO_PKG_VERSION"),
            space = space.path.display(),
            base = space.base.agent.path.display(),
            chosen = self.chosen(space),
            objective = space.objective.label(),
            k = self.scenarios.len(),
            tuned = row.objective,
            untuned = self.base.objective,
            yaml = serde_yaml::to_string(&mapping).expect("a YAML mapping serialises"),
        )
    }

    /// Every candidate (the base first) as CSV: `candidate` (`base` or 1..N), `best`, the grid
    /// parameters, `objective`, then `<scenario>.<metric>` for each scenario and metric.
    pub fn csv(&self, space: &SearchSpace) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header = vec!["candidate".to_string(), "best".into()];
        header.extend(space.params.iter().cloned());
        header.push("objective".into());
        for s in &self.scenarios {
            header.extend(self.metrics.iter().map(|m| format!("{s}.{m}")));
        }
        let rows = std::iter::once(("base".to_string(), &self.base, &space.base, None)).chain(
            self.rows
                .iter()
                .zip(&space.candidates)
                .enumerate()
                .map(|(i, (r, c))| ((i + 1).to_string(), r, c, Some(i))),
        );
        let mut lines = vec![header];
        for (label, row, cand, index) in rows {
            let mut line = vec![label, (index == self.best).to_string()];
            line.extend(
                cand.values
                    .iter()
                    .map(|v| v.as_ref().map(show).unwrap_or_default()),
            );
            line.push(row.objective.to_string());
            line.extend(row.means.iter().flatten().map(f64::to_string));
            lines.push(line);
        }
        for line in lines {
            w.write_record(&line).expect("writing to memory");
        }
        String::from_utf8(w.into_inner().expect("flushing to memory")).expect("CSV of UTF-8 text")
    }
}

/// Makes a relative `forecast.path` (relative to the base agent file `base`) relative to the
/// folder of `out` instead, so the tuned file reads the same model as the candidate measured.
fn rebase_forecast_path(mapping: &mut Mapping, base: &Path, out: &Path) {
    let Some(Value::Mapping(f)) = mapping.get_mut("forecast") else {
        return;
    };
    let Some(Value::String(p)) = f.get_mut("path") else {
        return;
    };
    if Path::new(p.as_str()).is_absolute() {
        return;
    }
    let dir = |f: &Path| {
        normalise(
            f.parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new(".")),
        )
    };
    let target = dir(base).join(p.as_str());
    *p = relative(&normalise(&target), &dir(out))
        .display()
        .to_string();
}

/// An absolute path with `.` and `..` resolved lexically.
fn normalise(p: &Path) -> PathBuf {
    let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// `target` as a path relative to the folder `from` (both absolute and normalised).
fn relative(target: &Path, from: &Path) -> PathBuf {
    let (t, f): (Vec<_>, Vec<_>) = (target.components().collect(), from.components().collect());
    let common = t.iter().zip(&f).take_while(|(a, b)| a == b).count();
    let mut out: PathBuf = f[common..].iter().map(|_| Component::ParentDir).collect();
    out.extend(&t[common..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_points_vary_the_last_key_fastest() {
        let grid = vec![
            ("a".to_string(), vec![Value::from(1), Value::from(2)]),
            ("b".to_string(), vec![Value::from(3), Value::from(4)]),
        ];
        let p: Vec<Vec<u64>> = grid_points(&grid)
            .iter()
            .map(|v| v.iter().filter_map(Value::as_u64).collect())
            .collect();
        assert_eq!(p, vec![vec![1, 3], vec![1, 4], vec![2, 3], vec![2, 4]]);
    }

    #[test]
    fn dotted_keys_fill_parents_from_the_defaults() {
        let resolved: Mapping =
            serde_yaml::from_str("forecast: { model: classical, horizon: 3 }").expect("yaml");
        let mut m = Mapping::new();
        set(&mut m, &resolved, "forecast.horizon", Value::from(7)).expect("sets");
        assert_eq!(
            lookup(&m, "forecast.model"),
            Some(&Value::from("classical"))
        );
        assert_eq!(lookup(&m, "forecast.horizon"), Some(&Value::from(7)));
        let mut flat: Mapping = serde_yaml::from_str("forecast: 1").expect("yaml");
        assert!(set(&mut flat, &resolved, "forecast.horizon", Value::from(7)).is_err());
    }

    #[test]
    fn ties_go_to_the_first_grid_point_and_the_base_must_win_outright() {
        let row = |objective: f64| Row {
            means: Vec::new(),
            objective,
        };
        let rows = [row(1.0), row(f64::NAN), row(3.0), row(3.0)];
        assert_eq!(pick(&rows, &row(3.0)), Some(2));
        assert_eq!(pick(&rows, &row(3.5)), None);
        assert_eq!(pick(&[row(f64::NAN), row(-1.0)], &row(f64::NAN)), Some(1));
    }

    #[test]
    fn a_relative_forecast_path_follows_the_tuned_file() {
        let mut m: Mapping =
            serde_yaml::from_str("forecast: { model: fitted, path: m.json }").expect("yaml");
        rebase_forecast_path(
            &mut m,
            Path::new("/x/agents/p.yaml"),
            Path::new("/x/out/t.yaml"),
        );
        assert_eq!(
            lookup(&m, "forecast.path"),
            Some(&Value::from("../agents/m.json"))
        );
    }

    #[test]
    fn relative_paths_climb_out_of_the_folder() {
        let r = relative(Path::new("/a/b/m.json"), Path::new("/a/c/d"));
        assert_eq!(r, PathBuf::from("../../b/m.json"));
        assert_eq!(
            relative(Path::new("/a/m"), Path::new("/a")),
            PathBuf::from("m")
        );
    }
}
