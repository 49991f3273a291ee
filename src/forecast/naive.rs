//! The naive forecasters every other model must beat: naive (last value), seasonal naive (value one season
//! ago), moving average (mean of the last w values) and drift (line through first and last).
//!
//! Intervals follow Hyndman and Athanasopoulos (FPP3, section 5.5), with sigma estimated from the
//! in-sample one-step residuals of the method; `update` keeps that estimate running.

use crate::forecast::{
    check_update, impl_forecaster, FitStats, FittedForecaster, Forecast, ForecastError, Level,
    Series,
};
use std::collections::VecDeque;

/// Which naive method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NaiveKind {
    /// Last observed value.
    Naive,
    /// Value one season (`season` steps) earlier.
    SeasonalNaive {
        /// Season length in steps.
        season: usize,
    },
    /// Mean of the last `window` values.
    MovingAverage {
        /// Averaging window in steps.
        window: usize,
    },
    /// Last value plus the average change per step over the history.
    Drift,
}

/// An unfitted baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Naive {
    /// The method.
    pub kind: NaiveKind,
}

impl Naive {
    /// A baseline, checking season/window >= 1.
    pub fn new(kind: NaiveKind) -> Result<Self, ForecastError> {
        match kind {
            NaiveKind::SeasonalNaive { season: 0 } => Err(ForecastError::invalid(
                "season",
                0,
                "must be at least 1 step",
            )),
            NaiveKind::MovingAverage { window: 0 } => Err(ForecastError::invalid(
                "window",
                0,
                "must be at least 1 step",
            )),
            _ => Ok(Naive { kind }),
        }
    }

    /// Spec name.
    pub fn name(&self) -> &'static str {
        match self.kind {
            NaiveKind::Naive => "naive",
            NaiveKind::SeasonalNaive { .. } => "seasonal_naive",
            NaiveKind::MovingAverage { .. } => "moving_average",
            NaiveKind::Drift => "drift",
        }
    }

    /// Fewest observations (one season for seasonal naive, one window for the average).
    pub fn min_len(&self) -> usize {
        match self.kind {
            NaiveKind::Naive => 1,
            NaiveKind::SeasonalNaive { season } => season,
            NaiveKind::MovingAverage { window } => window,
            NaiveKind::Drift => 2,
        }
    }

    /// Fits (stores the history the method needs and the residual variance).
    pub fn fit(&self, series: &Series) -> Result<FittedNaive, ForecastError> {
        let y = series.values();
        if y.len() < self.min_len() {
            return Err(ForecastError::too_short(
                self.name(),
                self.min_len(),
                y.len(),
                "one full season / window of history",
            ));
        }
        let keep = match self.kind {
            NaiveKind::SeasonalNaive { season } => season,
            NaiveKind::MovingAverage { window } => window,
            _ => 1,
        };
        let mut f = FittedNaive {
            kind: self.kind,
            recent: VecDeque::with_capacity(keep + 1),
            keep,
            first: y[0],
            n: 0,
            sum: 0.0,
            sse: 0.0,
            n_resid: 0,
        };
        for &v in y {
            f.push(v);
        }
        Ok(f)
    }
}

impl_forecaster!(Naive);

/// A fitted baseline: the recent history it forecasts from.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedNaive {
    kind: NaiveKind,
    recent: VecDeque<f64>,
    keep: usize,
    first: f64,
    n: usize,
    sum: f64,
    sse: f64,
    n_resid: usize,
}

impl FittedNaive {
    fn one_step(&self) -> Option<f64> {
        if self.recent.len() < self.keep {
            return None;
        }
        let last = *self.recent.back()?;
        Some(match self.kind {
            NaiveKind::Naive => last,
            NaiveKind::SeasonalNaive { .. } => *self.recent.front()?,
            NaiveKind::MovingAverage { window } => self.sum / window as f64,
            NaiveKind::Drift => {
                if self.n < 2 {
                    last
                } else {
                    last + (last - self.first) / (self.n - 1) as f64
                }
            }
        })
    }

    fn push(&mut self, y: f64) {
        if let Some(p) = self.one_step() {
            self.sse += (y - p) * (y - p);
            self.n_resid += 1;
        }
        self.recent.push_back(y);
        self.sum += y;
        if self.recent.len() > self.keep {
            if let Some(old) = self.recent.pop_front() {
                self.sum -= old;
            }
        }
        self.n += 1;
    }

    fn sigma(&self) -> f64 {
        if self.n_resid == 0 {
            0.0
        } else {
            (self.sse / self.n_resid as f64).sqrt()
        }
    }
}

impl FittedForecaster for FittedNaive {
    fn describe(&self) -> String {
        match self.kind {
            NaiveKind::Naive => "naive".into(),
            NaiveKind::SeasonalNaive { season } => format!("seasonal_naive[{season}]"),
            NaiveKind::MovingAverage { window } => format!("moving_average[{window}]"),
            NaiveKind::Drift => "drift".into(),
        }
    }

    fn predict(&self, horizon: usize, level: Option<Level>) -> Forecast {
        let last = self.recent.back().copied().unwrap_or(0.0);
        let s = self.sigma();
        let (mean, sd): (Vec<f64>, Vec<f64>) = (1..=horizon)
            .map(|h| {
                let hf = h as f64;
                match self.kind {
                    NaiveKind::Naive => (last, s * hf.sqrt()),
                    NaiveKind::SeasonalNaive { season } => {
                        let k = (h - 1) / season;
                        let idx = (h - 1) % season;
                        let v = self.recent.get(idx).copied().unwrap_or(last);
                        (v, s * ((k + 1) as f64).sqrt())
                    }
                    NaiveKind::MovingAverage { window } => (
                        self.sum / window as f64,
                        s * (1.0 + 1.0 / window as f64).sqrt(),
                    ),
                    NaiveKind::Drift => {
                        let t = (self.n.max(2) - 1) as f64;
                        let slope = (last - self.first) / t;
                        (last + hf * slope, s * (hf * (1.0 + hf / t)).sqrt())
                    }
                }
            })
            .unzip();
        Forecast::gaussian(mean, &sd, level)
    }

    fn update(&mut self, y: f64) -> Result<(), ForecastError> {
        check_update(y)?;
        self.push(y);
        Ok(())
    }

    fn params(&self) -> Vec<(String, f64)> {
        match self.kind {
            NaiveKind::SeasonalNaive { season } => vec![("season".into(), season as f64)],
            NaiveKind::MovingAverage { window } => vec![("window".into(), window as f64)],
            NaiveKind::Drift => {
                let last = self.recent.back().copied().unwrap_or(0.0);
                vec![(
                    "drift".into(),
                    (last - self.first) / (self.n.max(2) - 1) as f64,
                )]
            }
            NaiveKind::Naive => vec![],
        }
    }

    fn fit_stats(&self) -> FitStats {
        FitStats {
            n: self.n_resid,
            sse: Some(self.sse),
            sigma2: Some(self.sigma().powi(2)),
            ..FitStats::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seasonal_naive_repeats_last_season() {
        let s = Series::new((0..10).map(|v| v as f64).collect()).unwrap();
        let f = Naive::new(NaiveKind::SeasonalNaive { season: 3 })
            .unwrap()
            .fit(&s)
            .unwrap();
        assert_eq!(f.predict(5, None).mean, vec![7.0, 8.0, 9.0, 7.0, 8.0]);
    }

    #[test]
    fn drift_and_update() {
        let s = Series::new(vec![1.0, 2.0, 3.0]).unwrap();
        let mut f = Naive::new(NaiveKind::Drift).unwrap().fit(&s).unwrap();
        assert_eq!(f.predict(2, None).mean, vec![4.0, 5.0]);
        f.update(5.0).unwrap();
        assert!((f.predict(1, None).mean[0] - (5.0 + 4.0 / 3.0)).abs() < 1e-12);
        assert!(f.update(f64::NAN).is_err());
    }
}
