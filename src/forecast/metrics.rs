//! Point and interval accuracy metrics, accumulated one forecast at a time.
//!
//! * MAE, RMSE: series units.
//! * MAPE (%): mean of `100 |e| / |y|` over actuals that are not 0 (zero actuals are skipped;
//!   `None` if all are 0).
//! * sMAPE (%): mean of `200 |e| / (|y| + |yhat|)`, a term is 0 when both are 0.
//! * MASE: mean of `|e| / scale`, scale = in-sample MAE of the seasonal naive method (season m,
//!   m = 1 for naive) on the training window of the same origin (Hyndman and Koehler 2006).
//! * coverage: share of actuals inside the prediction interval (`None` without intervals).

/// Metrics for one horizon over all origins.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Metrics {
    /// Forecasts scored.
    pub n: usize,
    /// Mean absolute error.
    pub mae: f64,
    /// Root mean squared error.
    pub rmse: f64,
    /// Mean absolute percentage error, percent.
    pub mape: Option<f64>,
    /// Symmetric MAPE, percent.
    pub smape: f64,
    /// Mean absolute scaled error.
    pub mase: Option<f64>,
    /// Interval coverage in [0, 1].
    pub coverage: Option<f64>,
}

/// Running sums for [`Metrics`].
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Accumulator {
    n: usize,
    abs: f64,
    sq: f64,
    ape: f64,
    n_ape: usize,
    sape: f64,
    ase: f64,
    n_ase: usize,
    covered: usize,
    n_int: usize,
}

impl Accumulator {
    /// Adds one forecast. `scale` is the MASE denominator (skipped when not positive),
    /// `interval` the (lower, upper) bounds if any.
    pub fn add(&mut self, actual: f64, pred: f64, scale: f64, interval: Option<(f64, f64)>) {
        let e = actual - pred;
        self.n += 1;
        self.abs += e.abs();
        self.sq += e * e;
        if actual != 0.0 {
            self.ape += 100.0 * e.abs() / actual.abs();
            self.n_ape += 1;
        }
        let den = actual.abs() + pred.abs();
        if den > 0.0 {
            self.sape += 200.0 * e.abs() / den;
        }
        if scale > 0.0 && scale.is_finite() {
            self.ase += e.abs() / scale;
            self.n_ase += 1;
        }
        if let Some((lo, hi)) = interval {
            self.n_int += 1;
            if actual >= lo && actual <= hi {
                self.covered += 1;
            }
        }
    }

    /// Merges another accumulator into this one.
    pub fn merge(&mut self, o: &Accumulator) {
        self.n += o.n;
        self.abs += o.abs;
        self.sq += o.sq;
        self.ape += o.ape;
        self.n_ape += o.n_ape;
        self.sape += o.sape;
        self.ase += o.ase;
        self.n_ase += o.n_ase;
        self.covered += o.covered;
        self.n_int += o.n_int;
    }

    /// The metrics so far (all zero when empty).
    pub fn metrics(&self) -> Metrics {
        let n = self.n.max(1) as f64;
        Metrics {
            n: self.n,
            mae: self.abs / n,
            rmse: (self.sq / n).sqrt(),
            mape: (self.n_ape > 0).then(|| self.ape / self.n_ape as f64),
            smape: self.sape / n,
            mase: (self.n_ase > 0).then(|| self.ase / self.n_ase as f64),
            coverage: (self.n_int > 0).then(|| self.covered as f64 / self.n_int as f64),
        }
    }
}

/// In-sample MAE of the seasonal naive method with season `m` (m = 1: naive); 0 if too short.
pub fn mase_scale(y: &[f64], m: usize) -> f64 {
    let m = m.max(1);
    if y.len() <= m {
        return 0.0;
    }
    let s: f64 = (m..y.len()).map(|t| (y[t] - y[t - m]).abs()).sum();
    s / (y.len() - m) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_by_hand() {
        let mut a = Accumulator::default();
        a.add(10.0, 8.0, 2.0, Some((7.0, 9.0)));
        a.add(0.0, 1.0, 2.0, Some((0.5, 2.0)));
        let m = a.metrics();
        assert_eq!(m.n, 2);
        assert!((m.mae - 1.5).abs() < 1e-12);
        assert!((m.rmse - (2.5f64).sqrt()).abs() < 1e-12);
        assert!((m.mape.unwrap() - 20.0).abs() < 1e-12);
        assert!((m.smape - (200.0 * 2.0 / 18.0 + 200.0) / 2.0).abs() < 1e-9);
        assert!((m.mase.unwrap() - 0.75).abs() < 1e-12);
        assert_eq!(m.coverage, Some(0.0));
        assert!((mase_scale(&[1.0, 3.0, 2.0], 1) - 1.5).abs() < 1e-12);
    }
}
