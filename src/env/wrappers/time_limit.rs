//! `TimeLimit`: ends an episode as `truncated` after `max_steps` steps (if it has not ended).
//! Gymnasium's `TimeLimit`: `terminated` is passed through untouched. A truncated episode must be
//! reset before the next step (the wrapper refuses with `EnvError::NeedsReset`).

use crate::env::{Action, Env, EnvError, Space, Step, StepInfo};

/// Truncates episodes of the inner env after `max_steps` steps.
pub struct TimeLimit<E: Env> {
    inner: E,
    max_steps: u64,
    steps: u64,
    ended: bool,
}

impl<E: Env> TimeLimit<E> {
    /// `max_steps >= 1`.
    pub fn new(inner: E, max_steps: u64) -> TimeLimit<E> {
        TimeLimit {
            inner,
            max_steps: max_steps.max(1),
            steps: 0,
            ended: true,
        }
    }

    pub fn inner(&self) -> &E {
        &self.inner
    }
}

impl<E: Env> Env for TimeLimit<E> {
    fn reset(&mut self, seed: Option<u64>) -> (Vec<f32>, StepInfo) {
        self.steps = 0;
        self.ended = false;
        self.inner.reset(seed)
    }

    fn step(&mut self, action: &Action) -> Result<Step, EnvError> {
        if self.ended {
            return Err(EnvError::NeedsReset);
        }
        let mut s = self.inner.step(action)?;
        self.steps += 1;
        if self.steps >= self.max_steps && !s.terminated {
            s.truncated = true;
        }
        self.ended = s.terminated || s.truncated;
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
