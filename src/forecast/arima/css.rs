//! Conditional sum of squares: residuals of the expanded ARMA recursion on the differenced series,
//! conditioning on the first p* values (p* = p + sP) and on zero residuals before the start, as R's
//! `arima(method = "CSS")`. Polynomials are kept sparse, so a (0,1,1)(0,1,1)[1440] model costs
//! three multiply-adds per step, not 1,441.

/// Nonzero (lag, coefficient) pairs of an expanded polynomial, lag >= 1.
pub type Sparse = Vec<(usize, f64)>;

/// Sparse form of `w_t = sum phi_i w_{t-i}` coefficients from an AR polynomial
/// `1 - phi_1 B - ...` (sign flipped) or MA polynomial `1 + theta_1 B + ...` (kept).
pub fn sparse(poly: &[f64], flip: bool) -> Sparse {
    poly.iter()
        .enumerate()
        .skip(1)
        .filter(|(_, c)| **c != 0.0)
        .map(|(i, c)| (i, if flip { -c } else { *c }))
        .collect()
}

/// Residuals `e_t` (0 for t < `cond`) and their sum of squares over t >= `cond`.
pub fn residuals(w: &[f64], mu: f64, phi: &Sparse, theta: &Sparse, cond: usize) -> (Vec<f64>, f64) {
    let n = w.len();
    let mut e = vec![0.0; n];
    let mut sse = 0.0;
    for t in cond..n {
        let mut v = w[t] - mu;
        for &(i, c) in phi {
            v -= c * (w[t - i] - mu);
        }
        for &(j, c) in theta {
            if j <= t {
                v -= c * e[t - j];
            }
        }
        e[t] = v;
        sse += v * v;
    }
    (e, sse)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ma1_residuals_by_hand() {
        // w_t = e_t + 0.5 e_{t-1}: e0 = 1, e1 = 2 - 0.5 = 1.5, e2 = 0 - 0.75 = -0.75
        let (e, sse) = residuals(&[1.0, 2.0, 0.0], 0.0, &vec![], &vec![(1, 0.5)], 0);
        assert_eq!(e, vec![1.0, 1.5, -0.75]);
        assert!((sse - (1.0 + 2.25 + 0.5625)).abs() < 1e-12);
    }
}
