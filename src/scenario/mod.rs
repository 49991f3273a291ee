//! Scenario files: YAML in, a validated simulator configuration out.
//!
//! Parts: `spec` (the file format, serde, with defaults), `validate` (spec -> `SimConfig`, checked
//! once), `trace` (trace CSV loading), `env_spec` (the `env:` section, validated by
//! `crate::env::EnvConfig`), `error` (`ScenarioError`, naming file, field and value).

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub mod env_spec;
pub mod error;
pub mod spec;
pub mod trace;
pub mod validate;

pub use error::ScenarioError;
pub use spec::ScenarioSpec;

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
    pub fn load(path: impl AsRef<Path>) -> Result<Scenario, ScenarioError> {
        let path = path.as_ref();
        let text = read_text(path)?;
        Scenario::from_yaml(&text, path)
    }

    /// Parses and validates scenario text; `path` names it in errors and anchors relative trace paths.
    pub fn from_yaml(text: &str, path: &Path) -> Result<Scenario, ScenarioError> {
        let spec: ScenarioSpec = parse(text, path)?;
        Scenario::from_spec(spec, path)
    }

    /// Validates an already parsed spec.
    pub fn from_spec(spec: ScenarioSpec, path: &Path) -> Result<Scenario, ScenarioError> {
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

/// Reads a config file (scenario, agent, experiment) as text.
pub fn read_text(path: &Path) -> Result<String, ScenarioError> {
    std::fs::read_to_string(path).map_err(|e| ScenarioError::Io {
        file: path.to_path_buf(),
        cause: e,
    })
}

/// Reads and deserialises a YAML config file, reporting the field path of any error.
pub fn read_yaml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, ScenarioError> {
    parse(&read_text(path)?, path)
}

/// Deserialises YAML into `T`, reporting the field path of any error.
pub fn parse<T: serde::de::DeserializeOwned>(text: &str, path: &Path) -> Result<T, ScenarioError> {
    let de = serde_yaml::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let field = e.path().to_string();
        ScenarioError::Parse {
            file: path.to_path_buf(),
            field: if field == "." {
                "(top level)".into()
            } else {
                field
            },
            message: e.into_inner().to_string(),
        }
    })
}
