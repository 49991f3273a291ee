//! Initial states, computed exactly as statsmodels' `initialization_method="heuristic"`
//! (Hyndman et al. 2008, section 2.6) and `"simple"` (Hyndman and Athanasopoulos, section 7.6),
//! so that fitted smoothing parameters can be compared one-to-one with statsmodels.

use super::recursion::SeasonKind;
use crate::forecast::decompose::centred_ma;

/// Initial level, trend (0 without trend) and first-cycle seasonal values (empty without season).
#[derive(Debug, Clone, PartialEq)]
pub struct Initial {
    /// Level before the first observation.
    pub level: f64,
    /// Trend before the first observation.
    pub trend: f64,
    /// Seasonal values applying to observations 0..m.
    pub season: Vec<f64>,
}

/// Observations the heuristic needs: 10, or `max(2m, 10 + 2 (m / 2))` with a season.
pub fn heuristic_min_len(kind: SeasonKind, m: usize) -> usize {
    match kind {
        SeasonKind::None => 10,
        _ => (2 * m).max(10 + 2 * (m / 2)),
    }
}

/// Observations the simple method needs: 2 (1 without trend), or 2m with a season.
pub fn simple_min_len(kind: SeasonKind, m: usize, trend: bool) -> usize {
    match kind {
        SeasonKind::None => 1 + usize::from(trend),
        _ => 2 * m,
    }
}

/// statsmodels `_initialization_heuristic`. Caller guarantees `y.len() >= heuristic_min_len`.
pub fn heuristic(y: &[f64], kind: SeasonKind, m: usize, trend: bool) -> Initial {
    let mut season = Vec::new();
    let base: Vec<f64> = if kind == SeasonKind::None {
        y.to_vec()
    } else {
        let min_obs = 10 + 2 * (m / 2);
        let k_cycles = (y.len() / m).min(5).max(min_obs.div_ceil(m));
        let take = (k_cycles * m).min(y.len());
        let series = &y[..take];
        let tr = centred_ma(series, m);
        let mut sum = vec![0.0; m];
        let mut cnt = vec![0usize; m];
        for (i, t) in tr.iter().enumerate() {
            if let Some(t) = t {
                let d = if kind == SeasonKind::Additive {
                    series[i] - t
                } else {
                    series[i] / t
                };
                sum[i % m] += d;
                cnt[i % m] += 1;
            }
        }
        season = sum
            .iter()
            .zip(&cnt)
            .map(|(s, &c)| if c > 0 { s / c as f64 } else { 0.0 })
            .collect();
        let mean = season.iter().sum::<f64>() / m as f64;
        if kind == SeasonKind::Additive {
            season.iter_mut().for_each(|v| *v -= mean);
        } else {
            season.iter_mut().for_each(|v| *v /= mean);
        }
        tr.into_iter().flatten().collect()
    };
    // OLS of the first 10 (trend) values on [1, t], t = 1..10: intercept = level, slope = trend.
    let k = base.len().min(10);
    let xs: Vec<f64> = (1..=k).map(|t| t as f64).collect();
    let xm = xs.iter().sum::<f64>() / k as f64;
    let ym = base[..k].iter().sum::<f64>() / k as f64;
    let sxx: f64 = xs.iter().map(|x| (x - xm).powi(2)).sum();
    let sxy: f64 = xs
        .iter()
        .zip(&base[..k])
        .map(|(x, y)| (x - xm) * (y - ym))
        .sum();
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    Initial {
        level: ym - slope * xm,
        trend: if trend { slope } else { 0.0 },
        season,
    }
}

/// statsmodels `_initialization_simple`. Caller guarantees `y.len() >= simple_min_len`.
pub fn simple(y: &[f64], kind: SeasonKind, m: usize, trend: bool) -> Initial {
    if kind == SeasonKind::None {
        return Initial {
            level: y[0],
            trend: if trend && y.len() > 1 {
                y[1] - y[0]
            } else {
                0.0
            },
            season: vec![],
        };
    }
    let level = y[..m].iter().sum::<f64>() / m as f64;
    let tr = if trend {
        (0..m).map(|i| (y[m + i] - y[i]) / m as f64).sum::<f64>() / m as f64
    } else {
        0.0
    };
    let season = y[..m]
        .iter()
        .map(|v| {
            if kind == SeasonKind::Additive {
                v - level
            } else {
                v / level
            }
        })
        .collect();
    Initial {
        level,
        trend: tr,
        season,
    }
}
