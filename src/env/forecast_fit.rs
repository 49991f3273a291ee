//! Fitting the env's `fitted` forecaster on a scenario family, and backtesting the env's
//! forecasters on held-out draws (`shopgym forecast fit` and `shopgym forecast backtest`).
//!
//! An episode's arrivals are drawn as the env would meet them, without simulating service: the
//! instance of seed s is the family's draw from `scenario` of s (as `reset(Some(s))` draws it),
//! its traffic takes its noise from `noise` of s (as the simulator's), and each interval's count of
//! class c is a Poisson draw of the rate integral over the interval (stream `forecast_fit/<c>` of
//! s). The DES counts of that interval follow the same distribution (a non-homogeneous Poisson
//! process), not the same values. What the forecasters see is what the env gives them: counts
//! after each interval, and the calendar, each announcement once known.

use rand_distr::{Distribution, Poisson};
use rayon::prelude::*;
use std::ops::Range;

use super::forecast::{known_promotions, start_hour, ArrivalForecaster};
use crate::forecast::direct::{self, DirectRidgeConfig, DirectRidgeModel, EpisodeCounts, FitMeta};
use crate::forecast::ForecastError;
use crate::io::ConfigError;
use crate::scenario::calendar::Announcement;
use crate::scenario::Scenario;
use crate::sim::rng::stream;
use crate::sim::traffic::TrafficSource;
use crate::sim::{SimTime, Traffic};

/// Share of a promotion's peak above which an interval counts as inside the sale.
pub const SALE_SHAPE: f64 = 0.05;

/// One episode's arrivals, calendar and (for scoring only) where the true sales were.
#[derive(Debug, Clone)]
pub struct ArrivalEpisode {
    pub seed: u64,
    pub traffic: Traffic,
    pub interval: SimTime,
    /// `counts[i][c]`.
    pub counts: Vec<Vec<f64>>,
    pub calendar: Vec<Announcement>,
    /// Interval i lies inside a true promotion (its shape above [`SALE_SHAPE`] at the midpoint).
    pub sale: Vec<bool>,
}

/// Failures of a fit or a backtest.
#[derive(Debug, thiserror::Error)]
pub enum ForecastFitError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Forecast(#[from] ForecastError),
}

/// The instance of `scenario`'s episode with seed `seed` (drawn as `reset(Some(seed))` draws it),
/// its traffic (with the simulator's noise of that seed), and the expected arrivals of each class
/// in each whole decision interval, `[i][c]`.
pub fn expected_counts(
    scenario: &Scenario,
    seed: u64,
) -> Result<(Scenario, Traffic, Vec<Vec<f64>>), ConfigError> {
    let inst = scenario.draw_seed(seed)?;
    let sim = &inst.sim;
    let traffic = Traffic::new(sim.traffic.clone(), sim.horizon, &mut stream(seed, "noise"));
    let interval = sim.interval;
    let n = (sim.horizon.0 / interval.0.max(1)) as usize;
    let counts = (0..n)
        .map(|i| {
            let t0 = SimTime(interval.0 * i as u64);
            let mut mean = vec![0.0; sim.classes.len()];
            traffic.expected_arrivals(t0, t0 + interval, &mut mean);
            mean
        })
        .collect();
    Ok((inst, traffic, counts))
}

/// The arrivals of `scenario`'s episode with seed `seed`.
pub fn arrival_episode(scenario: &Scenario, seed: u64) -> Result<ArrivalEpisode, ConfigError> {
    let (inst, traffic, expected) = expected_counts(scenario, seed)?;
    let sim = &inst.sim;
    let interval = sim.interval;
    let mut rngs: Vec<_> = sim
        .classes
        .iter()
        .map(|c| stream(seed, &format!("forecast_fit/{}", c.name)))
        .collect();
    let promotions = match &sim.traffic.source {
        TrafficSource::Synthetic { promotions, .. } => promotions.clone(),
        TrafficSource::Trace { .. } => Vec::new(),
    };
    let counts = expected
        .iter()
        .map(|mean| {
            mean.iter()
                .zip(&mut rngs)
                .map(|(&m, rng)| match Poisson::new(m) {
                    Ok(d) if m > 0.0 => d.sample(rng),
                    _ => 0.0,
                })
                .collect()
        })
        .collect();
    let sale = (0..expected.len())
        .map(|i| {
            let mid = (i as f64 + 0.5) * interval.as_secs_f64();
            promotions.iter().any(|p| p.shape(mid) > SALE_SHAPE)
        })
        .collect();
    Ok(ArrivalEpisode {
        seed,
        traffic,
        interval,
        counts,
        calendar: inst.calendar.clone(),
        sale,
    })
}

/// The episodes of `seeds`, in seed order (drawn in parallel; the same at any thread count).
pub fn arrival_episodes(
    scenario: &Scenario,
    seeds: Range<u64>,
) -> Result<Vec<ArrivalEpisode>, ConfigError> {
    seeds
        .collect::<Vec<_>>()
        .par_iter()
        .map(|&s| arrival_episode(scenario, s))
        .collect()
}

/// Fits the `fitted` forecaster on the episodes of `seeds`.
pub fn fit_direct(
    scenario: &Scenario,
    seeds: Range<u64>,
    cfg: &DirectRidgeConfig,
) -> Result<DirectRidgeModel, ForecastFitError> {
    let episodes: Vec<EpisodeCounts> = arrival_episodes(scenario, seeds.clone())?
        .into_iter()
        .map(|e| EpisodeCounts {
            promotions: known_promotions(&e.calendar),
            start_hour: start_hour(&e.traffic),
            counts: e.counts,
        })
        .collect();
    let meta = FitMeta {
        scenario: scenario.name().to_string(),
        fit_seeds: [seeds.start, seeds.end],
        interval_s: scenario.sim.interval.as_secs_f64(),
        classes: scenario
            .sim
            .classes
            .iter()
            .map(|c| c.name.clone())
            .collect(),
    };
    Ok(direct::fit(cfg, &episodes, meta)?)
}

/// Which intervals a backtest row scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Window {
    All,
    /// Target intervals inside a true sale.
    Sale,
    /// Target intervals outside every sale.
    Ordinary,
}

/// One row of a backtest: a forecaster's errors `h` intervals ahead over a window.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BacktestRow {
    pub forecaster: String,
    pub horizon: usize,
    pub window: Window,
    /// Forecasts scored (intervals x classes).
    pub n: usize,
    /// Mean absolute error [arrivals per interval], over classes and intervals.
    pub mae: f64,
    /// Mean over classes of the class's MAE divided by its one-step naive MAE on the same episodes.
    pub mase: f64,
}

/// Per episode, `[horizon][window][class]`: (sum of absolute errors, forecasts).
type Errors = Vec<Vec<Vec<(f64, usize)>>>;

/// A named way to make a forecaster (one per episode).
pub type MakeForecaster<'a> = (&'a str, &'a (dyn Fn() -> Box<dyn ArrivalForecaster> + Sync));

/// Scores each forecaster on `episodes` at each horizon in `horizons` (1 = the next interval),
/// feeding it as the env does: `reset`, `announce`, then per interval `predict` and `observe`.
pub fn backtest(
    episodes: &[ArrivalEpisode],
    forecasters: &[MakeForecaster],
    horizons: &[usize],
) -> Vec<BacktestRow> {
    let nc = episodes.first().map_or(0, |e| e.traffic.n_classes());
    // The MASE scale of each class: mean |y_t - y_{t-1}| over every episode.
    let mut scale = vec![0.0; nc];
    let mut pairs = 0usize;
    for e in episodes {
        for w in e.counts.windows(2) {
            for c in 0..nc {
                scale[c] += (w[1][c] - w[0][c]).abs();
            }
            pairs += 1;
        }
    }
    scale
        .iter_mut()
        .for_each(|s| *s = (*s / pairs.max(1) as f64).max(1e-9));
    let hmax = horizons.iter().copied().max().unwrap_or(1);
    let windows = [Window::All, Window::Sale, Window::Ordinary];
    let mut rows = Vec::new();
    for &(name, make) in forecasters {
        let per_episode: Vec<Errors> = episodes
            .par_iter()
            .map(|e| {
                let mut err = vec![vec![vec![(0.0, 0usize); nc]; 3]; horizons.len()];
                let mut f = make();
                f.reset(&e.traffic, e.interval, Some(e.seed));
                f.announce(&e.calendar);
                let mut out = vec![0.0; hmax * nc];
                for n in 0..e.counts.len() {
                    f.predict(SimTime(e.interval.0 * n as u64), hmax, &mut out);
                    for (hi, &h) in horizons.iter().enumerate() {
                        let j = n + h - 1;
                        if j >= e.counts.len() {
                            continue;
                        }
                        let w = if e.sale[j] { 1 } else { 2 };
                        for c in 0..nc {
                            let a = (out[(h - 1) * nc + c] - e.counts[j][c]).abs();
                            for wi in [0, w] {
                                err[hi][wi][c].0 += a;
                                err[hi][wi][c].1 += 1;
                            }
                        }
                    }
                    f.observe(&e.counts[n]);
                }
                err
            })
            .collect();
        for (hi, &h) in horizons.iter().enumerate() {
            for (wi, &window) in windows.iter().enumerate() {
                let (mut sum, mut n, mut mase) = (0.0, 0, 0.0);
                for c in 0..nc {
                    let (s, k) = per_episode
                        .iter()
                        .map(|e| e[hi][wi][c])
                        .fold((0.0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
                    sum += s;
                    n += k;
                    mase += if k > 0 { s / k as f64 / scale[c] } else { 0.0 };
                }
                if n == 0 {
                    continue;
                }
                rows.push(BacktestRow {
                    forecaster: name.to_string(),
                    horizon: h,
                    window,
                    n,
                    mae: sum / n as f64,
                    mase: mase / nc as f64,
                });
            }
        }
    }
    rows
}
