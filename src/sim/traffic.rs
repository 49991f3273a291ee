//! Traffic model: the arrival rate of every request class as a function of simulated time.
//!
//! Rates are piecewise constant over segments of `rate_step` (each segment takes the rate at its
//! midpoint), so arrivals form an exact non-homogeneous Poisson process for that piecewise rate:
//! the engine inverts the cumulative intensity segment by segment (see `ArrivalCursor`). A rate is
//!
//! ```text
//! synthetic: total(t) = base_rate · daily(hour) · weekly(weekday) · (1 + trend)^(days)
//!                       · (1 + Σ_i (peak_i − 1) · shape_i(t)) · noise(t) · scale
//!            class c  = total(t) · share_c(t), share_c ∝ mix_c · Π_i (1 + (boost_ic − 1) · shape_i(t))
//! trace:     class c  = (per-class column, or row total · mix_c) / row length · factor · noise · scale
//! ```
//!
//! `shape_i` is a promotion's intensity in [0, 1]: linear ramp-up, hold, then exponential decay.
//! `noise` is exp(x − σ²/2) with x an AR(1) process in log space (stationary std σ), constant over
//! `noise.step` and drawn once per episode from the `noise` stream, so its mean is 1 and the oracle
//! forecaster can read the true future rates. Nothing here does I/O: trace rows are passed in.

use rand::Rng;
use rand_distr::StandardNormal;

use super::rng::StreamRng;
use super::time::SimTime;

/// Seconds in a day and a week.
const DAY_S: f64 = 86_400.0;
const WEEK_S: f64 = 7.0 * DAY_S;

/// A sales event that multiplies traffic and shifts the class mix.
#[derive(Debug, Clone, PartialEq)]
pub struct Promotion {
    /// Start of the ramp-up [s since episode start].
    pub start_s: f64,
    /// Ramp-up duration [s] (0 = instant).
    pub ramp_s: f64,
    /// Traffic multiplier at the peak (>= 1 for a surge).
    pub peak: f64,
    /// How long the peak holds [s].
    pub hold_s: f64,
    /// Time constant of the exponential decay after the hold [s] (0 = instant drop).
    pub decay_s: f64,
    /// Per-class multiplier of the class share at the peak (1 = unchanged), in class order.
    pub mix_boost: Vec<f64>,
}

impl Promotion {
    /// Intensity in [0, 1] at time `t` [s since episode start].
    pub fn shape(&self, t: f64) -> f64 {
        let dt = t - self.start_s;
        if dt < 0.0 {
            0.0
        } else if dt < self.ramp_s {
            dt / self.ramp_s
        } else if dt < self.ramp_s + self.hold_s {
            1.0
        } else if self.decay_s > 0.0 {
            (-(dt - self.ramp_s - self.hold_s) / self.decay_s).exp()
        } else {
            0.0
        }
    }
}

/// AR(1) noise in log space.
#[derive(Debug, Clone, PartialEq)]
pub struct NoiseConfig {
    /// Stationary standard deviation of the log multiplier.
    pub sigma: f64,
    /// Lag-one autocorrelation per step, in [0, 1).
    pub phi: f64,
    /// Step length: the noise is constant over each step.
    pub step: SimTime,
}

/// Where the rates come from.
#[derive(Debug, Clone, PartialEq)]
pub enum TrafficSource {
    Synthetic {
        /// Total rate at profile value 1 [req/s].
        base_rate: f64,
        /// 24 hourly multipliers, linearly interpolated and cyclic (value i at hour i).
        daily_profile: Vec<f64>,
        /// 7 day multipliers, Monday first.
        weekly_profile: Vec<f64>,
        /// Relative growth per day.
        trend_per_day: f64,
        promotions: Vec<Promotion>,
    },
    Trace {
        /// Length of each row [s].
        row_s: f64,
        /// Per row and class, the rate [req/s] before `factor`, noise and scale: `rows[i][c]`.
        rows: Vec<Vec<f64>>,
        /// Multiplier applied to the trace.
        factor: f64,
    },
}

/// The validated traffic configuration of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct TrafficConfig {
    pub source: TrafficSource,
    /// Share of each class (sums to 1), used by synthetic traffic and by traces without class columns.
    pub mix: Vec<f64>,
    /// Seconds since Monday 00:00 at the episode start (drives daily/weekly profiles and time features).
    pub start_offset_s: f64,
    /// Length of the piecewise-constant rate segments.
    pub rate_step: SimTime,
    pub noise: Option<NoiseConfig>,
    /// Scenario-level scale factor on rates.
    pub scale: f64,
}

impl TrafficConfig {
    /// A Unix time [s] with the episode start's hour and weekday: Monday 1970-01-05 00:00 plus
    /// `start_offset_s`. For calendars (hour, weekday) of forecasters; not a real date.
    pub fn calendar_start_unix_s(&self) -> i64 {
        4 * 86_400 + self.start_offset_s.round() as i64
    }
}

/// Traffic for one episode: the configuration plus the drawn noise path.
#[derive(Debug, Clone)]
pub struct Traffic {
    config: TrafficConfig,
    horizon: SimTime,
    /// Noise multiplier per noise step (empty = no noise).
    noise: Vec<f64>,
}

impl Traffic {
    /// Draws the episode's noise path from `rng` (the `noise` stream).
    pub fn new(config: TrafficConfig, horizon: SimTime, rng: &mut StreamRng) -> Traffic {
        let noise = match &config.noise {
            Some(n) if n.sigma > 0.0 => {
                let steps = horizon.as_micros().div_ceil(n.step.as_micros().max(1)) as usize + 1;
                let innov = n.sigma * (1.0 - n.phi * n.phi).sqrt();
                let mut x = n.sigma * rng.sample::<f64, _>(StandardNormal);
                let mut path = Vec::with_capacity(steps);
                for _ in 0..steps {
                    path.push((x - n.sigma * n.sigma / 2.0).exp());
                    x = n.phi * x + innov * rng.sample::<f64, _>(StandardNormal);
                }
                path
            }
            _ => Vec::new(),
        };
        Traffic {
            config,
            horizon,
            noise,
        }
    }

    pub fn config(&self) -> &TrafficConfig {
        &self.config
    }

    pub fn n_classes(&self) -> usize {
        self.config.mix.len()
    }

    pub fn horizon(&self) -> SimTime {
        self.horizon
    }

    /// Rate segment length.
    pub fn rate_step(&self) -> SimTime {
        self.config.rate_step
    }

    /// Seconds since Monday 00:00 at time `t` [s since episode start], modulo one week.
    pub fn time_of_week_s(&self, t: f64) -> f64 {
        (self.config.start_offset_s + t).rem_euclid(WEEK_S)
    }

    fn noise_at(&self, t: f64) -> f64 {
        match &self.config.noise {
            Some(n) if !self.noise.is_empty() => {
                let i = (t / n.step.as_secs_f64()) as usize;
                self.noise[i.min(self.noise.len() - 1)]
            }
            _ => 1.0,
        }
    }

    /// Instantaneous rate of every class at time `t` [s since start], written into `out` [req/s].
    pub fn rates_at(&self, t: f64, out: &mut [f64]) {
        let scale = self.config.scale * self.noise_at(t);
        match &self.config.source {
            TrafficSource::Synthetic {
                base_rate,
                daily_profile,
                weekly_profile,
                trend_per_day,
                promotions,
            } => {
                let tow = self.time_of_week_s(t);
                let hour = (tow / 3600.0).rem_euclid(24.0);
                let h0 = hour.floor() as usize % 24;
                let frac = hour - hour.floor();
                let daily = daily_profile[h0] * (1.0 - frac) + daily_profile[(h0 + 1) % 24] * frac;
                let weekly = weekly_profile[((tow / DAY_S) as usize).min(6)];
                let trend = (1.0 + trend_per_day).powf(t / DAY_S);
                let mut promo = 1.0;
                for (c, o) in out.iter_mut().enumerate() {
                    *o = self.config.mix[c];
                }
                for p in promotions {
                    let s = p.shape(t);
                    if s > 0.0 {
                        promo += (p.peak - 1.0) * s;
                        for (c, o) in out.iter_mut().enumerate() {
                            *o *= 1.0 + (p.mix_boost[c] - 1.0) * s;
                        }
                    }
                }
                let share_sum: f64 = out.iter().sum();
                let total = base_rate * daily * weekly * trend * promo.max(0.0) * scale;
                for o in out.iter_mut() {
                    *o = if share_sum > 0.0 {
                        total * *o / share_sum
                    } else {
                        0.0
                    };
                }
            }
            TrafficSource::Trace {
                row_s,
                rows,
                factor,
            } => {
                let i = (t / row_s) as usize;
                match rows.get(i) {
                    Some(row) => {
                        for (o, r) in out.iter_mut().zip(row) {
                            *o = r * factor * scale;
                        }
                    }
                    None => out.iter_mut().for_each(|o| *o = 0.0),
                }
            }
        }
    }

    /// Rate of every class over rate segment `k` (its midpoint rate) [req/s].
    pub fn segment_rates(&self, k: u64, out: &mut [f64]) {
        let step = self.config.rate_step.as_secs_f64();
        self.rates_at((k as f64 + 0.5) * step, out);
    }

    /// Expected arrivals of every class in [t0, t1) (integral of the piecewise-constant rate).
    pub fn expected_arrivals(&self, t0: SimTime, t1: SimTime, out: &mut [f64]) {
        out.iter_mut().for_each(|o| *o = 0.0);
        let t1 = t1.min(self.horizon);
        if t1 <= t0 {
            return;
        }
        let step = self.config.rate_step.as_micros().max(1);
        let mut buf = vec![0.0; out.len()];
        let mut t = t0.as_micros();
        while t < t1.as_micros() {
            let k = t / step;
            let seg_end = ((k + 1) * step).min(t1.as_micros());
            self.segment_rates(k, &mut buf);
            let dt = (seg_end - t) as f64 / 1e6;
            for (o, r) in out.iter_mut().zip(&buf) {
                *o += r * dt;
            }
            t = seg_end;
        }
    }
}

/// Inverse-intensity sampler of one class's next arrival time.
#[derive(Debug, Clone)]
pub(crate) struct ArrivalCursor {
    class: usize,
    /// Current position [µs, fractional].
    t: f64,
    /// Current segment index and its end [µs] and rate [1/µs].
    seg: u64,
    seg_end: f64,
    rate_per_us: f64,
    buf: Vec<f64>,
}

impl ArrivalCursor {
    pub(crate) fn new(class: usize, traffic: &Traffic) -> ArrivalCursor {
        let mut c = ArrivalCursor {
            class,
            t: 0.0,
            seg: 0,
            seg_end: 0.0,
            rate_per_us: 0.0,
            buf: vec![0.0; traffic.n_classes()],
        };
        c.load_segment(traffic, 0);
        c
    }

    fn load_segment(&mut self, traffic: &Traffic, k: u64) {
        let step = traffic.rate_step().as_micros() as f64;
        self.seg = k;
        self.seg_end = (k + 1) as f64 * step;
        traffic.segment_rates(k, &mut self.buf);
        self.rate_per_us = self.buf[self.class].max(0.0) / 1e6;
    }

    /// The next arrival time [µs], or `None` past the horizon.
    #[inline]
    pub(crate) fn next<R: Rng + ?Sized>(&mut self, traffic: &Traffic, rng: &mut R) -> Option<u64> {
        let horizon = traffic.horizon().as_micros() as f64;
        let mut need: f64 = rng.sample(rand_distr::Exp1);
        loop {
            if self.rate_per_us > 0.0 {
                let dt = need / self.rate_per_us;
                if self.t + dt < self.seg_end {
                    self.t += dt;
                    return if self.t < horizon {
                        Some(self.t as u64)
                    } else {
                        None
                    };
                }
                need -= self.rate_per_us * (self.seg_end - self.t);
            }
            self.t = self.seg_end;
            if self.t >= horizon {
                return None;
            }
            self.load_segment(traffic, self.seg + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::stream;

    fn synthetic(promotions: Vec<Promotion>) -> TrafficConfig {
        TrafficConfig {
            source: TrafficSource::Synthetic {
                base_rate: 100.0,
                daily_profile: (0..24).map(|h| 1.0 + (h as f64) / 24.0).collect(),
                weekly_profile: vec![1.0; 7],
                trend_per_day: 0.0,
                promotions,
            },
            mix: vec![0.5, 0.5],
            start_offset_s: 0.0,
            rate_step: SimTime::from_secs(1),
            noise: None,
            scale: 1.0,
        }
    }

    #[test]
    fn promotion_shape_ramps_holds_and_decays() {
        let p = Promotion {
            start_s: 100.0,
            ramp_s: 10.0,
            peak: 10.0,
            hold_s: 20.0,
            decay_s: 5.0,
            mix_boost: vec![1.0, 3.0],
        };
        assert_eq!(p.shape(99.0), 0.0);
        assert!((p.shape(105.0) - 0.5).abs() < 1e-12);
        assert_eq!(p.shape(125.0), 1.0);
        assert!((p.shape(135.0) - (-1.0f64).exp()).abs() < 1e-12);
    }

    #[test]
    fn promotion_multiplies_total_and_shifts_mix() {
        let p = Promotion {
            start_s: 0.0,
            ramp_s: 0.0,
            peak: 10.0,
            hold_s: 100.0,
            decay_s: 0.0,
            mix_boost: vec![1.0, 3.0],
        };
        let tr = Traffic::new(
            synthetic(vec![p]),
            SimTime::from_secs(200),
            &mut stream(1, "noise"),
        );
        let mut r = [0.0; 2];
        tr.rates_at(50.0, &mut r);
        let base = 100.0 * (1.0 + 50.0 / 3600.0 / 24.0);
        assert!((r[0] + r[1] - 10.0 * base).abs() < 1e-6);
        assert!((r[1] / r[0] - 3.0).abs() < 1e-9);
        tr.rates_at(150.0, &mut r);
        assert!((r[1] / r[0] - 1.0).abs() < 1e-9);
    }

    #[test]
    fn noise_has_unit_mean() {
        let mut cfg = synthetic(vec![]);
        cfg.noise = Some(NoiseConfig {
            sigma: 0.3,
            phi: 0.5,
            step: SimTime::from_secs(1),
        });
        let tr = Traffic::new(cfg, SimTime::from_secs(200_000), &mut stream(3, "noise"));
        let m = tr.noise.iter().sum::<f64>() / tr.noise.len() as f64;
        assert!((m - 1.0).abs() < 0.01, "noise mean {m}");
    }

    #[test]
    fn trace_rates_follow_rows() {
        let cfg = TrafficConfig {
            source: TrafficSource::Trace {
                row_s: 60.0,
                rows: vec![vec![1.0, 2.0], vec![3.0, 4.0]],
                factor: 2.0,
            },
            mix: vec![0.5, 0.5],
            start_offset_s: 0.0,
            rate_step: SimTime::from_secs(1),
            noise: None,
            scale: 0.5,
        };
        let tr = Traffic::new(cfg, SimTime::from_secs(120), &mut stream(1, "noise"));
        let mut e = [0.0; 2];
        tr.expected_arrivals(SimTime::ZERO, SimTime::from_secs(120), &mut e);
        assert!((e[0] - 60.0 * (1.0 + 3.0)).abs() < 1e-9);
        assert!((e[1] - 60.0 * (2.0 + 4.0)).abs() < 1e-9);
    }
}
