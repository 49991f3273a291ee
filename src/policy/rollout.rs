//! `run_episode`: one episode of a policy in an env, read top to bottom (reset, then act / step /
//! record until the episode ends). Used by `shopgym simulate` and the examples.

use super::Policy;
use crate::env::{Env, EnvError, EpisodeTally, Step};

/// Resets `env` with `seed` and plays one episode of `policy`; `on_step` sees every step. The
/// policy keeps its own randomness (seeded when it was built): it gets `reset(None)`.
pub fn run_episode<E: Env + ?Sized, P: Policy + ?Sized>(
    env: &mut E,
    policy: &mut P,
    seed: Option<u64>,
    mut on_step: impl FnMut(&Step),
) -> Result<EpisodeTally, EnvError> {
    let (mut obs, mut info) = env.reset(seed);
    policy.reset(None);
    let mut tally = EpisodeTally::default();
    loop {
        // act
        let action = policy.act(&obs, &info);
        // step
        let step = env.step(&action)?;
        // record
        let done = tally.add_step(&step);
        on_step(&step);
        if done {
            return Ok(tally);
        }
        obs = step.obs;
        info = step.info;
    }
}
