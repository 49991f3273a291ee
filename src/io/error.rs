//! Errors of the bottom floor. `ConfigError`: a config file (scenario, agent, experiment, trace)
//! that cannot be used, always naming the file, the field path and the offending value.
//! `FileError`: a file the library could not read or write (the operation and path, with the
//! OS error as its source).

use std::path::{Path, PathBuf};

/// Why a config file could not be loaded. None of these is recoverable for that file: fix the
/// file (or the path given) and load it again.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
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

/// The file being validated, so validation code names just field, value and message.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    pub file: &'a Path,
}

impl Ctx<'_> {
    /// `ConfigError::Invalid` for `field` = `value` in this file.
    pub fn invalid(
        &self,
        field: impl Into<String>,
        value: impl std::fmt::Display,
        message: impl Into<String>,
    ) -> ConfigError {
        ConfigError::Invalid {
            file: self.file.to_path_buf(),
            field: field.into(),
            value: value.to_string(),
            message: message.into(),
        }
    }

    /// Checks that `v` is finite and within `[lo, hi]`.
    pub fn check_range(&self, field: &str, v: f64, lo: f64, hi: f64) -> Result<(), ConfigError> {
        if v.is_finite() && v >= lo && v <= hi {
            Ok(())
        } else {
            Err(self.invalid(field, v, format!("must be in [{lo}, {hi}]")))
        }
    }
}

/// A file operation that failed: `"{op} {path}"`, caused by the OS error (`source`). The caller
/// can go on (nothing was left half-written: see `atomic_write`), but the result was not saved
/// or read.
#[derive(Debug, thiserror::Error)]
#[error("{op} {}", path.display())]
pub struct FileError {
    /// What was being done (`writing`, `reading`, `creating`, `renaming X to`).
    pub op: String,
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

impl FileError {
    /// A closure turning an `io::Error` of `op` on `path` into a `FileError`, for `map_err`.
    pub fn at(op: impl Into<String>, path: &Path) -> impl FnOnce(std::io::Error) -> FileError {
        let (op, path) = (op.into(), path.to_path_buf());
        move |source| FileError { op, path, source }
    }
}
