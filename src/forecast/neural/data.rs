//! Plain-Rust data preparation for the neural forecasters: scaling, calendar features and the
//! residual quantiles behind the prediction intervals.

use super::ScaleSpec;
use crate::forecast::{Calendar, ForecastError};
use std::f64::consts::TAU;

/// `z = (f(y) - mean) / sd` with `f = log1p` or the identity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Scaler {
    pub log1p: bool,
    pub mean: f64,
    pub sd: f64,
}

impl Scaler {
    /// Fits on `fit_part`; `all` decides `scale: auto` and is checked for `scale: log1p`.
    pub fn fit(scale: ScaleSpec, all: &[f64], fit_part: &[f64]) -> Result<Self, ForecastError> {
        let negative = all.iter().position(|&v| v < 0.0);
        let log1p = match (scale, negative) {
            (ScaleSpec::Standard, _) | (ScaleSpec::Auto, Some(_)) => false,
            (ScaleSpec::Auto, None) => true,
            (ScaleSpec::Log1p, None) => true,
            (ScaleSpec::Log1p, Some(index)) => {
                return Err(ForecastError::TransformDomain {
                    transform: "log1p",
                    index,
                    value: all[index],
                })
            }
        };
        let mut s = Scaler {
            log1p,
            mean: 0.0,
            sd: 1.0,
        };
        let f: Vec<f64> = fit_part.iter().map(|&v| s.forward_raw(v)).collect();
        let n = f.len().max(1) as f64;
        let mean = f.iter().sum::<f64>() / n;
        let var = f.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
        s.mean = mean;
        s.sd = if var.sqrt() > 1e-9 { var.sqrt() } else { 1.0 };
        Ok(s)
    }

    fn forward_raw(&self, y: f64) -> f64 {
        if self.log1p {
            y.max(0.0).ln_1p()
        } else {
            y
        }
    }

    /// Scaled value (negative values are clamped to 0 under log1p).
    pub fn forward(&self, y: f64) -> f64 {
        (self.forward_raw(y) - self.mean) / self.sd
    }

    /// Back to series units (exponent capped so the result stays finite).
    pub fn inverse(&self, z: f64) -> f64 {
        let v = z * self.sd + self.mean;
        if self.log1p {
            v.min(700.0).exp_m1()
        } else {
            v
        }
    }
}

/// Calendar inputs per step: sin/cos of the time of day and of the position in the week.
pub(crate) const CALENDAR_FEATURES: usize = 4;

/// The calendar features of step `i`.
pub(crate) fn calendar_features(cal: &Calendar, i: usize) -> [f64; CALENDAR_FEATURES] {
    let t = cal.timestamp(i);
    let day = t.rem_euclid(86_400) as f64 / 86_400.0;
    // 1970-01-01 was a Thursday: shift so that the week starts on Monday 00:00.
    let week = (t + 3 * 86_400).rem_euclid(7 * 86_400) as f64 / (7.0 * 86_400.0);
    [
        (TAU * day).sin(),
        (TAU * day).cos(),
        (TAU * week).sin(),
        (TAU * week).cos(),
    ]
}

/// Empirical quantile (linear interpolation) of sorted values.
pub(crate) fn quantile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let pos = p.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaler_round_trips() {
        let y = [0.0, 10.0, 100.0, 1000.0];
        let s = Scaler::fit(ScaleSpec::Auto, &y, &y).unwrap();
        assert!(s.log1p);
        for v in y {
            assert!((s.inverse(s.forward(v)) - v).abs() < 1e-9 * (1.0 + v));
        }
        let s = Scaler::fit(ScaleSpec::Auto, &[-1.0, 1.0], &[-1.0, 1.0]).unwrap();
        assert!(!s.log1p);
        assert!((s.forward(1.0) - 1.0).abs() < 1e-12);
        assert!(Scaler::fit(ScaleSpec::Log1p, &[-1.0, 1.0], &[1.0]).is_err());
    }

    #[test]
    fn calendar_monday_midnight() {
        // 1998-06-22 00:00 UTC was a Monday.
        let cal = Calendar::new(898_473_600, 60).unwrap();
        let f = calendar_features(&cal, 0);
        assert!(f[0].abs() < 1e-12 && (f[1] - 1.0).abs() < 1e-12);
        assert!(f[2].abs() < 1e-12 && (f[3] - 1.0).abs() < 1e-12);
        assert_eq!(cal.weekday(0), 0);
    }

    #[test]
    fn quantiles() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile(&v, 0.5), 3.0);
        assert_eq!(quantile(&v, 0.0), 1.0);
        assert!((quantile(&v, 0.9) - 4.6).abs() < 1e-12);
    }
}
