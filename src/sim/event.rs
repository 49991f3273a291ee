//! The future-event list.
//!
//! Events are ordered by `(time, priority, seq)`: earlier time first; at the same time, lower
//! priority value first (instance lifecycle, then completions, then arrivals — so capacity that
//! appears at time t, and slots that free at t, serve requests that arrive at t); ties after that
//! go in scheduling order (`seq`), which makes the order total and runs reproducible.
//!
//! Arrivals (one pending per class) do not enter the heap: each class has a lane holding its
//! next arrival, and `pop` takes the earlier of the heap top and the earliest lane under the same
//! `(time, priority, seq)` order. This halves the heap traffic (every request is one arrival and
//! one completion) without changing the order; it assumes few classes (lanes are scanned).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::config::MAX_STAGES;

/// Same-time processing order (lower first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub(crate) enum Priority {
    Lifecycle = 0,
    Completion = 1,
    Arrival = 2,
}

/// A request in the system.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Request {
    /// When it entered the system [µs].
    pub arrival: u64,
    /// When it joined the current queue or slot [µs].
    pub enqueued: u64,
    /// Total time spent waiting in queues so far [µs].
    pub waited: u64,
    /// Service time of each stage [µs], drawn at arrival (so policies see the same work).
    pub service: [u32; MAX_STAGES],
    pub class: u16,
    pub stage: u8,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Event {
    Arrival {
        class: u16,
    },
    Completion {
        pool: u16,
        inst: u32,
        gen: u32,
        req: Request,
    },
    /// Provisioning or restart finished.
    Ready {
        pool: u16,
        inst: u32,
        gen: u32,
    },
    Failure {
        pool: u16,
        inst: u32,
        gen: u32,
    },
    /// A `Fault::CrashBurst` (index into `SimConfig::faults`) strikes.
    CrashBurst {
        fault: u16,
    },
}

/// A heap entry: the ordering key and the index of the event in the slab (24 bytes, so sifting
/// moves little memory; the events themselves stay put).
#[derive(Clone, Copy)]
struct Entry {
    time: u64,
    /// priority << 56 | seq (seq < 2^56).
    tie: u64,
    slot: u32,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        (self.time, self.tie) == (other.time, other.tie)
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        // BinaryHeap is a max-heap: reverse for earliest-first.
        (other.time, other.tie).cmp(&(self.time, self.tie))
    }
}

/// Min-priority queue of events.
#[derive(Default)]
pub(crate) struct EventQueue {
    heap: BinaryHeap<Entry>,
    slab: Vec<Event>,
    free: Vec<u32>,
    seq: u64,
    /// Per class: the pending arrival's `(time, tie)`, or `u64::MAX` time for none.
    lanes: Vec<(u64, u64)>,
    /// Index of the earliest lane.
    lane_min: usize,
}

impl EventQueue {
    /// Empties the queue and sets up one arrival lane per class.
    pub fn clear(&mut self, n_classes: usize) {
        self.heap.clear();
        self.slab.clear();
        self.free.clear();
        self.seq = 0;
        self.lanes.clear();
        self.lanes.resize(n_classes, (u64::MAX, u64::MAX));
        self.lane_min = 0;
    }

    fn refresh_lane_min(&mut self) {
        let mut best = 0;
        for (i, l) in self.lanes.iter().enumerate() {
            if *l < self.lanes[best] {
                best = i;
            }
        }
        self.lane_min = best;
    }

    #[inline]
    pub fn push(&mut self, time: u64, prio: Priority, event: Event) {
        let tie = (u64::from(prio as u8) << 56) | self.seq;
        self.seq += 1;
        if let Event::Arrival { class } = event {
            debug_assert_eq!(
                self.lanes[class as usize].0,
                u64::MAX,
                "one pending arrival per class"
            );
            self.lanes[class as usize] = (time, tie);
            if (time, tie) < self.lanes[self.lane_min] {
                self.lane_min = class as usize;
            }
            return;
        }
        let slot = match self.free.pop() {
            Some(s) => {
                self.slab[s as usize] = event;
                s
            }
            None => {
                self.slab.push(event);
                (self.slab.len() - 1) as u32
            }
        };
        self.heap.push(Entry { time, tie, slot });
    }

    fn lane_head(&self) -> Option<(u64, u64)> {
        self.lanes
            .get(self.lane_min)
            .copied()
            .filter(|l| l.0 != u64::MAX)
    }

    /// Time of the next event.
    #[inline]
    pub fn peek_time(&self) -> Option<u64> {
        let heap = self.heap.peek().map(|e| e.time);
        match (heap, self.lane_head()) {
            (Some(h), Some(l)) => Some(h.min(l.0)),
            (h, l) => h.or(l.map(|l| l.0)),
        }
    }

    #[inline]
    pub fn pop(&mut self) -> Option<(u64, Event)> {
        let lane = self.lane_head();
        let take_lane = match (self.heap.peek(), lane) {
            (Some(e), Some(l)) => l < (e.time, e.tie),
            (None, Some(_)) => true,
            (_, None) => false,
        };
        if take_lane {
            let (time, _) = lane.expect("checked above");
            let class = self.lane_min;
            self.lanes[class] = (u64::MAX, u64::MAX);
            self.refresh_lane_min();
            return Some((
                time,
                Event::Arrival {
                    class: class as u16,
                },
            ));
        }
        let e = self.heap.pop()?;
        self.free.push(e.slot);
        Some((e.time, self.slab[e.slot as usize]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_by_time_then_priority_then_seq() {
        let mut q = EventQueue::default();
        q.clear(3);
        q.push(10, Priority::Arrival, Event::Arrival { class: 0 });
        q.push(
            10,
            Priority::Lifecycle,
            Event::Ready {
                pool: 0,
                inst: 1,
                gen: 0,
            },
        );
        q.push(5, Priority::Arrival, Event::Arrival { class: 1 });
        q.push(10, Priority::Arrival, Event::Arrival { class: 2 });
        let order: Vec<String> = std::iter::from_fn(|| q.pop())
            .map(|(t, e)| format!("{t}:{e:?}"))
            .collect();
        assert_eq!(
            order,
            vec![
                "5:Arrival { class: 1 }",
                "10:Ready { pool: 0, inst: 1, gen: 0 }",
                "10:Arrival { class: 0 }",
                "10:Arrival { class: 2 }"
            ]
        );
    }
}
