//! Lag polynomials for SARIMA: products of the seasonal and non-seasonal factors, differencing,
//! psi weights, and the stationarity/invertibility parameterisation (Jones 1980 / Monahan 1984:
//! unconstrained reals -> partial autocorrelations in (-1, 1) -> AR coefficients by the
//! Durbin-Levinson recursion). Hand-written: these are a few loops each, and no maintained crate
//! offers them in this form.
//!
//! Conventions (as statsmodels and R): AR polynomial `1 - phi_1 B - ... - phi_p B^p`, MA polynomial
//! `1 + theta_1 B + ... + theta_q B^q`. A polynomial is stored as its coefficient vector, index =
//! power of B, element 0 = 1.

/// Product of two polynomials.
pub fn mul(a: &[f64], b: &[f64]) -> Vec<f64> {
    if a.is_empty() || b.is_empty() {
        return vec![];
    }
    let mut out = vec![0.0; a.len() + b.len() - 1];
    for (i, x) in a.iter().enumerate() {
        if *x == 0.0 {
            continue;
        }
        for (j, y) in b.iter().enumerate() {
            out[i + j] += x * y;
        }
    }
    out
}

/// `1 - sum phi_i B^(i s)`.
pub fn ar_poly(phi: &[f64], s: usize) -> Vec<f64> {
    let mut p = vec![0.0; phi.len() * s + 1];
    p[0] = 1.0;
    for (i, v) in phi.iter().enumerate() {
        p[(i + 1) * s] = -v;
    }
    p
}

/// `1 + sum theta_i B^(i s)`.
pub fn ma_poly(theta: &[f64], s: usize) -> Vec<f64> {
    let mut p = vec![0.0; theta.len() * s + 1];
    p[0] = 1.0;
    for (i, v) in theta.iter().enumerate() {
        p[(i + 1) * s] = *v;
    }
    p
}

/// `(1 - B)^d (1 - B^s)^D`.
pub fn diff_poly(d: usize, sd: usize, s: usize) -> Vec<f64> {
    let mut p = vec![1.0];
    for _ in 0..d {
        p = mul(&p, &[1.0, -1.0]);
    }
    for _ in 0..sd {
        let mut f = vec![0.0; s + 1];
        f[0] = 1.0;
        f[s] = -1.0;
        p = mul(&p, &f);
    }
    p
}

/// Applies `poly` as a filter: `out[t] = sum_i poly[i] y[t + k - i]` for the valid range
/// (the first `poly.len() - 1` values are dropped). Differencing uses this.
pub fn apply(poly: &[f64], y: &[f64]) -> Vec<f64> {
    let k = poly.len().saturating_sub(1);
    if y.len() <= k {
        return vec![];
    }
    (k..y.len())
        .map(|t| poly.iter().enumerate().map(|(i, c)| c * y[t - i]).sum())
        .collect()
}

/// Psi weights (MA(infinity) representation) of `ma(B) / ar(B)`, first `h` of them.
pub fn psi(ar: &[f64], ma: &[f64], h: usize) -> Vec<f64> {
    let mut out = vec![0.0; h];
    for j in 0..h {
        let mut v = ma.get(j).copied().unwrap_or(0.0);
        for i in 1..=j.min(ar.len().saturating_sub(1)) {
            v -= ar[i] * out[j - i];
        }
        out[j] = v;
    }
    out
}

/// Maps unconstrained reals to the coefficients of a stationary AR polynomial
/// (`r = x / sqrt(1 + x^2)` are the partial autocorrelations).
pub fn constrain(x: &[f64]) -> Vec<f64> {
    let mut phi: Vec<f64> = Vec::with_capacity(x.len());
    for &xk in x {
        let r = xk / (1.0 + xk * xk).sqrt();
        let prev = phi.clone();
        let k = prev.len();
        for i in 0..k {
            phi[i] = prev[i] - r * prev[k - 1 - i];
        }
        phi.push(r);
    }
    phi
}

/// Inverse of [`constrain`]. Non-stationary input is pulled inside (|pacf| <= 0.99).
pub fn unconstrain(phi: &[f64]) -> Vec<f64> {
    let p = phi.len();
    let mut cur = phi.to_vec();
    let mut x = vec![0.0; p];
    for k in (0..p).rev() {
        let r = cur[k].clamp(-0.99, 0.99);
        x[k] = r / (1.0 - r * r).sqrt();
        let prev: Vec<f64> = (0..k)
            .map(|i| (cur[i] + r * cur[k - 1 - i]) / (1.0 - r * r))
            .collect();
        cur = prev;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn airline_ma_polynomial() {
        let p = mul(&ma_poly(&[-0.4], 1), &ma_poly(&[-0.6], 12));
        assert_eq!(p.len(), 14);
        assert!((p[1] + 0.4).abs() < 1e-12 && (p[12] + 0.6).abs() < 1e-12);
        assert!((p[13] - 0.24).abs() < 1e-12);
    }

    #[test]
    fn constrain_roundtrip_and_stationary() {
        let x = [0.7, -1.3, 2.0];
        let phi = constrain(&x);
        let back = unconstrain(&phi);
        for (a, b) in x.iter().zip(&back) {
            assert!((a - b).abs() < 1e-9);
        }
        // AR(1) special case: phi = r
        assert!((constrain(&[1.0])[0] - 1.0 / 2f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn differencing() {
        let d = diff_poly(1, 1, 4);
        let y: Vec<f64> = (0..12).map(|t| (t * t) as f64).collect();
        let w = apply(&d, &y);
        // (1-B)(1-B^4) t^2 = 8 (constant second difference times lag product)
        assert!(w.iter().all(|v| (v - 8.0).abs() < 1e-9), "{w:?}");
    }

    #[test]
    fn psi_of_ar1() {
        let ps = psi(&[1.0, -0.5], &[1.0], 4);
        assert_eq!(ps, vec![1.0, 0.5, 0.25, 0.125]);
    }
}
