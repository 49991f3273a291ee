//! Classical moving-average decomposition (trend by a centred moving average, seasonal indices by
//! averaging detrended values per season position). Used for statsmodels-compatible
//! Holt-Winters initial states and for the seasonal-strength test of the automatic ARIMA search.

/// Centred moving average of window `m` (a 2 x m average when `m` is even, as in pandas
/// `rolling(m, center=True)` followed by `shift(-1).rolling(2)`); `None` where undefined.
pub fn centred_ma(y: &[f64], m: usize) -> Vec<Option<f64>> {
    let n = y.len();
    let mut out = vec![None; n];
    if m == 0 || n < m + usize::from(m.is_multiple_of(2)) {
        return out;
    }
    // prefix sums for O(n)
    let mut cs = vec![0.0; n + 1];
    for i in 0..n {
        cs[i + 1] = cs[i] + y[i];
    }
    let mean = |a: usize, b: usize| (cs[b + 1] - cs[a]) / (b + 1 - a) as f64; // inclusive a..=b
    if m % 2 == 1 {
        let h = m / 2;
        for (i, o) in out.iter_mut().enumerate().take(n - h).skip(h) {
            *o = Some(mean(i - h, i + h));
        }
    } else {
        let h = m / 2;
        // value at i = average of windows [i-h, i+h-1] and [i-h+1, i+h]
        for (i, o) in out.iter_mut().enumerate().take(n - h).skip(h) {
            *o = Some(0.5 * (mean(i - h, i + h - 1) + mean(i - h + 1, i + h)));
        }
    }
    out
}

/// Additive or multiplicative decomposition kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// y = trend + season + remainder.
    Additive,
    /// y = trend * season * remainder.
    Multiplicative,
}

/// Seasonal indices (length `m`, position j = steps 0, m, 2m, ... of `y`), normalised to sum 0
/// (additive) or average 1 (multiplicative), plus the trend used to compute them.
pub fn seasonal_indices(y: &[f64], m: usize, kind: Kind) -> (Vec<f64>, Vec<Option<f64>>) {
    let trend = centred_ma(y, m);
    let mut sum = vec![0.0; m];
    let mut cnt = vec![0usize; m];
    for (i, t) in trend.iter().enumerate() {
        if let Some(t) = t {
            let d = match kind {
                Kind::Additive => y[i] - t,
                Kind::Multiplicative => y[i] / t,
            };
            sum[i % m] += d;
            cnt[i % m] += 1;
        }
    }
    let mut s: Vec<f64> = sum
        .iter()
        .zip(&cnt)
        .map(|(s, &c)| if c > 0 { s / c as f64 } else { f64::NAN })
        .collect();
    let mean = s.iter().sum::<f64>() / m as f64;
    match kind {
        Kind::Additive => s.iter_mut().for_each(|v| *v -= mean),
        Kind::Multiplicative => s.iter_mut().for_each(|v| *v /= mean),
    }
    (s, trend)
}

/// Strength of seasonality in [0, 1]: `max(0, 1 - Var(R) / Var(S + R))` from an additive
/// decomposition (Wang, Smith and Hyndman 2006; `forecast::nsdiffs` differences when > 0.64).
pub fn seasonal_strength(y: &[f64], m: usize) -> f64 {
    if m < 2 || y.len() < 2 * m + 1 {
        return 0.0;
    }
    let (s, trend) = seasonal_indices(y, m, Kind::Additive);
    let mut r = Vec::new();
    let mut sr = Vec::new();
    for (i, t) in trend.iter().enumerate() {
        if let Some(t) = t {
            let detr = y[i] - t;
            r.push(detr - s[i % m]);
            sr.push(detr);
        }
    }
    let var = |v: &[f64]| {
        let mu = v.iter().sum::<f64>() / v.len() as f64;
        v.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / v.len() as f64
    };
    let vsr = var(&sr);
    if vsr <= 0.0 {
        return 0.0;
    }
    (1.0 - var(&r) / vsr).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn even_window_is_two_by_m() {
        let y: Vec<f64> = (0..10).map(|i| i as f64).collect();
        let t = centred_ma(&y, 4);
        assert_eq!(t[1], None);
        assert!((t[2].unwrap() - 2.0).abs() < 1e-12);
        assert_eq!(t[8], None);
    }

    #[test]
    fn strong_season_detected() {
        let y: Vec<f64> = (0..120).map(|i| ((i % 12) as f64 - 5.5).powi(2)).collect();
        assert!(seasonal_strength(&y, 12) > 0.99);
        let z: Vec<f64> = (0..120)
            .map(|i| (i as f64 * 0.37).sin() * 0.01 + i as f64)
            .collect();
        assert!(seasonal_strength(&z, 12) < 0.64);
    }
}
