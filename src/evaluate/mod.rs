//! Evaluation: run an agent for N episodes on seeds S..S+N−1 (in parallel with rayon; each
//! episode builds its own env and policy from its seed, so results do not depend on the thread
//! count) and summarise the metrics with 95 % confidence intervals; compare agents pairwise on
//! the same seeds (common random numbers make paired differences much tighter).

pub mod calibrate;
pub mod plan;
pub mod stats;
pub mod tune;

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;

use crate::agents::{Agent, AgentError};
use crate::env::{EnvError, EpisodeTally};
use crate::policy::run_episode;
use crate::scenario::Scenario;
use crate::sim::Totals;
pub use stats::{mean_ci, MeanCi};

/// Per class results of one episode.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassResult {
    pub completed: u64,
    /// Rejected + timed out + crashed.
    pub failed: u64,
    /// Episode p99 latency [ms] (`None` if nothing completed).
    pub p99_ms: Option<f64>,
    pub slo_violation_intervals: u64,
}

/// The metrics of one evaluated episode: its `EpisodeTally` (the step side: return, steps, SLO
/// minutes, scaling actions) and the simulator's own episode totals (cost, revenue lost, instance
/// seconds, arrivals and failures, summed per class: the exact figures; the tally's per-interval
/// sums of cost and revenue agree with them up to rounding).
///
/// Serialised (`evaluate --json`, `runs/*.json`) in the flat layout of the README: `seed`,
/// `return`, `cost`, `revenue_lost`, `slo_violation_intervals`, `slo_violation_minutes`,
/// `error_rate`, `scaling_actions`, `instance_seconds`, `steps`, `terminated`, `classes`,
/// `peak_instances`, `wall_seconds`.
#[derive(Debug, Clone, PartialEq)]
pub struct EpisodeMetrics {
    pub seed: u64,
    pub tally: EpisodeTally,
    pub totals: Totals,
    pub classes: BTreeMap<String, ClassResult>,
    /// Per pool: the largest active instance count (running + provisioning + restarting) at the
    /// end of any decision interval, at the run's `scale` (`plan::real_plan` gives real
    /// instances). What a capacity plan reserves.
    pub peak_instances: BTreeMap<String, u32>,
    /// Wall-clock seconds the episode took (not deterministic).
    pub wall_seconds: f64,
}

/// The scalar metrics summarised with means and intervals, in report order.
pub const METRICS: [&str; 7] = [
    "return",
    "cost",
    "revenue_lost",
    "slo_violation_intervals",
    "slo_violation_minutes",
    "error_rate",
    "scaling_actions",
];

impl EpisodeMetrics {
    /// Failed requests (rejected, timed out, crashed) / arrivals; 0 without arrivals.
    pub fn error_rate(&self) -> f64 {
        let t = &self.totals;
        if t.arrivals > 0 {
            (t.rejected + t.timed_out + t.failed) as f64 / t.arrivals as f64
        } else {
            0.0
        }
    }

    /// Completed orders (class `order`, every class when there is none).
    pub fn orders_completed(&self) -> u64 {
        plan::orders_completed(self.classes.iter().map(|(c, r)| (c.as_str(), r.completed)))
    }

    /// Scalar metric `name` (one of `METRICS`, or `p99_ms.<class>`).
    pub fn get(&self, name: &str) -> f64 {
        match name {
            "return" => self.tally.episode_return,
            "cost" => self.totals.cost,
            "revenue_lost" => self.totals.revenue_lost,
            "slo_violation_intervals" => self.totals.slo_violation_intervals as f64,
            "slo_violation_minutes" => self.tally.slo_violation_minutes,
            "error_rate" => self.error_rate(),
            "scaling_actions" => self.tally.scaling_actions as f64,
            other => other
                .strip_prefix("p99_ms.")
                .and_then(|c| self.classes.get(c))
                .and_then(|c| c.p99_ms)
                .unwrap_or(f64::NAN),
        }
    }
}

impl Serialize for EpisodeMetrics {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("EpisodeMetrics", 14)?;
        s.serialize_field("seed", &self.seed)?;
        s.serialize_field("return", &self.tally.episode_return)?;
        s.serialize_field("cost", &self.totals.cost)?;
        s.serialize_field("revenue_lost", &self.totals.revenue_lost)?;
        s.serialize_field(
            "slo_violation_intervals",
            &self.totals.slo_violation_intervals,
        )?;
        s.serialize_field("slo_violation_minutes", &self.tally.slo_violation_minutes)?;
        s.serialize_field("error_rate", &self.error_rate())?;
        s.serialize_field("scaling_actions", &self.tally.scaling_actions)?;
        s.serialize_field("instance_seconds", &self.totals.instance_seconds)?;
        s.serialize_field("steps", &self.tally.steps)?;
        s.serialize_field("terminated", &self.tally.terminated)?;
        s.serialize_field("classes", &self.classes)?;
        s.serialize_field("peak_instances", &self.peak_instances)?;
        s.serialize_field("wall_seconds", &self.wall_seconds)?;
        s.end()
    }
}

/// One decision interval of an episode, for time-series plots.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TracePoint {
    /// Interval end [s since episode start].
    pub t_s: f64,
    /// Arrivals per class over the interval [req/s].
    pub arrival_rate: Vec<f64>,
    /// Per pool: running instances at the interval end.
    pub running: Vec<u32>,
    /// Per pool: running + provisioning (+ restarting) at the interval end.
    pub active: Vec<u32>,
    /// Per class: the SLO-quantile latency of the interval [ms] (`None` if nothing completed).
    pub slo_latency_ms: Vec<Option<f64>>,
    /// Per class: p99 latency of the interval [ms].
    pub p99_ms: Vec<Option<f64>>,
}

/// Why an evaluation failed. Either stops that evaluation; other agents and seeds can go on.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// The agent could not build its env or policy on the scenario.
    #[error(transparent)]
    Agent(#[from] AgentError),
    /// The env refused a step (a policy returned an action outside the action space).
    #[error(transparent)]
    Env(#[from] EnvError),
}

/// Runs one episode of `agent` on `scenario` with `seed`.
pub fn run_one(scenario: &Scenario, agent: &Agent, seed: u64) -> Result<EpisodeMetrics, EvalError> {
    run_one_traced(scenario, agent, seed, None)
}

/// `run_one`, also recording every interval into `trace` when given.
pub fn run_one_traced(
    scenario: &Scenario,
    agent: &Agent,
    seed: u64,
    mut trace: Option<&mut Vec<TracePoint>>,
) -> Result<EpisodeMetrics, EvalError> {
    let started = std::time::Instant::now();
    let mut env = agent.make_env(scenario)?;
    let mut policy = agent.policy(scenario, &env, seed)?;
    let mut peak = vec![0u32; scenario.sim.pools.len()];
    let tally = run_episode(&mut env, policy.as_mut(), Some(seed), |step| {
        for (top, p) in peak.iter_mut().zip(&step.info.pools) {
            *top = (*top).max(p.active);
        }
        if let (Some(s), Some(t)) = (&step.info.stats, trace.as_deref_mut()) {
            let span = (s.end_s - s.start_s).max(1e-9);
            t.push(TracePoint {
                t_s: s.end_s,
                arrival_rate: s.classes.iter().map(|c| c.arrivals as f64 / span).collect(),
                running: s.pools.iter().map(|p| p.running).collect(),
                active: step.info.pools.iter().map(|p| p.active).collect(),
                slo_latency_ms: s.classes.iter().map(|c| c.slo_latency_ms).collect(),
                p99_ms: s.classes.iter().map(|c| c.latency_ms.p99).collect(),
            });
        }
    })?;
    let sim = env.sim();
    let classes = sim
        .config()
        .classes
        .iter()
        .enumerate()
        .map(|(c, cc)| {
            let s = sim.class_summary(c);
            (
                cc.name.clone(),
                ClassResult {
                    completed: s.completed,
                    failed: s.rejected + s.timed_out + s.failed,
                    p99_ms: s.latency_ms.p99,
                    slo_violation_intervals: s.slo_violation_intervals,
                },
            )
        })
        .collect();
    let peak_instances = sim
        .config()
        .pools
        .iter()
        .zip(peak)
        .map(|(p, n)| (p.name.clone(), n))
        .collect();
    Ok(EpisodeMetrics {
        seed,
        tally,
        totals: sim.totals(),
        classes,
        peak_instances,
        wall_seconds: started.elapsed().as_secs_f64(),
    })
}

/// An agent's results over a set of seeds.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    pub scenario: String,
    pub agent: String,
    pub seeds: Vec<u64>,
    pub episodes: Vec<EpisodeMetrics>,
    /// Metric -> mean (the `METRICS` and `p99_ms.<class>`).
    pub mean: BTreeMap<String, f64>,
    pub ci95: BTreeMap<String, [f64; 2]>,
}

/// Metric names summarised for `scenario`: `METRICS` then `p99_ms.<class>`.
pub fn metric_names(scenario: &Scenario) -> Vec<String> {
    METRICS
        .iter()
        .map(|m| m.to_string())
        .chain(
            scenario
                .sim
                .classes
                .iter()
                .map(|c| format!("p99_ms.{}", c.name)),
        )
        .collect()
}

/// Runs `agent` on every seed (in parallel); `on_done` is called as each episode finishes.
pub fn evaluate(
    scenario: &Scenario,
    agent: &Agent,
    seeds: &[u64],
    on_done: &(dyn Fn(&EpisodeMetrics) + Sync),
) -> Result<Evaluation, EvalError> {
    let episodes: Vec<EpisodeMetrics> = seeds
        .par_iter()
        .map(|&seed| {
            let m = run_one(scenario, agent, seed)?;
            on_done(&m);
            Ok(m)
        })
        .collect::<Result<_, EvalError>>()?;
    let mut mean = BTreeMap::new();
    let mut ci95 = BTreeMap::new();
    for name in metric_names(scenario) {
        let xs: Vec<f64> = episodes.iter().map(|e| e.get(&name)).collect();
        let m = mean_ci(&xs);
        mean.insert(name.clone(), m.mean);
        ci95.insert(name, m.ci95);
    }
    Ok(Evaluation {
        scenario: scenario.name().to_string(),
        agent: agent.name.clone(),
        seeds: seeds.to_vec(),
        episodes,
        mean,
        ci95,
    })
}

/// Paired differences `agent − reference` on common seeds.
#[derive(Debug, Clone, Serialize)]
pub struct Paired {
    pub agent: String,
    pub reference: String,
    pub mean: BTreeMap<String, f64>,
    pub ci95: BTreeMap<String, [f64; 2]>,
}

/// Paired difference of `b` against `a` (same seeds, same order).
pub fn paired(a: &Evaluation, b: &Evaluation, names: &[String]) -> Paired {
    let mut mean = BTreeMap::new();
    let mut ci95 = BTreeMap::new();
    for name in names {
        let d: Vec<f64> = a
            .episodes
            .iter()
            .zip(&b.episodes)
            .map(|(x, y)| y.get(name) - x.get(name))
            .collect();
        let m = mean_ci(&d);
        mean.insert(name.clone(), m.mean);
        ci95.insert(name.clone(), m.ci95);
    }
    Paired {
        agent: b.agent.clone(),
        reference: a.agent.clone(),
        mean,
        ci95,
    }
}
