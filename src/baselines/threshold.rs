//! `threshold`: the reactive Kubernetes-HPA baseline, one `Hpa` controller per pool, driven by the
//! pool's mean utilisation over the last interval.

use super::cluster::ClusterModel;
use super::hpa::{Hpa, HpaConfig};
use crate::env::{Action, StepInfo};
use crate::policy::Policy;

pub struct ThresholdPolicy {
    ctx: ClusterModel,
    cfg: HpaConfig,
    hpas: Vec<Hpa>,
}

impl ThresholdPolicy {
    pub fn new(ctx: ClusterModel, cfg: HpaConfig) -> ThresholdPolicy {
        let hpas = ctx.models.iter().map(|_| Hpa::new(cfg)).collect();
        ThresholdPolicy { ctx, cfg, hpas }
    }

    pub fn config(&self) -> &HpaConfig {
        &self.cfg
    }
}

impl Policy for ThresholdPolicy {
    fn name(&self) -> &str {
        "threshold"
    }

    fn reset(&mut self, _seed: Option<u64>) {
        self.hpas.iter_mut().for_each(Hpa::reset);
    }

    fn act(&mut self, _obs: &[f32], info: &StepInfo) -> Action {
        let Some(stats) = &info.stats else {
            return self.ctx.codec.hold(&info.pools);
        };
        let targets: Vec<u32> = info
            .pools
            .iter()
            .enumerate()
            .map(|(p, view)| {
                let ps = &stats.pools[p];
                // No running capacity but work waiting counts as saturated.
                let util = if view.running == 0 && ps.queue_len > 0 {
                    2.0 * self.cfg.target
                } else {
                    ps.utilisation
                };
                let m = &self.ctx.models[p];
                self.hpas[p].recommend(info.time_s, view.active, util, m.min, m.max)
            })
            .collect();
        self.ctx.codec.encode_targets(&targets, &info.pools)
    }
}
