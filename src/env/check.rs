//! `check_env`: verifies that an environment keeps the `Env` contract, like Gymnasium's
//! `check_env`. Run by the tests over every scenario in `scenarios/`.
//!
//! Checks, within a budget of `max_steps` steps per rollout:
//! 1. spaces: the observation space is a `Box` and `obs_names()` gives one unique name per entry;
//!    the action space is discrete;
//! 2. every observation from `reset` and `step` is in the observation space (no NaN), every reward
//!    is finite and equals the sum of `info.reward_terms`, every action mask has the length of the
//!    action space's flat encoding and allows at least one value per component;
//! 3. after an episode ends, `step` refuses (`EnvError::NeedsReset`);
//! 4. `reset(Some(seed))` then the same actions gives a bit-identical trajectory;
//! 5. `reset(None)` continues the streams: the following episode is reproducible (same seed,
//!    same history, same actions give the same trajectory) and differs from the seeded one under
//!    the same actions (every shipped scenario has random arrivals).
//!
//! Actions are sampled uniformly from the action space with the `check/actions` stream of the seed.

use std::collections::BTreeSet;

use super::error::EnvError;
use super::space::Action;
use super::space::Space;
use super::{Env, StepInfo};
use crate::sim::rng::stream;

/// Budget and seed of a check.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Root seed of the checked episodes and of the sampled actions.
    pub seed: u64,
    /// Most steps per rollout (shortens long scenarios).
    pub max_steps: u64,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            seed: 7,
            max_steps: 20,
        }
    }
}

/// What a passing check saw.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckReport {
    pub obs_dim: usize,
    /// Steps of the first rollout.
    pub steps: u64,
    /// Whether the first rollout reached the end of its episode.
    pub episode_ended: bool,
}

/// The first broken rule.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The env broke the contract: `check` names the rule, `detail` what was seen.
    #[error("check_env: {check}: {detail}")]
    Failed { check: &'static str, detail: String },
    /// The env refused a valid call.
    #[error("check_env: env refused a valid call: {0}")]
    Env(#[from] EnvError),
}

fn fail<T>(check: &'static str, detail: impl Into<String>) -> Result<T, CheckError> {
    Err(CheckError::Failed {
        check,
        detail: detail.into(),
    })
}

/// One rollout: everything compared between runs.
#[derive(Debug, Clone, PartialEq)]
struct Trajectory {
    obs: Vec<Vec<u32>>,
    rewards: Vec<u64>,
    flags: Vec<(bool, bool)>,
}

fn check_obs(space: &Space, obs: &[f32], when: &str) -> Result<(), CheckError> {
    if let Some(i) = obs.iter().position(|x| !x.is_finite()) {
        return fail(
            "finite observation",
            format!("{when}: entry {i} is {}", obs[i]),
        );
    }
    if !space.contains_obs(obs) {
        return fail(
            "observation in space",
            format!("{when}: {obs:?} not in {space:?}"),
        );
    }
    Ok(())
}

fn check_mask(space: &Space, info: &StepInfo, when: &str) -> Result<(), CheckError> {
    if info.action_mask.len() != space.flat_dim() {
        return fail(
            "action mask length",
            format!(
                "{when}: {} entries, action space has flat dim {}",
                info.action_mask.len(),
                space.flat_dim()
            ),
        );
    }
    let offsets = space.mask_offsets();
    for w in offsets.windows(2) {
        if !info.action_mask[w[0]..w[1]].iter().any(|&m| m) {
            return fail(
                "action mask allows an action",
                format!("{when}: block {}..{} all false", w[0], w[1]),
            );
        }
    }
    Ok(())
}

/// Resets with `seed` and plays `actions` (or samples up to `max_steps` when `actions` is `None`).
fn rollout<E: Env + ?Sized>(
    env: &mut E,
    seed: Option<u64>,
    actions: &mut Vec<Action>,
    sample: Option<(&mut crate::sim::rng::StreamRng, u64)>,
) -> Result<(Trajectory, bool), CheckError> {
    let obs_space = env.observation_space().clone();
    let act_space = env.action_space().clone();
    let (obs, info) = env.reset(seed);
    check_obs(&obs_space, &obs, "reset")?;
    check_mask(&act_space, &info, "reset")?;
    let mut traj = Trajectory {
        obs: vec![obs.iter().map(|x| x.to_bits()).collect()],
        rewards: Vec::new(),
        flags: Vec::new(),
    };
    let mut sample = sample;
    let mut k = 0;
    loop {
        let action = match &mut sample {
            Some((rng, max)) => {
                if k >= *max {
                    break;
                }
                let a = act_space
                    .sample_action(*rng)
                    .ok_or_else(|| CheckError::Failed {
                        check: "discrete action space",
                        detail: format!("{act_space:?}"),
                    })?;
                actions.push(a.clone());
                a
            }
            None => match actions.get(k as usize) {
                Some(a) => a.clone(),
                None => break,
            },
        };
        let when = format!("step {k}");
        let s = env.step(&action)?;
        check_obs(&obs_space, &s.obs, &when)?;
        check_mask(&act_space, &s.info, &when)?;
        if !s.reward.is_finite() {
            return fail("finite reward", format!("{when}: {}", s.reward));
        }
        let total = s.info.reward_terms.total();
        if (total - s.reward).abs() > 1e-9 * s.reward.abs().max(1.0) {
            return fail(
                "reward terms sum to the reward",
                format!(
                    "{when}: terms {:?} sum to {total}, reward {}",
                    s.info.reward_terms, s.reward
                ),
            );
        }
        traj.obs.push(s.obs.iter().map(|x| x.to_bits()).collect());
        traj.rewards.push(s.reward.to_bits());
        traj.flags.push((s.terminated, s.truncated));
        k += 1;
        if s.terminated || s.truncated {
            match env.step(&action) {
                Err(EnvError::NeedsReset) => {}
                other => {
                    return fail(
                        "step after the end refuses",
                        format!("{when}: got {:?}", other.map(|s| s.reward)),
                    )
                }
            }
            return Ok((traj, true));
        }
    }
    Ok((traj, false))
}

/// Checks `env` against the `Env` contract (see the module docs).
pub fn check_env<E: Env + ?Sized>(
    env: &mut E,
    opts: &CheckOptions,
) -> Result<CheckReport, CheckError> {
    // spaces
    let Space::Box(b) = env.observation_space() else {
        return fail(
            "observation space is a Box",
            format!("{:?}", env.observation_space()),
        );
    };
    let dim = b.low().len();
    let names = env.obs_names();
    if names.len() != dim {
        return fail(
            "one name per observation entry",
            format!("{} names for {dim} entries", names.len()),
        );
    }
    let unique: BTreeSet<&String> = names.iter().collect();
    if unique.len() != names.len() {
        return fail("unique observation names", format!("{names:?}"));
    }

    // rollouts: seeded, then continued
    let mut rng = stream(opts.seed, "check/actions");
    let mut actions = Vec::new();
    let (first, ended) = rollout(
        env,
        Some(opts.seed),
        &mut actions,
        Some((&mut rng, opts.max_steps)),
    )?;
    let mut replay_actions = actions.clone();
    let (continued, _) = rollout(env, None, &mut replay_actions, None)?;

    // determinism: the same seed and actions, then the same continuation
    let (again, _) = rollout(env, Some(opts.seed), &mut actions.clone(), None)?;
    if again != first {
        return fail(
            "reset(Some(seed)) is reproducible",
            "same seed and actions gave a different trajectory",
        );
    }
    let (continued_again, _) = rollout(env, None, &mut actions.clone(), None)?;
    if continued_again != continued {
        return fail(
            "reset(None) is reproducible",
            "the episode after a seeded one differed between two identical runs",
        );
    }
    if continued == first {
        return fail(
            "reset(None) continues the streams",
            "the next episode repeated the seeded one",
        );
    }
    Ok(CheckReport {
        obs_dim: dim,
        steps: first.rewards.len() as u64,
        episode_ended: ended,
    })
}
