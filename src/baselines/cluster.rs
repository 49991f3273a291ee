//! What every model-based baseline knows about the cluster, read once from the env it will drive:
//! the pool models, the reward weights, the action codec, the interval and each pool's lead time.

use super::dp::allocate;
use super::model::{PoolModel, Weights};
use crate::env::{ActionCodec, ScalingEnv, StepInfo};

/// What the model-based baselines know about the cluster behind one env: static facts read
/// once (pool models, reward weights, action codec, interval, lead times, budget).
#[derive(Debug, Clone)]
pub struct ClusterModel {
    pub models: Vec<PoolModel>,
    pub weights: Weights,
    pub codec: ActionCodec,
    /// Decision interval [s].
    pub interval_s: f64,
    /// Per pool: intervals until a launched instance serves, ceil(mean cold start / interval).
    pub lead: Vec<usize>,
    /// Cluster budget of billed instances.
    pub budget: Option<u32>,
    pub n_classes: usize,
}

impl ClusterModel {
    pub fn new(env: &ScalingEnv) -> ClusterModel {
        let cfg = env.sim().config();
        let interval_s = cfg.interval.as_secs_f64();
        let r = &env.config().spec().reward;
        let models = PoolModel::from_config(cfg);
        let lead = models
            .iter()
            .map(|m| (m.cold_start_s / interval_s).ceil() as usize)
            .collect();
        ClusterModel {
            weights: Weights {
                interval_s,
                slo_penalty: r.slo_penalty,
                cost_weight: r.cost_weight,
                revenue_weight: r.revenue_weight,
            },
            models,
            codec: env.codec().clone(),
            interval_s,
            lead,
            budget: cfg.budget,
            n_classes: cfg.classes.len(),
        }
    }

    /// Arrival rate of each class over the last interval [req/s] (zeros right after reset).
    pub fn observed_rates(&self, info: &StepInfo) -> Vec<f64> {
        match &info.stats {
            Some(s) => {
                let span = (s.end_s - s.start_s).max(1e-9);
                s.classes.iter().map(|c| c.arrivals as f64 / span).collect()
            }
            None => vec![0.0; self.n_classes],
        }
    }

    /// Forecast rates of each class `h` intervals ahead [req/s]; beyond the forecast's horizon
    /// the last forecast step is held; with no forecast, the observed rates.
    pub fn forecast_rates(&self, info: &StepInfo, h: usize) -> Vec<f64> {
        let f = &info.forecast;
        if f.horizon == 0 {
            return self.observed_rates(info);
        }
        let h = h.min(f.horizon - 1);
        (0..self.n_classes)
            .map(|c| f.get(c, h) / self.interval_s)
            .collect()
    }

    /// Splits `budget` by value when the counts each pool `wanted` exceed it: the levels (pool p
    /// in `[min, wanted[p]]`) minimising the model's cost + lost revenue + SLO penalty summed over
    /// the pool's lead window (`rates[0..=lead[p]]`, the rates of the coming intervals), chosen
    /// jointly by `dp::allocate`. Within the budget, `wanted` as is. The simulator's own
    /// clipping, first come first served in pool order, would otherwise give the budget to the
    /// first pools of the file.
    pub fn split_budget(&self, rates: &[Vec<f64>], wanted: Vec<u32>) -> Vec<u32> {
        let Some(budget) = self.budget else {
            return wanted;
        };
        if wanted.iter().sum::<u32>() <= budget || rates.is_empty() {
            return wanted;
        }
        let lo: Vec<u32> = self.models.iter().map(|m| m.min).collect();
        let q: Vec<Vec<f64>> = self
            .models
            .iter()
            .zip(&wanted)
            .enumerate()
            .map(|(p, (m, &w))| {
                let window = &rates[..=self.lead[p].min(rates.len() - 1)];
                let mut levels: Vec<_> =
                    window.iter().map(|r| m.levels(r, &self.weights)).collect();
                (m.min..=w.max(m.min))
                    .map(|n| {
                        levels
                            .iter_mut()
                            .map(|l| l.at(n).total(&self.weights))
                            .sum()
                    })
                    .collect()
            })
            .collect();
        allocate(&q, &lo, budget).unwrap_or(wanted)
    }
}
