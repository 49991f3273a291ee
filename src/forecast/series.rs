//! The input every forecaster fits on: a validated series of finite observations, optionally
//! with a [`Calendar`] (timestamp of each step, from which hour and weekday features come) and
//! [`Exog`] known regressors (for example promotion flags from a scenario), which may extend
//! past the last observation because scheduled events are known before they happen.

use super::ForecastError;
use chrono::{DateTime, Datelike, Timelike};

/// Maps step index to wall-clock time: step `i` starts at `start + i * step_secs` seconds.
///
/// Times are "naive" (whatever clock the data uses, UTC for the shipped traces); hour and
/// weekday features are read from that clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Calendar {
    /// Start of step 0, seconds since 1970-01-01 00:00:00 on the data's clock.
    pub start: i64,
    /// Length of one step in seconds (60 for per-minute counts, 3600 for hourly).
    pub step_secs: i64,
}

impl Calendar {
    /// A calendar; `step_secs` must be positive.
    pub fn new(start: i64, step_secs: i64) -> Result<Self, ForecastError> {
        if step_secs <= 0 {
            return Err(ForecastError::invalid(
                "step_secs",
                step_secs,
                "must be a positive number of seconds",
            ));
        }
        Ok(Calendar { start, step_secs })
    }

    /// Start of step `i` in seconds since the epoch (`i` may be past the history).
    pub fn timestamp(&self, i: usize) -> i64 {
        self.start + i as i64 * self.step_secs
    }

    /// Hour of day (0-23) of step `i`.
    pub fn hour(&self, i: usize) -> u32 {
        DateTime::from_timestamp(self.timestamp(i), 0)
            .map(|t| t.hour())
            .unwrap_or(0)
    }

    /// Day of week of step `i`, 0 = Monday ... 6 = Sunday.
    pub fn weekday(&self, i: usize) -> u32 {
        DateTime::from_timestamp(self.timestamp(i), 0)
            .map(|t| t.weekday().num_days_from_monday())
            .unwrap_or(0)
    }

    /// The calendar of a window starting at step `offset` of this one.
    pub fn shifted(&self, offset: usize) -> Self {
        Calendar {
            start: self.timestamp(offset),
            step_secs: self.step_secs,
        }
    }
}

/// Known regressors: `rows[i]` holds the values of every column at step `i` (counted from the
/// start of the series). Rows past the last observation are known future values (a promotion
/// scheduled for tomorrow); steps beyond the last row are taken as 0 (no event).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Exog {
    names: Vec<String>,
    rows: Vec<Vec<f64>>,
}

impl Exog {
    /// Builds the regressors, checking every row has one finite value per name.
    pub fn new(names: Vec<String>, rows: Vec<Vec<f64>>) -> Result<Self, ForecastError> {
        for (i, row) in rows.iter().enumerate() {
            if row.len() != names.len() {
                return Err(ForecastError::invalid(
                    "exog",
                    format!("row {i} with {} values", row.len()),
                    format!(
                        "every row needs {} values ({})",
                        names.len(),
                        names.join(", ")
                    ),
                ));
            }
            if let Some(v) = row.iter().find(|v| !v.is_finite()) {
                return Err(ForecastError::invalid(
                    "exog",
                    format!("row {i} value {v}"),
                    "regressors must be finite",
                ));
            }
        }
        Ok(Exog { names, rows })
    }

    /// Column names.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Number of columns.
    pub fn width(&self) -> usize {
        self.names.len()
    }

    /// Number of known rows (history plus known future).
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when no rows are known.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Value of column `j` at step `i`, 0 when the step is beyond the known rows.
    pub fn value(&self, i: usize, j: usize) -> f64 {
        self.rows
            .get(i)
            .and_then(|r| r.get(j))
            .copied()
            .unwrap_or(0.0)
    }

    /// Appends known future rows (each must have [`Exog::width`] finite values).
    pub fn extend(&mut self, rows: &[Vec<f64>]) -> Result<(), ForecastError> {
        let more = Exog::new(self.names.clone(), rows.to_vec())?;
        self.rows.extend(more.rows);
        Ok(())
    }

    /// The regressors of a window starting at step `offset` (all later rows kept).
    pub fn shifted(&self, offset: usize) -> Self {
        Exog {
            names: self.names.clone(),
            rows: self
                .rows
                .get(offset..)
                .map(<[_]>::to_vec)
                .unwrap_or_default(),
        }
    }
}

/// A non-empty series of finite observations (one per step), with optional time and regressors.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    values: Vec<f64>,
    calendar: Option<Calendar>,
    exog: Option<Exog>,
}

impl Series {
    /// Validates the values: non-empty and all finite.
    pub fn new(values: Vec<f64>) -> Result<Self, ForecastError> {
        if values.is_empty() {
            return Err(ForecastError::EmptySeries);
        }
        check_finite(&values)?;
        Ok(Series {
            values,
            calendar: None,
            exog: None,
        })
    }

    /// [`Series::new`] from a slice.
    pub fn from_slice(values: &[f64]) -> Result<Self, ForecastError> {
        Series::new(values.to_vec())
    }

    /// Attaches the timestamps of the steps.
    pub fn with_calendar(mut self, calendar: Calendar) -> Self {
        self.calendar = Some(calendar);
        self
    }

    /// Attaches known regressors; they must cover at least the observed steps.
    pub fn with_exog(mut self, exog: Exog) -> Result<Self, ForecastError> {
        if exog.len() < self.values.len() {
            return Err(ForecastError::invalid(
                "exog",
                format!("{} rows", exog.len()),
                format!(
                    "regressors must cover all {} observed steps",
                    self.values.len()
                ),
            ));
        }
        self.exog = Some(exog);
        Ok(self)
    }

    /// The observations.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Number of observations.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Always false (a `Series` is never empty), provided for clippy's sake.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The calendar, if any.
    pub fn calendar(&self) -> Option<&Calendar> {
        self.calendar.as_ref()
    }

    /// The regressors, if any.
    pub fn exog(&self) -> Option<&Exog> {
        self.exog.as_ref()
    }

    /// Observations `start..end` as a new series, with calendar and regressors shifted to match
    /// (regressor rows after `end` stay: they are the known future of the window).
    pub fn window(&self, start: usize, end: usize) -> Result<Series, ForecastError> {
        if start >= end || end > self.values.len() {
            return Err(ForecastError::invalid(
                "window",
                format!("{start}..{end}"),
                format!("must be a non-empty range within 0..{}", self.values.len()),
            ));
        }
        Ok(Series {
            values: self.values[start..end].to_vec(),
            calendar: self.calendar.map(|c| c.shifted(start)),
            exog: self.exog.as_ref().map(|e| e.shifted(start)),
        })
    }

    /// Replaces the values (same length), keeping calendar and regressors. Used by transforms.
    pub fn with_values(&self, values: Vec<f64>) -> Result<Series, ForecastError> {
        if values.len() != self.values.len() {
            return Err(ForecastError::invalid(
                "values",
                values.len(),
                format!("must have the series length {}", self.values.len()),
            ));
        }
        check_finite(&values)?;
        Ok(Series {
            values,
            calendar: self.calendar,
            exog: self.exog.clone(),
        })
    }
}

/// Errors on the first non-finite value.
pub fn check_finite(values: &[f64]) -> Result<(), ForecastError> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(ForecastError::NonFinite {
            index,
            value: values[index],
        }),
        None => Ok(()),
    }
}
