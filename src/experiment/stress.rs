//! Holiday stress tests: scale a scenario's surge to each of several peak multipliers and find,
//! per agent, the breaking point — the first multiplier at which SLO-violation minutes or the
//! error rate pass their limits — with the cost per successful order and the capacity plan
//! (largest instance count per pool) the agent chose at each peak.
//!
//! Scaling: every promotion's peak is multiplied by `m / P`, with P the largest peak in the file,
//! so the strongest surge peaks at exactly `m` times the base traffic.

use serde::Serialize;

use super::ExperimentError;
use crate::agents::Agent;
use crate::evaluate::{plan, run_one, EpisodeMetrics};
use crate::io::ConfigError;
use crate::scenario::Scenario;

/// Limits that define "broken".
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Limits {
    /// Largest acceptable mean SLO-violation minutes per episode.
    pub max_slo_minutes: f64,
    /// Largest acceptable mean error rate (failed / arrivals).
    pub max_error_rate: f64,
}

/// One agent at one peak.
#[derive(Debug, Clone, Serialize)]
pub struct StressPoint {
    pub peak: f64,
    pub slo_violation_minutes: f64,
    pub error_rate: f64,
    /// Instance cost per completed request of the `order` class (all classes if there is none) [$].
    pub cost_per_order: f64,
    pub cost: f64,
    pub revenue_lost: f64,
    /// Instance cost per 1,000 completed orders (`cost_per_order` × 1000) [$].
    pub cost_per_1000_orders: f64,
    /// Largest active instance count per pool (first seed: `EpisodeMetrics::peak_instances`), in
    /// pool order, at the run's `scale`.
    pub capacity_plan: Vec<u32>,
    /// `capacity_plan` in real instances (`evaluate::plan::real_plan`).
    pub capacity_plan_real: Vec<u32>,
    pub broken: bool,
}

/// One agent's stress curve.
#[derive(Debug, Clone, Serialize)]
pub struct StressResult {
    pub agent: String,
    /// The first peak multiplier that broke the limits (`None`: held at every peak tried).
    pub breaking_point: Option<f64>,
    pub points: Vec<StressPoint>,
}

/// `scenario` with its surge peaking at `m` times base traffic.
pub fn with_peak(scenario: &Scenario, m: f64) -> Result<Scenario, ConfigError> {
    let ctx = crate::io::Ctx {
        file: &scenario.path,
    };
    let mut spec = scenario.spec.clone();
    let Some(syn) = spec.traffic.synthetic.as_mut() else {
        return Err(ctx.invalid(
            "traffic",
            "trace",
            "stress tests scale promotions: give a scenario with synthetic traffic",
        ));
    };
    let top = syn.promotions.iter().map(|p| p.peak).fold(0.0, f64::max);
    if syn.promotions.is_empty() || top <= 0.0 {
        return Err(ctx.invalid(
            "traffic.synthetic.promotions",
            "[]",
            "stress tests need at least one promotion to scale",
        ));
    }
    for p in &mut syn.promotions {
        p.peak *= m / top;
    }
    spec.name = format!("{}_peak{m}", scenario.spec.name);
    Scenario::from_spec(spec, &scenario.path)
}

/// Runs `agent` on `scenario` scaled to each of `peaks`, over `seeds`.
pub fn stress(
    scenario: &Scenario,
    agent: &Agent,
    peaks: &[f64],
    seeds: &[u64],
    limits: Limits,
) -> Result<StressResult, ExperimentError> {
    use rayon::prelude::*;
    let mut points = Vec::new();
    for &m in peaks {
        let s = with_peak(scenario, m)?;
        let runs: Vec<EpisodeMetrics> = seeds
            .par_iter()
            .map(|&seed| {
                run_one(&s, agent, seed).map_err(|source| ExperimentError::Run {
                    run: format!("{} / {} / seed {seed}", s.name(), agent.name),
                    source: Box::new(source),
                })
            })
            .collect::<Result<_, ExperimentError>>()?;
        let n = runs.len() as f64;
        let mean = |f: &dyn Fn(&EpisodeMetrics) -> f64| runs.iter().map(f).sum::<f64>() / n;
        let orders: u64 = runs.iter().map(EpisodeMetrics::orders_completed).sum();
        let cost: f64 = runs.iter().map(|r| r.totals.cost).sum();
        let peak: Vec<u32> = s
            .sim
            .pools
            .iter()
            .map(|p| runs[0].peak_instances.get(&p.name).copied().unwrap_or(0))
            .collect();
        let peak_real = plan::real_plan(&peak, s.spec.scale);
        let cost_per_order = if orders > 0 {
            cost / orders as f64
        } else {
            f64::INFINITY
        };
        let slo = mean(&|r| r.tally.slo_violation_minutes);
        let err = mean(&|r| r.error_rate());
        points.push(StressPoint {
            peak: m,
            slo_violation_minutes: slo,
            error_rate: err,
            cost_per_order,
            cost_per_1000_orders: plan::cost_per_1000_orders(cost, orders).unwrap_or(f64::INFINITY),
            cost: cost / n,
            revenue_lost: mean(&|r| r.totals.revenue_lost),
            capacity_plan: peak,
            capacity_plan_real: peak_real,
            broken: slo > limits.max_slo_minutes || err > limits.max_error_rate,
        });
    }
    let breaking_point = points.iter().find(|p| p.broken).map(|p| p.peak);
    Ok(StressResult {
        agent: agent.name.clone(),
        breaking_point,
        points,
    })
}
