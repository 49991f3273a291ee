//! The fluid model's counters: expected (fractional) counts per class, reported as integers by
//! rounding the running totals (so interval counts always add up to the episode's, and the
//! rounding error never exceeds one request per counter and class), and the latency of an
//! interval or episode from its first two moments (`latency::Shape`).

use crate::sim::config::ClassConfig;
use crate::sim::metrics::{ClassInterval, ClassSummary, LatencyMs, WaitMs};

use super::latency::{normal_quantile, Shape};

/// Counter indices.
pub(crate) const ARRIVALS: usize = 0;
pub(crate) const COMPLETED: usize = 1;
pub(crate) const REJECTED: usize = 2;
pub(crate) const TIMED_OUT: usize = 3;
pub(crate) const FAILED: usize = 4;
const N_COUNTERS: usize = 5;

/// Latency moments of a class over some requests: mean [s], variance [s²], P(wait > 0), mean wait [s].
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Moments {
    pub mean: f64,
    pub var: f64,
    pub p_wait: f64,
    pub wait: f64,
}

/// One class's counters and latency accumulators.
#[derive(Debug, Clone)]
pub(crate) struct ClassTally {
    shape: Shape,
    /// Φ⁻¹ of 0.5, 0.95, 0.99 and the SLO quantile.
    z: [f64; 4],
    /// Expected counts this interval.
    pub interval: [f64; N_COUNTERS],
    /// Running expected totals and what has been reported of them.
    cum: [f64; N_COUNTERS],
    reported: [u64; N_COUNTERS],
    // episode accumulators, weighted by expected completions
    ep_completed: f64,
    ep_m1: f64,
    ep_m2: f64,
    ep_wait: f64,
    ep_delayed: f64,
    pub slo_violations: u64,
    pub revenue_lost: f64,
}

impl ClassTally {
    pub fn new(class: &ClassConfig, shape: Shape) -> ClassTally {
        ClassTally {
            shape,
            z: [0.5, 0.95, 0.99, class.slo.quantile].map(normal_quantile),
            interval: [0.0; N_COUNTERS],
            cum: [0.0; N_COUNTERS],
            reported: [0; N_COUNTERS],
            ep_completed: 0.0,
            ep_m1: 0.0,
            ep_m2: 0.0,
            ep_wait: 0.0,
            ep_delayed: 0.0,
            slo_violations: 0,
            revenue_lost: 0.0,
        }
    }

    fn latency(&self, m: &Moments) -> LatencyMs {
        let q = |z: f64| Some(self.shape.quantile(m.mean, m.var, z) * 1e3);
        LatencyMs {
            mean: Some(m.mean * 1e3),
            p50: q(self.z[0]),
            p95: q(self.z[1]),
            p99: q(self.z[2]),
        }
    }

    /// Closes the interval: integer counts, latency, SLO verdict and lost revenue.
    pub fn close(&mut self, class: &ClassConfig, m: &Moments) -> ClassInterval {
        let mut counts = [0u64; N_COUNTERS];
        for (k, n) in counts.iter_mut().enumerate() {
            self.cum[k] += self.interval[k];
            let total = (self.cum[k] + 0.5).floor().max(0.0) as u64;
            *n = total.saturating_sub(self.reported[k]);
            self.reported[k] += *n;
        }
        let iv = &self.interval;
        let errors_f = iv[REJECTED] + iv[TIMED_OUT] + iv[FAILED];
        let outcomes_f = iv[COMPLETED] + errors_f;
        let done = counts[COMPLETED] > 0;
        let slo_latency_ms = done.then(|| self.shape.quantile(m.mean, m.var, self.z[3]) * 1e3);
        let violated = outcomes_f > 0.0
            && (errors_f / outcomes_f > class.slo.max_error_rate
                || slo_latency_ms.is_some_and(|l| l > class.slo.latency_ms));
        let errors = counts[REJECTED] + counts[TIMED_OUT] + counts[FAILED];
        let lost = errors as f64 * class.value_per_failure;
        let c = iv[COMPLETED];
        self.ep_completed += c;
        self.ep_m1 += c * m.mean;
        self.ep_m2 += c * (m.var + m.mean * m.mean);
        self.ep_wait += c * m.wait;
        self.ep_delayed += c * m.p_wait;
        self.slo_violations += u64::from(violated);
        self.revenue_lost += lost;
        self.interval = [0.0; N_COUNTERS];
        ClassInterval {
            arrivals: counts[ARRIVALS],
            completed: counts[COMPLETED],
            rejected: counts[REJECTED],
            timed_out: counts[TIMED_OUT],
            failed: counts[FAILED],
            latency_ms: if done {
                self.latency(m)
            } else {
                LatencyMs::default()
            },
            slo_latency_ms,
            mean_wait_ms: done.then_some(m.wait * 1e3),
            slo_violated: violated,
            revenue_lost: lost,
        }
    }

    /// The episode so far (intervals closed).
    pub fn summary(&self) -> ClassSummary {
        let r = &self.reported;
        let done = r[COMPLETED] > 0 && self.ep_completed > 0.0;
        let mean = self.ep_m1 / self.ep_completed.max(f64::MIN_POSITIVE);
        let m = Moments {
            mean,
            var: self.ep_m2 / self.ep_completed.max(f64::MIN_POSITIVE) - mean * mean,
            ..Moments::default()
        };
        ClassSummary {
            arrivals: r[ARRIVALS],
            completed: r[COMPLETED],
            rejected: r[REJECTED],
            timed_out: r[TIMED_OUT],
            failed: r[FAILED],
            latency_ms: if done {
                self.latency(&m)
            } else {
                LatencyMs::default()
            },
            wait_ms: WaitMs {
                mean: done.then(|| self.ep_wait / self.ep_completed * 1e3),
                p_wait: done.then(|| self.ep_delayed / self.ep_completed),
            },
            slo_violation_intervals: self.slo_violations,
            revenue_lost: self.revenue_lost,
        }
    }

    /// Reported totals: arrivals, completed, rejected, timed out, failed.
    pub fn reported(&self) -> [u64; N_COUNTERS] {
        self.reported
    }
}
