//! `NormalizeObservation`: standardises every observation feature with a running mean and
//! variance, `(x − mean) / sqrt(var + epsilon)`, clipped to `[−clip, clip]` (Gymnasium's wrapper
//! of the same name, plus clipping). Statistics update on every observation while `training` is
//! on (the default) and freeze when it is off (evaluation). The state (statistics, clip, epsilon,
//! feature names) saves to and loads from JSON, so a trained agent is evaluated with the
//! statistics it learned with; loading checks the feature names match.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::env::{Action, BoxSpace, Env, EnvError, Space, Step, StepInfo};

/// Running mean and (population) variance per feature (parallel-update form of Welford).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunningMeanStd {
    /// Observations seen (starts at a tiny value, as in Gymnasium, to avoid dividing by 0).
    pub count: f64,
    pub mean: Vec<f64>,
    pub var: Vec<f64>,
}

impl RunningMeanStd {
    pub fn new(dim: usize) -> RunningMeanStd {
        RunningMeanStd {
            count: 1e-4,
            mean: vec![0.0; dim],
            var: vec![1.0; dim],
        }
    }

    /// Adds one observation.
    pub fn update(&mut self, x: &[f32]) {
        let total = self.count + 1.0;
        for ((m, v), &xi) in self.mean.iter_mut().zip(&mut self.var).zip(x) {
            let delta = f64::from(xi) - *m;
            let new_mean = *m + delta / total;
            let m2 = *v * self.count + delta * delta * self.count / total;
            *m = new_mean;
            *v = m2 / total;
        }
        self.count = total;
    }
}

/// Everything `NormalizeObservation` saves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NormalizeState {
    pub rms: RunningMeanStd,
    pub clip: f32,
    pub epsilon: f64,
    /// Feature names of the env it was trained on.
    pub obs_names: Vec<String>,
}

/// Why saved normalisation state could not be written or used.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not a normalisation state: {source}")]
    Json {
        path: String,
        #[source]
        source: serde_json::Error,
    },
    /// The state was saved for an env with other observation features.
    #[error("normalisation state is for features {saved} but this env has {env}")]
    Mismatch { saved: String, env: String },
}

/// Standardises the inner env's observations.
pub struct NormalizeObservation<E: Env> {
    inner: E,
    state: NormalizeState,
    space: Space,
    /// Update the statistics with each observation.
    pub training: bool,
}

impl<E: Env> NormalizeObservation<E> {
    /// Clip 10, epsilon 1e-8, training on.
    pub fn new(inner: E) -> NormalizeObservation<E> {
        NormalizeObservation::with_clip(inner, 10.0)
    }

    /// Normalised values are clipped to `[−clip, clip]` (`clip > 0`).
    pub fn with_clip(inner: E, clip: f32) -> NormalizeObservation<E> {
        let dim = inner.observation_space().flat_dim();
        let clip = if clip > 0.0 { clip } else { 10.0 };
        NormalizeObservation {
            state: NormalizeState {
                rms: RunningMeanStd::new(dim),
                clip,
                epsilon: 1e-8,
                obs_names: inner.obs_names().to_vec(),
            },
            space: Space::Box(BoxSpace::uniform(dim, -clip, clip)),
            inner,
            training: true,
        }
    }

    pub fn inner(&self) -> &E {
        &self.inner
    }

    pub fn state(&self) -> &NormalizeState {
        &self.state
    }

    /// Replaces the state (checked against this env's feature names).
    pub fn set_state(&mut self, state: NormalizeState) -> Result<(), StateError> {
        if state.obs_names != self.inner.obs_names()
            || state.rms.mean.len() != state.obs_names.len()
            || state.rms.var.len() != state.obs_names.len()
        {
            return Err(StateError::Mismatch {
                saved: state.obs_names.join(","),
                env: self.inner.obs_names().join(","),
            });
        }
        self.space = Space::Box(BoxSpace::uniform(
            state.obs_names.len(),
            -state.clip,
            state.clip,
        ));
        self.state = state;
        Ok(())
    }

    /// Writes the state as JSON.
    pub fn save(&self, path: &Path) -> Result<(), StateError> {
        let json = serde_json::to_string_pretty(&self.state).expect("state serialises");
        std::fs::write(path, json).map_err(|e| StateError::Io {
            path: path.display().to_string(),
            source: e,
        })
    }

    /// Reads a state written by `save`.
    pub fn load(&mut self, path: &Path) -> Result<(), StateError> {
        let p = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| StateError::Io {
            path: p.clone(),
            source: e,
        })?;
        let state =
            serde_json::from_str(&text).map_err(|e| StateError::Json { path: p, source: e })?;
        self.set_state(state)
    }

    /// Normalises `obs` in place (updating the statistics first when training).
    fn normalise(&mut self, obs: &mut [f32]) {
        if self.training {
            self.state.rms.update(obs);
        }
        let s = &self.state;
        for ((x, m), v) in obs.iter_mut().zip(&s.rms.mean).zip(&s.rms.var) {
            let z = (f64::from(*x) - m) / (v + s.epsilon).sqrt();
            *x = (z as f32).clamp(-s.clip, s.clip);
        }
    }
}

impl<E: Env> Env for NormalizeObservation<E> {
    fn reset(&mut self, seed: Option<u64>) -> (Vec<f32>, StepInfo) {
        let (mut obs, info) = self.inner.reset(seed);
        self.normalise(&mut obs);
        (obs, info)
    }

    fn step(&mut self, action: &Action) -> Result<Step, EnvError> {
        let mut s = self.inner.step(action)?;
        self.normalise(&mut s.obs);
        Ok(s)
    }

    fn observation_space(&self) -> &Space {
        &self.space
    }

    fn action_space(&self) -> &Space {
        self.inner.action_space()
    }

    fn obs_names(&self) -> &[String] {
        self.inner.obs_names()
    }
}
