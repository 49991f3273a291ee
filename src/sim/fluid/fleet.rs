//! The fluid model's instances: the same lifecycle as the DES (`sim::pool`) without request-level
//! slots. An instance is `Provisioning` (cold start) -> `Running` -> gone, and a crash sends a
//! running instance to `Restarting` and back; every state but gone is billed. Lifecycle events
//! (ready, failure) are ordered by `(time, seq)` and draw from the same named streams in the same
//! order as the DES (cold starts from `coldstart/<pool>` at launch, times to failure and restarts
//! from `failures/<pool>`), so both fidelities see the same instance histories for the same
//! scaling actions. One approximation: a removed running instance is gone at once instead of
//! draining its in-flight requests (a few hundred milliseconds of billing at most).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::sim::config::PoolConfig;
use crate::sim::pool::{InstState, Integral};

/// A lifecycle event of the fluid model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum LifeEvent {
    Ready { pool: u16, inst: u32, gen: u32 },
    Failure { pool: u16, inst: u32, gen: u32 },
    CrashBurst { fault: u16 },
}

/// Lifecycle events ordered by `(time [µs], seq)`.
#[derive(Debug, Default)]
pub(crate) struct LifeQueue {
    heap: BinaryHeap<Reverse<(u64, u64, LifeEvent)>>,
    seq: u64,
}

impl LifeQueue {
    pub fn clear(&mut self) {
        self.heap.clear();
        self.seq = 0;
    }

    pub fn push(&mut self, t: u64, ev: LifeEvent) {
        self.heap.push(Reverse((t, self.seq, ev)));
        self.seq += 1;
    }

    pub fn peek_time(&self) -> Option<u64> {
        self.heap.peek().map(|Reverse((t, _, _))| *t)
    }

    pub fn pop(&mut self) -> Option<(u64, LifeEvent)> {
        self.heap.pop().map(|Reverse((t, _, ev))| (t, ev))
    }
}

/// The instances of one pool.
#[derive(Debug, Clone)]
pub(crate) struct Fleet {
    pub concurrency: u32,
    /// `(state, gen)` per instance index; gen is bumped on crash and retirement.
    inst: Vec<(InstState, u32)>,
    retired: Vec<u32>,
    pub provisioning: u32,
    pub running: u32,
    pub restarting: u32,
    pub billed: Integral,
    /// Worker slots on running instances.
    pub capacity: Integral,
}

impl Fleet {
    pub fn new(cfg: &PoolConfig) -> Fleet {
        Fleet {
            concurrency: cfg.concurrency,
            inst: Vec::new(),
            retired: Vec::new(),
            provisioning: 0,
            running: 0,
            restarting: 0,
            billed: Integral::default(),
            capacity: Integral::default(),
        }
    }

    pub fn active(&self) -> u32 {
        self.provisioning + self.running + self.restarting
    }

    /// Worker slots on running instances.
    pub fn slots(&self) -> u32 {
        self.running * self.concurrency
    }

    fn update(&mut self, now: u64) {
        self.billed.set(now, f64::from(self.active()));
        self.capacity.set(now, f64::from(self.slots()));
    }

    /// Adds an instance, running at once or provisioning; returns its index and gen.
    pub fn launch(&mut self, now: u64, running: bool) -> (u32, u32) {
        let state = if running {
            InstState::Running
        } else {
            InstState::Provisioning
        };
        let idx = match self.retired.pop() {
            Some(i) => {
                self.inst[i as usize].0 = state;
                i
            }
            None => {
                self.inst.push((state, 0));
                (self.inst.len() - 1) as u32
            }
        };
        if running {
            self.running += 1;
        } else {
            self.provisioning += 1;
        }
        self.update(now);
        (idx, self.inst[idx as usize].1)
    }

    /// A provisioning or restarting instance becomes ready; false if the event is stale.
    pub fn make_ready(&mut self, now: u64, idx: u32, gen: u32) -> bool {
        let (state, g) = &mut self.inst[idx as usize];
        if *g != gen {
            return false;
        }
        match *state {
            InstState::Provisioning => self.provisioning -= 1,
            InstState::Restarting => self.restarting -= 1,
            _ => return false,
        }
        *state = InstState::Running;
        self.running += 1;
        self.update(now);
        true
    }

    fn retire(&mut self, idx: u32) {
        let (state, g) = &mut self.inst[idx as usize];
        *state = InstState::Gone;
        *g = g.wrapping_add(1);
        self.retired.push(idx);
    }

    /// Removes up to `n` active instances: provisioning, restarting, then running (highest index
    /// first within each); returns how many went.
    pub fn remove(&mut self, now: u64, n: u32) -> u32 {
        let mut left = n;
        for wanted in [
            InstState::Provisioning,
            InstState::Restarting,
            InstState::Running,
        ] {
            for i in (0..self.inst.len()).rev() {
                if left == 0 {
                    break;
                }
                if self.inst[i].0 == wanted {
                    match wanted {
                        InstState::Provisioning => self.provisioning -= 1,
                        InstState::Restarting => self.restarting -= 1,
                        _ => self.running -= 1,
                    }
                    self.retire(i as u32);
                    left -= 1;
                }
            }
        }
        self.update(now);
        n - left
    }

    /// A crash of a running instance: it goes to restarting with a new gen, returned; `None` if
    /// the event is stale.
    pub fn crash(&mut self, now: u64, idx: u32, gen: u32) -> Option<u32> {
        let (state, g) = &mut self.inst[idx as usize];
        if *g != gen || *state != InstState::Running {
            return None;
        }
        *state = InstState::Restarting;
        *g = g.wrapping_add(1);
        let new_gen = *g;
        self.running -= 1;
        self.restarting += 1;
        self.update(now);
        Some(new_gen)
    }

    /// Indices of running instances, lowest first.
    pub fn running_instances(&self) -> Vec<u32> {
        (0..self.inst.len() as u32)
            .filter(|&i| self.inst[i as usize].0 == InstState::Running)
            .collect()
    }

    pub fn gen(&self, idx: u32) -> u32 {
        self.inst[idx as usize].1
    }
}
