//! The fluid model's latency formulas: the pointwise-stationary M/G/c wait below saturation and
//! the latency quantiles of an interval from its first two moments.
//!
//! Below saturation a pool with `c` worker slots at utilisation `ρ` is treated as the stationary
//! M/G/c queue of that instant (pointwise-stationary approximation, valid when the load changes
//! slowly compared with the queue's relaxation time `E[S] / (c (1 − ρ)²)`): an arrival waits with
//! the Erlang C probability `C(c, cρ)`, and a waiting one waits an exponential time of mean
//! `E[S] (1 + cs²) / 2 / (c (1 − ρ))` (Allen–Cunneen: the M/M/c wait scaled by the service-time
//! variability `cs²`). Erlang C is exact (the Erlang B recursion) for `c <= EXACT_MAX_SLOTS` and the
//! Halfin–Whitt heavy-traffic limit above and far below saturation (where C is negligible); its
//! relative error is below 8 % wherever C > 0.05 and below 1 % wherever C > 0.3 (checked against
//! the exact recursion); where C is small the wait it implies is small too.
//!
//! A latency quantile is read from a distribution fitted to the latency's mean and variance: a
//! log-normal when the class's service times are log-normal, else a gamma (Wilson–Hilferty
//! quantiles), a point mass when the variance is 0. This is exact when nothing waits and the
//! service distribution is one of those families, and approximate once waits mix in.

use crate::sim::dist::DurationDist;

/// Largest slot count for which Erlang C is computed exactly.
pub(crate) const EXACT_MAX_SLOTS: u32 = 100;
/// Utilisation at which the stationary wait is evaluated when a pool is at or over saturation
/// (the fluid queue carries the rest).
pub(crate) const RHO_CAP: f64 = 0.99;

/// Erlang C: the probability that an arrival waits in M/M/c with offered load `a` [Erlangs].
pub(crate) fn erlang_c(a: f64, c: u32) -> f64 {
    if c == 0 || a >= f64::from(c) {
        return 1.0;
    }
    if a <= 0.0 {
        return 0.0;
    }
    let rho = a / f64::from(c);
    // Far below saturation (β = (1 − ρ)√c > 5) C < 1e-5 and the waits it implies are
    // negligible, so the O(1) limit is used there too.
    if c > EXACT_MAX_SLOTS || (1.0 - rho) * f64::from(c).sqrt() > 5.0 {
        return halfin_whitt(rho, c);
    }
    // Erlang B by the stable forward recursion B_k = a B_{k-1} / (k + a B_{k-1}).
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (f64::from(k) + a * b);
    }
    b / (1.0 - rho * (1.0 - b))
}

/// Halfin–Whitt: C ≈ 1 / (1 + β Φ(β) / φ(β)), β = (1 − ρ) √c.
fn halfin_whitt(rho: f64, c: u32) -> f64 {
    let beta = (1.0 - rho) * f64::from(c).sqrt();
    let phi = (-0.5 * beta * beta).exp() / (2.0 * std::f64::consts::PI).sqrt();
    if phi <= 0.0 {
        return 0.0;
    }
    1.0 / (1.0 + beta * normal_cdf(beta) / phi)
}

/// Standard normal CDF (erfc with a Chebyshev fit, relative error < 1.2e-7).
pub(crate) fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87
                                        + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// Inverse standard normal CDF (Acklam, relative error < 1.2e-9 after one Newton step).
pub(crate) fn normal_quantile(p: f64) -> f64 {
    let p = p.clamp(1e-300, 1.0 - 1e-16);
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let pl = 0.02425;
    let x = if p < pl {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - pl {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    // One Newton step on Φ(x) = p.
    let e = normal_cdf(x) - p;
    let u = e * (2.0 * std::f64::consts::PI).sqrt() * (x * x / 2.0).exp();
    x - u / (1.0 + x * u / 2.0)
}

/// First two moments of the stationary wait [s, s²] and P(wait > 0) of a pool with `slots` worker
/// slots at utilisation `rho` (capped at `RHO_CAP`), mean service `mean_s` [s] and squared
/// coefficient of variation `scv`.
pub(crate) fn stationary_wait(rho: f64, slots: u32, mean_s: f64, scv: f64) -> (f64, f64, f64) {
    if slots == 0 || rho <= 0.0 || mean_s <= 0.0 {
        return (0.0, 0.0, 0.0);
    }
    let rho = rho.min(RHO_CAP);
    let c = f64::from(slots);
    let pw = erlang_c(rho * c, slots);
    let m = mean_s * (1.0 + scv) / 2.0 / (c * (1.0 - rho));
    (pw * m, 2.0 * pw * m * m, pw)
}

/// The family latency quantiles are read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    LogNormal,
    Gamma,
}

impl Shape {
    /// The family matching a class's service-time distributions.
    pub fn of(dists: &[&DurationDist]) -> Shape {
        if dists
            .iter()
            .all(|d| matches!(d, DurationDist::LogNormal { .. }))
        {
            Shape::LogNormal
        } else {
            Shape::Gamma
        }
    }

    /// The `z`-quantile (`z` = Φ⁻¹(q)) of the distribution with `mean` and `var`.
    pub fn quantile(self, mean: f64, var: f64, z: f64) -> f64 {
        if mean <= 0.0 {
            return 0.0;
        }
        let scv = var.max(0.0) / (mean * mean);
        if scv < 1e-12 {
            return mean;
        }
        match self {
            Shape::LogNormal => {
                let s2 = (1.0 + scv).ln();
                (mean.ln() - s2 / 2.0 + s2.sqrt() * z).exp()
            }
            Shape::Gamma => {
                // Wilson–Hilferty: X ≈ kθ (1 − 1/(9k) + z / (3√k))³, k = 1/scv.
                let k = 1.0 / scv;
                let h = 1.0 - 1.0 / (9.0 * k) + z / (3.0 * k.sqrt());
                mean * h.max(0.0).powi(3)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantile_inverts_the_cdf() {
        for p in [0.001, 0.05, 0.5, 0.95, 0.99, 0.999] {
            let x = normal_quantile(p);
            assert!((normal_cdf(x) - p).abs() < 1e-7, "p {p}: x {x}");
        }
        assert!((normal_quantile(0.975) - 1.959_964).abs() < 1e-5);
    }

    #[test]
    fn erlang_c_matches_tables_and_heavy_traffic_limit() {
        assert!((erlang_c(9.0, 10) - 0.6687).abs() < 1e-4);
        assert!((erlang_c(0.7, 1) - 0.7).abs() < 1e-12);
        assert_eq!(erlang_c(10.0, 10), 1.0);
        // Exact and Halfin–Whitt agree within 2 % around the switch-over.
        let c = EXACT_MAX_SLOTS;
        let a = 0.97 * f64::from(c);
        let exact = erlang_c(a, c);
        let hw = halfin_whitt(0.97, c);
        assert!((hw / exact - 1.0).abs() < 0.02, "{exact} vs {hw}");
    }

    #[test]
    fn quantiles_of_the_fitted_families() {
        let z99 = normal_quantile(0.99);
        // Exponential (scv 1) p99 = ln(100) · mean; Wilson–Hilferty within 1 %.
        let g = Shape::Gamma.quantile(1.0, 1.0, z99);
        assert!((g / 100f64.ln() - 1.0).abs() < 0.01, "{g}");
        // Log-normal median = mean / sqrt(1 + scv).
        let m = Shape::LogNormal.quantile(1.0, 1.0, 0.0);
        assert!((m - 1.0 / 2f64.sqrt()).abs() < 1e-9);
        assert_eq!(Shape::Gamma.quantile(2.0, 0.0, z99), 2.0);
    }
}
