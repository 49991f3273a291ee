//! Reading config files: text, then YAML into a `*Spec` type, with the field path of any error.

use std::path::Path;

use super::ConfigError;

/// Reads a config file (scenario, agent, experiment) as text.
pub fn read_text(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|e| ConfigError::Io {
        file: path.to_path_buf(),
        cause: e,
    })
}

/// Reads and deserialises a YAML config file, reporting the field path of any error.
pub fn read_yaml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, ConfigError> {
    parse_yaml(&read_text(path)?, path)
}

/// Deserialises YAML into `T`, reporting the field path of any error; `path` names the file.
pub fn parse_yaml<T: serde::de::DeserializeOwned>(
    text: &str,
    path: &Path,
) -> Result<T, ConfigError> {
    let de = serde_yaml::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| parse_error(e, path))
}

/// Deserialises an already parsed YAML value into `T`, reporting the field path of any error;
/// `path` names the file.
pub fn from_yaml_value<T: serde::de::DeserializeOwned>(
    value: serde_yaml::Value,
    path: &Path,
) -> Result<T, ConfigError> {
    serde_path_to_error::deserialize(value).map_err(|e| parse_error(e, path))
}

/// `ConfigError::Parse` naming the field path serde stopped at (`(top level)` for the root).
fn parse_error(e: serde_path_to_error::Error<serde_yaml::Error>, path: &Path) -> ConfigError {
    let field = e.path().to_string();
    ConfigError::Parse {
        file: path.to_path_buf(),
        field: if field == "." {
            "(top level)".into()
        } else {
            field
        },
        message: e.into_inner().to_string(),
    }
}
