//! `RustEnv`: one `ScalingEnv` behind a Python class. The Python package wraps it in
//! `shopgym.ShopgymEnv` (a `gymnasium.Env`); this layer only converts values and releases the GIL
//! while the simulator runs, so other Python threads go on during a step.
//!
//! The env sits in a `Mutex` (Python objects may be shared between threads); it is locked only
//! inside the GIL-free section, so a thread waiting for it never holds the GIL.

use std::sync::Mutex;

use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use shopgym::env::{Env, ScalingEnv, Space};

use crate::convert;
use crate::errors::env_err;
use crate::scenarios;

/// One environment over one scenario (see the module docs).
#[pyclass(module = "shopgym._shopgym", name = "RustEnv")]
pub struct RustEnv {
    env: Mutex<ScalingEnv>,
    obs_space: Space,
    action_space: Space,
    meta: Meta,
}

/// What the Python side asks about the scenario, copied once at construction.
#[derive(Clone)]
pub struct Meta {
    pub scenario_name: String,
    pub scenario_path: String,
    pub obs_names: Vec<String>,
    pub pool_names: Vec<String>,
    pub class_names: Vec<String>,
    pub n_intervals: u64,
    pub interval_s: f64,
    pub forecaster: String,
    /// The resolved `env:` section (YAML).
    pub env_yaml: String,
}

impl Meta {
    pub fn of(env: &ScalingEnv, path: &std::path::Path) -> Meta {
        let sim = env.sim().config();
        Meta {
            scenario_name: env.scenario_name().to_string(),
            scenario_path: path.display().to_string(),
            obs_names: env.obs_names().to_vec(),
            pool_names: sim.pools.iter().map(|p| p.name.clone()).collect(),
            class_names: sim.classes.iter().map(|c| c.name.clone()).collect(),
            n_intervals: sim.n_intervals(),
            interval_s: sim.interval.as_secs_f64(),
            forecaster: env.forecaster_name().to_string(),
            env_yaml: serde_yaml::to_string(env.config().spec()).expect("an EnvSpec serialises"),
        }
    }

    pub fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("scenario_name", &self.scenario_name)?;
        d.set_item("scenario_path", &self.scenario_path)?;
        d.set_item("obs_names", &self.obs_names)?;
        d.set_item("pool_names", &self.pool_names)?;
        d.set_item("class_names", &self.class_names)?;
        d.set_item("n_intervals", self.n_intervals)?;
        d.set_item("interval_s", self.interval_s)?;
        d.set_item("forecaster", &self.forecaster)?;
        d.set_item("env_yaml", &self.env_yaml)?;
        Ok(d)
    }
}

/// `(obs, reward, terminated, truncated, info)` as Python values.
type StepTuple<'py> = (
    Bound<'py, PyArray1<f32>>,
    f64,
    bool,
    bool,
    Bound<'py, PyDict>,
);

#[pymethods]
impl RustEnv {
    /// `scenario`: a shipped name or a file path; `env_options`: JSON overrides of the `env:`
    /// section; `scale`: multiplies the scenario's scale.
    #[new]
    #[pyo3(signature = (scenario, env_options=None, scale=None, fidelity=None))]
    fn new(
        scenario: &str,
        env_options: Option<&str>,
        scale: Option<f64>,
        fidelity: Option<&str>,
    ) -> PyResult<RustEnv> {
        let sc = scenarios::load(scenario, scale, fidelity)?;
        let config = scenarios::env_config(&sc, env_options)?;
        let env = ScalingEnv::new(&sc, config).map_err(env_err)?;
        Ok(RustEnv {
            obs_space: env.observation_space().clone(),
            action_space: env.action_space().clone(),
            meta: Meta::of(&env, &sc.path),
            env: Mutex::new(env),
        })
    }

    /// Scenario and env facts (names, intervals, resolved `env:` section).
    fn meta<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.meta.to_dict(py)
    }

    fn observation_space<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        convert::space_dict(py, &self.obs_space)
    }

    fn action_space<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        convert::space_dict(py, &self.action_space)
    }

    /// Starts an episode: a seed re-seeds every random stream, `None` continues them.
    #[pyo3(signature = (seed=None))]
    fn reset<'py>(
        &self,
        py: Python<'py>,
        seed: Option<u64>,
    ) -> PyResult<(Bound<'py, PyArray1<f32>>, Bound<'py, PyDict>)> {
        let (obs, info) = py.detach(|| lock(&self.env).reset(seed));
        Ok((PyArray1::from_vec(py, obs), convert::info_dict(py, &info)?))
    }

    /// Sets what `render` draws: `"ansi"`, `"rgb_array"` or `None` (`shopgym::env::render`).
    #[pyo3(signature = (mode=None))]
    fn set_render_mode(&self, mode: Option<&str>) -> PyResult<()> {
        let mode = convert::render_mode(mode)?;
        lock(&self.env).set_render_mode(mode);
        Ok(())
    }

    /// The current frame: a `str` (`"ansi"`), a uint8 array `[H, W, 3]` (`"rgb_array"`) or
    /// `None` without a render mode.
    fn render<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let frame = py.detach(|| lock(&self.env).render());
        convert::frame(py, frame)
    }

    /// One decision interval under `action` (an int, or an int64 array of one value per pool).
    fn step<'py>(&self, py: Python<'py>, action: &Bound<'py, PyAny>) -> PyResult<StepTuple<'py>> {
        let action = convert::action(&self.action_space, action)?;
        let step = py
            .detach(|| lock(&self.env).step(&action))
            .map_err(env_err)?;
        Ok((
            PyArray1::from_vec(py, step.obs),
            step.reward,
            step.terminated,
            step.truncated,
            convert::info_dict(py, &step.info)?,
        ))
    }
}

/// The env, even if a previous holder panicked (a step that panicked left no half-written state
/// that a `reset` does not rebuild).
pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
