//! `VecEnv`: N environments stepped together, in parallel on the current rayon thread pool.
//!
//! Seeding: `reset(Some(seed))` resets env `i` with `child_seed(seed, "env", i)`; `reset(None)`
//! continues every env's streams (the first `reset(None)` of a new `VecEnv` is `reset(Some(0))`,
//! so its envs never start as copies of each other). Each env only touches its own state and results are gathered in
//! env order, so the output is identical at any thread count (run under
//! `rayon::ThreadPool::install` to choose it).
//!
//! Autoreset (an env whose episode ended is reset without a call to `reset`), in one of two named
//! modes, as in Gymnasium:
//! - `SameStep` (default): the step that ends an episode resets the env at once (`reset(None)`) and
//!   returns the new episode's first observation; the ended episode's last observation and info
//!   are in that step's `info.final_obs` / `info.final_info`, and `terminated` / `truncated` /
//!   `reward` are those of the ended episode. Every action is used.
//! - `NextStep`: the step that ends an episode returns its last observation; the next `step` call
//!   resets that env (its action is ignored) and returns the first observation with reward 0 and
//!   both flags false.
//!
//! Rendering (`VecEnv<ScalingEnv>`): `set_render_mode` sets every env's, `render` gives every
//! env's current frame in env order (`env::render`); an env that autoreset shows its new episode.

use rayon::prelude::*;

use super::error::EnvError;
use super::info::StepInfo;
use super::render::{Frame, RenderMode};
use super::space::Action;
use super::space::Space;
use super::{Env, ScalingEnv, Step};
use crate::sim::rng::child_seed;

/// When an ended sub-env is reset (see the module docs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AutoresetMode {
    #[default]
    SameStep,
    NextStep,
}

/// One step of every env, in env order.
#[derive(Debug, Clone)]
pub struct VecStep {
    /// Observations, row-major `[n_envs, obs_dim]`.
    pub obs: Vec<f32>,
    pub rewards: Vec<f64>,
    pub terminated: Vec<bool>,
    pub truncated: Vec<bool>,
    pub infos: Vec<StepInfo>,
}

impl VecStep {
    /// Env `i`'s episode ended on this step (terminated or truncated).
    pub fn done(&self, i: usize) -> bool {
        self.terminated[i] || self.truncated[i]
    }

    /// What env `i`'s action led to: its observation and info after the step, or, when its episode
    /// ended and was reset (`SameStep`), the ended episode's last observation and info.
    pub fn outcome(&self, i: usize) -> (&[f32], &StepInfo) {
        match (&self.infos[i].final_obs, &self.infos[i].final_info) {
            (Some(o), Some(fi)) => (o.as_slice(), fi.as_ref()),
            _ => {
                let dim = self.obs.len() / self.infos.len().max(1);
                (&self.obs[i * dim..(i + 1) * dim], &self.infos[i])
            }
        }
    }
}

/// N copies of an environment stepped in parallel.
pub struct VecEnv<E: Env> {
    envs: Vec<E>,
    mode: AutoresetMode,
    /// `NextStep` mode: env `i` ended on the previous step and resets on this one.
    pending: Vec<bool>,
    obs_dim: usize,
    /// Reset at least once (so `reset(None)` may continue the streams).
    seeded: bool,
}

impl<E: Env> VecEnv<E> {
    /// Wraps `envs` (at least one, all with the same spaces).
    pub fn new(envs: Vec<E>, mode: AutoresetMode) -> Result<VecEnv<E>, EnvError> {
        let first = envs
            .first()
            .ok_or_else(|| EnvError::Vector("needs at least one env".into()))?;
        if envs.iter().any(|e| {
            e.observation_space() != first.observation_space()
                || e.action_space() != first.action_space()
        }) {
            return Err(EnvError::Vector("envs have different spaces".into()));
        }
        let obs_dim = first.observation_space().flat_dim();
        Ok(VecEnv {
            pending: vec![false; envs.len()],
            envs,
            mode,
            obs_dim,
            seeded: false,
        })
    }

    pub fn num_envs(&self) -> usize {
        self.envs.len()
    }

    pub fn mode(&self) -> AutoresetMode {
        self.mode
    }

    /// Observation length of one env.
    pub fn obs_dim(&self) -> usize {
        self.obs_dim
    }

    /// The sub-envs (read-only).
    pub fn envs(&self) -> &[E] {
        &self.envs
    }

    /// Sub-env `i`, to reset or step on its own (a learner that seeds each episode itself:
    /// `learn::episodes`). Only for `SameStep`: it bypasses `NextStep`'s pending resets.
    pub fn env_mut(&mut self, i: usize) -> &mut E {
        &mut self.envs[i]
    }

    /// Every sub-env's action space (they are equal).
    pub fn single_action_space(&self) -> &Space {
        self.envs[0].action_space()
    }

    pub fn single_observation_space(&self) -> &Space {
        self.envs[0].observation_space()
    }

    /// Resets every env (env `i` with `child_seed(seed, "env", i)`); observations `[n_envs, obs_dim]`.
    pub fn reset(&mut self, seed: Option<u64>) -> (Vec<f32>, Vec<StepInfo>) {
        let seed = if self.seeded { seed } else { seed.or(Some(0)) };
        self.seeded = true;
        let results: Vec<(Vec<f32>, StepInfo)> = self
            .envs
            .par_iter_mut()
            .enumerate()
            .map(|(i, env)| env.reset(seed.map(|s| child_seed(s, "env", i as u64))))
            .collect();
        self.pending.iter_mut().for_each(|p| *p = false);
        let mut obs = Vec::with_capacity(self.envs.len() * self.obs_dim);
        let mut infos = Vec::with_capacity(self.envs.len());
        for (o, info) in results {
            obs.extend_from_slice(&o);
            infos.push(info);
        }
        (obs, infos)
    }

    /// Steps env `i` with `actions[i]`, autoresetting ended episodes (see `AutoresetMode`).
    pub fn step(&mut self, actions: &[Action]) -> Result<VecStep, EnvError> {
        if actions.len() != self.envs.len() {
            return Err(EnvError::Vector(format!(
                "{} actions for {} envs",
                actions.len(),
                self.envs.len()
            )));
        }
        let mode = self.mode;
        let results: Vec<Result<Step, EnvError>> = self
            .envs
            .par_iter_mut()
            .zip(self.pending.par_iter_mut())
            .zip(actions.par_iter())
            .map(|((env, pending), action)| step_one(env, pending, action, mode))
            .collect();
        let n = self.envs.len();
        let mut out = VecStep {
            obs: Vec::with_capacity(n * self.obs_dim),
            rewards: Vec::with_capacity(n),
            terminated: Vec::with_capacity(n),
            truncated: Vec::with_capacity(n),
            infos: Vec::with_capacity(n),
        };
        for r in results {
            let s = r?;
            out.obs.extend_from_slice(&s.obs);
            out.rewards.push(s.reward);
            out.terminated.push(s.terminated);
            out.truncated.push(s.truncated);
            out.infos.push(s.info);
        }
        Ok(out)
    }
}

impl VecEnv<ScalingEnv> {
    /// Sets what `render` draws in every env (`ScalingEnv::set_render_mode`).
    pub fn set_render_mode(&mut self, mode: Option<RenderMode>) {
        for env in &mut self.envs {
            env.set_render_mode(mode);
        }
    }

    /// Every env's current frame, in env order (`None`s without a render mode).
    pub fn render(&self) -> Vec<Option<Frame>> {
        self.envs.iter().map(ScalingEnv::render).collect()
    }
}

fn step_one<E: Env>(
    env: &mut E,
    pending: &mut bool,
    action: &Action,
    mode: AutoresetMode,
) -> Result<Step, EnvError> {
    if *pending {
        *pending = false;
        let (obs, info) = env.reset(None);
        return Ok(Step {
            obs,
            reward: 0.0,
            terminated: false,
            truncated: false,
            info,
        });
    }
    let step = env.step(action)?;
    if !(step.terminated || step.truncated) {
        return Ok(step);
    }
    match mode {
        AutoresetMode::NextStep => {
            *pending = true;
            Ok(step)
        }
        AutoresetMode::SameStep => {
            let (obs, mut info) = env.reset(None);
            info.final_obs = Some(step.obs);
            info.final_info = Some(Box::new(step.info));
            Ok(Step { obs, info, ..step })
        }
    }
}
