//! Arrival forecasts for observations: the `ArrivalForecaster` trait and the models shipped with
//! the environment (`none`, `oracle`, `noisy_oracle`, `seasonal_naive`, `classical`, `fitted`).
//!
//! Lifecycle, driven by `ScalingEnv`: `reset` at every episode start (after the simulator has drawn
//! the episode's traffic), then after every step `observe(counts)` with the arrivals of each class
//! in the interval just closed, then `predict(now, h, out)` for the next `h` intervals. A
//! forecaster works on the whole cluster at once (every class); values are arrivals per decision
//! interval. Only the oracle variants read the episode's true rates; the others see only the
//! counts passed to `observe`, that is the past.
//!
//! The forecasting module's per-series models plug in through an adapter implementing this trait
//! (and `ScalingEnv::with_forecaster`).

use rand::Rng;
use rand_distr::StandardNormal;

use std::sync::Arc;

use super::config::EnvConfig;
use crate::forecast::direct::{DirectRidgeModel, KnownPromotion};
use crate::scenario::calendar::Announcement;
use crate::scenario::env_spec::ObsForecastModel;
use crate::sim::rng::{stream, StreamRng};
use crate::sim::{SimTime, Traffic};

/// A forecaster of every class's arrivals per decision interval. Object-safe.
pub trait ArrivalForecaster: Send {
    /// Short name for logs (`oracle`, ...).
    fn name(&self) -> &str;

    /// Starts an episode. `traffic` is the episode's true traffic (only oracles may keep it),
    /// `interval` the decision interval; `seed` `Some` re-seeds any randomness, `None` continues it.
    fn reset(&mut self, traffic: &Traffic, interval: SimTime, seed: Option<u64>);

    /// The arrivals of each class in the interval that just closed (in class order).
    fn observe(&mut self, counts: &[f64]);

    /// Forecast arrivals of the `horizon` intervals starting at `now`: `out[h * n_classes + c]` is
    /// class `c` in interval `h` (0 = the next one). `out.len() == horizon * n_classes`.
    fn predict(&mut self, now: SimTime, horizon: usize, out: &mut [f64]);

    /// The episode's promotion calendar (every announcement, each with the time it becomes
    /// known), given after `reset`. A forecaster may use an announcement only once `now` has
    /// reached its `known_at_s`. Default: ignored.
    fn announce(&mut self, _calendar: &[Announcement]) {}
}

/// Builds the forecaster `config` names, for `n_classes` classes.
pub fn build(config: &EnvConfig, n_classes: usize) -> Box<dyn ArrivalForecaster> {
    let spec = &config.spec().forecast;
    match spec.model {
        ObsForecastModel::Oracle => Box::new(Oracle::new(0.0)),
        ObsForecastModel::NoisyOracle => Box::new(Oracle::new(spec.rel_error)),
        ObsForecastModel::Classical => {
            let raw = spec
                .classical
                .as_ref()
                .expect("validated: classical has a spec");
            let cfg =
                super::config::classical_config(raw).expect("validated: the classical spec builds");
            Box::new(Classical::new(cfg, n_classes))
        }
        ObsForecastModel::SeasonalNaive => {
            Box::new(SeasonalNaive::new(n_classes, config.season_intervals()))
        }
        ObsForecastModel::Fitted => Box::new(Fitted::new(Arc::clone(
            config
                .fitted_model()
                .expect("validated: model fitted is loaded"),
        ))),
        ObsForecastModel::None => Box::new(NoForecast),
    }
}

/// No forecast: predicts zeros (the observation then has no forecast features at all).
#[derive(Debug, Clone, Default)]
pub struct NoForecast;

impl ArrivalForecaster for NoForecast {
    fn name(&self) -> &str {
        "none"
    }
    fn reset(&mut self, _: &Traffic, _: SimTime, _: Option<u64>) {}
    fn observe(&mut self, _: &[f64]) {}
    fn predict(&mut self, _: SimTime, _: usize, out: &mut [f64]) {
        out.iter_mut().for_each(|o| *o = 0.0);
    }
}

/// The true expected arrivals (`Traffic::expected_arrivals`), optionally with relative noise:
/// each value times `max(0, 1 + rel_error · z)`, z ~ N(0, 1) drawn independently per value from
/// the forecaster's own stream (`forecast` under the env seed). `rel_error = 0` is the exact oracle.
#[derive(Debug, Clone)]
pub struct Oracle {
    rel_error: f64,
    traffic: Option<Traffic>,
    interval: SimTime,
    rng: StreamRng,
    buf: Vec<f64>,
}

impl Oracle {
    pub fn new(rel_error: f64) -> Oracle {
        Oracle {
            rel_error,
            traffic: None,
            interval: SimTime(1),
            rng: stream(0, "forecast"),
            buf: Vec::new(),
        }
    }
}

impl ArrivalForecaster for Oracle {
    fn name(&self) -> &str {
        if self.rel_error > 0.0 {
            "noisy_oracle"
        } else {
            "oracle"
        }
    }

    fn reset(&mut self, traffic: &Traffic, interval: SimTime, seed: Option<u64>) {
        self.traffic = Some(traffic.clone());
        self.interval = interval;
        self.buf = vec![0.0; traffic.n_classes()];
        if let Some(s) = seed {
            self.rng = stream(s, "forecast");
        }
    }

    fn observe(&mut self, _: &[f64]) {}

    fn predict(&mut self, now: SimTime, horizon: usize, out: &mut [f64]) {
        let Some(traffic) = &self.traffic else {
            out.iter_mut().for_each(|o| *o = 0.0);
            return;
        };
        let nc = self.buf.len();
        let mut t = now;
        for h in 0..horizon {
            let t1 = t + self.interval;
            traffic.expected_arrivals(t, t1, &mut self.buf);
            for (c, &e) in self.buf.iter().enumerate() {
                let noise = if self.rel_error > 0.0 {
                    (1.0 + self.rel_error * self.rng.sample::<f64, _>(StandardNormal)).max(0.0)
                } else {
                    1.0
                };
                out[h * nc + c] = e * noise;
            }
            t = t1;
        }
    }
}

/// Seasonal naive: interval `t + h` is forecast by the count seen `season` intervals earlier;
/// when that is not yet observed, by the last count; before any count, by 0.
#[derive(Debug, Clone)]
pub struct SeasonalNaive {
    n_classes: usize,
    season: usize,
    /// Every count observed this episode, `history[i * n_classes + c]` (interval i).
    history: Vec<f64>,
}

impl SeasonalNaive {
    pub fn new(n_classes: usize, season_intervals: u32) -> SeasonalNaive {
        SeasonalNaive {
            n_classes,
            season: season_intervals.max(1) as usize,
            history: Vec::new(),
        }
    }

    fn observed(&self) -> usize {
        self.history.len() / self.n_classes.max(1)
    }
}

impl ArrivalForecaster for SeasonalNaive {
    fn name(&self) -> &str {
        "seasonal_naive"
    }

    fn reset(&mut self, traffic: &Traffic, _: SimTime, _: Option<u64>) {
        self.n_classes = traffic.n_classes();
        self.history.clear();
    }

    fn observe(&mut self, counts: &[f64]) {
        self.history.extend_from_slice(counts);
    }

    fn predict(&mut self, _: SimTime, horizon: usize, out: &mut [f64]) {
        let nc = self.n_classes;
        let n = self.observed();
        for h in 0..horizon {
            // Interval being forecast: index n + h; its seasonal twin n + h - season.
            let src = (n + h)
                .checked_sub(self.season)
                .filter(|&i| i < n)
                .or_else(|| n.checked_sub(1));
            for c in 0..nc {
                out[h * nc + c] = src.map_or(0.0, |i| self.history[i * nc + c]);
            }
        }
    }
}

/// A forecasting-module model per class (`model: classical`), fed each interval's counts; until a
/// model can be fitted it forecasts persistence. Sees only the past.
#[derive(Debug)]
pub struct Classical {
    config: crate::forecast::ForecastConfig,
    n_classes: usize,
    per_class: Vec<crate::forecast::online::OnlineForecaster>,
}

impl Classical {
    pub fn new(config: crate::forecast::ForecastConfig, n_classes: usize) -> Classical {
        Classical {
            config,
            n_classes,
            per_class: Vec::new(),
        }
    }
}

impl ArrivalForecaster for Classical {
    fn name(&self) -> &str {
        "classical"
    }

    fn reset(&mut self, traffic: &Traffic, interval: SimTime, _: Option<u64>) {
        let start = traffic.config().calendar_start_unix_s();
        let step = (interval.as_secs_f64().round() as i64).max(1);
        let calendar = crate::forecast::Calendar::new(start, step).ok();
        self.per_class = (0..self.n_classes)
            .map(|_| self.config.online(calendar, None))
            .collect();
    }

    fn observe(&mut self, counts: &[f64]) {
        for (f, &y) in self.per_class.iter_mut().zip(counts) {
            // Counts are finite and >= 0, so an error here is a failed refit: the previous model
            // (or persistence) stays in use, as `OnlineForecaster` documents.
            let _ = f.observe(y);
        }
    }

    fn predict(&mut self, _now: SimTime, horizon: usize, out: &mut [f64]) {
        for (c, f) in self.per_class.iter().enumerate() {
            let fc = f.predict(horizon, None);
            for h in 0..horizon {
                out[h * self.n_classes + c] = fc.mean.get(h).copied().unwrap_or(0.0).max(0.0);
            }
        }
    }
}

/// A model fitted offline on the scenario family (`model: fitted`, `forecast::direct`): fed each
/// interval's counts and the calendar; uses an announcement only once it is known.
#[derive(Debug, Clone)]
pub struct Fitted {
    model: Arc<DirectRidgeModel>,
    history: Vec<Vec<f64>>,
    promotions: Vec<KnownPromotion>,
    start_hour: f64,
}

impl Fitted {
    pub fn new(model: Arc<DirectRidgeModel>) -> Fitted {
        Fitted {
            model,
            history: Vec::new(),
            promotions: Vec::new(),
            start_hour: 0.0,
        }
    }
}

/// The forecasting module's view of the calendar.
pub fn known_promotions(calendar: &[Announcement]) -> Vec<KnownPromotion> {
    calendar
        .iter()
        .map(|a| KnownPromotion {
            known_at_s: a.known_at_s,
            start_s: a.start_s,
            peak: a.peak,
            duration_s: a.duration_s,
        })
        .collect()
}

/// Hour of day at an episode's start, in [0, 24).
pub fn start_hour(traffic: &Traffic) -> f64 {
    (traffic.config().start_offset_s / 3600.0).rem_euclid(24.0)
}

impl ArrivalForecaster for Fitted {
    fn name(&self) -> &str {
        "fitted"
    }

    fn reset(&mut self, traffic: &Traffic, _: SimTime, _: Option<u64>) {
        self.history.clear();
        self.promotions.clear();
        self.start_hour = start_hour(traffic);
    }

    fn observe(&mut self, counts: &[f64]) {
        self.history.push(counts.to_vec());
    }

    fn predict(&mut self, _now: SimTime, horizon: usize, out: &mut [f64]) {
        self.model.predict(
            &self.history,
            &self.promotions,
            self.start_hour,
            horizon,
            out,
        );
    }

    fn announce(&mut self, calendar: &[Announcement]) {
        self.promotions = known_promotions(calendar);
    }
}
