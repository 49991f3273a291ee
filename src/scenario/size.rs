//! Runaway guard: how many requests one episode of a scenario simulates, estimated before
//! running it, and the limit above which the CLI refuses (a typo such as `base_rate: 1e9` would
//! otherwise run for hours with growing memory).
//!
//! The estimate is the integral of the total arrival rate over the horizon (noise has mean 1, so
//! it is left out), sampled at segment midpoints: the scenario's `rate_step_s`, or coarser (at most
//! a million segments) for very long horizons. Limit: `DEFAULT_MAX_REQUESTS` (500 million, 20x the
//! largest shipped scenario, `steady_day` at 2.5e7), raised per run with `--max-requests N`.
//! The CLI applies it to the discrete-event fidelity only: the fluid model's cost does not grow
//! with the request rate (the full-scale holiday scenarios run at `fidelity: fluid`).

use super::Scenario;
use crate::io::{ConfigError, Ctx};
use crate::sim::config::SimConfig;
use crate::sim::traffic::Traffic;

/// Requests one episode may simulate unless the command is given `--max-requests`.
pub const DEFAULT_MAX_REQUESTS: f64 = 5e8;

/// Expected requests of one episode of `sim` (see the module docs).
pub fn estimated_requests(sim: &SimConfig) -> f64 {
    let mut config = sim.traffic.clone();
    config.noise = None;
    let horizon_s = sim.horizon.as_secs_f64();
    let traffic = Traffic::new(
        config,
        sim.horizon,
        &mut crate::sim::rng::stream(0, "size-estimate"),
    );
    let step = traffic
        .rate_step()
        .as_secs_f64()
        .max(horizon_s / 1e6)
        .max(1e-3);
    let mut rates = vec![0.0; traffic.n_classes()];
    let (mut total, mut t) = (0.0, 0.0);
    while t < horizon_s {
        let dt = step.min(horizon_s - t);
        traffic.rates_at(t + dt / 2.0, &mut rates);
        total += rates.iter().sum::<f64>() * dt;
        t += step;
    }
    total
}

impl Scenario {
    /// The estimate of `estimated_requests`, refused above `max` with a message that gives it and
    /// the flag that allows it.
    pub fn check_size(&self, max: f64) -> Result<f64, ConfigError> {
        let n = estimated_requests(&self.sim);
        if n.is_finite() && n <= max {
            return Ok(n);
        }
        Err(Ctx { file: &self.path }.invalid(
            "traffic",
            format!("{n:.3e} requests per episode"),
            format!(
                "estimated from the arrival rate over the {:.0} s horizon, above the limit of \
                 {max:.1e} simulated requests: fix the rates, or pass --max-requests {:.2e} to \
                 run it anyway",
                self.sim.horizon.as_secs_f64(),
                n * 1.01
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const SMALL: &str = r#"
name: small
horizon_s: 1000
decision_interval_s: 100
classes:
  - { name: a, service: { dist: exponential, mean_ms: 100 }, slo: { latency_ms: 300 }, timeout_ms: 1000, value_per_failure: 0.1 }
pools:
  - { name: a, concurrency: 2, initial: 3, min: 1, max: 8, cost_per_hour: 0.2 }
traffic:
  mix: { a: 1 }
  synthetic: { base_rate: 40 }
"#;

    #[test]
    fn estimate_is_the_rate_integral_and_the_guard_names_the_flag() {
        let s = Scenario::from_yaml(SMALL, Path::new("small.yaml")).expect("parses");
        let n = estimated_requests(&s.sim);
        assert!((n - 40_000.0).abs() < 1e-6 * 40_000.0, "{n}");
        assert_eq!(s.check_size(1e6).expect("under the limit"), n);
        let e = s.check_size(1e4).expect_err("over the limit").to_string();
        assert!(
            e.contains("small.yaml")
                && e.contains("field `traffic`")
                && e.contains("4.000e4")
                && e.contains("--max-requests"),
            "{e}"
        );
    }
}
