//! A pool of identical instances: lifecycle, worker slots, the FIFO queue and time integrals.
//!
//! Instance lifecycle: `Provisioning` (cold start) -> `Running` -> `Draining` (finishes in-flight
//! work, takes none) -> gone; a crash sends a running instance to `Restarting` and back to
//! `Running`. Every state but gone is billed. Slots are handed out from a LIFO stack of
//! `(instance, epoch)` entries, so work packs onto recently used instances and scale-down finds
//! idle ones; an entry is valid only while its instance is running in the same epoch (entries of
//! instances that stopped running are skipped lazily). Events that refer to an instance carry its
//! generation `gen`, bumped on crash and retirement, so stale completions and timers are ignored.

use std::collections::VecDeque;

use super::config::PoolConfig;
use super::event::Request;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InstState {
    Provisioning,
    Running,
    Draining,
    Restarting,
    Gone,
}

#[derive(Debug, Clone)]
pub(crate) struct Instance {
    pub state: InstState,
    /// Busy worker slots.
    pub busy: u32,
    /// Bumped on crash and retirement: events with an older gen are stale.
    pub gen: u32,
    /// Bumped whenever the instance stops running: free-slot entries with an older epoch are stale.
    pub epoch: u32,
}

/// A time-weighted integral of a piecewise-constant quantity.
#[derive(Debug, Clone, Default)]
pub(crate) struct Integral {
    last: u64,
    /// Current value.
    pub value: f64,
    /// ∫ value dt since the last `take` [value · µs].
    pub area: f64,
}

impl Integral {
    #[inline]
    pub fn set(&mut self, now: u64, value: f64) {
        self.area += self.value * (now - self.last) as f64;
        self.last = now;
        self.value = value;
    }

    #[inline]
    pub fn advance(&mut self, now: u64) {
        self.area += self.value * (now - self.last) as f64;
        self.last = now;
    }

    /// Returns the area and starts a new one at `now`.
    pub fn take(&mut self, now: u64) -> f64 {
        self.advance(now);
        std::mem::take(&mut self.area)
    }
}

/// A request waiting in a queue.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Queued {
    pub req: Request,
    /// When it abandons [µs] (`u64::MAX` = never).
    pub deadline: u64,
}

/// Live state of one pool.
#[derive(Debug, Clone)]
pub(crate) struct Pool {
    pub concurrency: u32,
    pub queue_capacity: Option<u32>,
    pub instances: Vec<Instance>,
    /// Indices of gone instances, reused for new ones.
    retired: Vec<u32>,
    free_slots: Vec<(u32, u32)>,
    /// Valid entries in `free_slots` (= Σ over running instances of concurrency − busy).
    pub n_free: u32,
    pub queue: VecDeque<Queued>,
    pub provisioning: u32,
    pub running: u32,
    pub draining: u32,
    pub restarting: u32,
    pub busy: Integral,
    pub queued: Integral,
    pub billed: Integral,
    /// Worker slots on running instances.
    pub capacity: Integral,
}

impl Pool {
    pub fn new(cfg: &PoolConfig) -> Pool {
        Pool {
            concurrency: cfg.concurrency,
            queue_capacity: cfg.queue_capacity,
            instances: Vec::new(),
            retired: Vec::new(),
            free_slots: Vec::new(),
            n_free: 0,
            queue: VecDeque::new(),
            provisioning: 0,
            running: 0,
            draining: 0,
            restarting: 0,
            busy: Integral::default(),
            queued: Integral::default(),
            billed: Integral::default(),
            capacity: Integral::default(),
        }
    }

    /// Instances that serve now or will without a new launch (not draining).
    pub fn active(&self) -> u32 {
        self.provisioning + self.running + self.restarting
    }

    /// Instances billed now.
    pub fn billed_count(&self) -> u32 {
        self.active() + self.draining
    }

    fn update_billed(&mut self, now: u64) {
        let b = f64::from(self.billed_count());
        self.billed.set(now, b);
        let cap = f64::from(self.running * self.concurrency);
        self.capacity.set(now, cap);
    }

    /// Adds an instance in `state` (provisioning, or running for a zero cold start); returns its index and gen.
    pub fn launch(&mut self, now: u64, running: bool) -> (u32, u32) {
        let state = if running {
            InstState::Running
        } else {
            InstState::Provisioning
        };
        let idx = match self.retired.pop() {
            Some(i) => {
                let inst = &mut self.instances[i as usize];
                inst.state = state;
                inst.busy = 0;
                i
            }
            None => {
                self.instances.push(Instance {
                    state,
                    busy: 0,
                    gen: 0,
                    epoch: 0,
                });
                (self.instances.len() - 1) as u32
            }
        };
        if running {
            self.running += 1;
            self.open_slots(idx);
        } else {
            self.provisioning += 1;
        }
        self.update_billed(now);
        (idx, self.instances[idx as usize].gen)
    }

    fn open_slots(&mut self, idx: u32) {
        let epoch = self.instances[idx as usize].epoch;
        for _ in 0..self.concurrency {
            self.free_slots.push((idx, epoch));
        }
        self.n_free += self.concurrency;
    }

    /// A provisioning or restarting instance becomes ready. False if the event is stale.
    pub fn make_ready(&mut self, now: u64, idx: u32, gen: u32) -> bool {
        let inst = &mut self.instances[idx as usize];
        if inst.gen != gen {
            return false;
        }
        match inst.state {
            InstState::Provisioning => self.provisioning -= 1,
            InstState::Restarting => self.restarting -= 1,
            _ => return false,
        }
        inst.state = InstState::Running;
        inst.busy = 0;
        self.running += 1;
        self.open_slots(idx);
        self.update_billed(now);
        true
    }

    /// Takes a free worker slot: the instance index and its gen.
    #[inline]
    pub fn take_slot(&mut self) -> Option<(u32, u32)> {
        if self.n_free == 0 {
            return None;
        }
        while let Some((idx, epoch)) = self.free_slots.pop() {
            let inst = &mut self.instances[idx as usize];
            if inst.state == InstState::Running && inst.epoch == epoch {
                inst.busy += 1;
                self.n_free -= 1;
                return Some((idx, inst.gen));
            }
        }
        unreachable!("n_free > 0 but no valid free slot: pool bookkeeping is broken")
    }

    /// A slot on `idx` finished its work. Returns false if the completion is stale (crashed instance).
    #[inline]
    pub fn release_slot(&mut self, now: u64, idx: u32, gen: u32) -> bool {
        let inst = &mut self.instances[idx as usize];
        if inst.gen != gen {
            return false;
        }
        inst.busy -= 1;
        match inst.state {
            InstState::Running => {
                let epoch = inst.epoch;
                self.free_slots.push((idx, epoch));
                self.n_free += 1;
            }
            InstState::Draining if inst.busy == 0 => {
                self.draining -= 1;
                self.retire(idx);
                self.update_billed(now);
            }
            _ => {}
        }
        true
    }

    fn retire(&mut self, idx: u32) {
        let inst = &mut self.instances[idx as usize];
        inst.state = InstState::Gone;
        inst.gen = inst.gen.wrapping_add(1);
        inst.epoch = inst.epoch.wrapping_add(1);
        inst.busy = 0;
        self.retired.push(idx);
    }

    /// Stops a running instance from taking work (its free slots become stale).
    fn stop_running(&mut self, idx: u32) {
        let inst = &mut self.instances[idx as usize];
        self.n_free -= self.concurrency - inst.busy;
        inst.epoch = inst.epoch.wrapping_add(1);
        self.running -= 1;
        self.compact_slots();
    }

    fn compact_slots(&mut self) {
        if self.free_slots.len() > 4 * (self.n_free as usize) + 64 {
            let instances = &self.instances;
            self.free_slots.retain(|&(i, e)| {
                instances[i as usize].state == InstState::Running
                    && instances[i as usize].epoch == e
            });
        }
    }

    /// Removes up to `n` active instances, cheapest first: provisioning, restarting, idle running
    /// (gone at once), then busy running (draining). Returns how many were removed.
    pub fn remove(&mut self, now: u64, n: u32) -> u32 {
        let mut left = n;
        for wanted in [InstState::Provisioning, InstState::Restarting] {
            for i in (0..self.instances.len()).rev() {
                if left == 0 {
                    break;
                }
                if self.instances[i].state == wanted {
                    match wanted {
                        InstState::Provisioning => self.provisioning -= 1,
                        _ => self.restarting -= 1,
                    }
                    self.retire(i as u32);
                    left -= 1;
                }
            }
        }
        // Idle running instances first, then the least busy.
        while left > 0 && self.running > 0 {
            let pick = (0..self.instances.len())
                .filter(|&i| self.instances[i].state == InstState::Running)
                .min_by_key(|&i| (self.instances[i].busy, std::cmp::Reverse(i)));
            let Some(i) = pick else { break };
            self.stop_running(i as u32);
            if self.instances[i].busy == 0 {
                self.retire(i as u32);
            } else {
                self.instances[i].state = InstState::Draining;
                self.draining += 1;
            }
            left -= 1;
        }
        self.update_billed(now);
        n - left
    }

    /// A crash: returns the number of in-flight requests lost, or `None` if the event is stale.
    pub fn crash(&mut self, now: u64, idx: u32, gen: u32) -> Option<u32> {
        let inst = &self.instances[idx as usize];
        if inst.gen != gen {
            return None;
        }
        let lost = inst.busy;
        match inst.state {
            InstState::Running => {
                self.stop_running(idx);
                let inst = &mut self.instances[idx as usize];
                inst.state = InstState::Restarting;
                inst.gen = inst.gen.wrapping_add(1);
                inst.busy = 0;
                self.restarting += 1;
            }
            InstState::Draining => {
                self.draining -= 1;
                self.retire(idx);
            }
            _ => return None,
        }
        self.update_billed(now);
        Some(lost)
    }

    /// Indices of running instances, lowest first.
    pub fn running_instances(&self) -> Vec<u32> {
        (0..self.instances.len() as u32)
            .filter(|&i| self.instances[i as usize].state == InstState::Running)
            .collect()
    }

    /// Current gen of instance `idx`.
    pub fn gen(&self, idx: u32) -> u32 {
        self.instances[idx as usize].gen
    }
}
