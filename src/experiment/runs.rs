//! The stored runs of an experiment: one `runs/<scenario>__<agent>__<seed>.json` per finished
//! evaluation episode, written atomically as it ends (so an interrupted experiment resumes where
//! it stopped), and read back for the report and plots. A run stored without `peak_instances`
//! (by a shopgym from before per-episode capacity plans) is stale: resuming re-runs it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::ExperimentError;

/// One finished run, as stored in `runs/*.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunRecord {
    pub scenario: String,
    pub agent: String,
    pub seed: u64,
    pub metrics: serde_json::Value,
}

/// Where the run of `agent` on `scenario` with `seed` is stored under `out`.
pub fn run_file(out: &Path, scenario: &str, agent: &str, seed: u64) -> PathBuf {
    out.join("runs")
        .join(format!("{scenario}__{agent}__{seed}.json"))
}

/// What is stored for one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// No file: the run has not finished.
    Missing,
    /// A file that cannot be read as a run, or one stored without `peak_instances` by an older
    /// shopgym: the run is done again (same seed, so the same episode).
    Stale,
    /// A finished run in the current layout.
    Current,
}

/// What `file` (a `run_file`) holds.
pub fn stored(file: &Path) -> Stored {
    let Ok(text) = std::fs::read_to_string(file) else {
        return if file.exists() {
            Stored::Stale
        } else {
            Stored::Missing
        };
    };
    match serde_json::from_str::<RunRecord>(&text) {
        Ok(rec) if rec.metrics.get("peak_instances").is_some() => Stored::Current,
        _ => Stored::Stale,
    }
}

/// Completed orders of a stored run (`evaluate::plan::orders_completed` over its classes).
pub fn orders_completed(rec: &RunRecord) -> u64 {
    let classes = rec.metrics["classes"].as_object();
    crate::evaluate::plan::orders_completed(
        classes
            .into_iter()
            .flatten()
            .map(|(c, v)| (c.as_str(), v["completed"].as_u64().unwrap_or(0))),
    )
}

/// Peak active instances of a stored run per pool of `pools`, in that order, at the run's scale
/// (`None`: stored without them).
pub fn peak_instances(rec: &RunRecord, pools: &[&str]) -> Option<Vec<u32>> {
    let peaks = rec.metrics.get("peak_instances")?;
    pools
        .iter()
        .map(|p| peaks[*p].as_u64().map(|n| n as u32))
        .collect()
}

/// A metric of a stored run (`p99_ms.<class>` for latencies).
pub fn metric(rec: &RunRecord, name: &str) -> f64 {
    let m = &rec.metrics;
    match name.strip_prefix("p99_ms.") {
        Some(class) => m["classes"][class]["p99_ms"].as_f64().unwrap_or(f64::NAN),
        None => m[name].as_f64().unwrap_or(f64::NAN),
    }
}

/// The stored runs of agent `ai` on scenario `si` and `seeds`, one list per training run (in
/// `Experiment::run_names` order), each in seed order.
pub fn load_training_runs(
    exp: &super::Experiment,
    out: &Path,
    si: usize,
    ai: usize,
    seeds: &[u64],
    full: bool,
) -> Result<Vec<Vec<RunRecord>>, ExperimentError> {
    exp.run_names(ai, full)
        .iter()
        .map(|n| load_runs(out, exp.scenarios[si].name(), n, seeds))
        .collect()
}

/// Reads the stored runs of `scenario` × `agent` on `seeds`, in seed order.
pub fn load_runs(
    out: &Path,
    scenario: &str,
    agent: &str,
    seeds: &[u64],
) -> Result<Vec<RunRecord>, ExperimentError> {
    seeds
        .iter()
        .map(|&seed| {
            let f = run_file(out, scenario, agent, seed);
            let text = std::fs::read_to_string(&f).map_err(|e| ExperimentError::Stored {
                path: f.clone(),
                message: e.to_string(),
            })?;
            Ok(serde_json::from_str(&text)?)
        })
        .collect()
}
