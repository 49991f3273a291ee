//! Rust errors as Python exceptions. Nothing crosses the FFI boundary as a panic: every fallible
//! call returns `PyResult`, and these conversions keep the Rust message (which names the file, the
//! field and the value) as the exception text.
//!
//! | Rust | Python |
//! |---|---|
//! | `ScenarioError::Io` (file missing) | `FileNotFoundError` |
//! | `ScenarioError::Io` (other) | `OSError` |
//! | `ScenarioError::Parse`, `ScenarioError::Invalid` | `ValueError` |
//! | `EnvError::NeedsReset` | `RuntimeError` (call `reset` first) |
//! | `EnvError::InvalidAction`, `Vector`, `ConfigMismatch` | `ValueError` |

use pyo3::exceptions::{PyFileNotFoundError, PyOSError, PyRuntimeError, PyValueError};
use pyo3::PyErr;
use shopgym::env::EnvError;
use shopgym::scenario::ScenarioError;

/// A scenario (or `env_options`) error as the matching Python exception.
pub fn scenario_err(e: ScenarioError) -> PyErr {
    let msg = e.to_string();
    match e {
        ScenarioError::Io { cause, .. } if cause.kind() == std::io::ErrorKind::NotFound => {
            PyFileNotFoundError::new_err(msg)
        }
        ScenarioError::Io { .. } => PyOSError::new_err(msg),
        ScenarioError::Parse { .. } | ScenarioError::Invalid { .. } => PyValueError::new_err(msg),
    }
}

/// A refused env call as the matching Python exception.
pub fn env_err(e: EnvError) -> PyErr {
    match e {
        EnvError::NeedsReset => PyRuntimeError::new_err(e.to_string()),
        _ => PyValueError::new_err(e.to_string()),
    }
}
