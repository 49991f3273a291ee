//! Numerical optimisation used by model fitting, as thin wrappers over `argmin`:
//! Nelder-Mead for the few-parameter objectives (smoothing parameters, ARMA coefficients in an
//! unconstrained parameterisation) and Brent's method for 1-D problems (Box-Cox lambda).
//!
//! Objectives are plain closures over `&[f64]`; non-finite objective values are mapped to a huge
//! finite penalty so the simplex moves away from them instead of stalling.

use super::ForecastError;
use argmin::core::{CostFunction, Error, Executor, State};
use argmin::solver::brent::BrentOpt;
use argmin::solver::neldermead::NelderMead;

const PENALTY: f64 = 1e300;

struct VecCost<'a, F: Fn(&[f64]) -> f64>(&'a F);

impl<F: Fn(&[f64]) -> f64> CostFunction for VecCost<'_, F> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, p: &Vec<f64>) -> Result<f64, Error> {
        let v = (self.0)(p);
        Ok(if v.is_finite() { v } else { PENALTY })
    }
}

struct ScalarCost<'a, F: Fn(f64) -> f64>(&'a F);

impl<F: Fn(f64) -> f64> CostFunction for ScalarCost<'_, F> {
    type Param = f64;
    type Output = f64;
    fn cost(&self, p: &f64) -> Result<f64, Error> {
        let v = (self.0)(*p);
        Ok(if v.is_finite() { v } else { PENALTY })
    }
}

/// Result of a minimisation.
#[derive(Debug, Clone, PartialEq)]
pub struct Minimum {
    /// Argmin found.
    pub x: Vec<f64>,
    /// Objective value there.
    pub value: f64,
    /// Objective evaluations used (approximate: iterations of the solver).
    pub iterations: u64,
}

/// Minimises `f` from `x0` with Nelder-Mead (initial simplex: `x0` plus `step` along each axis),
/// then restarts once from the best point, which guards against a collapsed simplex.
/// `max_iters` bounds each of the two runs.
pub fn nelder_mead<F: Fn(&[f64]) -> f64>(
    f: &F,
    x0: &[f64],
    step: f64,
    max_iters: u64,
    model: &str,
) -> Result<Minimum, ForecastError> {
    if x0.is_empty() {
        let value = f(x0);
        return Ok(Minimum {
            x: vec![],
            value,
            iterations: 0,
        });
    }
    let mut x = x0.to_vec();
    let mut total = 0;
    let mut best = f64::INFINITY;
    for round in 0..2 {
        let s = if round == 0 { step } else { step * 0.25 };
        let mut simplex = vec![x.clone()];
        for i in 0..x.len() {
            let mut v = x.clone();
            v[i] += s;
            simplex.push(v);
        }
        let solver = NelderMead::new(simplex)
            .with_sd_tolerance(1e-12)
            .map_err(|e| ForecastError::fit_failed(model, e.to_string()))?;
        let res = Executor::new(VecCost(f), solver)
            .configure(|st| st.max_iters(max_iters))
            .run()
            .map_err(|e| ForecastError::fit_failed(model, e.to_string()))?;
        let state = res.state();
        total += state.get_iter();
        if let Some(p) = state.get_best_param() {
            if state.get_best_cost() <= best {
                best = state.get_best_cost();
                x = p.clone();
            }
        }
    }
    if !best.is_finite() || best >= PENALTY {
        return Err(ForecastError::fit_failed(
            model,
            "the objective is not finite anywhere the optimiser looked",
        ));
    }
    Ok(Minimum {
        x,
        value: best,
        iterations: total,
    })
}

/// Minimises a 1-D function on `[lo, hi]` with Brent's method.
pub fn brent<F: Fn(f64) -> f64>(
    f: &F,
    lo: f64,
    hi: f64,
    model: &str,
) -> Result<(f64, f64), ForecastError> {
    let solver = BrentOpt::new(lo, hi);
    let res = Executor::new(ScalarCost(f), solver)
        .configure(|st| st.max_iters(200))
        .run()
        .map_err(|e| ForecastError::fit_failed(model, e.to_string()))?;
    let state = res.state();
    match state.get_best_param() {
        Some(x) => Ok((*x, state.get_best_cost())),
        None => Err(ForecastError::fit_failed(
            model,
            "Brent search found no point",
        )),
    }
}

/// Logistic function, maps R onto (0, 1).
pub fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Inverse of [`logistic`], with the argument clamped into (1e-9, 1 - 1e-9).
pub fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-9, 1.0 - 1e-9);
    (p / (1.0 - p)).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nelder_mead_finds_rosenbrock_minimum() {
        let f = |p: &[f64]| (1.0 - p[0]).powi(2) + 100.0 * (p[1] - p[0] * p[0]).powi(2);
        let m = nelder_mead(&f, &[-1.2, 1.0], 0.5, 2000, "test").unwrap();
        assert!(
            (m.x[0] - 1.0).abs() < 1e-4 && (m.x[1] - 1.0).abs() < 1e-4,
            "{m:?}"
        );
    }

    #[test]
    fn brent_finds_parabola_minimum() {
        let (x, v) = brent(&|x: f64| (x - 0.3).powi(2) + 1.0, -2.0, 2.0, "test").unwrap();
        assert!((x - 0.3).abs() < 1e-6 && (v - 1.0).abs() < 1e-10);
    }
}
