//! Seasonal ARIMA(p,d,q)(P,D,Q)s.
//!
//! `(1 - sum phi_i B^i)(1 - sum Phi_i B^(is)) (1 - B)^d (1 - B^s)^D (y_t - mu) =
//!  (1 + sum theta_j B^j)(1 + sum Theta_j B^(js)) e_t`, with `mu` only when d = D = 0.
//!
//! Estimation ([`Method`]): conditional sum of squares ([`css`]), exact Gaussian likelihood by the
//! Kalman filter ([`kalman`]), or CSS followed by ML from the CSS estimate (the default, as R).
//! Coefficients are optimised in an unconstrained parameterisation that keeps every AR factor
//! stationary and every MA factor invertible ([`poly::constrain`]), with Nelder-Mead (`argmin`).
//! Forecasts run the innovations recursion forward from the in-sample residuals and undo the
//! differencing; intervals come from the psi weights of the full (integrated) model.
//! [`auto`] is the small automatic order search.

pub mod auto;
pub mod css;
pub mod kalman;
pub mod poly;

use crate::forecast::optim::nelder_mead;
use crate::forecast::{
    check_update, impl_forecaster, FitStats, FittedForecaster, Forecast, ForecastError, Level,
    Series,
};
use css::Sparse;
use std::collections::VecDeque;

/// Non-seasonal order (p, d, q).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Order {
    /// AR order.
    pub p: usize,
    /// Differences.
    pub d: usize,
    /// MA order.
    pub q: usize,
}

/// Seasonal order (P, D, Q) with period s (s <= 1 means no seasonal part).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SeasonalOrder {
    /// Seasonal AR order.
    pub p: usize,
    /// Seasonal differences.
    pub d: usize,
    /// Seasonal MA order.
    pub q: usize,
    /// Season length in steps.
    pub s: usize,
}

/// Estimation method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Conditional sum of squares only (fast; any season length).
    Css,
    /// Exact maximum likelihood (Kalman filter), started from zero coefficients.
    Ml,
    /// CSS estimate, then exact ML from it (default).
    CssMl,
}

/// An unfitted SARIMA model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Arima {
    /// (p, d, q).
    pub order: Order,
    /// (P, D, Q, s).
    pub seasonal: SeasonalOrder,
    /// Estimate a mean; `None` = only when there is no differencing.
    pub include_mean: Option<bool>,
    /// Estimation method.
    pub method: Method,
}

/// Parameter layout helper: which blocks exist and how to expand them.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Layout {
    p: usize,
    q: usize,
    sp: usize,
    sq: usize,
    s: usize,
    mean: bool,
}

impl Layout {
    fn n_coef(&self) -> usize {
        self.p + self.q + self.sp + self.sq + usize::from(self.mean)
    }

    /// Coefficients (mean, ar, ma, sar, sma) from the unconstrained vector.
    fn coefs(&self, x: &[f64], mu0: f64, scale: f64) -> Coefs {
        let mut i = 0;
        let mut take = |k: usize| {
            let v = x[i..i + k].to_vec();
            i += k;
            v
        };
        let mean = if self.mean {
            mu0 + scale * take(1)[0]
        } else {
            0.0
        };
        let ar = poly::constrain(&take(self.p));
        let ma: Vec<f64> = poly::constrain(&take(self.q)).iter().map(|v| -v).collect();
        let sar = poly::constrain(&take(self.sp));
        let sma: Vec<f64> = poly::constrain(&take(self.sq)).iter().map(|v| -v).collect();
        Coefs {
            mean,
            ar,
            ma,
            sar,
            sma,
        }
    }
}

/// Estimated coefficients.
#[derive(Debug, Clone, PartialEq)]
struct Coefs {
    mean: f64,
    ar: Vec<f64>,
    ma: Vec<f64>,
    sar: Vec<f64>,
    sma: Vec<f64>,
}

impl Coefs {
    /// Expanded AR and MA polynomials (seasonal times non-seasonal).
    fn polys(&self, s: usize) -> (Vec<f64>, Vec<f64>) {
        let s = s.max(1);
        (
            poly::mul(&poly::ar_poly(&self.ar, 1), &poly::ar_poly(&self.sar, s)),
            poly::mul(&poly::ma_poly(&self.ma, 1), &poly::ma_poly(&self.sma, s)),
        )
    }
}

impl Arima {
    /// A SARIMA model; orders are checked at fit time.
    pub fn new(order: Order, seasonal: SeasonalOrder) -> Self {
        Arima {
            order,
            seasonal,
            include_mean: None,
            method: Method::CssMl,
        }
    }

    /// Sets the estimation method.
    pub fn with_method(mut self, method: Method) -> Self {
        self.method = method;
        self
    }

    /// Spec name.
    pub fn name(&self) -> &'static str {
        "arima"
    }

    fn s(&self) -> usize {
        if self.seasonal.s <= 1 {
            1
        } else {
            self.seasonal.s
        }
    }

    fn seasonal_active(&self) -> bool {
        self.seasonal.s > 1
    }

    fn layout(&self) -> Layout {
        let seas = self.seasonal_active();
        Layout {
            p: self.order.p,
            q: self.order.q,
            sp: if seas { self.seasonal.p } else { 0 },
            sq: if seas { self.seasonal.q } else { 0 },
            s: self.s(),
            mean: self
                .include_mean
                .unwrap_or(self.order.d + self.seasonal_d() == 0),
        }
    }

    fn seasonal_d(&self) -> usize {
        if self.seasonal_active() {
            self.seasonal.d
        } else {
            0
        }
    }

    fn diff_len(&self) -> usize {
        self.order.d + self.seasonal_d() * self.s()
    }

    fn ar_len(&self) -> usize {
        let l = self.layout();
        l.p + l.sp * l.s
    }

    /// Fewest observations: differencing, the AR conditioning, and a few per coefficient.
    pub fn min_len(&self) -> usize {
        self.diff_len() + self.ar_len() + self.layout().n_coef() + 3
    }

    /// Human-readable order, e.g. `ARIMA(0,1,1)(0,1,1)[12]`.
    pub fn describe(&self) -> String {
        let o = self.order;
        let mut s = format!("ARIMA({},{},{})", o.p, o.d, o.q);
        if self.seasonal_active() {
            let so = self.seasonal;
            s += &format!("({},{},{})[{}]", so.p, so.d, so.q, so.s);
        }
        if self.layout().mean {
            s += " with mean";
        }
        s
    }

    fn check(&self) -> Result<(), ForecastError> {
        if self.order.d > 2 {
            return Err(ForecastError::invalid(
                "order.d",
                self.order.d,
                "must be 0, 1 or 2",
            ));
        }
        if self.seasonal_d() > 1 {
            return Err(ForecastError::invalid(
                "seasonal_order.D",
                self.seasonal.d,
                "must be 0 or 1",
            ));
        }
        if self.order.p + self.order.q > 10 || self.seasonal.p + self.seasonal.q > 4 {
            return Err(ForecastError::invalid(
                "order",
                self.describe(),
                "at most p + q <= 10 and P + Q <= 4 are supported",
            ));
        }
        if !self.seasonal_active()
            && (self.seasonal.p > 0 || self.seasonal.q > 0 || self.seasonal.d > 0)
        {
            return Err(ForecastError::invalid(
                "seasonal_order.s",
                self.seasonal.s,
                "a seasonal part (P, D or Q > 0) needs a season s >= 2",
            ));
        }
        Ok(())
    }

    /// Fits by the configured method (typed result).
    pub fn fit(&self, series: &Series) -> Result<FittedArima, ForecastError> {
        self.check()?;
        let y = series.values();
        if y.len() < self.min_len() {
            return Err(ForecastError::too_short(
                "arima",
                self.min_len(),
                y.len(),
                format!("{} with its differencing and lags", self.describe()),
            ));
        }
        let lay = self.layout();
        let dpoly = poly::diff_poly(self.order.d, self.seasonal_d(), self.s());
        let w = poly::apply(&dpoly, y);
        let nw = w.len();
        let mu0 = if lay.mean {
            w.iter().sum::<f64>() / nw as f64
        } else {
            0.0
        };
        let scale = {
            let v = w.iter().map(|x| (x - mu0).powi(2)).sum::<f64>() / nw as f64;
            if v > 0.0 {
                v.sqrt()
            } else {
                1.0
            }
        };
        let cond = self.ar_len();
        let css_obj = |x: &[f64]| {
            let c = lay.coefs(x, mu0, scale);
            let (a, m) = c.polys(lay.s);
            css::residuals(
                &w,
                c.mean,
                &css::sparse(&a, true),
                &css::sparse(&m, false),
                cond,
            )
            .1
        };
        let ml_obj = |x: &[f64]| {
            let c = lay.coefs(x, mu0, scale);
            let (a, m) = c.polys(lay.s);
            let phi: Vec<f64> = a.iter().skip(1).map(|v| -v).collect();
            let theta: Vec<f64> = m.iter().skip(1).copied().collect();
            let wc: Vec<f64> = w.iter().map(|v| v - c.mean).collect();
            match kalman::loglik(&wc, &phi, &theta) {
                Some((ll, _)) => -ll,
                None => f64::INFINITY,
            }
        };
        let k = lay.n_coef();
        let r = self.ar_len().max(lay.q + lay.sq * lay.s + 1);
        let use_ml = self.method != Method::Css && r <= kalman::MAX_STATE;
        if self.method == Method::Ml && !use_ml {
            return Err(ForecastError::invalid(
                "method",
                "ml",
                format!(
                    "state dimension {r} exceeds {}; use method css (or a shorter season)",
                    kalman::MAX_STATE
                ),
            ));
        }
        let x0 = vec![0.0; k];
        let iters = 300 + 100 * k as u64;
        let mut x = x0.clone();
        if self.method != Method::Ml {
            x = nelder_mead(&css_obj, &x0, 0.5, iters, "arima")?.x;
        }
        let mut ml_ll = None;
        if use_ml {
            let m = nelder_mead(&ml_obj, &x, 0.3, iters, "arima")?;
            x = m.x;
            ml_ll = Some(-m.value);
        }
        let coefs = lay.coefs(&x, mu0, scale);
        let (a, m) = coefs.polys(lay.s);
        let phi_s = css::sparse(&a, true);
        let theta_s = css::sparse(&m, false);
        let (e, css_sse) = css::residuals(&w, coefs.mean, &phi_s, &theta_s, cond);
        let (loglik, sigma2, n_eff) = match ml_ll {
            Some(ll) => {
                let phi: Vec<f64> = a.iter().skip(1).map(|v| -v).collect();
                let theta: Vec<f64> = m.iter().skip(1).copied().collect();
                let wc: Vec<f64> = w.iter().map(|v| v - coefs.mean).collect();
                let s2 = kalman::loglik(&wc, &phi, &theta).map_or(css_sse / nw as f64, |v| v.1);
                (ll, s2, nw)
            }
            None => {
                let ne = nw - cond;
                let s2 = css_sse / ne as f64;
                let ll = -0.5 * ne as f64 * ((2.0 * std::f64::consts::PI * s2).ln() + 1.0);
                (ll, s2, ne)
            }
        };
        if !(loglik.is_finite() && sigma2.is_finite()) {
            return Err(ForecastError::fit_failed(
                "arima",
                "the likelihood is not finite at the estimate",
            ));
        }
        let kk = (k + 1) as f64;
        let aic = -2.0 * loglik + 2.0 * kk;
        let aicc = if n_eff as f64 > kk + 1.0 {
            aic + 2.0 * kk * (kk + 1.0) / (n_eff as f64 - kk - 1.0)
        } else {
            f64::INFINITY
        };
        let dlen = dpoly.len() - 1;
        let keep_w = a.len().saturating_sub(1);
        let keep_e = m.len().saturating_sub(1);
        Ok(FittedArima {
            spec: *self,
            coefs,
            ar_poly: a,
            ma_poly: m,
            diff_poly: dpoly,
            phi: phi_s,
            theta: theta_s,
            y_tail: tail(y, dlen),
            w_tail: tail(&w, keep_w),
            e_tail: tail(&e, keep_e),
            stats: FitStats {
                n: n_eff,
                sse: Some(css_sse),
                loglik: Some(loglik),
                aic: Some(aic),
                aicc: Some(aicc),
                sigma2: Some(sigma2),
            },
        })
    }
}

impl_forecaster!(Arima);

fn tail(v: &[f64], k: usize) -> VecDeque<f64> {
    v[v.len().saturating_sub(k)..].iter().copied().collect()
}

/// A fitted SARIMA model positioned after the last observation.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedArima {
    spec: Arima,
    coefs: Coefs,
    ar_poly: Vec<f64>,
    ma_poly: Vec<f64>,
    diff_poly: Vec<f64>,
    phi: Sparse,
    theta: Sparse,
    y_tail: VecDeque<f64>,
    w_tail: VecDeque<f64>,
    e_tail: VecDeque<f64>,
    stats: FitStats,
}

impl FittedArima {
    /// The model specification that was fitted.
    pub fn spec(&self) -> &Arima {
        &self.spec
    }
}

fn push_keep(d: &mut VecDeque<f64>, v: f64, keep: usize) {
    if keep == 0 {
        return;
    }
    d.push_back(v);
    while d.len() > keep {
        d.pop_front();
    }
}

impl FittedForecaster for FittedArima {
    fn describe(&self) -> String {
        self.spec.describe()
    }

    fn predict(&self, horizon: usize, level: Option<Level>) -> Forecast {
        let mu = self.coefs.mean;
        let mut w: Vec<f64> = self.w_tail.iter().copied().collect();
        let nw0 = w.len();
        let e: Vec<f64> = self.e_tail.iter().copied().collect();
        let ne = e.len();
        let mut y: Vec<f64> = self.y_tail.iter().copied().collect();
        let ny0 = y.len();
        let mut mean = Vec::with_capacity(horizon);
        for h in 1..=horizon {
            let t = nw0 + h - 1; // index of the new w in `w`
            let mut v = mu;
            for &(i, c) in &self.phi {
                if i <= t {
                    v += c * (w[t - i] - mu);
                }
            }
            for &(j, c) in &self.theta {
                // residual at step (n + h - j) is known only when j >= h
                if j >= h && ne + h > j {
                    v += c * e[ne + h - 1 - j];
                }
            }
            w.push(v);
            let ty = ny0 + h - 1;
            let mut yv = v;
            for (i, c) in self.diff_poly.iter().enumerate().skip(1) {
                if i <= ty {
                    yv -= c * y[ty - i];
                }
            }
            y.push(yv);
            mean.push(yv);
        }
        let full_ar = poly::mul(&self.ar_poly, &self.diff_poly);
        let psi = poly::psi(&full_ar, &self.ma_poly, horizon);
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

    fn update(&mut self, yv: f64) -> Result<(), ForecastError> {
        check_update(yv)?;
        let dlen = self.diff_poly.len() - 1;
        let mut w = yv;
        let ny = self.y_tail.len();
        for (i, c) in self.diff_poly.iter().enumerate().skip(1) {
            w += c * self.y_tail.get(ny.wrapping_sub(i)).copied().unwrap_or(0.0);
        }
        push_keep(&mut self.y_tail, yv, dlen);
        let mu = self.coefs.mean;
        let mut e = w - mu;
        let nw = self.w_tail.len();
        for &(i, c) in &self.phi {
            if i <= nw {
                e -= c * (self.w_tail[nw - i] - mu);
            }
        }
        let ne = self.e_tail.len();
        for &(j, c) in &self.theta {
            if j <= ne {
                e -= c * self.e_tail[ne - j];
            }
        }
        push_keep(&mut self.w_tail, w, self.ar_poly.len() - 1);
        push_keep(&mut self.e_tail, e, self.ma_poly.len() - 1);
        Ok(())
    }

    fn params(&self) -> Vec<(String, f64)> {
        let mut v = Vec::new();
        if self.spec.layout().mean {
            v.push(("const".to_string(), self.coefs.mean));
        }
        let s = self.spec.s();
        for (i, c) in self.coefs.ar.iter().enumerate() {
            v.push((format!("ar.L{}", i + 1), *c));
        }
        for (i, c) in self.coefs.ma.iter().enumerate() {
            v.push((format!("ma.L{}", i + 1), *c));
        }
        for (i, c) in self.coefs.sar.iter().enumerate() {
            v.push((format!("ar.S.L{}", (i + 1) * s), *c));
        }
        for (i, c) in self.coefs.sma.iter().enumerate() {
            v.push((format!("ma.S.L{}", (i + 1) * s), *c));
        }
        v.push(("sigma2".into(), self.stats.sigma2.unwrap_or(f64::NAN)));
        v
    }

    fn fit_stats(&self) -> FitStats {
        self.stats
    }
}

/// Exact profile log-likelihood and sigma^2 of a SARIMA model with *given* coefficients
/// (`ma`, `sma` etc. in statsmodels' sign convention) on `y`: the Kalman filter on the
/// differenced series. Used to check the filter against statsmodels at fixed parameters.
pub fn loglik_at(
    y: &[f64],
    order: Order,
    seasonal: SeasonalOrder,
    ar: &[f64],
    ma: &[f64],
    sar: &[f64],
    sma: &[f64],
) -> Option<(f64, f64)> {
    let s = seasonal.s.max(1);
    let c = Coefs {
        mean: 0.0,
        ar: ar.to_vec(),
        ma: ma.to_vec(),
        sar: sar.to_vec(),
        sma: sma.to_vec(),
    };
    let (a, m) = c.polys(s);
    let sd = if seasonal.s > 1 { seasonal.d } else { 0 };
    let w = poly::apply(&poly::diff_poly(order.d, sd, s), y);
    let phi: Vec<f64> = a.iter().skip(1).map(|v| -v).collect();
    let theta: Vec<f64> = m.iter().skip(1).copied().collect();
    kalman::loglik(&w, &phi, &theta)
}
