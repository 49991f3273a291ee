//! Traffic forecasting: classical models behind one trait, rolling-origin backtesting, and the
//! online wrapper the RL environment uses to turn observed request counts into forecast features.
//!
//! # Central traits
//! * [`Forecaster`]: an *unfitted* model (a configuration). `fit(&series)` returns a
//!   [`FittedForecaster`]; prediction is only possible on the fitted type, so predict-before-fit
//!   does not compile. Every concrete model also has an inherent, typed `fit` returning its own
//!   fitted type (`HoltWinters::fit -> FittedEts`) for callers that know the model statically.
//! * [`FittedForecaster`]: `predict(h, level)` for the next `h` steps with optional prediction
//!   intervals, `update(y)` to absorb one new observation without refitting (O(1) to O(r^2) per
//!   step), `params()` and `fit_stats()` for reporting.
//! * [`online::OnlineForecaster`]: what the environment holds per request class: owns a
//!   `Box<dyn Forecaster>`, the recent history, and a refit policy (refit every N updates).
//!
//! Neural models ([`neural`]: LSTM, Transformer on libtorch, `--features tch`) implement the same
//! two traits.

pub mod arima;
pub mod backtest;
pub mod decompose;
pub mod direct;
mod error;
pub mod ets;
pub mod io;
pub mod metrics;
pub mod naive;
pub mod neural;
pub mod online;
pub mod optim;
pub mod ridge;
pub mod series;
pub mod spec;
pub mod transform;

pub use error::ForecastError;
pub use series::{Calendar, Exog, Series};
pub use spec::{ForecastConfig, ForecasterSpec};

use std::fmt::Debug;

/// Coverage probability of a prediction interval, validated to lie strictly in (0, 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Level(f64);

impl Level {
    /// A level such as 0.95 (a 95 % interval). Values outside (0, 1) are rejected.
    pub fn new(level: f64) -> Result<Self, ForecastError> {
        if level.is_finite() && level > 0.0 && level < 1.0 {
            Ok(Level(level))
        } else {
            Err(ForecastError::invalid(
                "level",
                level,
                "must be strictly between 0 and 1 (e.g. 0.95)",
            ))
        }
    }

    /// The probability.
    pub fn value(self) -> f64 {
        self.0
    }

    /// Two-sided standard normal quantile z with P(|Z| <= z) = level.
    pub fn z(self) -> f64 {
        normal_quantile(0.5 + self.0 / 2.0)
    }
}

/// Lower and upper bounds of a prediction interval, one per forecast step.
#[derive(Debug, Clone, PartialEq)]
pub struct Intervals {
    /// Nominal coverage.
    pub level: f64,
    /// Lower bound per step (same units as the series).
    pub lower: Vec<f64>,
    /// Upper bound per step.
    pub upper: Vec<f64>,
}

/// Point forecasts for steps 1..=h after the last observation, with optional intervals.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    /// Point forecast per step (same units as the series; the median after a log/Box-Cox transform).
    pub mean: Vec<f64>,
    /// Prediction intervals, when a level was asked for.
    pub intervals: Option<Intervals>,
}

impl Forecast {
    /// Builds a forecast with symmetric Gaussian intervals `mean +- z * sd`.
    pub fn gaussian(mean: Vec<f64>, sd: &[f64], level: Option<Level>) -> Forecast {
        let intervals = level.map(|l| {
            let z = l.z();
            Intervals {
                level: l.value(),
                lower: mean.iter().zip(sd).map(|(m, s)| m - z * s).collect(),
                upper: mean.iter().zip(sd).map(|(m, s)| m + z * s).collect(),
            }
        });
        Forecast { mean, intervals }
    }
}

/// In-sample fit statistics. Fields that do not apply to a model are `None`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FitStats {
    /// Observations the statistics are computed on (after differencing/lags where relevant).
    pub n: usize,
    /// Sum of squared one-step in-sample errors (series units squared, transformed scale).
    pub sse: Option<f64>,
    /// Gaussian log-likelihood (exact for ARIMA ML; concentrated `-n/2 (ln(2 pi SSE/n) + 1)` otherwise).
    pub loglik: Option<f64>,
    /// Akaike information criterion. For exponential smoothing, statsmodels' `n ln(SSE/n) + 2k`.
    pub aic: Option<f64>,
    /// Small-sample corrected AIC.
    pub aicc: Option<f64>,
    /// Innovation variance estimate.
    pub sigma2: Option<f64>,
}

/// An unfitted forecasting model: a validated configuration that can be fitted to a series.
pub trait Forecaster: Send + Sync + Debug {
    /// Model name as used in specs and on the command line (`holt_winters_add`, ...).
    fn name(&self) -> &'static str;
    /// Fewest observations `fit` accepts.
    fn min_len(&self) -> usize;
    /// Fits to the series. Errors (never panics) on a series too short or otherwise unusable.
    fn fit(&self, series: &Series) -> Result<Box<dyn FittedForecaster>, ForecastError>;
}

/// A fitted model that forecasts from the end of its history and can absorb new observations.
pub trait FittedForecaster: Send + Sync + Debug {
    /// A description of the fitted model, e.g. `ARIMA(0,1,1)(0,1,1)[12]`.
    fn describe(&self) -> String;
    /// Forecasts for the next `horizon` steps; intervals when `level` is given.
    fn predict(&self, horizon: usize, level: Option<Level>) -> Forecast;
    /// Absorbs the observation of the next step, keeping parameters fixed. Rejects non-finite values.
    fn update(&mut self, y: f64) -> Result<(), ForecastError>;
    /// Fitted parameters by name (statsmodels naming where there is one).
    fn params(&self) -> Vec<(String, f64)>;
    /// In-sample fit statistics.
    fn fit_stats(&self) -> FitStats;
    /// Appends known future regressor rows (promotion flags). Models without regressors ignore them.
    fn extend_exog(&mut self, _rows: &[Vec<f64>]) -> Result<(), ForecastError> {
        Ok(())
    }
}

/// Rejects a non-finite observation passed to `update`.
pub(crate) fn check_update(y: f64) -> Result<(), ForecastError> {
    if y.is_finite() {
        Ok(())
    } else {
        Err(ForecastError::NonFinite { index: 0, value: y })
    }
}

/// Implements [`Forecaster`] for a model with an inherent typed `fit`.
macro_rules! impl_forecaster {
    ($model:ty) => {
        impl $crate::forecast::Forecaster for $model {
            fn name(&self) -> &'static str {
                <$model>::name(self)
            }
            fn min_len(&self) -> usize {
                <$model>::min_len(self)
            }
            fn fit(
                &self,
                series: &$crate::forecast::Series,
            ) -> Result<Box<dyn $crate::forecast::FittedForecaster>, $crate::forecast::ForecastError>
            {
                Ok(Box::new(<$model>::fit(self, series)?))
            }
        }
    };
}
pub(crate) use impl_forecaster;

/// Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9).
/// Hand-written: a dozen lines, not worth a statistics crate dependency.
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let plow = 0.02425;
    if p < plow {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p > 1.0 - plow {
        -normal_quantile(1.0 - p)
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantile_matches_tables() {
        assert!((normal_quantile(0.975) - 1.959_963_985).abs() < 1e-8);
        assert!((normal_quantile(0.5)).abs() < 1e-12);
        assert!((normal_quantile(0.01) + 2.326_347_874).abs() < 1e-8);
    }

    #[test]
    fn level_is_validated() {
        assert!(Level::new(0.95).is_ok());
        assert!(Level::new(1.0).is_err());
        assert!(Level::new(f64::NAN).is_err());
    }
}
