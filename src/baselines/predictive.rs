//! `predictive`: sizes each pool for the forecast rates over the next `lead + 1` intervals (an
//! instance launched now serves only after the cold start), taking the largest count the
//! queueing model says meets every SLO with `headroom`, so capacity is in place when the load
//! arrives and is released as soon as no forecast step needs it.

use super::cluster::ClusterModel;
use crate::env::{Action, StepInfo};
use crate::policy::Policy;

pub struct PredictivePolicy {
    ctx: ClusterModel,
    headroom: f64,
}

impl PredictivePolicy {
    pub fn new(ctx: ClusterModel, headroom: f64) -> PredictivePolicy {
        PredictivePolicy { ctx, headroom }
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
                (0..=self.ctx.lead[p])
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
        self.ctx.codec.encode_targets(&targets, &info.pools)
    }
}
