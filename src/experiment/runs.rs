//! The stored runs of an experiment: one `runs/<scenario>__<agent>__<seed>.json` per finished
//! evaluation episode, written atomically as it ends (so an interrupted experiment resumes where
//! it stopped), and read back for the report and plots.

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

/// A metric of a stored run (`p99_ms.<class>` for latencies).
pub fn metric(rec: &RunRecord, name: &str) -> f64 {
    let m = &rec.metrics;
    match name.strip_prefix("p99_ms.") {
        Some(class) => m["classes"][class]["p99_ms"].as_f64().unwrap_or(f64::NAN),
        None => m[name].as_f64().unwrap_or(f64::NAN),
    }
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
