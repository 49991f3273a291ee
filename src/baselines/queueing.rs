//! Closed-form queueing formulas for the model-based baselines: Erlang B and C, M/M/c/K
//! blocking, the M/M/c waiting-time and sojourn-time tails. Hand-written: these are a few lines
//! each and no maintained Rust crate provides them (`queueing-theory`-style crates are
//! unmaintained or cover M/M/1 only). Every formula is checked against published values in tests
//! and against the simulator in `tests/sim_queueing.rs`.
//!
//! Conventions: `lambda` arrival rate [1/s], `mu` service rate of one server [1/s], `c` servers.

/// Erlang B blocking probability of M/M/c/c with offered load `a = lambda / mu` (stable recursion).
pub fn erlang_b(a: f64, c: u32) -> f64 {
    ErlangB::default().at(a, c)
}

/// Erlang C: probability that an arrival waits in M/M/c with offered load `a`; 1 when `a >= c`.
pub fn erlang_c(a: f64, c: u32) -> f64 {
    erlang_c_with(a, c, || erlang_b(a, c))
}

/// Erlang C from its Erlang B value at the same `a` and `c`, asked only when it is needed.
pub fn erlang_c_with(a: f64, c: u32, erlang_b: impl FnOnce() -> f64) -> f64 {
    if c == 0 || a >= f64::from(c) {
        return 1.0;
    }
    let b = erlang_b();
    let rho = a / f64::from(c);
    b / (1.0 - rho * (1.0 - b))
}

/// Erlang B's recursion over the servers k = 1..c, carried from one c to a larger one: asked at
/// a rising sequence of c (one offered load), it does the work of the largest c once, with the
/// same operations as a fresh recursion for each (`erlang_b` is a fresh one).
#[derive(Debug, Clone)]
pub struct ErlangB {
    /// Servers the recursion has reached.
    k: u32,
    b: f64,
}

impl Default for ErlangB {
    fn default() -> ErlangB {
        ErlangB { k: 0, b: 1.0 }
    }
}

impl ErlangB {
    /// Erlang B at `c` (>= every c asked before) for offered load `a`.
    pub fn at(&mut self, a: f64, c: u32) -> f64 {
        assert!(c >= self.k, "ErlangB::at: c must not decrease");
        for k in self.k + 1..=c {
            self.b = a * self.b / (f64::from(k) + a * self.b);
        }
        self.k = c;
        self.b
    }
}

/// Mean wait in queue [s] of M/M/c; infinite when unstable.
pub fn mmc_mean_wait(lambda: f64, mu: f64, c: u32) -> f64 {
    let theta = f64::from(c) * mu - lambda;
    if theta <= 0.0 {
        return f64::INFINITY;
    }
    erlang_c(lambda / mu, c) / theta
}

/// P(wait > t) in M/M/c (FCFS): C · exp(−(cμ − λ) t).
pub fn mmc_wait_tail(lambda: f64, mu: f64, c: u32, t: f64) -> f64 {
    mmc_wait_tail_given(erlang_c(lambda / mu, c), lambda, mu, c, t)
}

/// `mmc_wait_tail` given its Erlang C value `p_wait` = `erlang_c(lambda / mu, c)`.
pub fn mmc_wait_tail_given(p_wait: f64, lambda: f64, mu: f64, c: u32, t: f64) -> f64 {
    let theta = f64::from(c) * mu - lambda;
    if theta <= 0.0 {
        return 1.0;
    }
    p_wait * (-theta * t).exp()
}

/// P(sojourn > t) in M/M/c for a job whose own service is exponential with rate `mu_job` (the
/// queue's servers work at `mu`): T = W + S with W and S independent under FCFS, so
/// P(T > t) = e^{−μ_j t} + C μ_j / (μ_j − θ) · (e^{−θ t} − e^{−μ_j t}), θ = cμ − λ.
pub fn mmc_sojourn_tail(lambda: f64, mu: f64, c: u32, mu_job: f64, t: f64) -> f64 {
    mmc_sojourn_tail_given(erlang_c(lambda / mu, c), lambda, mu, c, mu_job, t)
}

/// `mmc_sojourn_tail` given its Erlang C value `pw` = `erlang_c(lambda / mu, c)`.
pub fn mmc_sojourn_tail_given(pw: f64, lambda: f64, mu: f64, c: u32, mu_job: f64, t: f64) -> f64 {
    let theta = f64::from(c) * mu - lambda;
    if theta <= 0.0 {
        return 1.0;
    }
    let es = (-mu_job * t).exp();
    let d = mu_job - theta;
    let tail = if d.abs() < 1e-9 * mu_job {
        // Limit θ -> μ_j: ∫ μ e^{−μ s} e^{−μ (t−s)} ds = μ t e^{−μ t}.
        es + pw * mu_job * t * es
    } else {
        es + pw * mu_job / d * ((-theta * t).exp() - es)
    };
    tail.clamp(0.0, 1.0)
}

/// Blocking probability of M/M/c/K (K = c servers + queue places).
pub fn mmck_blocking(a: f64, c: u32, k: u32) -> f64 {
    if k == 0 {
        return 1.0;
    }
    // p_n ∝ a^n/n! (n <= c), a^c/c! (a/c)^{n−c} (n > c); normalised in log-free running form.
    let mut p = 1.0;
    let mut total = 1.0;
    for n in 1..=k {
        p *= a / f64::from(n.min(c.max(1)));
        total += p;
        if !total.is_finite() {
            return 1.0 - f64::from(c) / a.max(f64::from(c));
        }
    }
    p / total
}

/// `mmck_blocking`'s running sum, carried over its first c terms (a^n / n!, which do not depend
/// on c) from one c to a larger one; the terms past c are summed per call. The same operations
/// in the same order as `mmck_blocking`, its overflow fallback included.
#[derive(Debug, Clone)]
pub struct MmckBlocking {
    n: u32,
    p: f64,
    total: f64,
    /// The sum stopped being finite within the carried terms.
    overflowed: bool,
}

impl Default for MmckBlocking {
    fn default() -> MmckBlocking {
        MmckBlocking {
            n: 0,
            p: 1.0,
            total: 1.0,
            overflowed: false,
        }
    }
}

impl MmckBlocking {
    /// `mmck_blocking(a, c, k)` for c >= 1 (>= every c asked before) and k >= c.
    pub fn at(&mut self, a: f64, c: u32, k: u32) -> f64 {
        assert!(c >= self.n, "MmckBlocking::at: c must not decrease");
        let overflow = || 1.0 - f64::from(c) / a.max(f64::from(c));
        while !self.overflowed && self.n < c {
            self.n += 1;
            self.p *= a / f64::from(self.n);
            self.total += self.p;
            self.overflowed = !self.total.is_finite();
        }
        if self.overflowed {
            return overflow();
        }
        let (mut p, mut total) = (self.p, self.total);
        for _ in c + 1..=k {
            p *= a / f64::from(c);
            total += p;
            if !total.is_finite() {
                return overflow();
            }
        }
        p / total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erlang_values_match_tables() {
        // Erlang B table: a = 5, c = 5 -> 0.2849; a = 10, c = 15 -> 0.0365.
        assert!((erlang_b(5.0, 5) - 0.2849).abs() < 1e-4);
        assert!((erlang_b(10.0, 15) - 0.0365).abs() < 1e-4);
        // Erlang C: a = 9, c = 10 -> 0.6687 (the mmc_validation scenario).
        assert!((erlang_c(9.0, 10) - 0.6687).abs() < 1e-4);
        assert!((mmc_mean_wait(90.0, 10.0, 10) - 0.066_87).abs() < 1e-5);
        assert_eq!(erlang_c(10.0, 10), 1.0);
        // M/M/1: P(wait) = rho, sojourn ~ Exp(mu − lambda).
        assert!((erlang_c(0.7, 1) - 0.7).abs() < 1e-12);
        let t = 0.3;
        assert!((mmc_sojourn_tail(7.0, 10.0, 1, 10.0, t) - (-(10.0 - 7.0) * t).exp()).abs() < 1e-9);
    }

    #[test]
    fn mmck_reduces_to_erlang_b_and_mm1k() {
        assert!((mmck_blocking(5.0, 5, 5) - erlang_b(5.0, 5)).abs() < 1e-12);
        // M/M/1/K: (1−ρ)ρ^K / (1−ρ^{K+1}).
        let (rho, k) = (0.8f64, 10u32);
        let expect = (1.0 - rho) * rho.powi(10) / (1.0 - rho.powi(11));
        assert!((mmck_blocking(rho, 1, k) - expect).abs() < 1e-12);
    }

    #[test]
    fn sojourn_tail_is_continuous_at_the_singular_point() {
        // θ = cμ − λ equal to μ_j: the two branches must agree.
        let (lambda, mu, c) = (10.0, 10.0, 2); // θ = 10
        let at = mmc_sojourn_tail(lambda, mu, c, 10.0, 0.2);
        let near = mmc_sojourn_tail(lambda, mu, c, 10.0 + 1e-6, 0.2);
        assert!((at - near).abs() < 1e-5, "{at} vs {near}");
    }
}
