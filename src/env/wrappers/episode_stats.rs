//! `EpisodeStatistics`: accumulates the running episode's return, length, reward terms, dollars
//! and SLO violations, and puts them in `info.episode` on the step that ends it (terminated or
//! truncated). Other steps leave `info.episode` as the inner env set it.

use crate::env::{Action, Env, EnvError, EpisodeStats, Space, Step, StepInfo};

/// Records episode totals of the inner env.
pub struct EpisodeStatistics<E: Env> {
    inner: E,
    acc: EpisodeStats,
}

impl<E: Env> EpisodeStatistics<E> {
    pub fn new(inner: E) -> EpisodeStatistics<E> {
        EpisodeStatistics {
            inner,
            acc: EpisodeStats::default(),
        }
    }

    pub fn inner(&self) -> &E {
        &self.inner
    }

    /// Totals of the running episode so far.
    pub fn current(&self) -> &EpisodeStats {
        &self.acc
    }
}

impl<E: Env> Env for EpisodeStatistics<E> {
    fn reset(&mut self, seed: Option<u64>) -> (Vec<f32>, StepInfo) {
        self.acc = EpisodeStats::default();
        self.inner.reset(seed)
    }

    fn step(&mut self, action: &Action) -> Result<Step, EnvError> {
        let mut s = self.inner.step(action)?;
        let a = &mut self.acc;
        a.episode_return += s.reward;
        a.length += 1;
        a.terms.add(&s.info.reward_terms);
        if let Some(st) = &s.info.stats {
            a.cost += st.cost;
            a.revenue_lost += st.revenue_lost;
        }
        a.slo_violations += u64::from(s.info.slo_violations);
        if s.terminated || s.truncated {
            a.terminated = s.terminated;
            a.truncated = s.truncated;
            s.info.episode = Some(std::mem::take(a));
        }
        Ok(s)
    }

    fn observation_space(&self) -> &Space {
        self.inner.observation_space()
    }

    fn action_space(&self) -> &Space {
        self.inner.action_space()
    }

    fn obs_names(&self) -> &[String] {
        self.inner.obs_names()
    }
}
