//! `shopgym._shopgym`: the Rust side of the Python package (PyO3). It exposes the simulator's
//! environment without re-implementing any of it:
//!
//! - `env`: `RustEnv`, one `ScalingEnv`;
//! - `vec_env`: `RustVecEnv`, a Rust `VecEnv` of N envs stepped by rayon (autoreset `SameStep`);
//! - `scenarios`: shipped scenarios (embedded at build time) or files, `env_options` overrides;
//! - `convert`: spaces, actions and the `info` dict between Rust and Python (numpy arrays);
//! - `errors`: Rust errors as Python exceptions (never a panic across the boundary).
//!
//! The Gymnasium classes, registration and the SB3 adapter are Python (`python/shopgym/`); the GIL
//! is released while Rust simulates.

use pyo3::prelude::*;

mod convert;
mod env;
mod errors;
mod scenarios;
mod vec_env;

/// Names of the scenarios shipped inside the extension (`scenarios/*.yaml` at build time).
#[pyfunction]
fn shipped_scenarios() -> Vec<&'static str> {
    scenarios::shipped_names()
}

/// The YAML text of a shipped scenario (to copy and edit).
#[pyfunction]
fn scenario_yaml(name: &str) -> PyResult<&'static str> {
    scenarios::shipped_yaml(name).ok_or_else(|| {
        pyo3::exceptions::PyKeyError::new_err(format!(
            "no shipped scenario `{name}` (shipped: {})",
            scenarios::shipped_names().join(", ")
        ))
    })
}

/// The seed Rust derives for sub-run `index` named `name` of `seed`: `child_seed(s, "env", i)` is
/// what env `i` of a vector env reset with `seed=s` gets, so a single env can run its episode.
#[pyfunction]
fn child_seed(seed: u64, name: &str, index: u64) -> u64 {
    shopgym::sim::rng::child_seed(seed, name, index)
}

#[pymodule]
fn _shopgym(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<env::RustEnv>()?;
    m.add_class::<vec_env::RustVecEnv>()?;
    m.add_function(wrap_pyfunction!(shipped_scenarios, m)?)?;
    m.add_function(wrap_pyfunction!(scenario_yaml, m)?)?;
    m.add_function(wrap_pyfunction!(child_seed, m)?)?;
    m.add("SCENARIO_DIR", scenarios::SCENARIO_DIR)?;
    Ok(())
}
