//! One pool's fluid queue: a FIFO of cohorts of waiting work, served by the pool's worker slots.
//!
//! The pool serves several flows (entries: a class at one stage of its route). Over a step
//! `[t0, t0 + dt)` with `N` worker slots and constant rates, the slots do up to `N · dt`
//! slot-seconds of work: first the queued cohorts, oldest first, then the step's arrivals; what
//! does not fit joins the queue as a new cohort (its arrivals spread uniformly over the last part
//! of the step). A served cohort's wait is the fluid time at which its work is done minus its mean
//! arrival time; arrivals served at once wait the pointwise-stationary M/G/c wait instead
//! (`latency::stationary_wait`). The queue capacity rejects the newest arrivals beyond it; the
//! timeout removes the part of each cohort older than the timeout at the end of the step (the
//! pool's smallest class timeout: exact when its classes share one, as in the DES). Everything is
//! in expected counts (fractions of requests).

use std::collections::VecDeque;

use super::latency::stationary_wait;

/// A class at one stage of its route, served by this pool.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// Index of the flow `(class, stage)`.
    pub flow: usize,
    /// Mean service time [s].
    pub mean_s: f64,
    /// E[S²] of the service time [s²].
    pub m2_s: f64,
}

/// Per-interval statistics of one flow `(class, stage)`.
#[derive(Debug, Clone, Default)]
pub(crate) struct FlowAcc {
    /// Requests served.
    pub served: f64,
    /// Σ mean service time of the served [s] and Σ E[S²] [s²].
    pub sum_s: f64,
    pub sum_s2: f64,
    /// Σ wait [s] and Σ wait² [s²] of the served.
    pub sum_w: f64,
    pub sum_w2: f64,
    /// Σ P(wait > 0) of the served.
    pub sum_pw: f64,
}

impl FlowAcc {
    fn record(&mut self, n: f64, e: &Entry, factor: f64, w1: f64, w2: f64, pw: f64) {
        self.served += n;
        self.sum_s += n * e.mean_s * factor;
        self.sum_s2 += n * e.m2_s * factor * factor;
        self.sum_w += n * w1;
        self.sum_w2 += n * w2;
        self.sum_pw += n * pw;
    }
}

#[derive(Debug, Clone)]
struct Cohort {
    /// Arrival times span [s], uniform.
    lo: f64,
    hi: f64,
    /// Waiting requests per entry.
    n: Vec<f64>,
}

/// What one step did.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct StepResult {
    /// Slot-seconds of work done.
    pub work: f64,
    /// ∫ queue length dt over the step [requests · s]: the fluid queue (trapezoid) plus the
    /// stationary queue (Little's law: Σ stationary waits of the requests served at once).
    pub queue_area: f64,
}

/// One pool's fluid queue.
#[derive(Debug, Clone)]
pub(crate) struct FluidQueue {
    pub entries: Vec<Entry>,
    /// Most waiting requests (`None` = unbounded).
    capacity: Option<f64>,
    /// Smallest class timeout [s] (infinite = none).
    timeout_s: f64,
    cohorts: VecDeque<Cohort>,
    spare: Vec<Vec<f64>>,
    /// Waiting requests.
    pub queued: f64,
    /// Memo of the last Erlang C evaluation: (slots, rho bits) -> moments.
    memo: (u32, u64, (f64, f64, f64)),
}

impl FluidQueue {
    pub fn new(entries: Vec<Entry>, capacity: Option<u32>, timeout_s: f64) -> FluidQueue {
        FluidQueue {
            entries,
            capacity: capacity.map(f64::from),
            timeout_s,
            cohorts: VecDeque::new(),
            spare: Vec::new(),
            queued: 0.0,
            memo: (u32::MAX, 0, (0.0, 0.0, 0.0)),
        }
    }

    pub fn clear(&mut self) {
        while let Some(c) = self.cohorts.pop_front() {
            self.spare.push(c.n);
        }
        self.queued = 0.0;
    }

    fn stationary(&mut self, rho: f64, slots: u32, mean_s: f64, scv: f64) -> (f64, f64, f64) {
        let key = (slots, rho.to_bits() ^ mean_s.to_bits().rotate_left(7));
        if (self.memo.0, self.memo.1) != key {
            self.memo = (key.0, key.1, stationary_wait(rho, slots, mean_s, scv));
        }
        self.memo.2
    }

    /// Advances `[t0, t0 + dt)` [s] with `slots` worker slots, service times stretched by
    /// `factor`, `inflow[e]` requests arriving per entry; adds served requests to `out[e]`,
    /// rejections and timeouts to `rejected[flow]`/`timed_out[flow]`, and wait statistics to
    /// `flows[flow]`.
    #[allow(clippy::too_many_arguments)]
    pub fn step(
        &mut self,
        t0: f64,
        dt: f64,
        slots: u32,
        factor: f64,
        inflow: &[f64],
        out: &mut [f64],
        flows: &mut [FlowAcc],
        rejected: &mut [f64],
        timed_out: &mut [f64],
    ) -> StepResult {
        let q_start = self.queued;
        let n_slots = f64::from(slots);
        let cap = n_slots * dt;
        let mut used = 0.0;
        // serve queued cohorts, oldest first
        while used < cap {
            let Some(front) = self.cohorts.front_mut() else {
                break;
            };
            let work: f64 = front
                .n
                .iter()
                .zip(&self.entries)
                .map(|(n, e)| n * e.mean_s * factor)
                .sum();
            let f = if work <= cap - used {
                1.0
            } else {
                (cap - used) / work
            };
            let done_at = t0 + (used + f * work / 2.0) / n_slots;
            let span = f * (front.hi - front.lo);
            // Nothing waits longer than the timeout: at step resolution the head of the queue
            // may be served up to a step after its age reached it, so the wait is clipped.
            let wait = (done_at - (front.lo + span / 2.0)).clamp(0.0, self.timeout_s);
            let w2 = (wait * wait + span * span / 12.0).min(self.timeout_s * self.timeout_s);
            for (k, e) in self.entries.iter().enumerate() {
                let n = front.n[k] * f;
                out[k] += n;
                flows[e.flow].record(n, e, factor, wait, w2, 1.0);
                front.n[k] -= n;
            }
            used += f * work;
            if f >= 1.0 {
                let c = self.cohorts.pop_front().expect("front exists");
                self.spare.push(c.n);
            } else {
                front.lo += span;
                break;
            }
        }
        // the step's arrivals
        let (mut a_n, mut a_work, mut a_m2) = (0.0, 0.0, 0.0);
        for (e, &a) in self.entries.iter().zip(inflow) {
            a_n += a;
            a_work += a * e.mean_s * factor;
            a_m2 += a * e.m2_s * factor * factor;
        }
        let room = (cap - used).max(0.0);
        let mut stationary_area = 0.0;
        let g = if a_work <= room { 1.0 } else { room / a_work };
        if a_n > 0.0 && g > 0.0 {
            let mean = a_work / a_n;
            let scv = (a_m2 / a_n / (mean * mean) - 1.0).max(0.0);
            let rho = if cap > 0.0 {
                (used + g * a_work) / cap
            } else {
                1.0
            };
            let (w1, w2, pw) = self.stationary(rho, slots, mean, scv);
            let w1 = w1.min(self.timeout_s);
            let w2 = w2.min(self.timeout_s * self.timeout_s);
            for (k, e) in self.entries.iter().enumerate() {
                let n = inflow[k] * g;
                out[k] += n;
                flows[e.flow].record(n, e, factor, w1, w2, pw);
            }
            // Little's law: the stationary queue holds Σ waits of the requests served at once.
            stationary_area = a_n * g * w1;
            used += g * a_work;
        }
        if g < 1.0 && a_n > 0.0 {
            let mut n = self.spare.pop().unwrap_or_default();
            n.clear();
            n.extend(inflow.iter().map(|a| a * (1.0 - g)));
            self.cohorts.push_back(Cohort {
                lo: t0 + g * dt,
                hi: t0 + dt,
                n,
            });
        }
        self.queued = self.cohorts.iter().map(|c| c.n.iter().sum::<f64>()).sum();
        // queue capacity: the newest arrivals beyond it are rejected
        if let Some(qcap) = self.capacity {
            let mut excess = self.queued - qcap;
            while excess > 1e-12 {
                let Some(back) = self.cohorts.back_mut() else {
                    break;
                };
                let total: f64 = back.n.iter().sum();
                let f = (excess / total).min(1.0);
                for (k, e) in self.entries.iter().enumerate() {
                    rejected[e.flow] += back.n[k] * f;
                    back.n[k] *= 1.0 - f;
                }
                excess -= total * f;
                if f >= 1.0 {
                    let c = self.cohorts.pop_back().expect("back exists");
                    self.spare.push(c.n);
                } else {
                    back.hi -= f * (back.hi - back.lo);
                }
            }
            self.queued = self.queued.min(qcap).max(0.0);
        }
        // timeouts: the part of each cohort that arrived before t_end − timeout abandons
        let limit = t0 + dt - self.timeout_s;
        while let Some(front) = self.cohorts.front_mut() {
            if front.lo >= limit {
                break;
            }
            let width = front.hi - front.lo;
            let f = if width > 0.0 {
                ((limit - front.lo) / width).min(1.0)
            } else {
                1.0
            };
            for (k, e) in self.entries.iter().enumerate() {
                timed_out[e.flow] += front.n[k] * f;
                front.n[k] *= 1.0 - f;
            }
            if f >= 1.0 {
                let c = self.cohorts.pop_front().expect("front exists");
                self.spare.push(c.n);
            } else {
                front.lo = limit;
                break;
            }
        }
        self.queued = self.cohorts.iter().map(|c| c.n.iter().sum::<f64>()).sum();
        StepResult {
            work: used,
            queue_area: (q_start + self.queued) / 2.0 * dt + stationary_area,
        }
    }
}
