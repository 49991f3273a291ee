//! `Episodes`: a learner's training envs with episode states that a checkpoint can restore
//! exactly, so `--resume` continues the very episodes an interrupted run was in.
//!
//! Why: a `VecEnv` autoresets with `reset(None)`, which continues each env's random streams, so
//! the state at an episode start depends on every episode before it and no checkpoint could
//! rebuild it short of serialising the simulator. Here every episode is seeded on its own:
//! episode `e` of env `i` starts from `reset(Some(episode_seed(base, i, e)))` (episode 0 is
//! `child_seed(base, "env", i)`, what `VecEnv::reset(Some(base))` gives). The state of env `i` at
//! any step is then a pure function of `(base, i, e)` and the actions since that episode began,
//! which `EnvCursor` records (at most one episode's actions per env). `restore` re-simulates them:
//! the env, its observation, its info and the episode's running tally come back bit for bit
//! (the simulator is deterministic; see `env::check_env`).
//!
//! Lifecycle: `new(venv, base)` -> `reset()` or `restore(cursor)` -> `step(actions)`...; a
//! checkpoint stores `cursor()`.

use serde::{Deserialize, Serialize};

use super::LearnError;
use crate::env::{
    Action, AutoresetMode, Env, EnvError, EpisodeTally, ScalingEnv, Step, StepInfo, VecEnv, VecStep,
};
use crate::sim::rng::{child_seed, SeedRange};

/// Where every training env stands: its episode number and the actions since that episode began.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnvCursor {
    /// Root of the episode seeds.
    pub base: u64,
    /// Episode number of each env (0 = its first).
    pub episodes: Vec<u64>,
    /// Actions of each env since its current episode began.
    pub actions: Vec<Vec<Action>>,
    /// The seeds episodes are drawn from (a train split); `None`: the hashed seeds themselves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split: Option<SeedRange>,
}

/// The envs as `Episodes::restore` put them back.
pub struct Restored {
    /// Observations `[n_envs, obs_dim]`.
    pub obs: Vec<f32>,
    pub infos: Vec<StepInfo>,
    /// Each env's running tally of its current episode.
    pub tallies: Vec<EpisodeTally>,
}

/// One step that `Episodes::restore_with` re-simulated.
pub struct Replayed<'a> {
    /// The env it was in.
    pub env: usize,
    /// The observation before it.
    pub obs: &'a [f32],
    pub action: &'a Action,
    /// What it returned (never the end of the episode).
    pub step: &'a Step,
}

/// The seed episode `episode` of env `env` starts from.
pub fn episode_seed(base: u64, env: usize, episode: u64) -> u64 {
    let first = child_seed(base, "env", env as u64);
    if episode == 0 {
        first
    } else {
        child_seed(first, "episode", episode)
    }
}

impl EnvCursor {
    /// The seed env `env`'s current episode started from: `episode_seed`, mapped into the
    /// split when there is one.
    fn seed(&self, env: usize) -> u64 {
        let h = episode_seed(self.base, env, self.episodes[env]);
        self.split.map_or(h, |r| r.pick(h))
    }
}

/// Training envs with individually seeded episodes (see the module docs).
pub struct Episodes {
    venv: VecEnv<ScalingEnv>,
    cursor: EnvCursor,
}

impl Episodes {
    /// Wraps `venv` (`SameStep` autoreset); episode seeds derive from `base` and, with `split`,
    /// are drawn from its seeds only (a benchmark's train split; its count must be positive).
    pub fn new(venv: VecEnv<ScalingEnv>, base: u64, split: Option<SeedRange>) -> Episodes {
        assert_eq!(
            venv.mode(),
            AutoresetMode::SameStep,
            "Episodes reseeds ended episodes itself: it needs SameStep autoreset"
        );
        let n = venv.num_envs();
        Episodes {
            venv,
            cursor: EnvCursor {
                base,
                episodes: vec![0; n],
                actions: vec![Vec::new(); n],
                split,
            },
        }
    }

    pub fn venv(&self) -> &VecEnv<ScalingEnv> {
        &self.venv
    }

    /// Starts episode 0 of every env; observations `[n_envs, obs_dim]`.
    pub fn reset(&mut self) -> (Vec<f32>, Vec<StepInfo>) {
        let n = self.venv.num_envs();
        self.cursor.episodes = vec![0; n];
        self.cursor.actions = vec![Vec::new(); n];
        let out = self.venv.reset(Some(self.cursor.base));
        if self.cursor.split.is_none() {
            return out;
        }
        // In a split every env starts again from its own seed picked in the split.
        let (mut obs, mut infos) = out;
        let dim = self.venv.obs_dim();
        for i in 0..n {
            let (o, info) = self.venv.env_mut(i).reset(Some(self.cursor.seed(i)));
            obs[i * dim..(i + 1) * dim].copy_from_slice(&o);
            infos[i] = info;
        }
        (obs, infos)
    }

    /// Steps every env like `VecEnv::step`; an env whose episode ended starts its next episode
    /// from that episode's own seed (the ended one's last observation and info are in
    /// `final_obs` / `final_info`, as with `SameStep`).
    pub fn step(&mut self, actions: &[Action]) -> Result<VecStep, EnvError> {
        let mut step = self.venv.step(actions)?;
        let dim = self.venv.obs_dim();
        for (i, action) in actions.iter().enumerate() {
            if !step.done(i) {
                self.cursor.actions[i].push(action.clone());
                continue;
            }
            self.cursor.actions[i].clear();
            self.cursor.episodes[i] += 1;
            let seed = self.cursor.seed(i);
            let (obs, mut info) = self.venv.env_mut(i).reset(Some(seed));
            info.final_obs = step.infos[i].final_obs.take();
            info.final_info = step.infos[i].final_info.take();
            step.obs[i * dim..(i + 1) * dim].copy_from_slice(&obs);
            step.infos[i] = info;
        }
        Ok(step)
    }

    /// Where the envs stand now (what a checkpoint stores).
    pub fn cursor(&self) -> &EnvCursor {
        &self.cursor
    }

    /// Brings every env back to `cursor` by re-simulating its current episode; returns the
    /// observations, infos and running episode tallies at that point.
    pub fn restore(&mut self, cursor: &EnvCursor) -> Result<Restored, LearnError> {
        self.restore_with(cursor, |_| {})
    }

    /// `restore`, showing `on_step` every re-simulated step, env by env in order, so a learner
    /// can rebuild what it derives from the running episodes (DQN: its pending n-step
    /// transitions) instead of checkpointing it.
    pub fn restore_with(
        &mut self,
        cursor: &EnvCursor,
        mut on_step: impl FnMut(Replayed<'_>),
    ) -> Result<Restored, LearnError> {
        let n = self.venv.num_envs();
        let mismatch = |message: String| LearnError::Mismatch {
            path: "state.json".into(),
            message,
        };
        if cursor.episodes.len() != n || cursor.actions.len() != n {
            return Err(mismatch(format!(
                "envs: the checkpoint has {} training envs, this run {n}",
                cursor.episodes.len()
            )));
        }
        if cursor.split != self.cursor.split {
            return Err(mismatch(format!(
                "train seeds: the checkpoint drew episodes from {:?}, this run from {:?}",
                cursor.split, self.cursor.split
            )));
        }
        // Mark the VecEnv as seeded, then put each env back where it stood.
        self.venv.reset(Some(cursor.base));
        let mut obs = Vec::with_capacity(n * self.venv.obs_dim());
        let (mut infos, mut tallies) = (Vec::with_capacity(n), Vec::with_capacity(n));
        for i in 0..n {
            let env = self.venv.env_mut(i);
            let (mut o, mut info) = env.reset(Some(cursor.seed(i)));
            let mut tally = EpisodeTally::default();
            for (k, a) in cursor.actions[i].iter().enumerate() {
                let s = env.step(a)?;
                if s.terminated || s.truncated {
                    return Err(mismatch(format!(
                        "envs: replaying env {i}, its episode ended at action {k} of {}: the \
                         checkpoint does not fit this scenario or agent",
                        cursor.actions[i].len()
                    )));
                }
                tally.add(s.reward, &s.info);
                on_step(Replayed {
                    env: i,
                    obs: &o,
                    action: a,
                    step: &s,
                });
                (o, info) = (s.obs, s.info);
            }
            obs.extend_from_slice(&o);
            infos.push(info);
            tallies.push(tally);
        }
        self.cursor = cursor.clone();
        Ok(Restored {
            obs,
            infos,
            tallies,
        })
    }
}
