//! `RustVecEnv`: N `ScalingEnv`s in one Rust `VecEnv` (autoreset mode `SameStep`), stepped in
//! parallel by rayon with the GIL released: no Python processes or threads. The Python package
//! wraps it in `shopgym.ShopgymVectorEnv` (a `gymnasium.vector.VectorEnv`) and in an SB3 `VecEnv`.
//!
//! Seeding is the Rust `VecEnv`'s: `reset(seed)` gives env `i` the seed `child_seed(seed, "env",
//! i)`, `reset(None)` continues every env's streams. `num_threads` sizes a private rayon pool
//! (default: rayon's global pool, one thread per core); results do not depend on it.

use std::sync::Mutex;

use numpy::{PyArray1, PyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use shopgym::env::{AutoresetMode, ScalingEnv, Space, VecEnv};

use crate::convert;
use crate::env::{lock, Meta};
use crate::errors::env_err;
use crate::scenarios;

#[pyclass(module = "shopgym._shopgym", name = "RustVecEnv")]
pub struct RustVecEnv {
    venv: Mutex<VecEnv<ScalingEnv>>,
    pool: Option<rayon::ThreadPool>,
    n_envs: usize,
    obs_dim: usize,
    obs_space: Space,
    action_space: Space,
    meta: Meta,
}

/// `(obs [n, dim], rewards, terminated, truncated, infos, final_obs, final_infos)`; the last two
/// hold `None` for envs whose episode did not end on this step.
type VecStepTuple<'py> = (
    Bound<'py, PyArray2<f32>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<bool>>,
    Bound<'py, PyArray1<bool>>,
    Bound<'py, PyList>,
    Bound<'py, PyList>,
    Bound<'py, PyList>,
);

impl RustVecEnv {
    /// Runs `f` on the private pool when there is one, else on rayon's global pool.
    fn run<T: Send>(&self, f: impl FnOnce() -> T + Send) -> T {
        match &self.pool {
            Some(p) => p.install(f),
            None => f(),
        }
    }
}

#[pymethods]
impl RustVecEnv {
    #[new]
    #[pyo3(signature = (scenario, num_envs, env_options=None, scale=None, num_threads=None, fidelity=None))]
    fn new(
        scenario: &str,
        num_envs: usize,
        env_options: Option<&str>,
        scale: Option<f64>,
        num_threads: Option<usize>,
        fidelity: Option<&str>,
    ) -> PyResult<RustVecEnv> {
        if num_envs == 0 {
            return Err(PyValueError::new_err("num_envs must be >= 1"));
        }
        let sc = scenarios::load(scenario, scale, fidelity)?;
        let config = scenarios::env_config(&sc, env_options)?;
        let envs = (0..num_envs)
            .map(|_| ScalingEnv::new(&sc, config.clone()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(env_err)?;
        let meta = Meta::of(&envs[0], &sc.path);
        let venv = VecEnv::new(envs, AutoresetMode::SameStep).map_err(env_err)?;
        let pool = match num_threads {
            None => None,
            Some(0) => return Err(PyValueError::new_err("num_threads must be >= 1")),
            Some(n) => Some(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(n)
                    .build()
                    .map_err(|e| PyValueError::new_err(format!("thread pool: {e}")))?,
            ),
        };
        Ok(RustVecEnv {
            n_envs: num_envs,
            obs_dim: venv.obs_dim(),
            obs_space: venv.single_observation_space().clone(),
            action_space: venv.single_action_space().clone(),
            venv: Mutex::new(venv),
            pool,
            meta,
        })
    }

    fn meta<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.meta.to_dict(py)
    }

    fn observation_space<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        convert::space_dict(py, &self.obs_space)
    }

    fn action_space<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        convert::space_dict(py, &self.action_space)
    }

    /// Sets what `render` draws in every env: `"ansi"`, `"rgb_array"` or `None`.
    #[pyo3(signature = (mode=None))]
    fn set_render_mode(&self, mode: Option<&str>) -> PyResult<()> {
        let mode = convert::render_mode(mode)?;
        lock(&self.venv).set_render_mode(mode);
        Ok(())
    }

    /// Every env's current frame (as `RustEnv.render`), in env order.
    fn render<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyAny>>> {
        let frames = py.detach(|| lock(&self.venv).render());
        frames.into_iter().map(|f| convert::frame(py, f)).collect()
    }

    /// Resets every env; returns `(obs [n, dim], infos)`.
    #[pyo3(signature = (seed=None))]
    fn reset<'py>(
        &self,
        py: Python<'py>,
        seed: Option<u64>,
    ) -> PyResult<(Bound<'py, PyArray2<f32>>, Bound<'py, PyList>)> {
        let (obs, infos) = py.detach(|| self.run(|| lock(&self.venv).reset(seed)));
        let list = PyList::empty(py);
        for info in &infos {
            list.append(convert::info_dict(py, info)?)?;
        }
        Ok((
            convert::obs_matrix(py, obs, self.n_envs, self.obs_dim)?,
            list,
        ))
    }

    /// Steps every env (`actions`: int64 `[n]` or `[n, pools]`), autoresetting ended episodes.
    fn step<'py>(
        &self,
        py: Python<'py>,
        actions: &Bound<'py, PyAny>,
    ) -> PyResult<VecStepTuple<'py>> {
        let actions = convert::actions(&self.action_space, actions, self.n_envs)?;
        let s = py
            .detach(|| self.run(|| lock(&self.venv).step(&actions)))
            .map_err(env_err)?;
        let (infos, finals_obs, finals_info) =
            (PyList::empty(py), PyList::empty(py), PyList::empty(py));
        for info in &s.infos {
            infos.append(convert::info_dict(py, info)?)?;
            match (&info.final_obs, &info.final_info) {
                (Some(o), Some(i)) => {
                    finals_obs.append(PyArray1::from_slice(py, o))?;
                    finals_info.append(convert::info_dict(py, i)?)?;
                }
                _ => {
                    finals_obs.append(py.None())?;
                    finals_info.append(py.None())?;
                }
            }
        }
        Ok((
            convert::obs_matrix(py, s.obs, self.n_envs, self.obs_dim)?,
            PyArray1::from_vec(py, s.rewards),
            PyArray1::from_vec(py, s.terminated),
            PyArray1::from_vec(py, s.truncated),
            infos,
            finals_obs,
            finals_info,
        ))
    }
}
