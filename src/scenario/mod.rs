//! Scenario files: YAML in, a validated simulator configuration out.
//!
//! Lifecycle: YAML is parsed into `ScenarioSpec` (`deny_unknown_fields`, documented defaults),
//! validated once into a `SimConfig` (`validate`, one function per section; every error is a
//! `ConfigError` naming file, field path and value), and nothing downstream re-checks it. The
//! `env:` section (`env_spec`) is validated by `crate::env::EnvConfig` against the scenario.

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub mod env_spec;
pub mod size;
pub mod spec;
pub mod trace;
pub mod validate;

pub use spec::ScenarioSpec;

use crate::io::ConfigError;
use crate::sim::SimConfig;

/// A loaded, validated scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The parsed file with defaults filled in.
    pub spec: ScenarioSpec,
    /// Where it came from.
    pub path: PathBuf,
    pub sim: Arc<SimConfig>,
    /// Instances per pool under the scenario's static policy.
    pub static_counts: Vec<u32>,
}

impl Scenario {
    /// Reads and validates a scenario file.
    pub fn load(path: impl AsRef<Path>) -> Result<Scenario, ConfigError> {
        let path = path.as_ref();
        let text = crate::io::read_text(path)?;
        Scenario::from_yaml(&text, path)
    }

    /// Parses and validates scenario text; `path` names it in errors and anchors relative trace paths.
    pub fn from_yaml(text: &str, path: &Path) -> Result<Scenario, ConfigError> {
        let spec: ScenarioSpec = crate::io::parse_yaml(text, path)?;
        Scenario::from_spec(spec, path)
    }

    /// Validates an already parsed spec.
    pub fn from_spec(spec: ScenarioSpec, path: &Path) -> Result<Scenario, ConfigError> {
        let v = validate::validate(&spec, path)?;
        Ok(Scenario {
            spec,
            path: path.to_path_buf(),
            sim: Arc::new(v.sim),
            static_counts: v.static_counts,
        })
    }

    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// The resolved scenario as YAML.
    pub fn to_yaml(&self) -> String {
        serde_yaml::to_string(&self.spec).expect("a parsed spec serialises")
    }
}
