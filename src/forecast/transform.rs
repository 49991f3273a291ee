//! Variance-stabilising transforms wrapped around any forecaster: the model is fitted on
//! `log(y)` or the Box-Cox transform `(y^lambda - 1) / lambda`, and forecasts and interval bounds
//! are transformed back (so the point forecast is the median on the original scale).
//! With no lambda given, Box-Cox picks lambda in [-1, 2] maximising the profile normal
//! log-likelihood `-n/2 ln var(z) + (lambda - 1) sum ln y` (Brent's method via `argmin`).

use super::optim::brent;
use super::{
    FitStats, FittedForecaster, Forecast, ForecastError, Forecaster, Intervals, Level, Series,
};
use std::sync::Arc;

/// Which transform.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Transform {
    /// Natural logarithm (Box-Cox with lambda = 0).
    Log,
    /// Box-Cox with the given lambda, or estimated at fit time when `None`.
    BoxCox(Option<f64>),
}

/// `(y^lambda - 1) / lambda`, `ln y` at lambda = 0. `y` must be positive.
pub fn boxcox(y: f64, lambda: f64) -> f64 {
    if lambda.abs() < 1e-12 {
        y.ln()
    } else {
        (y.powf(lambda) - 1.0) / lambda
    }
}

/// Inverse Box-Cox; values below the transform's range map to 0.
pub fn inv_boxcox(z: f64, lambda: f64) -> f64 {
    if lambda.abs() < 1e-12 {
        z.exp()
    } else {
        let b = lambda * z + 1.0;
        if b <= 0.0 {
            0.0
        } else {
            b.powf(1.0 / lambda)
        }
    }
}

/// Box-Cox lambda maximising the profile normal log-likelihood on [-1, 2].
pub fn estimate_lambda(y: &[f64]) -> Result<f64, ForecastError> {
    let n = y.len() as f64;
    let sum_log: f64 = y.iter().map(|v| v.ln()).sum();
    let nll = |lam: f64| {
        let z: Vec<f64> = y.iter().map(|v| boxcox(*v, lam)).collect();
        let m = z.iter().sum::<f64>() / n;
        let var = z.iter().map(|v| (v - m).powi(2)).sum::<f64>() / n;
        n / 2.0 * var.ln() - (lam - 1.0) * sum_log
    };
    Ok(brent(&nll, -1.0, 2.0, "boxcox")?.0)
}

/// A forecaster fitted on the transformed series.
#[derive(Debug, Clone)]
pub struct Transformed {
    /// The wrapped model.
    pub inner: Arc<dyn Forecaster>,
    /// The transform.
    pub transform: Transform,
}

impl Forecaster for Transformed {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    fn min_len(&self) -> usize {
        self.inner.min_len()
    }

    fn fit(&self, series: &Series) -> Result<Box<dyn FittedForecaster>, ForecastError> {
        let tname = match self.transform {
            Transform::Log => "log",
            Transform::BoxCox(_) => "boxcox",
        };
        let y = series.values();
        if let Some(index) = y.iter().position(|v| *v <= 0.0) {
            return Err(ForecastError::TransformDomain {
                transform: tname,
                index,
                value: y[index],
            });
        }
        let lambda = match self.transform {
            Transform::Log => 0.0,
            Transform::BoxCox(Some(l)) => l,
            Transform::BoxCox(None) => estimate_lambda(y)?,
        };
        let z: Vec<f64> = y.iter().map(|v| boxcox(*v, lambda)).collect();
        let inner = self.inner.fit(&series.with_values(z)?)?;
        Ok(Box::new(FittedTransformed {
            inner,
            lambda,
            tname,
        }))
    }
}

/// A fitted model on the transformed scale.
#[derive(Debug)]
pub struct FittedTransformed {
    inner: Box<dyn FittedForecaster>,
    lambda: f64,
    tname: &'static str,
}

impl FittedForecaster for FittedTransformed {
    fn describe(&self) -> String {
        format!("{} on {}(y)", self.inner.describe(), self.tname)
    }

    fn predict(&self, horizon: usize, level: Option<Level>) -> Forecast {
        let f = self.inner.predict(horizon, level);
        let back = |v: &[f64]| v.iter().map(|z| inv_boxcox(*z, self.lambda)).collect();
        Forecast {
            mean: back(&f.mean),
            intervals: f.intervals.map(|i| Intervals {
                level: i.level,
                lower: back(&i.lower),
                upper: back(&i.upper),
            }),
        }
    }

    fn update(&mut self, y: f64) -> Result<(), ForecastError> {
        if !(y.is_finite() && y > 0.0) {
            return Err(ForecastError::TransformDomain {
                transform: self.tname,
                index: 0,
                value: y,
            });
        }
        self.inner.update(boxcox(y, self.lambda))
    }

    fn params(&self) -> Vec<(String, f64)> {
        let mut p = self.inner.params();
        if self.tname == "boxcox" {
            p.push(("boxcox_lambda".into(), self.lambda));
        }
        p
    }

    fn fit_stats(&self) -> FitStats {
        self.inner.fit_stats()
    }

    fn extend_exog(&mut self, rows: &[Vec<f64>]) -> Result<(), ForecastError> {
        self.inner.extend_exog(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boxcox_roundtrip() {
        for lam in [-0.5, 0.0, 0.3, 1.0] {
            let z = boxcox(7.5, lam);
            assert!((inv_boxcox(z, lam) - 7.5).abs() < 1e-10);
        }
    }

    #[test]
    fn lambda_of_lognormal_data_near_zero() {
        let y: Vec<f64> = (0..400)
            .map(|i| ((i as f64 * 0.731).sin() * 1.5).exp())
            .collect();
        let l = estimate_lambda(&y).unwrap();
        assert!(l.abs() < 0.3, "{l}");
    }
}
