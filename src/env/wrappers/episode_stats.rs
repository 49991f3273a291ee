//! `EpisodeStatistics`: accumulates the running episode's `EpisodeTally` (return, steps, reward
//! terms, dollars, SLO violations, scaling actions) and puts it in `info.episode` on the step that
//! ends it (terminated or truncated). Other steps leave `info.episode` as the inner env set it.

use crate::env::{Action, Env, EnvError, EpisodeTally, Space, Step, StepInfo};

/// Records episode totals of the inner env.
pub struct EpisodeStatistics<E: Env> {
    inner: E,
    acc: EpisodeTally,
}

impl<E: Env> EpisodeStatistics<E> {
    pub fn new(inner: E) -> EpisodeStatistics<E> {
        EpisodeStatistics {
            inner,
            acc: EpisodeTally::default(),
        }
    }

    pub fn inner(&self) -> &E {
        &self.inner
    }

    /// Totals of the running episode so far.
    pub fn current(&self) -> &EpisodeTally {
        &self.acc
    }
}

impl<E: Env> Env for EpisodeStatistics<E> {
    fn reset(&mut self, seed: Option<u64>) -> (Vec<f32>, StepInfo) {
        self.acc = EpisodeTally::default();
        self.inner.reset(seed)
    }

    fn step(&mut self, action: &Action) -> Result<Step, EnvError> {
        let mut s = self.inner.step(action)?;
        if self.acc.add_step(&s) {
            s.info.episode = Some(std::mem::take(&mut self.acc));
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
