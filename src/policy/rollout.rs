//! `run_episode`: one episode of a policy in an env, read top to bottom (reset, then act / step /
//! record until the episode ends). Used by `shopgym simulate` and the examples.

use super::Policy;
use crate::env::{Env, EnvError, RewardTerms, Step};

/// Totals of one episode.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct EpisodeResult {
    /// Σ reward.
    #[serde(rename = "return")]
    pub episode_return: f64,
    pub steps: u64,
    /// Σ reward terms (their sum is the return, up to rounding).
    pub reward_terms: RewardTerms,
    /// Σ classes violating their SLO per interval.
    pub slo_violations: u64,
    pub clipped_steps: u64,
    pub terminated: bool,
    pub truncated: bool,
}

/// Resets `env` with `seed` and plays one episode of `policy`; `on_step` sees every step. The
/// policy keeps its own randomness (seeded when it was built): it gets `reset(None)`.
pub fn run_episode<E: Env + ?Sized, P: Policy + ?Sized>(
    env: &mut E,
    policy: &mut P,
    seed: Option<u64>,
    mut on_step: impl FnMut(&Step),
) -> Result<EpisodeResult, EnvError> {
    let (mut obs, mut info) = env.reset(seed);
    policy.reset(None);
    let mut r = EpisodeResult::default();
    loop {
        // act
        let action = policy.act(&obs, &info);
        // step
        let step = env.step(&action)?;
        // record
        r.episode_return += step.reward;
        r.steps += 1;
        r.reward_terms.add(&step.info.reward_terms);
        r.slo_violations += u64::from(step.info.slo_violations);
        r.clipped_steps += u64::from(step.info.clipped);
        on_step(&step);
        if step.terminated || step.truncated {
            r.terminated = step.terminated;
            r.truncated = step.truncated;
            return Ok(r);
        }
        obs = step.obs;
        info = step.info;
    }
}
