//! `greedy_budget`: sizes every pool for the rates it saw in the last interval (the fewest
//! instances the queueing model says meet its SLOs, with headroom); if the cluster budget cannot
//! cover all of it, hands out instances one at a time to the pool with the largest unmet demand
//! (ties to the lower pool index) until the budget is spent.

use super::cluster::ClusterModel;
use crate::env::{Action, StepInfo};
use crate::policy::Policy;

pub struct GreedyBudgetPolicy {
    ctx: ClusterModel,
    /// Extra load planned for, as a fraction (0.2 = 20 %).
    headroom: f64,
    /// Instances to spread (the scenario's budget unless the agent sets its own).
    budget: Option<u32>,
}

impl GreedyBudgetPolicy {
    pub fn new(ctx: ClusterModel, headroom: f64, budget: Option<u32>) -> GreedyBudgetPolicy {
        let budget = budget.or(ctx.budget);
        GreedyBudgetPolicy {
            ctx,
            headroom,
            budget,
        }
    }
}

/// Greedy allocation: start every pool at `min[p]`, then give one instance at a time to the pool
/// whose demand exceeds its allocation the most, while the budget lasts.
pub fn greedy_allocate(demand: &[u32], min: &[u32], budget: u32) -> Vec<u32> {
    let mut alloc: Vec<u32> = min.to_vec();
    let mut left = budget.saturating_sub(alloc.iter().sum());
    while left > 0 {
        let pick = (0..demand.len())
            .filter(|&p| demand[p] > alloc[p])
            .max_by_key(|&p| (demand[p] - alloc[p], std::cmp::Reverse(p)));
        let Some(p) = pick else { break };
        alloc[p] += 1;
        left -= 1;
    }
    alloc
}

impl Policy for GreedyBudgetPolicy {
    fn name(&self) -> &str {
        "greedy_budget"
    }

    fn reset(&mut self, _seed: Option<u64>) {}

    fn act(&mut self, _obs: &[f32], info: &StepInfo) -> Action {
        if info.stats.is_none() {
            return self.ctx.codec.hold(&info.pools);
        }
        let rates = self.ctx.observed_rates(info);
        let demand: Vec<u32> = self
            .ctx
            .models
            .iter()
            .map(|m| m.min_instances_for_slo(&rates, self.headroom, &self.ctx.weights))
            .collect();
        let targets = match self.budget {
            Some(b) if demand.iter().sum::<u32>() > b => {
                let min: Vec<u32> = self.ctx.models.iter().map(|m| m.min).collect();
                greedy_allocate(&demand, &min, b)
            }
            _ => demand,
        };
        self.ctx.codec.encode_targets(&targets, &info.pools)
    }
}

#[cfg(test)]
mod tests {
    use super::greedy_allocate;

    #[test]
    fn largest_unmet_demand_first() {
        assert_eq!(greedy_allocate(&[10, 4, 6], &[1, 1, 1], 9), vec![6, 1, 2]);
        assert_eq!(
            greedy_allocate(&[3, 2], &[1, 1], 100),
            vec![3, 2],
            "stops at demand"
        );
        assert_eq!(
            greedy_allocate(&[9, 9], &[2, 2], 3),
            vec![2, 2],
            "min exceeds budget: stay at min"
        );
    }
}
