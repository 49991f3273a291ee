//! `ObsNorm`: running per-feature standardisation of observations, `(x − mean) / sqrt(var + 1e-8)`
//! clipped to `[−clip, clip]`, as Gymnasium's `NormalizeObservation` (whose `RunningMeanStd` it
//! uses) but applied by the learner to batches from a `VecEnv`. Updated while training, frozen for
//! acting greedily; saved beside the model as `obs_norm.json`.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::LearnError;
use crate::env::RunningMeanStd;

/// Observation statistics and the clip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObsNorm {
    pub rms: RunningMeanStd,
    pub clip: f32,
    /// Off: `normalize` returns its input (the statistics are still kept).
    pub enabled: bool,
}

impl ObsNorm {
    pub fn new(dim: usize, enabled: bool) -> ObsNorm {
        ObsNorm {
            rms: RunningMeanStd::new(dim),
            clip: 10.0,
            enabled,
        }
    }

    /// Adds every row of `obs` (`[rows, dim]`, row-major).
    pub fn update(&mut self, obs: &[f32]) {
        let dim = self.rms.mean.len();
        for row in obs.chunks_exact(dim) {
            self.rms.update(row);
        }
    }

    /// Standardised copy of `obs` (`[rows, dim]`).
    pub fn normalize(&self, obs: &[f32]) -> Vec<f32> {
        if !self.enabled {
            return obs.to_vec();
        }
        let dim = self.rms.mean.len();
        obs.iter()
            .enumerate()
            .map(|(i, &x)| {
                let j = i % dim;
                let z = (f64::from(x) - self.rms.mean[j]) / (self.rms.var[j] + 1e-8).sqrt();
                (z as f32).clamp(-self.clip, self.clip)
            })
            .collect()
    }

    pub fn save(&self, path: &Path) -> Result<(), LearnError> {
        let json = serde_json::to_vec_pretty(self)?;
        Ok(crate::io::atomic_write(path, &json)?)
    }

    pub fn load(path: &Path) -> Result<ObsNorm, LearnError> {
        super::load_json(path, "an obs_norm.json")
    }
}
