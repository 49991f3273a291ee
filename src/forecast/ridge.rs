//! Ridge regression on lagged values, calendar features and known regressors, forecasting
//! recursively (predictions feed the lags of later steps).
//!
//! Features for step t: `y[t - l]` for each lag l; with a [`Calendar`](super::Calendar), one-hot
//! hour of day (when a step is shorter than a day) and weekday (when shorter than a week); every
//! [`Exog`](super::Exog) column (promotion flags: known in advance, so a sale is forecast before it
//! starts). Columns are standardised, the intercept is not penalised, and
//! `(X'X + lambda I) beta = X'y` is solved by Cholesky (`nalgebra`).
//! Intervals use the residual variance and the psi weights of the fitted lag polynomial (parameter
//! uncertainty ignored).

use super::arima::poly;
use super::{
    check_update, impl_forecaster, Calendar, Exog, FitStats, FittedForecaster, Forecast,
    ForecastError, Level, Series,
};
use nalgebra::{DMatrix, DVector};
use std::collections::VecDeque;

/// An unfitted ridge model.
#[derive(Debug, Clone, PartialEq)]
pub struct Ridge {
    /// Lags in steps (each >= 1, sorted, unique).
    pub lags: Vec<usize>,
    /// Use hour/weekday features when the series has a calendar.
    pub calendar: bool,
    /// Penalty on the standardised coefficients (>= 0).
    pub lambda: f64,
}

impl Ridge {
    /// Validated ridge model.
    pub fn new(mut lags: Vec<usize>, calendar: bool, lambda: f64) -> Result<Self, ForecastError> {
        lags.sort_unstable();
        lags.dedup();
        if lags.first() == Some(&0) {
            return Err(ForecastError::invalid("lags", 0, "lags must be >= 1"));
        }
        if !(lambda.is_finite() && lambda >= 0.0) {
            return Err(ForecastError::invalid(
                "lambda",
                lambda,
                "must be finite and >= 0",
            ));
        }
        Ok(Ridge {
            lags,
            calendar,
            lambda,
        })
    }

    /// Spec name.
    pub fn name(&self) -> &'static str {
        "ridge"
    }

    fn max_lag(&self) -> usize {
        self.lags.last().copied().unwrap_or(0)
    }

    /// Fewest observations: the largest lag plus 10 training rows.
    pub fn min_len(&self) -> usize {
        self.max_lag() + 10
    }

    /// Fits (typed result).
    pub fn fit(&self, series: &Series) -> Result<FittedRidge, ForecastError> {
        let y = series.values();
        let n = y.len();
        if n < self.min_len() {
            return Err(ForecastError::too_short(
                "ridge",
                self.min_len(),
                n,
                format!("the largest lag ({}) plus 10 training rows", self.max_lag()),
            ));
        }
        let layout = FeatureLayout {
            lags: self.lags.clone(),
            calendar: if self.calendar {
                series.calendar().copied()
            } else {
                None
            },
            exog_width: series.exog().map_or(0, Exog::width),
        };
        let k = layout.width();
        let rows: Vec<usize> = (self.max_lag()..n).collect();
        let nr = rows.len();
        let mut x = vec![0.0; nr * k];
        for (r, &t) in rows.iter().enumerate() {
            layout.fill(&mut x[r * k..(r + 1) * k], t, |l| y[t - l], series.exog());
        }
        let ys: Vec<f64> = rows.iter().map(|&t| y[t]).collect();
        let (beta, intercept) = solve_standardised(&x, k, &ys, self.lambda, "ridge")?;
        let mut sse = 0.0;
        for (r, yv) in ys.iter().enumerate() {
            let p = intercept + (0..k).map(|j| beta[j] * x[r * k + j]).sum::<f64>();
            sse += (yv - p).powi(2);
        }
        let dof = (nr as f64 - k as f64 - 1.0).max(1.0);
        let ml = self.max_lag();
        Ok(FittedRidge {
            layout,
            beta,
            intercept,
            history: y[n - ml..].iter().copied().collect(),
            next: n,
            exog: series.exog().cloned(),
            stats: FitStats {
                n: nr,
                sse: Some(sse),
                sigma2: Some(sse / dof),
                loglik: Some(
                    -(nr as f64) / 2.0
                        * ((2.0 * std::f64::consts::PI * sse / nr as f64).ln() + 1.0),
                ),
                aic: None,
                aicc: None,
            },
        })
    }
}

impl_forecaster!(Ridge);

/// Ridge regression of `y` on the rows of `x` (`y.len()` rows of `k` columns, row-major):
/// columns are standardised, the intercept is not penalised, and `(Z'Z + lambda I) b = Z'y` is
/// solved by Cholesky. Returns the coefficients on the original scale and the intercept; constant
/// columns get 0. `model` names the caller in errors.
pub(crate) fn solve_standardised(
    x: &[f64],
    k: usize,
    y: &[f64],
    lambda: f64,
    model: &str,
) -> Result<(Vec<f64>, f64), ForecastError> {
    let nr = y.len();
    debug_assert_eq!(x.len(), nr * k);
    let mut mean = vec![0.0; k];
    let mut sd = vec![0.0; k];
    for j in 0..k {
        let m = (0..nr).map(|r| x[r * k + j]).sum::<f64>() / nr as f64;
        let v = (0..nr).map(|r| (x[r * k + j] - m).powi(2)).sum::<f64>() / nr as f64;
        mean[j] = m;
        sd[j] = v.sqrt();
    }
    let ymean = y.iter().sum::<f64>() / nr as f64;
    let z = |r: usize, j: usize| {
        if sd[j] > 0.0 {
            (x[r * k + j] - mean[j]) / sd[j]
        } else {
            0.0
        }
    };
    let mut xtx = DMatrix::<f64>::zeros(k, k);
    let mut xty = DVector::<f64>::zeros(k);
    let mut zr = vec![0.0; k];
    for (r, yr) in y.iter().enumerate() {
        for (j, v) in zr.iter_mut().enumerate() {
            *v = z(r, j);
        }
        let yc = yr - ymean;
        for i in 0..k {
            xty[i] += zr[i] * yc;
            for j in i..k {
                xtx[(i, j)] += zr[i] * zr[j];
            }
        }
    }
    for i in 0..k {
        for j in 0..i {
            xtx[(i, j)] = xtx[(j, i)];
        }
        xtx[(i, i)] += lambda.max(1e-8);
    }
    let chol = xtx.cholesky().ok_or_else(|| {
        ForecastError::fit_failed(model, "normal equations are not positive definite")
    })?;
    let bz = chol.solve(&xty);
    // back to the original feature scale
    let beta: Vec<f64> = (0..k)
        .map(|j| if sd[j] > 0.0 { bz[j] / sd[j] } else { 0.0 })
        .collect();
    let intercept = ymean - (0..k).map(|j| beta[j] * mean[j]).sum::<f64>();
    Ok((beta, intercept))
}

#[derive(Debug, Clone, PartialEq)]
struct FeatureLayout {
    lags: Vec<usize>,
    calendar: Option<Calendar>,
    exog_width: usize,
}

impl FeatureLayout {
    fn hours(&self) -> bool {
        self.calendar.is_some_and(|c| c.step_secs < 86_400)
    }
    fn weekdays(&self) -> bool {
        self.calendar.is_some_and(|c| c.step_secs < 7 * 86_400)
    }
    fn width(&self) -> usize {
        self.lags.len()
            + if self.hours() { 24 } else { 0 }
            + if self.weekdays() { 7 } else { 0 }
            + self.exog_width
    }
    /// Features of step `t` (index from the series start); `lag(l)` gives y[t - l].
    fn fill(&self, out: &mut [f64], t: usize, lag: impl Fn(usize) -> f64, exog: Option<&Exog>) {
        out.iter_mut().for_each(|v| *v = 0.0);
        let mut j = 0;
        for &l in &self.lags {
            out[j] = lag(l);
            j += 1;
        }
        if let Some(c) = self.calendar {
            if self.hours() {
                out[j + c.hour(t) as usize] = 1.0;
                j += 24;
            }
            if self.weekdays() {
                out[j + c.weekday(t) as usize] = 1.0;
                j += 7;
            }
        }
        for e in 0..self.exog_width {
            out[j + e] = exog.map_or(0.0, |x| x.value(t, e));
        }
    }
}

/// A fitted ridge model positioned after the last observation.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedRidge {
    layout: FeatureLayout,
    beta: Vec<f64>,
    intercept: f64,
    history: VecDeque<f64>,
    next: usize,
    exog: Option<Exog>,
    stats: FitStats,
}

impl FittedForecaster for FittedRidge {
    fn describe(&self) -> String {
        format!(
            "ridge(lags {:?}{}{})",
            self.layout.lags,
            if self.layout.calendar.is_some() {
                ", calendar"
            } else {
                ""
            },
            if self.layout.exog_width > 0 {
                ", exog"
            } else {
                ""
            }
        )
    }

    fn predict(&self, horizon: usize, level: Option<Level>) -> Forecast {
        let k = self.beta.len();
        let mut hist: Vec<f64> = self.history.iter().copied().collect();
        let base = hist.len();
        let mut feats = vec![0.0; k];
        let mut mean = Vec::with_capacity(horizon);
        for h in 0..horizon {
            let pos = base + h;
            self.layout.fill(
                &mut feats,
                self.next + h,
                |l| hist[pos - l],
                self.exog.as_ref(),
            );
            let v = self.intercept
                + feats
                    .iter()
                    .zip(&self.beta)
                    .map(|(a, b)| a * b)
                    .sum::<f64>();
            hist.push(v);
            mean.push(v);
        }
        let maxlag = self.layout.lags.last().copied().unwrap_or(0);
        let mut ar = vec![0.0; maxlag + 1];
        ar[0] = 1.0;
        for (i, &l) in self.layout.lags.iter().enumerate() {
            ar[l] = -self.beta[i];
        }
        let psi = poly::psi(&ar, &[1.0], horizon);
        let s2 = self.stats.sigma2.unwrap_or(0.0);
        let mut acc = 0.0;
        let sd: Vec<f64> = psi
            .iter()
            .map(|p| {
                acc += p * p;
                (s2 * acc).sqrt()
            })
            .collect();
        Forecast::gaussian(mean, &sd, level)
    }

    fn update(&mut self, y: f64) -> Result<(), ForecastError> {
        check_update(y)?;
        if !self.history.is_empty() {
            self.history.pop_front();
            self.history.push_back(y);
        }
        self.next += 1;
        Ok(())
    }

    fn params(&self) -> Vec<(String, f64)> {
        let mut v = vec![("intercept".to_string(), self.intercept)];
        for (i, l) in self.layout.lags.iter().enumerate() {
            v.push((format!("lag{l}"), self.beta[i]));
        }
        let j = self.layout.lags.len();
        let cal = self.layout.width() - j - self.layout.exog_width;
        for (e, b) in self.beta[j + cal..].iter().enumerate() {
            let name = self
                .exog
                .as_ref()
                .and_then(|x| x.names().get(e).cloned())
                .unwrap_or_else(|| format!("exog{e}"));
            v.push((name, *b));
        }
        v
    }

    fn fit_stats(&self) -> FitStats {
        self.stats
    }

    fn extend_exog(&mut self, rows: &[Vec<f64>]) -> Result<(), ForecastError> {
        match &mut self.exog {
            Some(e) => e.extend(rows),
            None if rows.is_empty() => Ok(()),
            None => Err(ForecastError::invalid(
                "exog",
                format!("{} rows", rows.len()),
                "the model was fitted without regressors",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_ar_coefficients_and_promotion_effect() {
        // y_t = 5 + 0.6 y_{t-1} + 20 * promo_t + small deterministic noise
        let n = 400;
        let promo: Vec<f64> = (0..n + 10).map(|t| f64::from(t % 50 < 5)).collect();
        let mut y = vec![12.5];
        for t in 1..n {
            let noise = ((t as f64) * 1.7).sin() * 0.1;
            y.push(5.0 + 0.6 * y[t - 1] + 20.0 * promo[t] + noise);
        }
        let exog = Exog::new(
            vec!["promo".into()],
            promo.iter().map(|p| vec![*p]).collect(),
        )
        .unwrap();
        let s = Series::new(y.clone()).unwrap().with_exog(exog).unwrap();
        let f = Ridge::new(vec![1], false, 1e-6).unwrap().fit(&s).unwrap();
        let p: std::collections::HashMap<_, _> = f.params().into_iter().collect();
        assert!((p["lag1"] - 0.6).abs() < 0.01, "{p:?}");
        assert!((p["promo"] - 20.0).abs() < 0.3, "{p:?}");
        // step n = 400 has promo (400 % 50 = 0): the forecast jumps before it is observed
        let fc = f.predict(2, None).mean;
        assert!(fc[0] - (5.0 + 0.6 * y[n - 1]) > 15.0, "{fc:?}");
    }
}
