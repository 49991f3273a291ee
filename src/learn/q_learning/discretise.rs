//! `Discretiser`: the flat observation to one tabular state index (see `Bins`).

use serde::{Deserialize, Serialize};

use super::config::Bins;

/// Feature positions in the observation, found by name once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Discretiser {
    bins: Bins,
    progress: Option<usize>,
    arrivals: Vec<usize>,
    running: Vec<usize>,
    utilisation: Vec<usize>,
    queue: Vec<usize>,
    /// Per class, the last forecast step's feature.
    forecast_last: Vec<usize>,
}

impl Discretiser {
    /// For an env with feature names `names`. The trend bins are dropped (set to 1) when the
    /// observation has no forecast.
    pub fn new(bins: &Bins, names: &[String]) -> Discretiser {
        let find = |pred: &dyn Fn(&str) -> bool| -> Vec<usize> {
            names
                .iter()
                .enumerate()
                .filter(|(_, n)| pred(n))
                .map(|(i, _)| i)
                .collect()
        };
        let mut bins = bins.clone();
        // The last forecast step of each class: the highest `h<k>` per class prefix.
        let mut forecast_last: Vec<usize> = Vec::new();
        for (i, n) in names.iter().enumerate() {
            if let Some(pos) = n.find(".forecast.h") {
                let prefix = &n[..pos];
                match forecast_last
                    .iter_mut()
                    .find(|j| names[**j].starts_with(&format!("{prefix}.forecast.h")))
                {
                    Some(j) => *j = i,
                    None => forecast_last.push(i),
                }
            }
        }
        if forecast_last.is_empty() {
            bins.trend = 1;
        }
        Discretiser {
            progress: names.iter().position(|n| n == "time.progress"),
            arrivals: find(&|n| n.ends_with(".arrival_rate")),
            running: find(&|n| n.starts_with("pool.") && n.ends_with(".running")),
            utilisation: find(&|n| n.starts_with("pool.") && n.ends_with(".utilisation")),
            queue: find(&|n| n.starts_with("pool.") && n.ends_with(".queue")),
            forecast_last,
            bins,
        }
    }

    /// Number of states.
    pub fn n_states(&self) -> usize {
        let b = &self.bins;
        [b.time, b.load, b.instances, b.utilisation, b.trend]
            .iter()
            .map(|&n| n.max(1))
            .product()
    }

    fn mean(obs: &[f32], idx: &[usize]) -> f64 {
        if idx.is_empty() {
            return 0.0;
        }
        idx.iter().map(|&i| f64::from(obs[i])).sum::<f64>() / idx.len() as f64
    }

    /// Bin of `x` under log2 edges: below `base` is 0, [base, 2 base) is 1, ...
    fn log_bin(x: f64, base: f64, n: usize) -> usize {
        if x < base || !x.is_finite() {
            0
        } else {
            (((x / base).log2().floor() as usize) + 1).min(n - 1)
        }
    }

    /// The state index of observation `obs`.
    pub fn state(&self, obs: &[f32]) -> usize {
        let b = &self.bins;
        let time = self.progress.map_or(0, |i| {
            ((f64::from(obs[i]) * b.time as f64).floor() as usize).min(b.time.max(1) - 1)
        });
        let load_x = Self::mean(obs, &self.arrivals);
        let load = Self::log_bin(load_x, 1.0, b.load.max(1));
        let instances = Self::log_bin(Self::mean(obs, &self.running), 0.125, b.instances.max(1));
        let busy = self
            .utilisation
            .iter()
            .zip(&self.queue)
            .map(|(&u, &q)| if obs[q] > 0.1 { 1.0 } else { f64::from(obs[u]) })
            .fold(0.0, f64::max);
        let util = ((busy * b.utilisation as f64).floor() as usize).min(b.utilisation.max(1) - 1);
        let trend = if b.trend <= 1 {
            0
        } else {
            let ratio = Self::mean(obs, &self.forecast_last) / load_x.max(1e-3);
            let t = if ratio < 0.8 {
                0
            } else if ratio <= 1.25 {
                1
            } else {
                2
            };
            t.min(b.trend - 1)
        };
        let mut s = 0;
        for (v, n) in [
            (time, b.time),
            (load, b.load),
            (instances, b.instances),
            (util, b.utilisation),
            (trend, b.trend),
        ] {
            s = s * n.max(1) + v;
        }
        s
    }
}
