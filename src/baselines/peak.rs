//! "Peak sizing" for a scenario family: the fixed plan a shop would run if it sized every pool for
//! the largest draw it has seen. Over the draws of seeds `0..draws` (training draws: never a test
//! seed), each pool gets enough instances for its largest interval load (the rate-weighted service
//! work of the classes visiting it, from the true expected arrivals of each whole interval, noise
//! included: `env::forecast_fit::expected_counts`) at the target
//! utilisation; when the plan exceeds the cluster budget, every pool is scaled down in proportion
//! (not below its `min`), as a quota forces.

use super::model::PoolModel;
use crate::env::forecast_fit::expected_counts;
use crate::io::ConfigError;
use crate::scenario::Scenario;

/// Instances per pool (scaled units) sized for the largest load over draws `0..draws` at
/// `utilisation`, within each pool's `[min, max]` and the scenario's budget.
pub fn peak_sizing(
    scenario: &Scenario,
    utilisation: f64,
    draws: u32,
) -> Result<Vec<u32>, ConfigError> {
    let models = PoolModel::from_config(&scenario.sim);
    let mut work = vec![0.0f64; models.len()];
    let dt = scenario.sim.interval.as_secs_f64();
    for seed in 0..u64::from(draws.max(1)) {
        let (_, _, counts) = expected_counts(scenario, seed)?;
        for interval in &counts {
            for (w, m) in work.iter_mut().zip(&models) {
                let load: f64 = m
                    .visits
                    .iter()
                    .map(|v| interval[v.class] / dt * v.mean_service_s)
                    .sum();
                *w = w.max(load);
            }
        }
    }
    let mut plan: Vec<u32> = work
        .iter()
        .zip(&models)
        .map(|(w, m)| {
            let n = (w / (f64::from(m.concurrency) * utilisation)).ceil() as u32;
            n.clamp(m.min, m.max)
        })
        .collect();
    if let Some(budget) = scenario.sim.budget {
        let total: u32 = plan.iter().sum();
        if total > budget {
            let k = f64::from(budget) / f64::from(total);
            for (n, m) in plan.iter_mut().zip(&models) {
                *n = ((f64::from(*n) * k).floor() as u32).max(m.min);
            }
        }
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn sizes_for_the_peak_and_keeps_to_the_budget() {
        let s = Scenario::load(Path::new("scenarios/flash_sale_family.yaml")).unwrap();
        let plan = peak_sizing(&s, 0.6, 8).unwrap();
        let budget = s.sim.budget.unwrap();
        assert!(plan.iter().sum::<u32>() <= budget, "{plan:?} over {budget}");
        // The unconstrained plan is larger than the quota (that is what makes it infeasible).
        let mut free = s.clone();
        std::sync::Arc::make_mut(&mut free.sim).budget = None;
        let unconstrained = peak_sizing(&free, 0.6, 8).unwrap();
        assert!(
            unconstrained.iter().sum::<u32>() > budget,
            "{unconstrained:?}"
        );
        // More draws never shrink the plan (a larger maximum).
        let more = peak_sizing(&free, 0.6, 16).unwrap();
        assert!(more.iter().zip(&unconstrained).all(|(a, b)| a >= b));
    }
}
