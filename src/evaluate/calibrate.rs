//! Calibration of the fluid simulator against the DES (the ground truth): one agent runs an
//! episode on the DES, its action sequence is replayed on the fluid model with the same seed, and
//! the two are compared per episode (cost, completed requests, lost revenue, SLO-violation
//! intervals) and per interval (SLO verdicts per class; mean latency and p99 per class in the
//! intervals where every pool on the class's route ran below 95 % utilisation in the DES).
//! `cargo bench --bench fluid` prints the table; `tests/sim_fluid_calibration.rs` pins figures.

use serde::Serialize;

use crate::agents::Agent;
use crate::env::{Action, Env};
use crate::scenario::Scenario;
use crate::sim::{Fidelity, IntervalStats, Totals};

use super::EvalError;

/// Utilisation below which latencies are compared.
pub const LATENCY_UTILISATION: f64 = 0.95;

/// One episode of one fidelity.
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    pub totals: Totals,
    pub intervals: Vec<IntervalStats>,
    pub wall_seconds: f64,
}

/// The comparison of one episode.
#[derive(Debug, Clone, Serialize)]
pub struct Calibration {
    pub scenario: String,
    pub agent: String,
    pub seed: u64,
    /// Relative errors of the fluid episode totals (fluid / DES − 1).
    pub cost_error: f64,
    pub completed_error: f64,
    pub revenue_lost_error: f64,
    /// DES and fluid lost revenue [$].
    pub revenue_lost: (f64, f64),
    /// DES and fluid SLO-violation intervals (summed over classes).
    pub slo_intervals: (u64, u64),
    /// Share of (interval, class) pairs with the same SLO verdict.
    pub slo_agreement: f64,
    /// (interval, class) pairs below `LATENCY_UTILISATION` with completions in both.
    pub latency_pairs: usize,
    /// Mean |relative error| of the mean latency and of p99 over those pairs.
    pub mean_latency_error: f64,
    pub p99_error: f64,
    /// Share of those pairs within 5 % (mean) and within 15 % (p99).
    pub mean_latency_within: f64,
    pub p99_within: f64,
    pub des_wall_seconds: f64,
    pub fluid_wall_seconds: f64,
}

/// Runs `agent` on the DES and replays its actions on the fluid model: (DES run, fluid run).
pub fn run_pair(scenario: &Scenario, agent: &Agent, seed: u64) -> Result<(Run, Run), EvalError> {
    let des = scenario.clone().with_fidelity(Some(Fidelity::Des));
    let fluid = scenario.clone().with_fidelity(Some(Fidelity::Fluid));
    let started = std::time::Instant::now();
    let mut env = agent.make_env(&des)?;
    let mut policy = agent.policy(&des, &env, seed)?;
    let (mut obs, mut info) = env.reset(Some(seed));
    policy.reset(None);
    let mut actions: Vec<Action> = Vec::new();
    let mut intervals = Vec::new();
    loop {
        let a = policy.act(&obs, &info);
        let step = env.step(&a)?;
        actions.push(a);
        intervals.extend(step.info.stats.clone());
        if step.terminated || step.truncated {
            break;
        }
        (obs, info) = (step.obs, step.info);
    }
    let des_run = Run {
        totals: env.sim().totals(),
        intervals,
        wall_seconds: started.elapsed().as_secs_f64(),
    };
    let started = std::time::Instant::now();
    let mut env = agent.make_env(&fluid)?;
    env.reset(Some(seed));
    let mut intervals = Vec::new();
    for a in &actions {
        let step = env.step(a)?;
        intervals.extend(step.info.stats);
        if step.terminated || step.truncated {
            break;
        }
    }
    let fluid_run = Run {
        totals: env.sim().totals(),
        intervals,
        wall_seconds: started.elapsed().as_secs_f64(),
    };
    Ok((des_run, fluid_run))
}

fn rel(f: f64, d: f64) -> f64 {
    if d == 0.0 {
        if f == 0.0 {
            0.0
        } else {
            f64::INFINITY
        }
    } else {
        f / d - 1.0
    }
}

/// Compares a DES run and its fluid replay.
pub fn compare(scenario: &Scenario, agent: &str, seed: u64, des: &Run, fluid: &Run) -> Calibration {
    let cfg = &scenario.sim;
    let (mut agree, mut pairs) = (0usize, 0usize);
    let (mut lat_n, mut mean_err, mut p99_err, mut mean_ok, mut p99_ok) = (0, 0.0, 0.0, 0, 0);
    for (d, f) in des.intervals.iter().zip(&fluid.intervals) {
        for (c, (dc, fc)) in d.classes.iter().zip(&f.classes).enumerate() {
            pairs += 1;
            agree += usize::from(dc.slo_violated == fc.slo_violated);
            let below = cfg.routes[c]
                .iter()
                .all(|s| d.pools[s.pool].utilisation < LATENCY_UTILISATION);
            if let (true, Some(dm), Some(fm), Some(d99), Some(f99)) = (
                below,
                dc.latency_ms.mean,
                fc.latency_ms.mean,
                dc.latency_ms.p99,
                fc.latency_ms.p99,
            ) {
                lat_n += 1;
                let (em, e99) = (rel(fm, dm).abs(), rel(f99, d99).abs());
                mean_err += em;
                p99_err += e99;
                mean_ok += usize::from(em <= 0.05);
                p99_ok += usize::from(e99 <= 0.15);
            }
        }
    }
    let share = |n: usize, of: usize| if of > 0 { n as f64 / of as f64 } else { 1.0 };
    let per = |x: f64| if lat_n > 0 { x / lat_n as f64 } else { 0.0 };
    let (dt, ft) = (&des.totals, &fluid.totals);
    Calibration {
        scenario: scenario.name().to_string(),
        agent: agent.to_string(),
        seed,
        cost_error: rel(ft.cost, dt.cost),
        completed_error: rel(ft.completed as f64, dt.completed as f64),
        revenue_lost_error: rel(ft.revenue_lost, dt.revenue_lost),
        revenue_lost: (dt.revenue_lost, ft.revenue_lost),
        slo_intervals: (dt.slo_violation_intervals, ft.slo_violation_intervals),
        slo_agreement: share(agree, pairs),
        latency_pairs: lat_n,
        mean_latency_error: per(mean_err),
        p99_error: per(p99_err),
        mean_latency_within: share(mean_ok, lat_n),
        p99_within: share(p99_ok, lat_n),
        des_wall_seconds: des.wall_seconds,
        fluid_wall_seconds: fluid.wall_seconds,
    }
}

/// `run_pair` then `compare`.
pub fn calibrate(scenario: &Scenario, agent: &Agent, seed: u64) -> Result<Calibration, EvalError> {
    let (d, f) = run_pair(scenario, agent, seed)?;
    Ok(compare(scenario, &agent.name, seed, &d, &f))
}
