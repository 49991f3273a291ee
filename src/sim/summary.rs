//! The episode summary written as `summary.json` by `shopgym simulate` (schema in the README).
//! Everything but `perf` is a deterministic function of scenario, seed and policy.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{ClassSummary, ClusterSim, Fidelity, Totals};

fn is_des(f: &Fidelity) -> bool {
    *f == Fidelity::Des
}

/// Wall-clock performance of a run (the only non-deterministic part of a summary).
#[derive(Debug, Clone, Serialize)]
pub struct Perf {
    pub wall_seconds: f64,
    pub events: u64,
    pub events_per_second: f64,
    /// Arrivals simulated per wall-clock second.
    pub requests_per_second: f64,
}

/// One episode's results.
#[derive(Debug, Clone, Serialize)]
pub struct SimSummary {
    pub scenario: String,
    pub seed: u64,
    pub policy: String,
    /// Omitted for the DES (the default), so DES summaries keep their bytes.
    #[serde(skip_serializing_if = "is_des")]
    pub fidelity: Fidelity,
    pub sim_seconds: f64,
    /// Per class, keyed by class name.
    pub classes: BTreeMap<String, ClassSummary>,
    pub totals: Totals,
    pub perf: Perf,
}

impl SimSummary {
    /// Summarises the (finished) episode in `sim`; `wall_seconds` is the time the run took.
    pub fn collect(
        sim: &ClusterSim,
        scenario: &str,
        seed: u64,
        policy: &str,
        wall_seconds: f64,
    ) -> SimSummary {
        let cfg = sim.config();
        let classes = cfg
            .classes
            .iter()
            .enumerate()
            .map(|(c, cc)| (cc.name.clone(), sim.class_summary(c)))
            .collect();
        let totals = sim.totals();
        let events = sim.events_processed();
        let per_s = |x: f64| {
            if wall_seconds > 0.0 {
                x / wall_seconds
            } else {
                0.0
            }
        };
        SimSummary {
            scenario: scenario.to_string(),
            seed,
            policy: policy.to_string(),
            fidelity: sim.fidelity(),
            sim_seconds: sim.now().as_secs_f64(),
            classes,
            perf: Perf {
                wall_seconds,
                events,
                events_per_second: per_s(events as f64),
                requests_per_second: per_s(totals.arrivals as f64),
            },
            totals,
        }
    }
}
