//! Means and 95 % confidence intervals (Student t) of per-episode metrics, and paired
//! differences between agents run on the same seeds. Hand-written: a t table and two sums do
//! not justify a statistics dependency.

use serde::Serialize;

/// t_{0.975, df} for df = 1..=30.
const T975: [f64; 30] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
    2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
    2.052, 2.048, 2.045, 2.042,
];

/// The 97.5 % quantile of Student's t with `df` degrees of freedom (Cornish-Fisher beyond 30).
pub fn t975(df: usize) -> f64 {
    match df {
        0 => f64::INFINITY,
        1..=30 => T975[df - 1],
        _ => {
            let z = 1.959_964f64;
            let n = df as f64;
            z + (z.powi(3) + z) / (4.0 * n)
                + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * n * n)
        }
    }
}

/// Mean and 95 % confidence interval of a sample.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MeanCi {
    pub mean: f64,
    /// [low, high]; equal to the mean for a single value.
    pub ci95: [f64; 2],
}

/// Mean and t-interval of `xs` (NaN values are skipped; empty gives NaN).
pub fn mean_ci(xs: &[f64]) -> MeanCi {
    let v: Vec<f64> = xs.iter().copied().filter(|x| !x.is_nan()).collect();
    let n = v.len();
    if n == 0 {
        return MeanCi {
            mean: f64::NAN,
            ci95: [f64::NAN, f64::NAN],
        };
    }
    let mean = v.iter().sum::<f64>() / n as f64;
    if n == 1 {
        return MeanCi {
            mean,
            ci95: [mean, mean],
        };
    }
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let half = t975(n - 1) * (var / n as f64).sqrt();
    MeanCi {
        mean,
        ci95: [mean - half, mean + half],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_matches_a_hand_computation() {
        // 1..=5: mean 3, sd 1.5811, se 0.7071, t(4) = 2.776 -> half width 1.963.
        let m = mean_ci(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert!((m.mean - 3.0).abs() < 1e-12);
        assert!((m.ci95[1] - 3.0 - 2.776 * std::f64::consts::FRAC_1_SQRT_2).abs() < 1e-5);
        assert!((t975(1000) - 1.962_3).abs() < 1e-3);
        assert!((t975(31) - 2.0395).abs() < 2e-3);
    }
}
