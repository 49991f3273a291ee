//! `QTable` (one or two tables for double Q) and `QPolicy`, the greedy policy over it.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::discretise::Discretiser;
use crate::env::{Action, StepInfo};
use crate::learn::LearnError;
use crate::policy::Policy;

/// Q-values `[n_states, n_actions]`, row-major; `q2` is the second table of double Q.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QTable {
    pub discretiser: Discretiser,
    pub n_states: usize,
    pub n_actions: usize,
    pub q: Vec<f32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q2: Option<Vec<f32>>,
    /// Visits per (state, action) (for the report and to break ties toward tried actions).
    pub visits: Vec<u32>,
}

impl QTable {
    pub fn new(discretiser: Discretiser, n_actions: usize, double_q: bool) -> QTable {
        let n_states = discretiser.n_states();
        let n = n_states * n_actions;
        QTable {
            discretiser,
            n_states,
            n_actions,
            q: vec![0.0; n],
            q2: double_q.then(|| vec![0.0; n]),
            visits: vec![0; n],
        }
    }

    /// The value used to act: `q` (+ `q2` for double Q).
    pub fn value(&self, s: usize, a: usize) -> f32 {
        let i = s * self.n_actions + a;
        self.q[i] + self.q2.as_ref().map_or(0.0, |q2| q2[i])
    }

    /// The allowed action of highest value in state `s` (lowest index on ties); `mask` may be
    /// empty (all allowed).
    pub fn greedy(&self, s: usize, mask: &[bool]) -> usize {
        let mut best = None;
        for a in 0..self.n_actions {
            if !mask.is_empty() && !mask[a] {
                continue;
            }
            let v = self.value(s, a);
            if best.is_none_or(|(_, bv)| v > bv) {
                best = Some((a, v));
            }
        }
        best.map_or(0, |(a, _)| a)
    }

    /// `max_a table[s, a]` over allowed actions of one table (`second` picks `q2`).
    pub fn max_of(&self, table: &[f32], s: usize, mask: &[bool]) -> (usize, f32) {
        let row = &table[s * self.n_actions..(s + 1) * self.n_actions];
        let mut best = (0, f32::NEG_INFINITY);
        for (a, &v) in row.iter().enumerate() {
            if (mask.is_empty() || mask[a]) && v > best.1 {
                best = (a, v);
            }
        }
        if best.1 == f32::NEG_INFINITY {
            (0, 0.0)
        } else {
            best
        }
    }

    pub fn save(&self, path: &Path) -> Result<(), LearnError> {
        Ok(crate::io::atomic_write(path, &serde_json::to_vec(self)?)?)
    }

    pub fn load(path: &Path) -> Result<QTable, LearnError> {
        crate::learn::load_json(path, "a Q-table")
    }
}

/// Greedy (argmax over allowed actions) policy of a trained table: deterministic.
pub struct QPolicy {
    pub table: QTable,
}

impl Policy for QPolicy {
    fn name(&self) -> &str {
        "q_learning"
    }

    fn reset(&mut self, _seed: Option<u64>) {}

    fn act(&mut self, obs: &[f32], info: &StepInfo) -> Action {
        let s = self.table.discretiser.state(obs);
        Action::Discrete(self.table.greedy(s, &info.action_mask) as i64)
    }
}
