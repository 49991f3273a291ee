//! The fluid (mean-field) simulator: the same episode as `Simulator` at a cost independent of the
//! request rate. `FluidSimulator` takes the same `SimConfig` and seed, keeps the same instance
//! lifecycle (cold starts, crashes, restarts, billing per instance, from the same named streams:
//! `fleet`), and returns the same `IntervalStats`, pool views, totals and class summaries, so the
//! env and everything above it run on it unchanged.
//!
//! Lifecycle: `new(config, seed)` (or `reset`) places the initial instances; `run_until(t)`
//! advances time in steps and closes the metric interval at `t`; `set_target` acts at the current
//! time. A step ends at every rate-segment boundary (`traffic.rate_step`, where the rates change),
//! every lifecycle event and the interval end. Within a step rates and capacities are constant and
//! each pool's fluid queue (`queue`) is advanced in route order, passing served requests on to the
//! next stage of their route in the same step (zero transfer time; a route that returns to an
//! earlier pool feeds it in the next step); a pool that holds a queue or is offered at least its
//! capacity advances in sub-steps of at most `FluidOptions::step`, its inflow spread evenly.
//!
//! The model and its approximations (regimes where they hold are in `docs/fluid.md`):
//! - arrivals are the expected count per step (`FluidArrivals::Mean`) or Poisson counts drawn from
//!   the class's `arrivals/<class>` stream (`Poisson`); counts are expected values, reported as
//!   integers by rounding running totals (`tally`);
//! - service capacity is running instances × concurrency slots, each doing one slot-second of
//!   work per second (a `Slowdown` fault stretches the work); in-service time is not modelled
//!   beyond its mean (a served request leaves in the step it is served);
//! - below saturation waits are pointwise-stationary M/G/c (`latency`); over saturation the FIFO
//!   fluid queue gives waits, timeouts (abandonment exactly at the timeout) and rejections;
//! - a crash loses the crashed instance's share of the busy slots (counted `failed` at the crash);
//! - a removed running instance is gone at once (no draining).

mod fleet;
pub(crate) mod latency;
mod queue;
mod tally;

use std::sync::Arc;

use rand_distr::{Distribution, Poisson};

use super::config::{Fault, SimConfig};
use super::dist::DurationDist;
use super::engine::{PoolView, ScaleOutcome, Totals};
use super::fidelity::{FluidArrivals, FluidOptions};
use super::metrics::{ClassSummary, IntervalStats, PoolInterval};
use super::rng::{stream, StreamRng};
use super::time::SimTime;
use super::traffic::Traffic;
use fleet::{Fleet, LifeEvent, LifeQueue};
use latency::Shape;
use queue::{Entry, FlowAcc, FluidQueue, StepResult};
use tally::{ClassTally, Moments, ARRIVALS, COMPLETED, FAILED, REJECTED, TIMED_OUT};

/// Flows are `(class, stage)` pairs, indexed `class * MAX_STAGES + stage`.
const MAX_STAGES: usize = super::config::MAX_STAGES;

/// One pool's per-interval integrals.
#[derive(Debug, Clone, Default)]
struct PoolAcc {
    /// Slot-seconds of work done.
    busy: f64,
    /// ∫ queue length dt [requests · s].
    queue_area: f64,
    /// Busy slots in the last step.
    busy_now: f64,
}

/// A fluid simulation of one cluster episode (see the module header).
pub struct FluidSimulator {
    cfg: Arc<SimConfig>,
    opts: FluidOptions,
    now: u64,
    life: LifeQueue,
    fleets: Vec<Fleet>,
    queues: Vec<FluidQueue>,
    /// Pools in the order a step advances them (by the earliest stage they serve).
    order: Vec<usize>,
    traffic: Traffic,
    rng_arrivals: Vec<StreamRng>,
    rng_cold: Vec<StreamRng>,
    rng_fail: Vec<StreamRng>,
    rng_noise: StreamRng,
    slowdowns: Vec<Vec<(u64, u64, f64)>>,
    /// Requests handed to a flow and not yet taken by its pool.
    pending: Vec<f64>,
    flows: Vec<FlowAcc>,
    rejected: Vec<f64>,
    timed_out: Vec<f64>,
    pools: Vec<PoolAcc>,
    classes: Vec<ClassTally>,
    seg: u64,
    rates: Vec<f64>,
    inflow: Vec<f64>,
    out: Vec<f64>,
    cost: f64,
    instance_seconds: f64,
    interval_index: u64,
    interval_start: u64,
    steps: u64,
}

fn streams(seed: u64, kind: &str, names: impl Iterator<Item = String>) -> Vec<StreamRng> {
    names
        .map(|n| stream(seed, &format!("{kind}/{n}")))
        .collect()
}

fn second_moment_s(d: &DurationDist) -> (f64, f64) {
    let mean = d.mean() / 1e6;
    (mean, mean * mean * (1.0 + d.scv()))
}

impl FluidSimulator {
    /// A fresh episode of `cfg` with root seed `seed`.
    pub fn new(cfg: Arc<SimConfig>, seed: u64) -> FluidSimulator {
        let class_names = || cfg.classes.iter().map(|c| c.name.clone());
        let pool_names = || cfg.pools.iter().map(|p| p.name.clone());
        let mut rng_noise = stream(seed, "noise");
        let traffic = Traffic::new(cfg.traffic.clone(), cfg.horizon, &mut rng_noise);
        let (np, nc) = (cfg.pools.len(), cfg.classes.len());
        let mut entries: Vec<Vec<Entry>> = vec![Vec::new(); np];
        let mut first_stage = vec![usize::MAX; np];
        let mut timeout = vec![f64::INFINITY; np];
        for (c, route) in cfg.routes.iter().enumerate() {
            for (s, stage) in route.iter().enumerate() {
                let (mean_s, m2_s) = second_moment_s(&stage.service);
                entries[stage.pool].push(Entry {
                    flow: c * MAX_STAGES + s,
                    mean_s,
                    m2_s,
                });
                first_stage[stage.pool] = first_stage[stage.pool].min(s);
                if let Some(t) = cfg.classes[c].timeout {
                    timeout[stage.pool] = timeout[stage.pool].min(t.as_secs_f64());
                }
            }
        }
        let mut order: Vec<usize> = (0..np).collect();
        order.sort_by_key(|&p| first_stage[p]);
        let max_entries = entries.iter().map(Vec::len).max().unwrap_or(0);
        let queues = entries
            .into_iter()
            .zip(&cfg.pools)
            .zip(&timeout)
            .map(|((e, pc), &t)| FluidQueue::new(e, pc.queue_capacity, t))
            .collect();
        let classes = cfg
            .classes
            .iter()
            .zip(&cfg.routes)
            .map(|(cc, route)| {
                let dists: Vec<&DurationDist> = route.iter().map(|s| &s.service).collect();
                ClassTally::new(cc, Shape::of(&dists))
            })
            .collect();
        let nf = nc * MAX_STAGES;
        let mut sim = FluidSimulator {
            opts: cfg.fluid,
            rng_arrivals: streams(seed, "arrivals", class_names()),
            rng_cold: streams(seed, "coldstart", pool_names()),
            rng_fail: streams(seed, "failures", pool_names()),
            rng_noise,
            now: 0,
            life: LifeQueue::default(),
            fleets: Vec::new(),
            queues,
            order,
            traffic,
            slowdowns: Vec::new(),
            pending: vec![0.0; nf],
            flows: vec![FlowAcc::default(); nf],
            rejected: vec![0.0; nf],
            timed_out: vec![0.0; nf],
            pools: vec![PoolAcc::default(); np],
            classes,
            seg: u64::MAX,
            rates: vec![0.0; nc],
            inflow: vec![0.0; max_entries],
            out: vec![0.0; max_entries],
            cost: 0.0,
            instance_seconds: 0.0,
            interval_index: 0,
            interval_start: 0,
            steps: 0,
            cfg,
        };
        sim.start_episode();
        sim
    }

    /// `reset` with the configuration replaced by `cfg` first (see `Simulator::reset_with`).
    pub fn reset_with(&mut self, cfg: Arc<SimConfig>, seed: Option<u64>) {
        debug_assert_eq!(cfg.classes.len(), self.cfg.classes.len());
        debug_assert_eq!(cfg.pools.len(), self.cfg.pools.len());
        self.cfg = cfg;
        self.reset(seed);
    }

    /// Starts a new episode: `Some(seed)` re-derives every stream from `seed`; `None` continues them.
    pub fn reset(&mut self, seed: Option<u64>) {
        match seed {
            Some(s) => *self = FluidSimulator::new(Arc::clone(&self.cfg), s),
            None => {
                self.traffic = Traffic::new(
                    self.cfg.traffic.clone(),
                    self.cfg.horizon,
                    &mut self.rng_noise,
                );
                let cfg = Arc::clone(&self.cfg);
                self.classes = cfg
                    .classes
                    .iter()
                    .zip(&cfg.routes)
                    .map(|(cc, route)| {
                        let dists: Vec<&DurationDist> = route.iter().map(|s| &s.service).collect();
                        ClassTally::new(cc, Shape::of(&dists))
                    })
                    .collect();
                self.start_episode();
            }
        }
    }

    fn start_episode(&mut self) {
        let cfg = Arc::clone(&self.cfg);
        self.now = 0;
        self.life.clear();
        self.queues.iter_mut().for_each(FluidQueue::clear);
        self.pending.iter_mut().for_each(|x| *x = 0.0);
        self.flows.iter_mut().for_each(|f| *f = FlowAcc::default());
        self.rejected.iter_mut().for_each(|x| *x = 0.0);
        self.timed_out.iter_mut().for_each(|x| *x = 0.0);
        self.pools.iter_mut().for_each(|p| *p = PoolAcc::default());
        self.seg = u64::MAX;
        self.cost = 0.0;
        self.instance_seconds = 0.0;
        self.interval_index = 0;
        self.interval_start = 0;
        self.steps = 0;
        self.fleets = cfg.pools.iter().map(Fleet::new).collect();
        for (p, pc) in cfg.pools.iter().enumerate() {
            for _ in 0..pc.initial {
                let (inst, gen) = self.fleets[p].launch(0, true);
                self.schedule_failure(p, inst, gen);
            }
        }
        self.slowdowns = vec![Vec::new(); cfg.pools.len()];
        for (i, f) in cfg.faults.iter().enumerate() {
            match f {
                Fault::Slowdown {
                    pool,
                    start,
                    end,
                    factor,
                } => self.slowdowns[*pool].push((start.as_micros(), end.as_micros(), *factor)),
                Fault::CrashBurst { at, .. } => self
                    .life
                    .push(at.as_micros(), LifeEvent::CrashBurst { fault: i as u16 }),
                Fault::SlowColdStart { .. } => {}
            }
        }
    }

    pub fn config(&self) -> &Arc<SimConfig> {
        &self.cfg
    }

    pub fn now(&self) -> SimTime {
        SimTime(self.now)
    }

    pub fn horizon(&self) -> SimTime {
        self.cfg.horizon
    }

    pub fn is_done(&self) -> bool {
        self.now >= self.cfg.horizon.as_micros()
    }

    pub fn traffic(&self) -> &Traffic {
        &self.traffic
    }

    /// Fluid steps and lifecycle events processed so far in this episode.
    pub fn events_processed(&self) -> u64 {
        self.steps
    }

    pub fn pool_view(&self, p: usize) -> PoolView {
        let f = &self.fleets[p];
        PoolView {
            running: f.running,
            provisioning: f.provisioning,
            draining: 0,
            restarting: f.restarting,
            active: f.active(),
            queue_len: self.queues[p].queued.round() as u32,
            busy_slots: (self.pools[p].busy_now.round() as u32).min(f.slots()),
            concurrency: f.concurrency,
        }
    }

    pub fn billed_instances(&self) -> u32 {
        self.fleets.iter().map(Fleet::active).sum()
    }

    /// Runs one decision interval (to the next interval boundary or the horizon).
    pub fn step_interval(&mut self) -> IntervalStats {
        let end =
            (self.interval_start + self.cfg.interval.as_micros()).min(self.cfg.horizon.as_micros());
        self.run_until(SimTime(end))
    }

    /// Advances to `t` (capped at the horizon), handling lifecycle events before `t`, and closes
    /// the interval at `t`.
    pub fn run_until(&mut self, t: SimTime) -> IntervalStats {
        let end = t
            .as_micros()
            .min(self.cfg.horizon.as_micros())
            .max(self.now);
        let rate_step = self.cfg.traffic.rate_step.as_micros().max(1);
        while self.now < end || self.life.peek_time().is_some_and(|te| te < end) {
            if let Some(te) = self
                .life
                .peek_time()
                .filter(|&te| te <= self.now && te < end)
            {
                let (_, ev) = self.life.pop().expect("peeked event exists");
                debug_assert!(te <= self.now);
                self.steps += 1;
                self.handle(ev);
                continue;
            }
            let k = self.now / rate_step;
            if k != self.seg {
                self.seg = k;
                self.traffic.segment_rates(k, &mut self.rates);
            }
            let mut t1 = end.min((k + 1) * rate_step);
            if let Some(te) = self.life.peek_time() {
                t1 = t1.min(te.max(self.now + 1));
            }
            self.advance(t1);
        }
        self.now = end;
        self.close_interval()
    }

    /// Runs to the horizon without scaling actions, calling `on_interval` after each interval.
    pub fn run_to_end(&mut self, mut on_interval: impl FnMut(&IntervalStats)) {
        while !self.is_done() {
            let s = self.step_interval();
            on_interval(&s);
        }
    }

    /// Slowdown factor of pool `p` at the current time.
    fn factor(&self, p: usize) -> f64 {
        let mut f = 1.0;
        for &(start, end, factor) in &self.slowdowns[p] {
            if (start..end).contains(&self.now) {
                f *= factor;
            }
        }
        f
    }

    /// One fluid step from `now` to `t1` [µs] at the current rates.
    fn advance(&mut self, t1: u64) {
        let dt = (t1 - self.now) as f64 / 1e6;
        let t0 = self.now as f64 / 1e6;
        let h_max = self.opts.step.as_secs_f64().max(1e-6);
        for c in 0..self.rates.len() {
            let mean = self.rates[c].max(0.0) * dt;
            let a = match self.opts.arrivals {
                FluidArrivals::Mean => mean,
                FluidArrivals::Poisson if mean > 0.0 => Poisson::new(mean)
                    .map(|d| d.sample(&mut self.rng_arrivals[c]))
                    .unwrap_or(mean),
                FluidArrivals::Poisson => 0.0,
            };
            self.classes[c].interval[ARRIVALS] += a;
            self.pending[c * MAX_STAGES] += a;
        }
        for i in 0..self.order.len() {
            let p = self.order[i];
            let factor = self.factor(p);
            let slots = self.fleets[p].slots();
            let q = &mut self.queues[p];
            let ne = q.entries.len();
            for (k, e) in q.entries.iter().enumerate() {
                self.inflow[k] = std::mem::take(&mut self.pending[e.flow]);
                self.out[k] = 0.0;
            }
            // A congested pool (a queue, or offered at least its capacity) advances in
            // sub-steps of at most `opts.step`, its inflow spread evenly over them.
            let offered: f64 = q
                .entries
                .iter()
                .zip(&self.inflow)
                .map(|(e, a)| a * e.mean_s * factor)
                .sum();
            let n = if q.queued > 0.0 || offered >= 0.999 * f64::from(slots) * dt {
                (dt / h_max).ceil().max(1.0) as usize
            } else {
                1
            };
            let h = dt / n as f64;
            if n > 1 {
                self.inflow[..ne].iter_mut().for_each(|a| *a /= n as f64);
            }
            let mut r = StepResult::default();
            for i in 0..n {
                let ri = q.step(
                    t0 + i as f64 * h,
                    h,
                    slots,
                    factor,
                    &self.inflow[..ne],
                    &mut self.out[..ne],
                    &mut self.flows,
                    &mut self.rejected,
                    &mut self.timed_out,
                );
                r.work += ri.work;
                r.queue_area += ri.queue_area;
                self.steps += 1;
            }
            let acc = &mut self.pools[p];
            acc.busy += r.work;
            acc.queue_area += r.queue_area;
            acc.busy_now = if dt > 0.0 { r.work / dt } else { 0.0 };
            for k in 0..ne {
                let flow = self.queues[p].entries[k].flow;
                let (c, s) = (flow / MAX_STAGES, flow % MAX_STAGES);
                if s + 1 < self.cfg.routes[c].len() {
                    self.pending[flow + 1] += self.out[k];
                } else {
                    self.classes[c].interval[COMPLETED] += self.out[k];
                }
            }
        }
        self.now = t1;
    }

    fn schedule_failure(&mut self, p: usize, inst: u32, gen: u32) {
        if let Some(f) = &self.cfg.pools[p].failures {
            let ttf = f.time_to_failure.sample_us(&mut self.rng_fail[p]).max(1);
            self.life.push(
                self.now + ttf,
                LifeEvent::Failure {
                    pool: p as u16,
                    inst,
                    gen,
                },
            );
        }
    }

    fn handle(&mut self, ev: LifeEvent) {
        match ev {
            LifeEvent::Ready { pool, inst, gen } => {
                let p = pool as usize;
                if self.fleets[p].make_ready(self.now, inst, gen) {
                    self.schedule_failure(p, inst, gen);
                }
            }
            LifeEvent::Failure { pool, inst, gen } => {
                let p = pool as usize;
                if let Some(f) = self.cfg.pools[p].failures.clone() {
                    self.crash(p, inst, gen, &f.restart);
                }
            }
            LifeEvent::CrashBurst { fault } => {
                let cfg = Arc::clone(&self.cfg);
                if let Fault::CrashBurst {
                    pool,
                    fraction,
                    restart,
                    ..
                } = &cfg.faults[fault as usize]
                {
                    let victims = self.fleets[*pool].running_instances();
                    let n = (victims.len() as f64 * fraction).ceil() as usize;
                    for inst in victims.into_iter().take(n) {
                        let gen = self.fleets[*pool].gen(inst);
                        self.crash(*pool, inst, gen, restart);
                    }
                }
            }
        }
    }

    /// Crashes running instance `inst` of pool `p` (if `gen` is current): its share of the busy
    /// slots fails, and it restarts after a delay drawn from `restart`.
    fn crash(&mut self, p: usize, inst: u32, gen: u32, restart: &DurationDist) {
        let running = self.fleets[p].running;
        let Some(new_gen) = self.fleets[p].crash(self.now, inst, gen) else {
            return;
        };
        let acc = &mut self.pools[p];
        let lost = acc.busy_now / f64::from(running.max(1));
        acc.busy_now -= lost;
        // Attribute the loss to the pool's flows by their share of its work.
        let q = &self.queues[p];
        let total: f64 = q.entries.iter().map(|e| self.flows[e.flow].served).sum();
        let ne = q.entries.len() as f64;
        for e in &q.entries {
            let share = if total > 0.0 {
                self.flows[e.flow].served / total
            } else {
                1.0 / ne
            };
            self.classes[e.flow / MAX_STAGES].interval[FAILED] += lost * share;
        }
        let delay = restart.sample_us(&mut self.rng_fail[p]).max(1);
        self.life.push(
            self.now + delay,
            LifeEvent::Ready {
                pool: p as u16,
                inst,
                gen: new_gen,
            },
        );
    }

    /// Sets the number of active instances of pool `p`, clipped to [min, max] and the budget.
    pub fn set_target(&mut self, p: usize, target: i64) -> ScaleOutcome {
        let pc = &self.cfg.pools[p];
        let before = self.fleets[p].active();
        let mut clipped = target.clamp(i64::from(pc.min), i64::from(pc.max)) as u32;
        if clipped > before {
            let room = match self.cfg.budget {
                Some(b) => b.saturating_sub(self.billed_instances()),
                None => u32::MAX,
            };
            clipped = before + (clipped - before).min(room);
            for _ in before..clipped {
                self.launch(p);
            }
        } else if clipped < before {
            self.fleets[p].remove(self.now, before - clipped);
        }
        ScaleOutcome {
            requested: target,
            target: clipped,
            before,
            clipped: i64::from(clipped) != target,
        }
    }

    /// Changes the active instances of pool `p` by `delta`, clipped like `set_target`.
    pub fn scale_by(&mut self, p: usize, delta: i64) -> ScaleOutcome {
        let current = i64::from(self.fleets[p].active());
        self.set_target(p, current + delta)
    }

    fn launch(&mut self, p: usize) {
        let mut delay = self.cfg.pools[p]
            .cold_start
            .sample_us(&mut self.rng_cold[p]);
        for f in &self.cfg.faults {
            if let Fault::SlowColdStart {
                pool,
                start,
                end,
                factor,
            } = f
            {
                if pool.is_none_or(|q| q == p)
                    && (start.as_micros()..end.as_micros()).contains(&self.now)
                {
                    delay = (delay as f64 * factor).round() as u64;
                }
            }
        }
        if delay == 0 {
            let (inst, gen) = self.fleets[p].launch(self.now, true);
            self.schedule_failure(p, inst, gen);
        } else {
            let (inst, gen) = self.fleets[p].launch(self.now, false);
            self.life.push(
                self.now + delay,
                LifeEvent::Ready {
                    pool: p as u16,
                    inst,
                    gen,
                },
            );
        }
    }

    /// Latency moments of class `c` this interval, stage by stage (stages independent).
    fn moments(&self, c: usize) -> Moments {
        let mut m = Moments::default();
        let mut no_wait = 1.0;
        for (s, stage) in self.cfg.routes[c].iter().enumerate() {
            let f = &self.flows[c * MAX_STAGES + s];
            if f.served > 0.0 {
                let (sm, s2) = (f.sum_s / f.served, f.sum_s2 / f.served);
                let (wm, w2) = (f.sum_w / f.served, f.sum_w2 / f.served);
                m.mean += sm + wm;
                m.var += (s2 - sm * sm).max(0.0) + (w2 - wm * wm).max(0.0);
                m.wait += wm;
                no_wait *= 1.0 - (f.sum_pw / f.served).clamp(0.0, 1.0);
            } else {
                let (sm, s2) = second_moment_s(&stage.service);
                m.mean += sm;
                m.var += s2 - sm * sm;
            }
        }
        m.p_wait = 1.0 - no_wait;
        m
    }

    fn close_interval(&mut self) -> IntervalStats {
        let cfg = Arc::clone(&self.cfg);
        let now = self.now;
        let span_s = (now - self.interval_start) as f64 / 1e6;
        let mut pools = Vec::with_capacity(self.fleets.len());
        let mut cost = 0.0;
        for (p, pc) in cfg.pools.iter().enumerate() {
            let fleet = &mut self.fleets[p];
            let inst_s = fleet.billed.take(now) / 1e6;
            let cap_s = fleet.capacity.take(now) / 1e6;
            let acc = std::mem::take(&mut self.pools[p]);
            let pcost = inst_s * pc.cost_per_hour / 3600.0;
            cost += pcost;
            pools.push(PoolInterval {
                running: fleet.running,
                provisioning: fleet.provisioning,
                draining: 0,
                restarting: fleet.restarting,
                utilisation: if cap_s > 0.0 {
                    (acc.busy / cap_s).min(1.0)
                } else {
                    0.0
                },
                busy_mean: if span_s > 0.0 { acc.busy / span_s } else { 0.0 },
                queue_len: self.queues[p].queued.round() as u32,
                queue_len_mean: if span_s > 0.0 {
                    acc.queue_area / span_s
                } else {
                    0.0
                },
                instance_seconds: inst_s,
                cost: pcost,
            });
            self.pools[p].busy_now = acc.busy_now;
            self.instance_seconds += inst_s;
        }
        let mut classes = Vec::with_capacity(cfg.classes.len());
        let mut revenue_lost = 0.0;
        for (c, cc) in cfg.classes.iter().enumerate() {
            let m = self.moments(c);
            let flows = c * MAX_STAGES..(c + 1) * MAX_STAGES;
            let tally = &mut self.classes[c];
            tally.interval[REJECTED] += self.rejected[flows.clone()].iter().sum::<f64>();
            tally.interval[TIMED_OUT] += self.timed_out[flows.clone()].iter().sum::<f64>();
            let ci = tally.close(cc, &m);
            revenue_lost += ci.revenue_lost;
            classes.push(ci);
            for f in flows {
                self.flows[f] = FlowAcc::default();
                self.rejected[f] = 0.0;
                self.timed_out[f] = 0.0;
            }
        }
        self.cost += cost;
        let stats = IntervalStats {
            index: self.interval_index,
            start_s: self.interval_start as f64 / 1e6,
            end_s: now as f64 / 1e6,
            classes,
            pools,
            cost,
            revenue_lost,
        };
        self.interval_index += 1;
        self.interval_start = now;
        stats
    }

    /// Episode summary of class `c` (intervals closed so far).
    pub fn class_summary(&self, c: usize) -> ClassSummary {
        self.classes[c].summary()
    }

    /// Episode totals (intervals closed so far).
    pub fn totals(&self) -> Totals {
        let sum = |k: usize| self.classes.iter().map(|t| t.reported()[k]).sum::<u64>();
        let waiting: f64 = self.queues.iter().map(|q| q.queued).sum::<f64>()
            + self.pending.iter().sum::<f64>()
            + self.pools.iter().map(|p| p.busy_now).sum::<f64>();
        Totals {
            arrivals: sum(ARRIVALS),
            completed: sum(COMPLETED),
            rejected: sum(REJECTED),
            timed_out: sum(TIMED_OUT),
            failed: sum(FAILED),
            in_system: waiting.round() as u64,
            cost: self.cost,
            revenue_lost: self.classes.iter().map(|t| t.revenue_lost).sum(),
            instance_seconds: self.instance_seconds,
            slo_violation_intervals: self.classes.iter().map(|t| t.slo_violations).sum(),
        }
    }
}
