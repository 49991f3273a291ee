//! Streaming metrics: per decision interval and per episode, per class and per pool.
//!
//! Latencies go into HDR histograms (3 significant digits, microsecond values) that are reset
//! every interval and merged into the episode's, so memory stays flat however long the episode.
//! Means are kept exactly as sums. An interval violates a class's SLO when the class's latency
//! quantile over requests completed in it exceeds the target, or when the share of its outcomes
//! that failed (rejected, timed out, crashed) exceeds `max_error_rate`.

use hdrhistogram::Histogram;
use serde::Serialize;

use super::config::{ClassConfig, SimConfig};

/// Highest latency tracked exactly: one day [µs]; longer ones are clamped.
const HIST_MAX_US: u64 = 86_400_000_000;

pub(crate) fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, HIST_MAX_US, 3).expect("static histogram bounds are valid")
}

/// Latency summary [ms]; `None` when nothing completed.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LatencyMs {
    pub mean: Option<f64>,
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    pub p99: Option<f64>,
}

/// Raw per-class counters, accumulated by the engine.
#[derive(Debug, Clone)]
pub(crate) struct ClassAcc {
    pub arrivals: u64,
    pub completed: u64,
    pub rejected: u64,
    pub timed_out: u64,
    pub failed: u64,
    /// Σ end-to-end latency of completed requests [µs].
    pub latency_sum: u64,
    /// Σ queue waiting time of completed requests [µs].
    pub wait_sum: u64,
    /// Completed requests that waited in a queue at all.
    pub delayed: u64,
    pub hist: Histogram<u64>,
}

impl ClassAcc {
    pub fn new() -> ClassAcc {
        ClassAcc {
            arrivals: 0,
            completed: 0,
            rejected: 0,
            timed_out: 0,
            failed: 0,
            latency_sum: 0,
            wait_sum: 0,
            delayed: 0,
            hist: new_histogram(),
        }
    }

    pub fn reset(&mut self) {
        self.arrivals = 0;
        self.completed = 0;
        self.rejected = 0;
        self.timed_out = 0;
        self.failed = 0;
        self.latency_sum = 0;
        self.wait_sum = 0;
        self.delayed = 0;
        self.hist.reset();
    }

    pub fn merge(&mut self, o: &ClassAcc) {
        self.arrivals += o.arrivals;
        self.completed += o.completed;
        self.rejected += o.rejected;
        self.timed_out += o.timed_out;
        self.failed += o.failed;
        self.latency_sum += o.latency_sum;
        self.wait_sum += o.wait_sum;
        self.delayed += o.delayed;
        self.hist.add(&o.hist).expect("histograms share bounds");
    }

    pub fn errors(&self) -> u64 {
        self.rejected + self.timed_out + self.failed
    }

    fn quantile_ms(&self, q: f64) -> Option<f64> {
        (self.completed > 0).then(|| self.hist.value_at_quantile(q) as f64 / 1e3)
    }

    pub fn latency(&self) -> LatencyMs {
        LatencyMs {
            mean: (self.completed > 0)
                .then(|| self.latency_sum as f64 / self.completed as f64 / 1e3),
            p50: self.quantile_ms(0.50),
            p95: self.quantile_ms(0.95),
            p99: self.quantile_ms(0.99),
        }
    }

    pub fn mean_wait_ms(&self) -> Option<f64> {
        (self.completed > 0).then(|| self.wait_sum as f64 / self.completed as f64 / 1e3)
    }

    /// Whether this (interval's) outcome violates the class's SLO.
    pub fn violates(&self, class: &ClassConfig) -> bool {
        let outcomes = self.completed + self.errors();
        if outcomes == 0 {
            return false;
        }
        let error_rate = self.errors() as f64 / outcomes as f64;
        let slow = self
            .quantile_ms(class.slo.quantile)
            .is_some_and(|l| l > class.slo.latency_ms);
        slow || error_rate > class.slo.max_error_rate
    }
}

/// One class over one interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassInterval {
    pub arrivals: u64,
    pub completed: u64,
    pub rejected: u64,
    pub timed_out: u64,
    /// Lost to instance crashes.
    pub failed: u64,
    pub latency_ms: LatencyMs,
    /// The SLO quantile of latency [ms] (e.g. p95 for a p95 SLO).
    pub slo_latency_ms: Option<f64>,
    pub mean_wait_ms: Option<f64>,
    pub slo_violated: bool,
    /// Revenue lost to failed requests [$].
    pub revenue_lost: f64,
}

/// One pool over one interval (counts are at the end of the interval, the rest time averages).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoolInterval {
    pub running: u32,
    pub provisioning: u32,
    pub draining: u32,
    pub restarting: u32,
    /// Busy slots / slots on running instances, time-averaged (0 with no capacity).
    pub utilisation: f64,
    /// Mean busy slots.
    pub busy_mean: f64,
    /// Requests waiting at the end of the interval.
    pub queue_len: u32,
    pub queue_len_mean: f64,
    pub instance_seconds: f64,
    /// [$]
    pub cost: f64,
}

/// Everything measured over one decision interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntervalStats {
    /// Interval index from 0.
    pub index: u64,
    /// [s]
    pub start_s: f64,
    pub end_s: f64,
    pub classes: Vec<ClassInterval>,
    pub pools: Vec<PoolInterval>,
    /// Instance cost of the interval [$].
    pub cost: f64,
    /// Revenue lost in the interval [$].
    pub revenue_lost: f64,
}

impl IntervalStats {
    /// Column names of `csv_row`, in order.
    pub fn csv_header(cfg: &SimConfig) -> Vec<String> {
        let mut h = vec!["interval".into(), "start_s".into(), "end_s".into()];
        for c in &cfg.classes {
            for f in [
                "arrivals",
                "completed",
                "rejected",
                "timed_out",
                "failed",
                "latency_mean_ms",
                "p50_ms",
                "p95_ms",
                "p99_ms",
                "mean_wait_ms",
                "slo_violated",
                "revenue_lost",
            ] {
                h.push(format!("{}_{f}", c.name));
            }
        }
        for p in &cfg.pools {
            for f in [
                "running",
                "provisioning",
                "draining",
                "restarting",
                "utilisation",
                "queue_len",
                "queue_len_mean",
                "cost",
            ] {
                h.push(format!("{}_{f}", p.name));
            }
        }
        h.push("cost".into());
        h.push("revenue_lost".into());
        h
    }

    /// One CSV row matching `csv_header` (empty cells where nothing completed).
    pub fn csv_row(&self) -> Vec<String> {
        fn opt(x: Option<f64>) -> String {
            x.map(|v| format!("{v:.3}")).unwrap_or_default()
        }
        let mut r = vec![
            self.index.to_string(),
            format!("{}", self.start_s),
            format!("{}", self.end_s),
        ];
        for c in &self.classes {
            r.extend([
                c.arrivals.to_string(),
                c.completed.to_string(),
                c.rejected.to_string(),
                c.timed_out.to_string(),
                c.failed.to_string(),
                opt(c.latency_ms.mean),
                opt(c.latency_ms.p50),
                opt(c.latency_ms.p95),
                opt(c.latency_ms.p99),
                opt(c.mean_wait_ms),
                u8::from(c.slo_violated).to_string(),
                format!("{:.4}", c.revenue_lost),
            ]);
        }
        for p in &self.pools {
            r.extend([
                p.running.to_string(),
                p.provisioning.to_string(),
                p.draining.to_string(),
                p.restarting.to_string(),
                format!("{:.4}", p.utilisation),
                p.queue_len.to_string(),
                format!("{:.3}", p.queue_len_mean),
                format!("{:.6}", p.cost),
            ]);
        }
        r.push(format!("{:.6}", self.cost));
        r.push(format!("{:.4}", self.revenue_lost));
        r
    }
}

/// One class over a whole episode.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassSummary {
    pub arrivals: u64,
    pub completed: u64,
    pub rejected: u64,
    pub timed_out: u64,
    pub failed: u64,
    pub latency_ms: LatencyMs,
    pub wait_ms: WaitMs,
    pub slo_violation_intervals: u64,
    pub revenue_lost: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaitMs {
    pub mean: Option<f64>,
    /// Share of completed requests that waited at all (P(wait > 0)).
    pub p_wait: Option<f64>,
}

/// Episode-wide accumulators.
#[derive(Debug, Clone)]
pub(crate) struct EpisodeAcc {
    pub classes: Vec<ClassAcc>,
    pub slo_violations: Vec<u64>,
    pub revenue_lost: Vec<f64>,
    pub cost: f64,
    pub instance_seconds: f64,
    pub intervals: u64,
}

impl EpisodeAcc {
    pub fn new(n_classes: usize) -> EpisodeAcc {
        EpisodeAcc {
            classes: (0..n_classes).map(|_| ClassAcc::new()).collect(),
            slo_violations: vec![0; n_classes],
            revenue_lost: vec![0.0; n_classes],
            cost: 0.0,
            instance_seconds: 0.0,
            intervals: 0,
        }
    }

    pub fn reset(&mut self) {
        self.classes.iter_mut().for_each(ClassAcc::reset);
        self.slo_violations.iter_mut().for_each(|v| *v = 0);
        self.revenue_lost.iter_mut().for_each(|v| *v = 0.0);
        self.cost = 0.0;
        self.instance_seconds = 0.0;
        self.intervals = 0;
    }

    pub fn class_summary(&self, c: usize) -> ClassSummary {
        let a = &self.classes[c];
        ClassSummary {
            arrivals: a.arrivals,
            completed: a.completed,
            rejected: a.rejected,
            timed_out: a.timed_out,
            failed: a.failed,
            latency_ms: a.latency(),
            wait_ms: WaitMs {
                mean: a.mean_wait_ms(),
                p_wait: (a.completed > 0).then(|| a.delayed as f64 / a.completed as f64),
            },
            slo_violation_intervals: self.slo_violations[c],
            revenue_lost: self.revenue_lost[c],
        }
    }
}
