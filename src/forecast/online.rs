//! The forecaster the environment holds for one request class: it owns the unfitted model, the
//! recent history and a refit policy. Each decision interval the env calls
//! [`OnlineForecaster::observe`] with the new count and [`OnlineForecaster::predict`] for the
//! next H intervals.
//!
//! Until the history reaches the model's minimum length (or if fitting fails), forecasts fall
//! back to persistence (the last value, or 0 before any observation), so observation features are
//! always defined; [`OnlineForecaster::is_fitted`] tells which is in use.

use super::{Calendar, Exog, FittedForecaster, Forecast, ForecastError, Forecaster, Level, Series};
use std::collections::VecDeque;
use std::sync::Arc;

/// When to refit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefitPolicy {
    /// Refit after this many observations since the last fit (`None`: fit once, then only update).
    pub refit_every: Option<usize>,
    /// Keep (and fit on) at most this many recent observations (`None`: keep all).
    pub window: Option<usize>,
}

/// A model kept current with the observed series.
#[derive(Debug)]
pub struct OnlineForecaster {
    model: Arc<dyn Forecaster>,
    policy: RefitPolicy,
    history: VecDeque<f64>,
    /// Steps dropped from the front of `history` (so calendar/exog stay aligned).
    dropped: usize,
    calendar: Option<Calendar>,
    exog: Option<Exog>,
    fitted: Option<Box<dyn FittedForecaster>>,
    since_fit: usize,
    last_error: Option<ForecastError>,
}

impl OnlineForecaster {
    /// A forecaster with no history yet. `calendar` gives the time of step 0; `exog` the known
    /// regressors from step 0 (may be extended later with [`OnlineForecaster::extend_exog`]).
    pub fn new(
        model: Arc<dyn Forecaster>,
        policy: RefitPolicy,
        calendar: Option<Calendar>,
        exog: Option<Exog>,
    ) -> Self {
        OnlineForecaster {
            model,
            policy,
            history: VecDeque::new(),
            dropped: 0,
            calendar,
            exog,
            fitted: None,
            since_fit: 0,
            last_error: None,
        }
    }

    /// Name of the underlying model.
    pub fn model_name(&self) -> &'static str {
        self.model.name()
    }

    /// True once a fitted model is in use.
    pub fn is_fitted(&self) -> bool {
        self.fitted.is_some()
    }

    /// The fitted model, if any.
    pub fn fitted(&self) -> Option<&dyn FittedForecaster> {
        self.fitted.as_deref()
    }

    /// The error of the last failed fit, if the latest attempt failed.
    pub fn last_error(&self) -> Option<&ForecastError> {
        self.last_error.as_ref()
    }

    /// Appends known future regressor rows (e.g. the promotion schedule of the next day).
    pub fn extend_exog(&mut self, rows: &[Vec<f64>]) -> Result<(), ForecastError> {
        if let Some(e) = &mut self.exog {
            e.extend(rows)?;
        }
        if let Some(f) = &mut self.fitted {
            f.extend_exog(rows)?;
        }
        Ok(())
    }

    /// Records the observation of the next step: updates the fitted model, and refits when the
    /// policy says so (or for the first time once the history is long enough). A failed refit
    /// keeps the previous model and is reported by [`OnlineForecaster::last_error`]. Only a
    /// non-finite `y` is an error.
    pub fn observe(&mut self, y: f64) -> Result<(), ForecastError> {
        super::check_update(y)?;
        self.history.push_back(y);
        if let Some(w) = self.policy.window {
            while self.history.len() > w.max(1) {
                self.history.pop_front();
                self.dropped += 1;
            }
        }
        let mut update_failed = false;
        if let Some(f) = &mut self.fitted {
            update_failed = f.update(y).is_err();
            self.since_fit += 1;
        }
        let due = match (&self.fitted, self.policy.refit_every) {
            (None, _) => self.history.len() >= self.model.min_len(),
            (Some(_), Some(r)) => self.since_fit >= r,
            (Some(_), None) => false,
        };
        if due || update_failed {
            self.refit();
        }
        Ok(())
    }

    /// Refits now on the kept history.
    pub fn refit(&mut self) {
        let values: Vec<f64> = self.history.iter().copied().collect();
        let series = Series::new(values).map(|s| {
            let s = match self.calendar {
                Some(c) => s.with_calendar(c.shifted(self.dropped)),
                None => s,
            };
            match &self.exog {
                Some(e) => s.clone().with_exog(e.shifted(self.dropped)).unwrap_or(s),
                None => s,
            }
        });
        match series.and_then(|s| self.model.fit(&s)) {
            Ok(f) => {
                self.fitted = Some(f);
                self.since_fit = 0;
                self.last_error = None;
            }
            Err(e) => self.last_error = Some(e),
        }
    }

    /// Forecast of the next `horizon` steps (persistence until a model is fitted).
    pub fn predict(&self, horizon: usize, level: Option<Level>) -> Forecast {
        match &self.fitted {
            Some(f) => f.predict(horizon, level),
            None => {
                let last = self.history.back().copied().unwrap_or(0.0);
                Forecast::gaussian(vec![last; horizon], &vec![0.0; horizon], level)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::ets::ExponentialSmoothing;

    #[test]
    fn falls_back_then_fits_and_refits() {
        let model: Arc<dyn Forecaster> = Arc::new(ExponentialSmoothing::holt(false));
        let mut o = OnlineForecaster::new(
            model,
            RefitPolicy {
                refit_every: Some(10),
                window: Some(50),
            },
            None,
            None,
        );
        assert_eq!(o.predict(2, None).mean, vec![0.0, 0.0]);
        o.observe(3.0).unwrap();
        assert!(!o.is_fitted());
        for t in 1..40 {
            o.observe(3.0 + 2.0 * t as f64).unwrap();
        }
        assert!(o.is_fitted());
        let f = o.predict(1, None).mean[0];
        assert!((f - 83.0).abs() < 0.5, "{f}");
        assert!(o.observe(f64::NAN).is_err());
    }
}
