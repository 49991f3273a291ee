//! A small automatic order search in the spirit of `forecast::auto.arima` (Hyndman and
//! Khandakar 2008), kept cheap enough for per-minute traffic:
//!
//! 1. seasonal differencing D = 1 when the seasonal strength of a classical decomposition
//!    exceeds 0.64 (the `nsdiffs` rule), else 0;
//! 2. d from repeated KPSS level-stationarity tests at 5 % (statistic > 0.463 -> difference), d <= 2;
//! 3. every (p, q) <= (max_p, max_q) and (P, Q) <= (max_P, max_Q) fitted by CSS (cheap for any
//!    season), ranked by AICc; the winner is refitted by CSS-ML when its state fits the Kalman
//!    filter. Stepwise search is not needed at these sizes (at most 36 candidates).

use super::{Arima, FittedArima, Method, Order, SeasonalOrder};
use crate::forecast::decompose::seasonal_strength;
use crate::forecast::{impl_forecaster, ForecastError, Series};

/// The automatic ARIMA search configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AutoArima {
    /// Season length (1 = non-seasonal search).
    pub season: usize,
    /// Largest p tried.
    pub max_p: usize,
    /// Largest q tried.
    pub max_q: usize,
    /// Largest seasonal P tried.
    pub max_sp: usize,
    /// Largest seasonal Q tried.
    pub max_sq: usize,
    /// Largest d.
    pub max_d: usize,
}

impl Default for AutoArima {
    fn default() -> Self {
        AutoArima {
            season: 1,
            max_p: 2,
            max_q: 2,
            max_sp: 1,
            max_sq: 1,
            max_d: 2,
        }
    }
}

/// KPSS level-stationarity statistic with a Bartlett long-run variance, lag
/// `trunc(4 (n / 100)^(1/4))` (Kwiatkowski et al. 1992; the "short" lag of `tseries::kpss.test`).
pub fn kpss(y: &[f64]) -> f64 {
    let n = y.len();
    if n < 3 {
        return 0.0;
    }
    let nf = n as f64;
    let mu = y.iter().sum::<f64>() / nf;
    let e: Vec<f64> = y.iter().map(|v| v - mu).collect();
    let mut s = 0.0;
    let mut eta = 0.0;
    for v in &e {
        s += v;
        eta += s * s;
    }
    let l = (4.0 * (nf / 100.0).powf(0.25)).floor() as usize;
    let mut lrv = e.iter().map(|v| v * v).sum::<f64>() / nf;
    for j in 1..=l.min(n - 1) {
        let w = 1.0 - j as f64 / (l as f64 + 1.0);
        let g: f64 = (j..n).map(|t| e[t] * e[t - j]).sum::<f64>() / nf;
        lrv += 2.0 * w * g;
    }
    if lrv <= 0.0 {
        return 0.0;
    }
    eta / (nf * nf * lrv)
}

/// 5 % critical value of the KPSS level-stationarity test.
pub const KPSS_CRITICAL_5PCT: f64 = 0.463;

impl AutoArima {
    /// Spec name.
    pub fn name(&self) -> &'static str {
        "auto_arima"
    }

    /// Fewest observations: three seasons (seasonal) or 20.
    pub fn min_len(&self) -> usize {
        if self.season > 1 {
            3 * self.season + 5
        } else {
            20
        }
    }

    /// Chooses (d, D) by the tests above.
    pub fn differencing(&self, y: &[f64]) -> (usize, usize) {
        let sd = usize::from(self.season > 1 && seasonal_strength(y, self.season) > 0.64);
        let mut w = if sd == 1 {
            super::poly::apply(&super::poly::diff_poly(0, 1, self.season), y)
        } else {
            y.to_vec()
        };
        let mut d = 0;
        while d < self.max_d && w.len() > 10 && kpss(&w) > KPSS_CRITICAL_5PCT {
            w = w.windows(2).map(|p| p[1] - p[0]).collect();
            d += 1;
        }
        (d, sd)
    }

    /// Searches and fits (typed result).
    pub fn fit(&self, series: &Series) -> Result<FittedArima, ForecastError> {
        let y = series.values();
        if y.len() < self.min_len() {
            return Err(ForecastError::too_short(
                "auto_arima",
                self.min_len(),
                y.len(),
                "enough seasons to test differencing",
            ));
        }
        let (d, sd) = self.differencing(y);
        let seasonal = self.season > 1;
        let mut best: Option<(f64, Arima)> = None;
        let mut last_err = None;
        for p in 0..=self.max_p {
            for q in 0..=self.max_q {
                for sp in 0..=if seasonal { self.max_sp } else { 0 } {
                    for sq in 0..=if seasonal { self.max_sq } else { 0 } {
                        let m = Arima::new(
                            Order { p, d, q },
                            SeasonalOrder {
                                p: sp,
                                d: sd,
                                q: sq,
                                s: if seasonal { self.season } else { 0 },
                            },
                        )
                        .with_method(Method::Css);
                        match m.fit(series) {
                            Ok(f) => {
                                let ic = f.stats.aicc.unwrap_or(f64::INFINITY);
                                let better = match &best {
                                    Some((b, _)) => ic < *b,
                                    None => ic.is_finite(),
                                };
                                if better {
                                    best = Some((ic, m));
                                }
                            }
                            Err(e) => last_err = Some(e),
                        }
                    }
                }
            }
        }
        match best {
            Some((_, m)) => m.with_method(Method::CssMl).fit(series),
            None => Err(last_err.unwrap_or_else(|| {
                ForecastError::fit_failed("auto_arima", "no candidate model could be fitted")
            })),
        }
    }
}

impl_forecaster!(AutoArima);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kpss_separates_random_walk_from_noise() {
        let mut x = 0.0;
        let mut state = 12345u64;
        let mut rnd = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) as f64 / (1u64 << 31) as f64) - 0.5
        };
        let noise: Vec<f64> = (0..500).map(|_| rnd()).collect();
        let walk: Vec<f64> = noise
            .iter()
            .map(|e| {
                x += e;
                x
            })
            .collect();
        assert!(kpss(&noise) < KPSS_CRITICAL_5PCT);
        assert!(kpss(&walk) > KPSS_CRITICAL_5PCT);
    }
}
