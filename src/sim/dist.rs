//! Duration distributions for service times, cold starts, failures and restarts.
//!
//! Each distribution is given by its mean (and coefficient of variation where it has one); it
//! samples integer microseconds. Parameters are checked when the scenario is validated, so the
//! samplers here never fail.

use rand::Rng;
use rand_distr::{Distribution, Exp1, Gamma, LogNormal};

/// The family of a duration distribution, with its mean [µs].
#[derive(Debug, Clone)]
pub enum DurationDist {
    /// Always `mean`.
    Deterministic { mean: f64 },
    /// Exponential with the given mean (cv = 1).
    Exponential { mean: f64 },
    /// Log-normal with the given mean and coefficient of variation.
    LogNormal {
        mean: f64,
        cv: f64,
        inner: LogNormal<f64>,
    },
    /// Gamma with the given mean and coefficient of variation (shape = 1/cv²).
    Gamma {
        mean: f64,
        cv: f64,
        inner: Gamma<f64>,
    },
    /// Uniform on [min, max].
    Uniform { min: f64, max: f64 },
}

/// Why a distribution could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DistError {
    #[error("mean must be a finite number >= 0, got {0}")]
    BadMean(f64),
    #[error("cv (coefficient of variation) must be a finite number > 0, got {0}")]
    BadCv(f64),
    #[error("uniform needs finite 0 <= min <= max, got min {0}, max {1}")]
    BadRange(f64, f64),
}

impl DurationDist {
    pub fn deterministic(mean_us: f64) -> Result<Self, DistError> {
        check_mean(mean_us)?;
        Ok(DurationDist::Deterministic { mean: mean_us })
    }

    pub fn exponential(mean_us: f64) -> Result<Self, DistError> {
        check_mean(mean_us)?;
        Ok(DurationDist::Exponential { mean: mean_us })
    }

    pub fn lognormal(mean_us: f64, cv: f64) -> Result<Self, DistError> {
        check_mean(mean_us)?;
        check_cv(cv)?;
        let sigma2 = (1.0 + cv * cv).ln();
        let mu = mean_us.max(f64::MIN_POSITIVE).ln() - sigma2 / 2.0;
        let inner = LogNormal::new(mu, sigma2.sqrt()).map_err(|_| DistError::BadCv(cv))?;
        Ok(DurationDist::LogNormal {
            mean: mean_us,
            cv,
            inner,
        })
    }

    pub fn gamma(mean_us: f64, cv: f64) -> Result<Self, DistError> {
        check_mean(mean_us)?;
        check_cv(cv)?;
        let shape = 1.0 / (cv * cv);
        let scale = (mean_us * cv * cv).max(f64::MIN_POSITIVE);
        let inner = Gamma::new(shape, scale).map_err(|_| DistError::BadCv(cv))?;
        Ok(DurationDist::Gamma {
            mean: mean_us,
            cv,
            inner,
        })
    }

    pub fn uniform(min_us: f64, max_us: f64) -> Result<Self, DistError> {
        if !(min_us.is_finite() && max_us.is_finite() && 0.0 <= min_us && min_us <= max_us) {
            return Err(DistError::BadRange(min_us, max_us));
        }
        Ok(DurationDist::Uniform {
            min: min_us,
            max: max_us,
        })
    }

    /// Mean [µs].
    pub fn mean(&self) -> f64 {
        match self {
            DurationDist::Deterministic { mean }
            | DurationDist::Exponential { mean }
            | DurationDist::LogNormal { mean, .. }
            | DurationDist::Gamma { mean, .. } => *mean,
            DurationDist::Uniform { min, max } => (min + max) / 2.0,
        }
    }

    /// Squared coefficient of variation (variance / mean²); 0 for a deterministic duration.
    pub fn scv(&self) -> f64 {
        match self {
            DurationDist::Deterministic { .. } => 0.0,
            DurationDist::Exponential { .. } => 1.0,
            DurationDist::LogNormal { cv, .. } | DurationDist::Gamma { cv, .. } => cv * cv,
            DurationDist::Uniform { min, max } => {
                let m = (min + max) / 2.0;
                if m > 0.0 {
                    (max - min).powi(2) / 12.0 / (m * m)
                } else {
                    0.0
                }
            }
        }
    }

    /// One sample [µs], rounded to the nearest microsecond.
    #[inline]
    pub fn sample_us<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        let x = match self {
            DurationDist::Deterministic { mean } => *mean,
            DurationDist::Exponential { mean } => {
                let e: f64 = rng.sample(Exp1);
                e * mean
            }
            DurationDist::LogNormal { inner, .. } => inner.sample(rng),
            DurationDist::Gamma { inner, .. } => inner.sample(rng),
            DurationDist::Uniform { min, max } => min + (max - min) * rng.random::<f64>(),
        };
        // `as` saturates; the value is finite and >= 0 by construction.
        (x + 0.5) as u64
    }
}

fn check_mean(m: f64) -> Result<(), DistError> {
    if m.is_finite() && m >= 0.0 {
        Ok(())
    } else {
        Err(DistError::BadMean(m))
    }
}

fn check_cv(cv: f64) -> Result<(), DistError> {
    if cv.is_finite() && cv > 0.0 {
        Ok(())
    } else {
        Err(DistError::BadCv(cv))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::stream;

    fn moments(d: &DurationDist, n: usize) -> (f64, f64) {
        let mut r = stream(1, "test");
        let xs: Vec<f64> = (0..n).map(|_| d.sample_us(&mut r) as f64).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64;
        (m, v.sqrt() / m)
    }

    #[test]
    fn sample_means_and_cvs_match_parameters() {
        let n = 200_000;
        for (d, cv) in [
            (DurationDist::exponential(100_000.0).unwrap(), 1.0),
            (DurationDist::lognormal(100_000.0, 0.5).unwrap(), 0.5),
            (DurationDist::gamma(100_000.0, 2.0).unwrap(), 2.0),
            (DurationDist::deterministic(100_000.0).unwrap(), 0.0),
        ] {
            let (m, c) = moments(&d, n);
            assert!((m / 100_000.0 - 1.0).abs() < 0.02, "{d:?}: mean {m}");
            assert!((c - cv).abs() < 0.05 * cv.max(0.1), "{d:?}: cv {c}");
            assert!((d.scv() - cv * cv).abs() < 1e-12);
        }
    }

    #[test]
    fn bad_parameters_are_rejected() {
        assert_eq!(
            DurationDist::exponential(-1.0).unwrap_err(),
            DistError::BadMean(-1.0)
        );
        assert!(DurationDist::lognormal(1.0, 0.0).is_err());
        assert!(DurationDist::gamma(f64::NAN, 1.0).is_err());
        assert!(DurationDist::uniform(2.0, 1.0).is_err());
    }
}
