//! Exact Gaussian log-likelihood of a zero-mean ARMA(p*, q*) series by the Kalman filter on
//! Harvey's state-space form (state dimension r = max(p*, q* + 1)), with the state covariance
//! started at the stationary solution of `P = T P T' + R R'` (computed by the doubling
//! algorithm). sigma^2 is concentrated out, so the result is the profile log-likelihood
//! `-n/2 (ln 2 pi + ln s2 + 1) - 1/2 sum ln F_t`, `s2 = (1/n) sum v_t^2 / F_t`.
//!
//! For a SARIMA model this is applied to the differenced series, which is what statsmodels'
//! SARIMAX (exact diffuse initialisation) and R's `arima` report as the log-likelihood.
//! Hand-written because the structure (companion T, rank-one updates) makes it O(r^2) per step,
//! which a general linear-algebra crate would not exploit.

/// Largest state dimension accepted (memory r^2, time n r^2); SARIMA with a 1,440-step season
/// exceeds it and must use CSS.
pub const MAX_STATE: usize = 400;

/// Profile log-likelihood and sigma^2 estimate; `None` if the AR part is not stationary or the
/// filter breaks down. `phi` and `theta` are the expanded (seasonal times non-seasonal)
/// coefficients in `w_t = sum phi_i w_{t-i} + e_t + sum theta_j e_{t-j}` form.
pub fn loglik(w: &[f64], phi: &[f64], theta: &[f64]) -> Option<(f64, f64)> {
    let r = phi.len().max(theta.len() + 1);
    if r > MAX_STATE || w.is_empty() {
        return None;
    }
    let ph = |i: usize| phi.get(i).copied().unwrap_or(0.0);
    let rr: Vec<f64> = (0..r)
        .map(|i| {
            if i == 0 {
                1.0
            } else {
                theta.get(i - 1).copied().unwrap_or(0.0)
            }
        })
        .collect();
    let mut p = stationary_cov(r, &ph, &rr)?;
    let mut a = vec![0.0; r];
    let mut au = vec![0.0; r];
    let mut b = vec![0.0; r * r];
    let (mut sum_v2f, mut sum_logf) = (0.0, 0.0);
    let mut steady = false;
    for &wt in w {
        let f = p[0];
        if !(f.is_finite() && f > 0.0) {
            return None;
        }
        let v = wt - a[0];
        sum_v2f += v * v / f;
        sum_logf += f.ln();
        // update
        for i in 0..r {
            au[i] = a[i] + p[i * r] / f * v;
        }
        // predict state
        for i in 0..r {
            a[i] = ph(i) * au[0] + if i + 1 < r { au[i + 1] } else { 0.0 };
        }
        if steady {
            continue;
        }
        // P_upd = P - P[:,0] P[0,:] / f  (store in p in place)
        let col0: Vec<f64> = (0..r).map(|i| p[i * r]).collect();
        for i in 0..r {
            for j in 0..r {
                p[i * r + j] -= col0[i] * col0[j] / f;
            }
        }
        // B = T P_upd
        for i in 0..r {
            for j in 0..r {
                let next = if i + 1 < r { p[(i + 1) * r + j] } else { 0.0 };
                b[i * r + j] = ph(i) * p[j] + next;
            }
        }
        // P = B T' + R R'
        for i in 0..r {
            for j in 0..r {
                let next = if j + 1 < r { b[i * r + j + 1] } else { 0.0 };
                let val = ph(j) * b[i * r] + next + rr[i] * rr[j];
                p[i * r + j] = val;
            }
        }
        // Once F has converged to 1 the state is known exactly and P no longer changes.
        steady = (p[0] - f).abs() < 1e-12 * f && (p[0] - 1.0).abs() < 1e-12;
    }
    let n = w.len() as f64;
    let s2 = sum_v2f / n;
    if !(s2.is_finite() && s2 > 0.0) {
        return None;
    }
    let ll = -0.5 * n * ((2.0 * std::f64::consts::PI).ln() + s2.ln() + 1.0) - 0.5 * sum_logf;
    Some((ll, s2))
}

/// Solves `P = T P T' + R R'` by doubling: `P <- P + A P A'`, `A <- A A` from `A = T`, `P = R R'`.
fn stationary_cov(r: usize, ph: &dyn Fn(usize) -> f64, rr: &[f64]) -> Option<Vec<f64>> {
    let mut a = vec![0.0; r * r];
    for i in 0..r {
        a[i * r] = ph(i);
        if i + 1 < r {
            a[i * r + i + 1] = 1.0;
        }
    }
    let mut p: Vec<f64> = (0..r * r).map(|k| rr[k / r] * rr[k % r]).collect();
    let mut tmp = vec![0.0; r * r];
    for _ in 0..80 {
        let amax = a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        if amax < 1e-15 {
            return Some(p);
        }
        if !amax.is_finite() || amax > 1e12 {
            return None;
        }
        // tmp = A P
        matmul(&a, &p, &mut tmp, r, false);
        // p += tmp A'
        let mut apa = vec![0.0; r * r];
        matmul(&tmp, &a, &mut apa, r, true);
        for (x, y) in p.iter_mut().zip(&apa) {
            *x += y;
        }
        // A = A A
        matmul(&a.clone(), &a.clone(), &mut tmp, r, false);
        std::mem::swap(&mut a, &mut tmp);
    }
    None
}

/// `out = x y` (or `x y'` when `transpose_y`), r x r row-major.
fn matmul(x: &[f64], y: &[f64], out: &mut [f64], r: usize, transpose_y: bool) {
    for i in 0..r {
        for j in 0..r {
            let mut s = 0.0;
            for k in 0..r {
                let yv = if transpose_y {
                    y[j * r + k]
                } else {
                    y[k * r + j]
                };
                s += x[i * r + k] * yv;
            }
            out[i * r + j] = s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ar1_matches_closed_form() {
        // AR(1): exact loglik = sum of N(0, s2/(1-phi^2)) for w0 and N(phi w_{t-1}, s2) afterwards
        let phi = 0.6;
        let w = [0.3, -0.2, 0.5, 1.1, -0.4];
        let (ll, s2) = loglik(&w, &[phi], &[]).unwrap();
        let q = w[0] * w[0] * (1.0 - phi * phi)
            + w.windows(2)
                .map(|p| (p[1] - phi * p[0]).powi(2))
                .sum::<f64>();
        let n = w.len() as f64;
        assert!((s2 - q / n).abs() < 1e-12);
        let expect = -0.5 * n * ((2.0 * std::f64::consts::PI).ln() + (q / n).ln() + 1.0)
            - 0.5 * (1.0 / (1.0 - phi * phi)).ln();
        assert!((ll - expect).abs() < 1e-10, "{ll} vs {expect}");
    }
}
