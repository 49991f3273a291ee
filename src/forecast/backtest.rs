//! Rolling-origin evaluation ("time-series cross-validation", FPP3 section 5.10).
//!
//! For each origin o (a step index), the model is fitted on `y[o - W .. o]` (W = training
//! window, or everything before o), forecasts `y[o .. o + H]`, and every horizon k = 1..=H is
//! scored across origins. With `refit_every = r > 1` the model is refitted only at every r-th
//! origin and absorbs the observations in between with `update`, exactly as the environment
//! uses it. Origins that refit independently run in parallel (rayon).

use super::metrics::{mase_scale, Accumulator, Metrics};
use super::{FittedForecaster, ForecastError, Forecaster, Level, Series};
use rayon::prelude::*;

/// Backtest settings.
#[derive(Debug, Clone, PartialEq)]
pub struct BacktestConfig {
    /// Forecast horizon H in steps.
    pub horizon: usize,
    /// Number of origins.
    pub origins: usize,
    /// Steps between consecutive origins (the last origin is `n - H`).
    pub step: usize,
    /// Training window W in steps (`None`: all history before the origin).
    pub train_window: Option<usize>,
    /// Refit at every `refit_every`-th origin, `update` in between (1 = always refit).
    pub refit_every: usize,
    /// Interval level for coverage (`None`: no intervals).
    pub level: Option<Level>,
    /// Season for the MASE scale (1 = naive).
    pub mase_season: usize,
}

/// Metrics per horizon.
#[derive(Debug, Clone, PartialEq)]
pub struct BacktestResult {
    /// `per_horizon[k - 1]` = metrics at k steps ahead.
    pub per_horizon: Vec<Metrics>,
    /// Origins actually evaluated.
    pub origins: Vec<usize>,
    /// Model fits performed.
    pub fits: usize,
}

impl BacktestResult {
    /// Metrics at `k` steps ahead (1-based).
    pub fn at(&self, k: usize) -> Option<&Metrics> {
        k.checked_sub(1).and_then(|i| self.per_horizon.get(i))
    }
}

impl BacktestConfig {
    /// The origins for a series of length `n`, oldest first.
    pub fn origin_list(&self, n: usize) -> Vec<usize> {
        let last = match n.checked_sub(self.horizon) {
            Some(v) => v,
            None => return vec![],
        };
        (0..self.origins)
            .filter_map(|i| last.checked_sub(i * self.step))
            .rev()
            .collect()
    }
}

fn score(
    acc: &mut [Accumulator],
    fitted: &dyn FittedForecaster,
    y: &[f64],
    o: usize,
    cfg: &BacktestConfig,
    scale: f64,
) {
    let fc = fitted.predict(cfg.horizon, cfg.level);
    for k in 0..cfg.horizon {
        let iv = fc.intervals.as_ref().map(|i| (i.lower[k], i.upper[k]));
        acc[k].add(y[o + k], fc.mean[k], scale, iv);
    }
}

/// Runs the backtest. Errors if no origin has enough history for the model.
pub fn rolling_origin(
    model: &dyn Forecaster,
    series: &Series,
    cfg: &BacktestConfig,
) -> Result<BacktestResult, ForecastError> {
    if cfg.horizon == 0 || cfg.origins == 0 || cfg.step == 0 || cfg.refit_every == 0 {
        return Err(ForecastError::invalid(
            "backtest",
            format!(
                "horizon {}, origins {}, step {}, refit_every {}",
                cfg.horizon, cfg.origins, cfg.step, cfg.refit_every
            ),
            "all must be at least 1",
        ));
    }
    let y = series.values();
    let min = model.min_len();
    if let Some(w) = cfg.train_window {
        if w < min {
            return Err(ForecastError::invalid(
                "train_window",
                w,
                format!("{} needs at least {min} observations", model.name()),
            ));
        }
    }
    let origins: Vec<usize> = cfg
        .origin_list(y.len())
        .into_iter()
        .filter(|&o| o >= min)
        .collect();
    if origins.is_empty() {
        return Err(ForecastError::too_short(
            model.name(),
            min + cfg.horizon,
            y.len(),
            "training history before the first origin plus the horizon",
        ));
    }
    let start_of = |o: usize| cfg.train_window.map_or(0, |w| o.saturating_sub(w));
    let h = cfg.horizon;
    let groups: Vec<&[usize]> = origins.chunks(cfg.refit_every).collect();
    let results: Vec<Result<(Vec<Accumulator>, usize), ForecastError>> = groups
        .par_iter()
        .map(|group| {
            let mut acc = vec![Accumulator::default(); h];
            let first = group[0];
            let s0 = start_of(first);
            let mut fitted = model.fit(&series.window(s0, first)?)?;
            let mut pos = first;
            for &o in group.iter() {
                while pos < o {
                    fitted.update(y[pos])?;
                    pos += 1;
                }
                let scale = mase_scale(&y[start_of(o)..o], cfg.mase_season);
                score(&mut acc, fitted.as_ref(), y, o, cfg, scale);
            }
            Ok((acc, 1))
        })
        .collect();
    let mut total = vec![Accumulator::default(); h];
    let mut fits = 0;
    for r in results {
        let (acc, f) = r?;
        fits += f;
        for (t, a) in total.iter_mut().zip(&acc) {
            t.merge(a);
        }
    }
    Ok(BacktestResult {
        per_horizon: total.iter().map(Accumulator::metrics).collect(),
        origins,
        fits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::naive::{Naive, NaiveKind};

    #[test]
    fn naive_on_a_line_has_error_k() {
        let s = Series::new((0..100).map(|v| v as f64).collect()).unwrap();
        let cfg = BacktestConfig {
            horizon: 3,
            origins: 5,
            step: 2,
            train_window: Some(20),
            refit_every: 2,
            level: None,
            mase_season: 1,
        };
        let r = rolling_origin(&Naive::new(NaiveKind::Naive).unwrap(), &s, &cfg).unwrap();
        assert_eq!(r.origins, vec![89, 91, 93, 95, 97]);
        assert_eq!(r.fits, 3);
        for k in 1..=3 {
            let m = r.at(k).unwrap();
            assert!((m.mae - k as f64).abs() < 1e-12);
            assert!((m.mase.unwrap() - k as f64).abs() < 1e-12);
        }
    }
}
