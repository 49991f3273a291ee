//! Fitting the smoothing parameters by minimising the in-sample SSE with Nelder-Mead.
//!
//! Free parameters are mapped from R with a logistic so the optimiser is unconstrained, using
//! statsmodels' restricted space: `alpha` in (eps, 1 - eps), `beta = u * alpha`,
//! `gamma = u * (1 - alpha)` (u in (0, 1)), `phi` in [0.8, 0.98] (Hyndman's damping range).
//! The start point is the best of a small grid (statsmodels also starts from a brute grid).

use super::recursion::{self, Params, SeasonKind, State};
use super::Initial;
use crate::forecast::optim::{logistic, logit, nelder_mead};
use crate::forecast::ForecastError;

const EPS: f64 = 1.490_116_119_384_765_6e-8; // sqrt(machine epsilon), statsmodels' LOWER_BOUND
/// Damping range used when phi is estimated.
pub const PHI_RANGE: (f64, f64) = (0.8, 0.98);

/// Which parameters are free, and the fixed values of the others.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Free {
    /// Fixed alpha, or `None` to estimate.
    pub alpha: Option<f64>,
    /// Fixed beta, or `None` to estimate (ignored without trend).
    pub beta: Option<f64>,
    /// Fixed gamma, or `None` to estimate (ignored without season).
    pub gamma: Option<f64>,
    /// Fixed phi, or `None` to estimate (only with a damped trend).
    pub phi: Option<f64>,
    /// Model has a trend.
    pub trend: bool,
    /// Trend is damped.
    pub damped: bool,
    /// Seasonal component.
    pub kind: SeasonKind,
}

impl Free {
    fn n_free(&self) -> usize {
        usize::from(self.alpha.is_none())
            + usize::from(self.trend && self.beta.is_none())
            + usize::from(self.kind != SeasonKind::None && self.gamma.is_none())
            + usize::from(self.damped && self.phi.is_none())
    }

    /// Maps the unconstrained vector to parameters.
    pub fn params(&self, x: &[f64]) -> Params {
        let mut it = x.iter().copied();
        let alpha = self
            .alpha
            .unwrap_or_else(|| EPS + logistic(it.next().unwrap_or(0.0)) * (1.0 - 2.0 * EPS));
        let beta = if !self.trend {
            0.0
        } else {
            self.beta
                .unwrap_or_else(|| logistic(it.next().unwrap_or(0.0)) * alpha)
        };
        let gamma = if self.kind == SeasonKind::None {
            0.0
        } else {
            self.gamma
                .unwrap_or_else(|| logistic(it.next().unwrap_or(0.0)) * (1.0 - alpha))
        };
        let phi = if !self.damped {
            1.0
        } else {
            self.phi.unwrap_or_else(|| {
                PHI_RANGE.0 + logistic(it.next().unwrap_or(0.0)) * (PHI_RANGE.1 - PHI_RANGE.0)
            })
        };
        Params {
            alpha,
            beta,
            gamma,
            phi,
        }
    }

    /// Inverse of [`Free::params`] for a start point.
    fn unconstrained(&self, p: &Params) -> Vec<f64> {
        let mut x = Vec::new();
        if self.alpha.is_none() {
            x.push(logit((p.alpha - EPS) / (1.0 - 2.0 * EPS)));
        }
        if self.trend && self.beta.is_none() {
            x.push(logit(p.beta / p.alpha.max(EPS)));
        }
        if self.kind != SeasonKind::None && self.gamma.is_none() {
            x.push(logit(p.gamma / (1.0 - p.alpha).max(EPS)));
        }
        if self.damped && self.phi.is_none() {
            x.push(logit((p.phi - PHI_RANGE.0) / (PHI_RANGE.1 - PHI_RANGE.0)));
        }
        x
    }
}

fn eval(free: &Free, init: &Initial, y: &[f64], p: &Params) -> f64 {
    let mut st = State::new(init.level, init.trend, init.season.clone());
    recursion::sse(free.kind, p, &mut st, y)
}

/// Minimises SSE over the free parameters; returns the parameters and the SSE.
pub fn fit(
    free: &Free,
    init: &Initial,
    y: &[f64],
    model: &str,
) -> Result<(Params, f64), ForecastError> {
    if free.n_free() == 0 {
        let p = free.params(&[]);
        return Ok((p, eval(free, init, y, &p)));
    }
    // Grid start.
    let mut best: Option<(Params, f64)> = None;
    for &a in &[0.05, 0.2, 0.4, 0.6, 0.8, 0.95] {
        for &ub in &[0.05, 0.3] {
            for &ug in &[0.05, 0.3] {
                for &phi in &[0.9, 0.97] {
                    let p = Params {
                        alpha: free.alpha.unwrap_or(a),
                        beta: if free.trend {
                            free.beta.unwrap_or(ub * a)
                        } else {
                            0.0
                        },
                        gamma: if free.kind != SeasonKind::None {
                            free.gamma.unwrap_or(ug * (1.0 - a))
                        } else {
                            0.0
                        },
                        phi: if free.damped {
                            free.phi.unwrap_or(phi)
                        } else {
                            1.0
                        },
                    };
                    let v = eval(free, init, y, &p);
                    let better = match &best {
                        Some((_, bv)) => v < *bv,
                        None => true,
                    };
                    if better {
                        best = Some((p, v));
                    }
                }
            }
        }
    }
    let start = match best {
        Some((p, _)) => free.unconstrained(&p),
        None => vec![0.0; free.n_free()],
    };
    let f = |x: &[f64]| eval(free, init, y, &free.params(x));
    let m = nelder_mead(&f, &start, 1.0, 400, model)?;
    Ok((free.params(&m.x), m.value))
}
