//! `dp` and `dp_oracle`: receding-horizon dynamic programming. Every interval, per pool, plan the
//! capacity levels of the next `horizon` intervals with `dp::plan` on the queueing model's cost at
//! the forecast rates (instance cost + expected lost revenue + SLO penalty, the env's reward
//! weights), then act on the plan's first step: launch now what the plan needs within the lead
//! time, release what it does not need now. When those targets exceed the cluster budget, it is
//! split by value over each pool's lead window (`ClusterModel::split_budget`). (It used to
//! allocate the first step's cost-to-go, in which no pool may rise within its lead time: under
//! a binding budget dp then never launched, and `dp_oracle` lost to `predictive` on the
//! flash-sale family.) `dp_oracle` is the same policy fed the oracle forecast (the
//! true expected arrivals), the reference the learners are measured against.
//!
//! `headroom` plans for rates × (1 + headroom): the queueing model assumes exponential service,
//! while the scenarios' lognormal and gamma service times have heavier or lighter tails, so a
//! plan that is optimal for the model sits right at the edge of the real SLO.

use super::cluster::ClusterModel;
use super::dp::{plan, Plan};
use crate::env::{Action, StepInfo};
use crate::policy::Policy;

pub struct DpPolicy {
    ctx: ClusterModel,
    horizon: usize,
    /// Extra load planned for (a margin for forecast and queueing-model error).
    headroom: f64,
    /// Fed the oracle forecast (true rates from the first step).
    oracle: bool,
    name: String,
}

impl DpPolicy {
    pub fn new(ctx: ClusterModel, horizon: usize, headroom: f64, oracle: bool) -> DpPolicy {
        let name = if oracle { "dp_oracle" } else { "dp" }.to_string();
        DpPolicy {
            ctx,
            horizon: horizon.max(1),
            headroom,
            oracle,
            name,
        }
    }

    /// Plans pool `p` from its current active count.
    fn plan_pool(&self, p: usize, info: &StepInfo, rates: &[Vec<f64>]) -> Plan {
        let m = &self.ctx.models[p];
        let stage: Vec<Vec<f64>> = rates
            .iter()
            .map(|r| {
                let mut levels = m.levels(r, &self.ctx.weights);
                (m.min..=m.max)
                    .map(|x| levels.at(x).total(&self.ctx.weights))
                    .collect()
            })
            .collect();
        // Billing while booting: the mean cold start at the pool's price.
        let launch = self.ctx.weights.cost_weight * m.cost_per_hour * m.cold_start_s / 3600.0;
        plan(
            &stage,
            info.pools[p].active,
            m.min,
            m.max,
            self.ctx.lead[p],
            launch,
        )
    }
}

impl Policy for DpPolicy {
    fn name(&self) -> &str {
        &self.name
    }

    fn reset(&mut self, _seed: Option<u64>) {}

    fn act(&mut self, _obs: &[f32], info: &StepInfo) -> Action {
        if info.stats.is_none() && !self.oracle {
            // Nothing observed yet: a forecaster fed no history predicts nothing; keep the
            // initial sizing for the first interval (the oracle knows the rates from the start).
            return self.ctx.codec.hold(&info.pools);
        }
        let k = 1.0 + self.headroom;
        let rates: Vec<Vec<f64>> = (0..self.horizon)
            .map(|h| {
                self.ctx
                    .forecast_rates(info, h)
                    .into_iter()
                    .map(|r| r * k)
                    .collect()
            })
            .collect();
        let plans: Vec<Plan> = (0..self.ctx.models.len())
            .map(|p| self.plan_pool(p, info, &rates))
            .collect();
        // Launch now what is needed within the lead time; release what is not needed now.
        let targets: Vec<u32> = plans
            .iter()
            .enumerate()
            .map(|(p, pl)| {
                pl.levels
                    .iter()
                    .take(self.ctx.lead[p] + 1)
                    .copied()
                    .max()
                    .unwrap_or(pl.lo)
            })
            .collect();
        let targets = self.ctx.split_budget(&rates, targets);
        self.ctx.codec.encode_targets(&targets, &info.pools)
    }
}
