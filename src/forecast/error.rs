//! The one error type of the forecasting module. Every variant names what was wrong and, where
//! there is one, the offending field and value, so that CLI and env users can fix their input
//! without reading the code.

use thiserror::Error;

/// Everything that can go wrong while validating, fitting or backtesting a forecaster.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ForecastError {
    /// The series holds no observations at all.
    #[error("the series is empty")]
    EmptySeries,
    /// An observation is NaN or infinite (`index` is 0-based from the start of the series).
    #[error("value at index {index} is not a finite number ({value})")]
    NonFinite {
        /// 0-based position of the bad value.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// The series is shorter than the model needs (for example fewer than two full seasons).
    #[error("{model} needs at least {needed} observations ({why}), but the series has {got}")]
    TooShort {
        /// Model name, as in the spec (`holt_winters_add`, ...).
        model: String,
        /// Minimum number of observations.
        needed: usize,
        /// Number of observations supplied.
        got: usize,
        /// Why this many are needed.
        why: String,
    },
    /// A configuration field has a value outside its domain.
    #[error("invalid `{field}` = {value}: {reason}")]
    InvalidParameter {
        /// Field name as written in YAML or on the command line.
        field: String,
        /// The value as given.
        value: String,
        /// What the value must satisfy.
        reason: String,
    },
    /// A transform was applied to a value outside its domain (log or Box-Cox of a value <= 0).
    #[error("the {transform} transform needs positive values, but the value at index {index} is {value}")]
    TransformDomain {
        /// `log` or `boxcox`.
        transform: &'static str,
        /// 0-based position of the bad value.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// Reading a CSV (or other input) failed: missing column, non-numeric cell, bad timestamp.
    #[error("{source_name}: {message}")]
    Input {
        /// File path or other description of the input.
        source_name: String,
        /// What was wrong, with row and column where known.
        message: String,
    },
    /// A YAML forecaster spec could not be parsed (unknown model, unknown field, wrong type).
    #[error("forecast spec: {0}")]
    Spec(String),
    /// The optimiser or a numerical step failed while fitting.
    #[error("fitting {model} failed: {reason}")]
    FitFailed {
        /// Model name.
        model: String,
        /// What failed.
        reason: String,
    },
}

impl ForecastError {
    /// Shorthand for [`ForecastError::InvalidParameter`].
    pub fn invalid(field: &str, value: impl ToString, reason: impl Into<String>) -> Self {
        ForecastError::InvalidParameter {
            field: field.to_string(),
            value: value.to_string(),
            reason: reason.into(),
        }
    }

    /// Shorthand for [`ForecastError::TooShort`].
    pub fn too_short(model: &str, needed: usize, got: usize, why: impl Into<String>) -> Self {
        ForecastError::TooShort {
            model: model.to_string(),
            needed,
            got,
            why: why.into(),
        }
    }

    /// Shorthand for [`ForecastError::FitFailed`].
    pub fn fit_failed(model: &str, reason: impl Into<String>) -> Self {
        ForecastError::FitFailed {
            model: model.to_string(),
            reason: reason.into(),
        }
    }
}
