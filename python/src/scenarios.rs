//! Finding and configuring a scenario for the Python API.
//!
//! - A shipped scenario is known by its short name (`"flash_sale"`): its YAML is embedded in the
//!   extension at build time (`build.rs`), so an installed wheel needs no data files. Its path, for
//!   messages and for relative trace files, is the `scenarios/` directory it was embedded from.
//! - Anything else is read as a file path (`"path/to/file.yaml"`), exactly like the CLI does.
//! - `scale` multiplies the scenario's own `scale` (rates and instance counts together).
//! - `env_options` (JSON from Python) override the scenario's `env:` section field by field
//!   (nested mappings merge, other values replace) and are validated by the same Rust code as the
//!   file (`EnvConfig::new`); errors name `<file> [env_options]`, the field and the value.

use std::path::{Path, PathBuf};

use pyo3::exceptions::{PyFileNotFoundError, PyValueError};
use pyo3::PyResult;
use serde::Deserialize;
use shopgym::env::EnvConfig;
use shopgym::io::ConfigError;
use shopgym::scenario::env_spec::EnvSpec;
use shopgym::scenario::Scenario;

use crate::errors::scenario_err;

include!(concat!(env!("OUT_DIR"), "/shipped_scenarios.rs"));

/// Names of the shipped scenarios, sorted.
pub fn shipped_names() -> Vec<&'static str> {
    SHIPPED.iter().map(|(name, _)| *name).collect()
}

/// The YAML text of a shipped scenario.
pub fn shipped_yaml(name: &str) -> Option<&'static str> {
    SHIPPED.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// Loads `scenario` (a shipped name or a file path), its rates and counts times `scale`, run at
/// `fidelity` (`"des"` or `"fluid"`; `None` keeps the scenario's own).
pub fn load(scenario: &str, scale: Option<f64>, fidelity: Option<&str>) -> PyResult<Scenario> {
    let fidelity = fidelity
        .map(|f| {
            f.parse::<shopgym::sim::Fidelity>()
                .map_err(|e| PyValueError::new_err(format!("fidelity = {f:?}: {e}")))
        })
        .transpose()?;
    Ok(load_scaled(scenario, scale)?.with_fidelity(fidelity))
}

fn load_scaled(scenario: &str, scale: Option<f64>) -> PyResult<Scenario> {
    let loaded = match shipped_yaml(scenario) {
        Some(text) => {
            let path = Path::new(SCENARIO_DIR).join(format!("{scenario}.yaml"));
            Scenario::from_yaml(text, &path).map_err(|e| shipped_err(scenario, &path, e))?
        }
        None => {
            let path = Path::new(scenario);
            if !path.exists() {
                return Err(PyFileNotFoundError::new_err(format!(
                    "scenario `{scenario}`: not a shipped scenario ({}) and no such file",
                    shipped_names().join(", ")
                )));
            }
            Scenario::load(path).map_err(scenario_err)?
        }
    };
    match scale {
        None => Ok(loaded),
        Some(k) => {
            if !(k.is_finite() && k > 0.0) {
                return Err(PyValueError::new_err(format!(
                    "scale = {k}: must be a finite number > 0"
                )));
            }
            loaded.rescaled(k).map_err(scenario_err)
        }
    }
}

/// A shipped scenario whose trace file is missing gets a hint on where it was looked for.
fn shipped_err(name: &str, path: &Path, e: ConfigError) -> pyo3::PyErr {
    match &e {
        ConfigError::Io { file, .. } if file != path => PyFileNotFoundError::new_err(format!(
            "{e}\n(the shipped scenario `{name}` replays this trace file, which is not embedded in \
             the package: its path is relative to {SCENARIO_DIR}; pass the path of a copy of the \
             scenario file whose `traffic.trace.file` points at the trace instead)"
        )),
        _ => scenario_err(e),
    }
}

/// `{ env: ... }`, so parse errors name `env.<field>`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnvSection {
    env: EnvSpec,
}

/// The scenario's `env:` section with `overrides` (a JSON object) merged in, validated.
pub fn env_config(scenario: &Scenario, overrides: Option<&str>) -> PyResult<EnvConfig> {
    let Some(json) = overrides else {
        return EnvConfig::from_scenario(scenario).map_err(scenario_err);
    };
    let named = PathBuf::from(format!("{} [env_options]", scenario.path.display()));
    let overrides: serde_json::Value = serde_json::from_str(json)
        .map_err(|e| PyValueError::new_err(format!("env_options are not JSON: {e}")))?;
    let overrides = serde_yaml::to_value(overrides).expect("JSON values are YAML values");
    let mut merged = serde_yaml::to_value(&scenario.spec.env).expect("an EnvSpec serialises");
    merge(&mut merged, overrides);
    let mut root = serde_yaml::Mapping::new();
    root.insert("env".into(), merged);
    let spec = serde_path_to_error::deserialize::<_, EnvSection>(serde_yaml::Value::Mapping(root))
        .map_err(|e| {
            scenario_err(ConfigError::Parse {
                file: named.clone(),
                field: e.path().to_string(),
                message: e.into_inner().to_string(),
            })
        })?
        .env;
    let mut renamed = scenario.clone();
    renamed.path = named;
    EnvConfig::new(&spec, &renamed).map_err(scenario_err)
}

/// Merges `over` into `base`: mappings key by key (recursively), anything else replaces.
fn merge(base: &mut serde_yaml::Value, over: serde_yaml::Value) {
    match (base, over) {
        (serde_yaml::Value::Mapping(b), serde_yaml::Value::Mapping(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}
