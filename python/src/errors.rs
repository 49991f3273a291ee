//! Rust errors as Python exceptions. Nothing crosses the FFI boundary as a panic: every fallible
//! call returns `PyResult`, and these conversions keep the Rust message (which names the file, the
//! field and the value) as the exception text.
//!
//! | Rust | Python |
//! |---|---|
//! | `ConfigError::Io` (file missing) | `FileNotFoundError` |
//! | `ConfigError::Io` (other) | `OSError` |
//! | `ConfigError::Parse`, `ConfigError::Invalid` | `ValueError` |
//! | `EnvError::NeedsReset` | `RuntimeError` (call `reset` first) |
//! | `EnvError::InvalidAction`, `Vector`, `ConfigMismatch`, `RenderMode` | `ValueError` |

use pyo3::exceptions::{PyFileNotFoundError, PyOSError, PyRuntimeError, PyValueError};
use pyo3::PyErr;
use shopgym::env::EnvError;
use shopgym::io::ConfigError;

/// A scenario (or `env_options`) error as the matching Python exception.
pub fn scenario_err(e: ConfigError) -> PyErr {
    let msg = e.to_string();
    match e {
        ConfigError::Io { cause, .. } if cause.kind() == std::io::ErrorKind::NotFound => {
            PyFileNotFoundError::new_err(msg)
        }
        ConfigError::Io { .. } => PyOSError::new_err(msg),
        ConfigError::Parse { .. } | ConfigError::Invalid { .. } => PyValueError::new_err(msg),
    }
}

/// A refused env call as the matching Python exception.
pub fn env_err(e: EnvError) -> PyErr {
    match e {
        EnvError::NeedsReset => PyRuntimeError::new_err(e.to_string()),
        _ => PyValueError::new_err(e.to_string()),
    }
}
