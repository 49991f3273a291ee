//! The future-event list.
//!
//! Events are ordered by `(time, priority, seq)`: earlier time first; at the same time, lower
//! priority value first (instance lifecycle, then completions, then arrivals — so capacity that
//! appears at time t, and slots that free at t, serve requests that arrive at t); ties after that
//! go in scheduling order (`seq`), which makes the order total and runs reproducible.

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
    Arrival { class: u16 },
    Completion { pool: u16, inst: u32, gen: u32, req: Request },
    /// Provisioning or restart finished.
    Ready { pool: u16, inst: u32, gen: u32 },
    Failure { pool: u16, inst: u32, gen: u32 },
}

struct Entry {
    /// time << 64 | priority << 56 | seq (seq < 2^56).
    key: u128,
    event: Event,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        // BinaryHeap is a max-heap: reverse for earliest-first.
        other.key.cmp(&self.key)
    }
}

/// Min-priority queue of events.
#[derive(Default)]
pub(crate) struct EventQueue {
    heap: BinaryHeap<Entry>,
    seq: u64,
}

impl EventQueue {
    pub fn clear(&mut self) {
        self.heap.clear();
        self.seq = 0;
    }

    #[inline]
    pub fn push(&mut self, time: u64, prio: Priority, event: Event) {
        let key = (u128::from(time) << 64) | (u128::from(prio as u8) << 56) | u128::from(self.seq);
        self.seq += 1;
        self.heap.push(Entry { key, event });
    }

    /// Time of the next event.
    #[inline]
    pub fn peek_time(&self) -> Option<u64> {
        self.heap.peek().map(|e| (e.key >> 64) as u64)
    }

    #[inline]
    pub fn pop(&mut self) -> Option<(u64, Event)> {
        self.heap.pop().map(|e| ((e.key >> 64) as u64, e.event))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_by_time_then_priority_then_seq() {
        let mut q = EventQueue::default();
        q.push(10, Priority::Arrival, Event::Arrival { class: 0 });
        q.push(10, Priority::Lifecycle, Event::Ready { pool: 0, inst: 1, gen: 0 });
        q.push(5, Priority::Arrival, Event::Arrival { class: 1 });
        q.push(10, Priority::Arrival, Event::Arrival { class: 2 });
        let order: Vec<String> = std::iter::from_fn(|| q.pop()).map(|(t, e)| format!("{t}:{e:?}")).collect();
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
