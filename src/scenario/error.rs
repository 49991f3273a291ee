//! Scenario errors: every one names the file, the field path and the offending value.

use std::path::PathBuf;

/// Why a scenario could not be loaded. None of these is recoverable for that file: fix the file.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file (or a trace it names) could not be read.
    #[error("{file}: cannot read: {cause}")]
    Io {
        file: PathBuf,
        /// Shown in the message (not chained, so it is printed once).
        cause: std::io::Error,
    },
    /// YAML syntax, an unknown field, or a wrong type (the path says where).
    #[error("{file}: field `{field}`: {message}")]
    Parse {
        file: PathBuf,
        field: String,
        message: String,
    },
    /// A well-formed value that is not allowed.
    #[error("{file}: field `{field}` = {value}: {message}")]
    Invalid {
        file: PathBuf,
        field: String,
        value: String,
        message: String,
    },
}

/// Collects the context (file) so validation code can just name field, value and message.
pub(crate) struct Ctx<'a> {
    pub file: &'a std::path::Path,
}

impl Ctx<'_> {
    pub fn invalid(
        &self,
        field: impl Into<String>,
        value: impl std::fmt::Display,
        message: impl Into<String>,
    ) -> ScenarioError {
        ScenarioError::Invalid {
            file: self.file.to_path_buf(),
            field: field.into(),
            value: value.to_string(),
            message: message.into(),
        }
    }
}
