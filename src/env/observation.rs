//! The observation: a flat `f32` vector with a stable, named feature order, every feature scaled
//! to O(1) and clipped to the bounds of the observation `Box`.
//!
//! Order (P pools, C classes, H forecast steps; names as `obs_names()` returns them):
//!
//! | name | meaning | bounds |
//! |---|---|---|
//! | `pool.<p>.running` | running instances / pool max | [0, 1] |
//! | `pool.<p>.provisioning` | instances in cold start / pool max | [0, 1] |
//! | `pool.<p>.utilisation` | busy slots / running slots, time-averaged over the last interval | [0, 1] |
//! | `pool.<p>.queue` | waiting requests / (max(running, 1) · concurrency), clipped | [0, 10] |
//! | `class.<c>.arrival_rate` | arrivals in the last interval / (reference rate · interval), clipped | [0, 100] |
//! | `class.<c>.slo_latency` | last interval's SLO-quantile latency / SLO target (10 if nothing completed but some failed), clipped | [0, 10] |
//! | `class.<c>.drop_rate` | failed / finished requests (rejected, timed out, crashed) in the last interval | [0, 1] |
//! | `class.<c>.forecast.h<k>` | forecast arrivals k intervals ahead / (reference rate · interval), clipped (k = 1..H) | [0, 100] |
//! | `time.day_sin`, `time.day_cos` | time of day now, as a phase on the unit circle | [-1, 1] |
//! | `time.week_sin`, `time.week_cos` | time of week now (Monday 00:00 = phase 0) | [-1, 1] |
//! | `time.progress` | simulated time / horizon | [0, 1] |
//! | `calendar.<k>.known` | 1 when slot k holds an announced promotion (k = 1..K, `env.calendar.promotions`) | [0, 1] |
//! | `calendar.<k>.until_start_h` | announced start − now [h] (negative once started), clipped | [-48, 48] |
//! | `calendar.<k>.peak` | announced peak multiplier, clipped | [0, 100] |
//! | `calendar.<k>.duration_h` | announced ramp + hold [h], clipped | [0, 48] |
//!
//! Pools come first in pool order (4 features each), then per class in class order its 3 interval
//! features, then per class its H forecast features, then the 5 time features, then the K calendar
//! slots (the announced promotions known by now and not yet over, by announced start; empty
//! slots are all 0; only announcements are read, never the true traffic). The reference rate of
//! a class is its mean rate over the horizon without traffic noise (1 req/s if that is 0), fixed per
//! scenario, so 1.0 means "an average interval". After `reset` the interval features are 0.

use super::space::{BoxSpace, Space};
use crate::scenario::Announcement;
use crate::sim::rng::stream;
use crate::sim::{IntervalStats, PoolView, SimConfig, SimTime, Traffic};

/// Bound of `calendar.*.until_start_h` and `calendar.*.duration_h` [h].
pub const CALENDAR_CLIP_H: f32 = 48.0;

/// Upper bound of `pool.*.queue` [queued requests per slot].
pub const QUEUE_CLIP: f32 = 10.0;
/// Upper bound of rate and forecast features [multiples of the reference rate].
pub const RATE_CLIP: f32 = 100.0;
/// Upper bound of `class.*.slo_latency` [multiples of the SLO target].
pub const LATENCY_CLIP: f32 = 10.0;

const DAY_S: f64 = 86_400.0;
const WEEK_S: f64 = 7.0 * DAY_S;

/// Where the episode stands when it is observed: its traffic (for the time of week), the time,
/// and the announced promotions.
pub(crate) struct Moment<'a> {
    pub traffic: &'a Traffic,
    pub now: SimTime,
    pub calendar: &'a [Announcement],
}

/// Names, bounds and encoding of the observation of one scenario.
#[derive(Debug, Clone)]
pub(crate) struct ObsLayout {
    names: Vec<String>,
    space: Space,
    pool_max: Vec<f64>,
    /// Per class, reference arrivals per interval [requests].
    ref_per_interval: Vec<f64>,
    slo_latency_ms: Vec<f64>,
    horizon_s: f64,
    forecast_horizon: usize,
    calendar_slots: usize,
}

impl ObsLayout {
    pub fn new(sim: &SimConfig, forecast_horizon: usize, calendar_slots: usize) -> ObsLayout {
        let mut names = Vec::new();
        let mut high = Vec::new();
        let mut low = Vec::new();
        let mut push = |name: String, lo: f32, hi: f32| {
            names.push(name);
            low.push(lo);
            high.push(hi);
        };
        for p in &sim.pools {
            push(format!("pool.{}.running", p.name), 0.0, 1.0);
            push(format!("pool.{}.provisioning", p.name), 0.0, 1.0);
            push(format!("pool.{}.utilisation", p.name), 0.0, 1.0);
            push(format!("pool.{}.queue", p.name), 0.0, QUEUE_CLIP);
        }
        for c in &sim.classes {
            push(format!("class.{}.arrival_rate", c.name), 0.0, RATE_CLIP);
            push(format!("class.{}.slo_latency", c.name), 0.0, LATENCY_CLIP);
            push(format!("class.{}.drop_rate", c.name), 0.0, 1.0);
        }
        for c in &sim.classes {
            for k in 1..=forecast_horizon {
                push(format!("class.{}.forecast.h{k}", c.name), 0.0, RATE_CLIP);
            }
        }
        for t in ["day_sin", "day_cos", "week_sin", "week_cos"] {
            push(format!("time.{t}"), -1.0, 1.0);
        }
        push("time.progress".into(), 0.0, 1.0);
        for k in 1..=calendar_slots {
            push(format!("calendar.{k}.known"), 0.0, 1.0);
            push(
                format!("calendar.{k}.until_start_h"),
                -CALENDAR_CLIP_H,
                CALENDAR_CLIP_H,
            );
            push(format!("calendar.{k}.peak"), 0.0, RATE_CLIP);
            push(format!("calendar.{k}.duration_h"), 0.0, CALENDAR_CLIP_H);
        }
        let n = names.len();

        // Reference rates: the noise-free traffic's mean over the horizon.
        let mut quiet = sim.traffic.clone();
        quiet.noise = None;
        let traffic = Traffic::new(quiet, sim.horizon, &mut stream(0, "noise"));
        let mut total = vec![0.0; sim.classes.len()];
        traffic.expected_arrivals(SimTime::ZERO, sim.horizon, &mut total);
        let horizon_s = sim.horizon.as_secs_f64();
        let interval_s = sim.interval.as_secs_f64();
        let ref_per_interval = total
            .iter()
            .map(|&a| {
                let rate = a / horizon_s;
                if rate > 0.0 && rate.is_finite() {
                    rate * interval_s
                } else {
                    interval_s
                }
            })
            .collect();
        ObsLayout {
            names,
            space: Space::Box(BoxSpace::new(low, high, vec![n])),
            pool_max: sim.pools.iter().map(|p| f64::from(p.max)).collect(),
            ref_per_interval,
            slo_latency_ms: sim.classes.iter().map(|c| c.slo.latency_ms).collect(),
            horizon_s,
            forecast_horizon,
            calendar_slots,
        }
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn space(&self) -> &Space {
        &self.space
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Writes the observation into `out` (cleared first). `forecast` is `[h * n_classes + c]`.
    pub fn fill(
        &self,
        out: &mut Vec<f32>,
        pools: &[PoolView],
        stats: Option<&IntervalStats>,
        forecast: &[f64],
        at: &Moment<'_>,
    ) {
        let (traffic, now, calendar) = (at.traffic, at.now, at.calendar);
        out.clear();
        let clip = |x: f64, hi: f32| (x as f32).clamp(0.0, hi);
        for (p, pv) in pools.iter().enumerate() {
            let max = self.pool_max[p];
            out.push(clip(f64::from(pv.running) / max, 1.0));
            out.push(clip(f64::from(pv.provisioning) / max, 1.0));
            out.push(clip(stats.map_or(0.0, |s| s.pools[p].utilisation), 1.0));
            let slots = f64::from(pv.running.max(1)) * f64::from(pv.concurrency.max(1));
            out.push(clip(f64::from(pv.queue_len) / slots, QUEUE_CLIP));
        }
        for (c, &reference) in self.ref_per_interval.iter().enumerate() {
            let Some(ci) = stats.map(|s| &s.classes[c]) else {
                out.extend([0.0, 0.0, 0.0]);
                continue;
            };
            out.push(clip(ci.arrivals as f64 / reference, RATE_CLIP));
            let errors = ci.rejected + ci.timed_out + ci.failed;
            let latency = match ci.slo_latency_ms {
                Some(l) => l / self.slo_latency_ms[c],
                None if errors > 0 => f64::from(LATENCY_CLIP),
                None => 0.0,
            };
            out.push(clip(latency, LATENCY_CLIP));
            let finished = ci.completed + errors;
            out.push(if finished > 0 {
                clip(errors as f64 / finished as f64, 1.0)
            } else {
                0.0
            });
        }
        let nc = self.ref_per_interval.len();
        for (c, &reference) in self.ref_per_interval.iter().enumerate() {
            for h in 0..self.forecast_horizon {
                out.push(clip(forecast[h * nc + c] / reference, RATE_CLIP));
            }
        }
        let tow = traffic.time_of_week_s(now.as_secs_f64());
        let day = std::f64::consts::TAU * tow.rem_euclid(DAY_S) / DAY_S;
        let week = std::f64::consts::TAU * tow / WEEK_S;
        out.extend([
            day.sin() as f32,
            day.cos() as f32,
            week.sin() as f32,
            week.cos() as f32,
            clip(now.as_secs_f64() / self.horizon_s, 1.0),
        ]);
        let t = now.as_secs_f64();
        let mut slots = calendar
            .iter()
            .filter(|a| a.known_at_s <= t && a.start_s + a.duration_s > t);
        for _ in 0..self.calendar_slots {
            match slots.next() {
                Some(a) => out.extend([
                    1.0,
                    (((a.start_s - t) / 3600.0) as f32).clamp(-CALENDAR_CLIP_H, CALENDAR_CLIP_H),
                    clip(a.peak, RATE_CLIP),
                    clip(a.duration_s / 3600.0, CALENDAR_CLIP_H),
                ]),
                None => out.extend([0.0; 4]),
            }
        }
    }
}
