//! `predictive`: sizes each pool for the forecast rates over the next `lead + 1 + lookahead`
//! intervals (an instance launched now serves only after the cold start; `lookahead`, default 0,
//! pre-scales further ahead of a forecast surge), taking the largest count the
//! queueing model says meets every SLO with `headroom`, so capacity is in place when the load
//! arrives and is released as soon as no forecast step needs it. When those counts exceed the
//! cluster budget, the budget is split by value (`ClusterModel::split_budget`). (Without it the
//! simulator's first-come clipping gave the budget to the first pools in file order and
//! starved `pay` on the flash-sale family.)

use super::cluster::ClusterModel;
use crate::env::{Action, StepInfo};
use crate::policy::Policy;

pub struct PredictivePolicy {
    ctx: ClusterModel,
    headroom: f64,
    /// Intervals beyond the lead time also sized for.
    lookahead: usize,
}

impl PredictivePolicy {
    pub fn new(ctx: ClusterModel, headroom: f64, lookahead: usize) -> PredictivePolicy {
        PredictivePolicy {
            ctx,
            headroom,
            lookahead,
        }
    }
}

impl Policy for PredictivePolicy {
    fn name(&self) -> &str {
        "predictive"
    }

    fn reset(&mut self, _seed: Option<u64>) {}

    fn act(&mut self, _obs: &[f32], info: &StepInfo) -> Action {
        if info.stats.is_none() {
            // Nothing observed yet: a forecaster fed no history predicts nothing; keep the
            // initial sizing for the first interval.
            return self.ctx.codec.hold(&info.pools);
        }
        let targets: Vec<u32> = self
            .ctx
            .models
            .iter()
            .enumerate()
            .map(|(p, m)| {
                (0..=self.ctx.lead[p] + self.lookahead)
                    .map(|h| {
                        m.min_instances_for_slo(
                            &self.ctx.forecast_rates(info, h),
                            self.headroom,
                            &self.ctx.weights,
                        )
                    })
                    .max()
                    .unwrap_or(m.min)
            })
            .collect();
        let lead = self.ctx.lead.iter().copied().max().unwrap_or(0);
        let rates: Vec<Vec<f64>> = (0..=lead)
            .map(|h| {
                let r = self.ctx.forecast_rates(info, h);
                r.into_iter().map(|x| x * (1.0 + self.headroom)).collect()
            })
            .collect();
        let targets = self.ctx.split_budget(&rates, targets);
        self.ctx.codec.encode_targets(&targets, &info.pools)
    }
}
