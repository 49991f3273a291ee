//! The event loop: arrivals, queueing, service, instance lifecycle, and the scaling API.
//!
//! Lifecycle of an episode: `Simulator::new(config, seed)` (or `reset`) places the initial
//! instances (running at time 0) and the first arrival of each class; `run_until(t)` processes
//! every event with time < t and closes the metric interval at t; between calls a policy may call
//! `set_target`/`scale_by`, which act at the current time. The episode ends at the horizon:
//! arrivals stop there and requests still in the system are left uncounted (`in_system`).
//!
//! Request flow: an arriving request draws the service time of every stage of its route (from its
//! class's `service` stream, so every policy faces the same work), then joins its first pool: a
//! free slot serves it at once, else it waits in the FIFO queue, else (queue full) it is rejected.
//! A waiting request abandons when its wait reaches the class timeout: expired requests are removed
//! from the head of the queue whenever the pool is touched and at every interval end, which is exact
//! when all classes sharing a pool share a timeout (the default one-pool-per-class layout). A request
//! lost in a crash is counted `failed` when its service would have ended.
//!
//! Memory guard: at most `max_in_system` requests (default `MAX_IN_SYSTEM`) are in the system at
//! once. An arrival past it sets `overflowed` and stops the interval, so memory stays bounded and
//! the caller (the env) refuses the episode with a clear error instead of the OS killing the
//! process (an unbounded queue under a mistyped rate grows without limit).

use std::sync::Arc;

use super::config::{Fault, SimConfig, MAX_STAGES};
use super::event::{Event, EventQueue, Priority, Request};
use super::metrics::{
    ClassAcc, ClassInterval, ClassSummary, EpisodeAcc, IntervalStats, PoolInterval,
};
use super::pool::{Pool, Queued};
use super::rng::{stream, StreamRng};
use super::time::SimTime;
use super::traffic::{ArrivalCursor, Traffic};

/// Default cap on requests in the system at once (queued or in service): about 1 GB of request
/// state at roughly 100 bytes each, far above any shipped scenario's backlog.
pub const MAX_IN_SYSTEM: u64 = 10_000_000;

/// What a scaling call did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ScaleOutcome {
    /// The target asked for (before clipping).
    pub requested: i64,
    /// The target after clipping to [min, max] and the cluster budget.
    pub target: u32,
    /// Active instances before the call.
    pub before: u32,
    /// True when the request was clipped.
    pub clipped: bool,
}

/// A snapshot of one pool for observations and policies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PoolView {
    pub running: u32,
    pub provisioning: u32,
    pub draining: u32,
    pub restarting: u32,
    /// Running + provisioning + restarting (what a target refers to).
    pub active: u32,
    pub queue_len: u32,
    pub busy_slots: u32,
    pub concurrency: u32,
}

/// Episode totals.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Totals {
    pub arrivals: u64,
    pub completed: u64,
    pub rejected: u64,
    pub timed_out: u64,
    pub failed: u64,
    /// Requests still queued or in service at the end.
    pub in_system: u64,
    /// [$]
    pub cost: f64,
    /// [$]
    pub revenue_lost: f64,
    pub instance_seconds: f64,
    pub slo_violation_intervals: u64,
}

/// A discrete-event simulation of one cluster episode.
pub struct Simulator {
    cfg: Arc<SimConfig>,
    now: u64,
    events: EventQueue,
    pools: Vec<Pool>,
    traffic: Traffic,
    cursors: Vec<ArrivalCursor>,
    rng_arrivals: Vec<StreamRng>,
    rng_service: Vec<StreamRng>,
    rng_cold: Vec<StreamRng>,
    rng_fail: Vec<StreamRng>,
    rng_noise: StreamRng,
    interval: Vec<ClassAcc>,
    episode: EpisodeAcc,
    interval_index: u64,
    interval_start: u64,
    events_processed: u64,
    in_system: u64,
    /// Cap on `in_system` (see the module docs).
    max_in_system: u64,
    /// When an arrival found `max_in_system` requests in the system (this episode) [µs].
    overflowed: Option<u64>,
    /// Per pool: service-time slowdown windows `(start µs, end µs, factor)` from the faults.
    slowdowns: Vec<Vec<(u64, u64, f64)>>,
}

fn streams(seed: u64, prefix: &str, names: impl Iterator<Item = String>) -> Vec<StreamRng> {
    names
        .map(|n| stream(seed, &format!("{prefix}/{n}")))
        .collect()
}

impl Simulator {
    /// A fresh episode of `cfg` with root seed `seed`.
    pub fn new(cfg: Arc<SimConfig>, seed: u64) -> Simulator {
        let nc = cfg.classes.len();
        let class_names = || cfg.classes.iter().map(|c| c.name.clone());
        let pool_names = || cfg.pools.iter().map(|p| p.name.clone());
        let mut rng_noise = stream(seed, "noise");
        let traffic = Traffic::new(cfg.traffic.clone(), cfg.horizon, &mut rng_noise);
        let mut sim = Simulator {
            rng_arrivals: streams(seed, "arrivals", class_names()),
            rng_service: streams(seed, "service", class_names()),
            rng_cold: streams(seed, "coldstart", pool_names()),
            rng_fail: streams(seed, "failures", pool_names()),
            rng_noise,
            now: 0,
            events: EventQueue::default(),
            pools: Vec::new(),
            cursors: Vec::new(),
            traffic,
            interval: (0..nc).map(|_| ClassAcc::new()).collect(),
            episode: EpisodeAcc::new(nc),
            interval_index: 0,
            interval_start: 0,
            events_processed: 0,
            in_system: 0,
            max_in_system: MAX_IN_SYSTEM,
            overflowed: None,
            slowdowns: Vec::new(),
            cfg,
        };
        sim.start_episode();
        sim
    }

    /// Starts a new episode: `Some(seed)` re-derives every stream from `seed`; `None` continues the
    /// current streams (a different but reproducible episode).
    pub fn reset(&mut self, seed: Option<u64>) {
        match seed {
            Some(s) => {
                let cap = self.max_in_system;
                *self = Simulator::new(Arc::clone(&self.cfg), s);
                self.max_in_system = cap;
            }
            None => {
                self.traffic = Traffic::new(
                    self.cfg.traffic.clone(),
                    self.cfg.horizon,
                    &mut self.rng_noise,
                );
                self.start_episode();
            }
        }
    }

    /// `reset` with the configuration replaced by `cfg` first: the next instance of a scenario
    /// family (the same classes and pools, so every stream carries over).
    pub fn reset_with(&mut self, cfg: Arc<SimConfig>, seed: Option<u64>) {
        debug_assert_eq!(cfg.classes.len(), self.cfg.classes.len());
        debug_assert_eq!(cfg.pools.len(), self.cfg.pools.len());
        self.cfg = cfg;
        self.reset(seed);
    }

    fn start_episode(&mut self) {
        self.now = 0;
        self.overflowed = None;
        self.events.clear(self.cfg.classes.len());
        self.interval.iter_mut().for_each(ClassAcc::reset);
        self.episode.reset();
        self.interval_index = 0;
        self.interval_start = 0;
        self.events_processed = 0;
        self.in_system = 0;
        let cfg = Arc::clone(&self.cfg);
        self.pools = cfg.pools.iter().map(Pool::new).collect();
        for (p, pc) in cfg.pools.iter().enumerate() {
            for _ in 0..pc.initial {
                let (inst, gen) = self.pools[p].launch(0, true);
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
                } => {
                    self.slowdowns[*pool].push((start.as_micros(), end.as_micros(), *factor));
                }
                Fault::CrashBurst { at, .. } => {
                    self.events.push(
                        at.as_micros(),
                        Priority::Lifecycle,
                        Event::CrashBurst { fault: i as u16 },
                    );
                }
                Fault::SlowColdStart { .. } => {}
            }
        }
        self.cursors = (0..cfg.classes.len())
            .map(|c| ArrivalCursor::new(c, &self.traffic))
            .collect();
        for c in 0..cfg.classes.len() {
            if let Some(t) = self.cursors[c].next(&self.traffic, &mut self.rng_arrivals[c]) {
                self.events
                    .push(t, Priority::Arrival, Event::Arrival { class: c as u16 });
            }
        }
    }

    pub fn config(&self) -> &Arc<SimConfig> {
        &self.cfg
    }

    /// Current simulated time.
    pub fn now(&self) -> SimTime {
        SimTime(self.now)
    }

    pub fn horizon(&self) -> SimTime {
        self.cfg.horizon
    }

    /// True once the horizon is reached.
    /// When an arrival found `max_in_system` requests in the system this episode (`None`: never):
    /// the episode stopped there and its results are not meaningful.
    pub fn overflowed(&self) -> Option<SimTime> {
        self.overflowed.map(SimTime)
    }

    /// The cap on requests in the system (default `MAX_IN_SYSTEM`).
    pub fn max_in_system(&self) -> u64 {
        self.max_in_system
    }

    /// Sets the cap on requests in the system (kept across `reset(None)`).
    pub fn set_max_in_system(&mut self, limit: u64) {
        self.max_in_system = limit;
    }

    pub fn is_done(&self) -> bool {
        self.now >= self.cfg.horizon.as_micros()
    }

    /// The episode's traffic (true rates, for oracle forecasts and plots).
    pub fn traffic(&self) -> &Traffic {
        &self.traffic
    }

    /// Events processed so far in this episode.
    pub fn events_processed(&self) -> u64 {
        self.events_processed
    }

    pub fn pool_view(&self, p: usize) -> PoolView {
        let pool = &self.pools[p];
        PoolView {
            running: pool.running,
            provisioning: pool.provisioning,
            draining: pool.draining,
            restarting: pool.restarting,
            active: pool.active(),
            queue_len: pool.queue.len() as u32,
            busy_slots: pool.busy.value as u32,
            concurrency: pool.concurrency,
        }
    }

    /// Billed instances over all pools.
    pub fn billed_instances(&self) -> u32 {
        self.pools.iter().map(Pool::billed_count).sum()
    }

    /// Runs one decision interval (to the next interval boundary or the horizon).
    pub fn step_interval(&mut self) -> IntervalStats {
        let end =
            (self.interval_start + self.cfg.interval.as_micros()).min(self.cfg.horizon.as_micros());
        self.run_until(SimTime(end))
    }

    /// Processes every event before `t` (capped at the horizon) and closes the interval at `t`.
    pub fn run_until(&mut self, t: SimTime) -> IntervalStats {
        let end = t
            .as_micros()
            .min(self.cfg.horizon.as_micros())
            .max(self.now);
        while let Some(et) = self.events.peek_time() {
            if et >= end {
                break;
            }
            let (et, ev) = self.events.pop().expect("peeked event exists");
            self.now = et;
            self.events_processed += 1;
            self.handle(ev);
            if self.overflowed.is_some() {
                break;
            }
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

    /// Sets the number of active instances of pool `p`, clipped to [min, max] and the budget.
    pub fn set_target(&mut self, p: usize, target: i64) -> ScaleOutcome {
        let pc = &self.cfg.pools[p];
        let before = self.pools[p].active();
        let mut clipped_target = target.clamp(i64::from(pc.min), i64::from(pc.max)) as u32;
        if clipped_target > before {
            let room = match self.cfg.budget {
                Some(b) => b.saturating_sub(self.billed_instances()),
                None => u32::MAX,
            };
            clipped_target = before + (clipped_target - before).min(room);
            for _ in before..clipped_target {
                self.launch(p);
            }
        } else if clipped_target < before {
            let removed = self.pools[p].remove(self.now, before - clipped_target);
            debug_assert_eq!(removed, before - clipped_target);
        }
        ScaleOutcome {
            requested: target,
            target: clipped_target,
            before,
            clipped: i64::from(clipped_target) != target,
        }
    }

    /// Changes the active instances of pool `p` by `delta`, clipped like `set_target`.
    pub fn scale_by(&mut self, p: usize, delta: i64) -> ScaleOutcome {
        let current = i64::from(self.pools[p].active());
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
            let (inst, gen) = self.pools[p].launch(self.now, true);
            self.schedule_failure(p, inst, gen);
            self.dispatch(p);
        } else {
            let (inst, gen) = self.pools[p].launch(self.now, false);
            self.events.push(
                self.now + delay,
                Priority::Lifecycle,
                Event::Ready {
                    pool: p as u16,
                    inst,
                    gen,
                },
            );
        }
    }

    fn schedule_failure(&mut self, p: usize, inst: u32, gen: u32) {
        if let Some(f) = &self.cfg.pools[p].failures {
            let ttf = f.time_to_failure.sample_us(&mut self.rng_fail[p]).max(1);
            self.events.push(
                self.now + ttf,
                Priority::Lifecycle,
                Event::Failure {
                    pool: p as u16,
                    inst,
                    gen,
                },
            );
        }
    }

    #[inline]
    fn handle(&mut self, ev: Event) {
        match ev {
            Event::Arrival { class } => self.on_arrival(class as usize),
            Event::Completion {
                pool,
                inst,
                gen,
                req,
            } => self.on_completion(pool as usize, inst, gen, req),
            Event::Ready { pool, inst, gen } => {
                let p = pool as usize;
                if self.pools[p].make_ready(self.now, inst, gen) {
                    self.schedule_failure(p, inst, gen);
                    self.dispatch(p);
                }
            }
            Event::Failure { pool, inst, gen } => {
                let p = pool as usize;
                if let Some(f) = self.cfg.pools[p].failures.clone() {
                    self.crash(p, inst, gen, &f.restart);
                }
            }
            Event::CrashBurst { fault } => {
                let cfg = Arc::clone(&self.cfg);
                if let Fault::CrashBurst {
                    pool,
                    fraction,
                    restart,
                    ..
                } = &cfg.faults[fault as usize]
                {
                    let victims = self.pools[*pool].running_instances();
                    let n = (victims.len() as f64 * fraction).ceil() as usize;
                    for inst in victims.into_iter().take(n) {
                        let gen = self.pools[*pool].gen(inst);
                        self.crash(*pool, inst, gen, restart);
                    }
                }
            }
        }
    }

    /// Crashes instance `inst` of pool `p` (if `gen` is current); a running one restarts after a
    /// delay drawn from `restart`.
    fn crash(&mut self, p: usize, inst: u32, gen: u32, restart: &super::dist::DurationDist) {
        if let Some(lost) = self.pools[p].crash(self.now, inst, gen) {
            let busy = self.pools[p].busy.value - f64::from(lost);
            self.pools[p].busy.set(self.now, busy);
            if self.pools[p].instances[inst as usize].state == super::pool::InstState::Restarting {
                let delay = restart.sample_us(&mut self.rng_fail[p]).max(1);
                let gen = self.pools[p].gen(inst);
                self.events.push(
                    self.now + delay,
                    Priority::Lifecycle,
                    Event::Ready {
                        pool: p as u16,
                        inst,
                        gen,
                    },
                );
            }
        }
    }

    #[inline]
    fn on_arrival(&mut self, c: usize) {
        if self.in_system >= self.max_in_system {
            self.overflowed = Some(self.now);
            return;
        }
        self.interval[c].arrivals += 1;
        self.in_system += 1;
        let route = &self.cfg.routes[c];
        let mut service = [0u32; MAX_STAGES];
        for (s, stage) in service.iter_mut().zip(route) {
            *s = stage
                .service
                .sample_us(&mut self.rng_service[c])
                .min(u64::from(u32::MAX)) as u32;
        }
        let req = Request {
            arrival: self.now,
            enqueued: self.now,
            waited: 0,
            service,
            class: c as u16,
            stage: 0,
        };
        self.enter(req);
        if let Some(t) = self.cursors[c].next(&self.traffic, &mut self.rng_arrivals[c]) {
            self.events
                .push(t, Priority::Arrival, Event::Arrival { class: c as u16 });
        }
    }

    /// A request joins the pool of its current stage.
    #[inline]
    fn enter(&mut self, mut req: Request) {
        let c = req.class as usize;
        let p = self.cfg.routes[c][req.stage as usize].pool;
        self.purge(p, self.now + 1);
        req.enqueued = self.now;
        let pool = &mut self.pools[p];
        if pool.queue.is_empty() {
            if let Some((inst, gen)) = pool.take_slot() {
                self.start(p, inst, gen, req);
                return;
            }
        }
        if pool
            .queue_capacity
            .is_some_and(|cap| pool.queue.len() >= cap as usize)
        {
            self.interval[c].rejected += 1;
            self.in_system -= 1;
            return;
        }
        let deadline = self.cfg.classes[c]
            .timeout
            .map_or(u64::MAX, |t| self.now + t.as_micros());
        pool.queue.push_back(Queued { req, deadline });
        let len = pool.queue.len() as f64;
        pool.queued.set(self.now, len);
    }

    #[inline]
    fn start(&mut self, p: usize, inst: u32, gen: u32, mut req: Request) {
        req.waited += self.now - req.enqueued;
        let pool = &mut self.pools[p];
        let busy = pool.busy.value + 1.0;
        pool.busy.set(self.now, busy);
        let mut service = u64::from(req.service[req.stage as usize]);
        for &(start, end, factor) in &self.slowdowns[p] {
            if (start..end).contains(&self.now) {
                service = (service as f64 * factor).round() as u64;
            }
        }
        let done = self.now + service;
        self.events.push(
            done,
            Priority::Completion,
            Event::Completion {
                pool: p as u16,
                inst,
                gen,
                req,
            },
        );
    }

    #[inline]
    fn on_completion(&mut self, p: usize, inst: u32, gen: u32, mut req: Request) {
        let c = req.class as usize;
        if !self.pools[p].release_slot(self.now, inst, gen) {
            // Its instance crashed while serving it.
            self.interval[c].failed += 1;
            self.in_system -= 1;
            return;
        }
        let pool = &mut self.pools[p];
        let busy = pool.busy.value - 1.0;
        pool.busy.set(self.now, busy);
        self.dispatch(p);
        req.stage += 1;
        if (req.stage as usize) < self.cfg.routes[c].len() {
            self.enter(req);
        } else {
            let acc = &mut self.interval[c];
            let latency = self.now - req.arrival;
            acc.completed += 1;
            acc.latency_sum += latency;
            acc.wait_sum += req.waited;
            acc.delayed += u64::from(req.waited > 0);
            acc.hist.saturating_record(latency);
            self.in_system -= 1;
        }
    }

    /// Serves queued requests while pool `p` has free slots.
    #[inline]
    fn dispatch(&mut self, p: usize) {
        loop {
            self.purge(p, self.now + 1);
            let pool = &mut self.pools[p];
            if pool.n_free == 0 {
                return;
            }
            let Some(q) = pool.queue.pop_front() else {
                return;
            };
            let len = pool.queue.len() as f64;
            pool.queued.set(self.now, len);
            let (inst, gen) = pool.take_slot().expect("n_free > 0");
            self.start(p, inst, gen, q.req);
        }
    }

    /// Removes requests at the head of pool `p`'s queue whose deadline is before `limit` [µs].
    #[inline]
    fn purge(&mut self, p: usize, limit: u64) {
        let pool = &mut self.pools[p];
        let mut changed = false;
        while let Some(front) = pool.queue.front() {
            if front.deadline >= limit {
                break;
            }
            let c = front.req.class as usize;
            pool.queue.pop_front();
            self.interval[c].timed_out += 1;
            self.in_system -= 1;
            changed = true;
        }
        if changed {
            let len = pool.queue.len() as f64;
            pool.queued.set(self.now, len);
        }
    }

    fn close_interval(&mut self) -> IntervalStats {
        let cfg = Arc::clone(&self.cfg);
        let now = self.now;
        for p in 0..self.pools.len() {
            self.purge(p, now);
        }
        let span_us = (now - self.interval_start) as f64;
        let mut pools = Vec::with_capacity(self.pools.len());
        let mut cost = 0.0;
        for (pool, pc) in self.pools.iter_mut().zip(&cfg.pools) {
            let busy = pool.busy.take(now);
            let cap = pool.capacity.take(now);
            let queued = pool.queued.take(now);
            let inst_s = pool.billed.take(now) / 1e6;
            let pcost = inst_s * pc.cost_per_hour / 3600.0;
            cost += pcost;
            pools.push(PoolInterval {
                running: pool.running,
                provisioning: pool.provisioning,
                draining: pool.draining,
                restarting: pool.restarting,
                utilisation: if cap > 0.0 { busy / cap } else { 0.0 },
                busy_mean: if span_us > 0.0 { busy / span_us } else { 0.0 },
                queue_len: pool.queue.len() as u32,
                queue_len_mean: if span_us > 0.0 { queued / span_us } else { 0.0 },
                instance_seconds: inst_s,
                cost: pcost,
            });
            self.episode.instance_seconds += inst_s;
        }
        let mut classes = Vec::with_capacity(self.interval.len());
        let mut revenue_lost = 0.0;
        for (c, acc) in self.interval.iter_mut().enumerate() {
            let cc = &cfg.classes[c];
            let violated = acc.violates(cc);
            let lost = acc.errors() as f64 * cc.value_per_failure;
            revenue_lost += lost;
            let slo_latency_ms = (acc.completed > 0)
                .then(|| acc.hist.value_at_quantile(cc.slo.quantile) as f64 / 1e3);
            classes.push(ClassInterval {
                arrivals: acc.arrivals,
                completed: acc.completed,
                rejected: acc.rejected,
                timed_out: acc.timed_out,
                failed: acc.failed,
                latency_ms: acc.latency(),
                slo_latency_ms,
                mean_wait_ms: acc.mean_wait_ms(),
                slo_violated: violated,
                revenue_lost: lost,
            });
            self.episode.classes[c].merge(acc);
            self.episode.slo_violations[c] += u64::from(violated);
            self.episode.revenue_lost[c] += lost;
            acc.reset();
        }
        self.episode.cost += cost;
        self.episode.intervals += 1;
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
        self.episode.class_summary(c)
    }

    /// Episode totals (intervals closed so far).
    pub fn totals(&self) -> Totals {
        let e = &self.episode;
        let sum = |f: fn(&ClassAcc) -> u64| e.classes.iter().map(f).sum::<u64>();
        Totals {
            arrivals: sum(|a| a.arrivals),
            completed: sum(|a| a.completed),
            rejected: sum(|a| a.rejected),
            timed_out: sum(|a| a.timed_out),
            failed: sum(|a| a.failed),
            in_system: self.in_system,
            cost: e.cost,
            revenue_lost: e.revenue_lost.iter().sum(),
            instance_seconds: e.instance_seconds,
            slo_violation_intervals: e.slo_violations.iter().sum(),
        }
    }
}
