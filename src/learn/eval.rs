//! Greedy evaluation on fixed held-out seeds during training: one env per seed, all stepped in
//! lockstep (in parallel with rayon) so a learner acts for all of them with one batched call.
//! Seeds are the run's `eval_seed..eval_seed+eval_episodes`, disjoint from the default
//! `evaluate` seeds (1000..) and from the training streams.

use rayon::prelude::*;

use super::run::RunLog;
use super::{LearnError, MakeEnv};
use crate::env::{Action, Env, EpisodeTally, ScalingEnv, StepInfo};

/// Means over the evaluation episodes.
#[derive(Debug, Clone, Default)]
pub struct EvalResult {
    pub episodes: Vec<EpisodeTally>,
}

impl EvalResult {
    fn mean(&self, f: impl Fn(&EpisodeTally) -> f64) -> f64 {
        self.episodes.iter().map(f).sum::<f64>() / self.episodes.len().max(1) as f64
    }

    pub fn mean_return(&self) -> f64 {
        self.mean(|e| e.episode_return)
    }

    /// Logs `eval/episodic_return`, `eval/cost`, `eval/revenue_lost`, `eval/slo_violations`.
    pub fn log(&self, log: &mut RunLog, step: u64) {
        log.scalar("eval/episodic_return", self.mean_return(), step);
        log.scalar("eval/cost", self.mean(|e| e.cost), step);
        log.scalar("eval/revenue_lost", self.mean(|e| e.revenue_lost), step);
        log.scalar(
            "eval/slo_violations",
            self.mean(|e| e.slo_violation_intervals as f64),
            step,
        );
    }
}

/// A batched greedy actor: observations `[n, obs_dim]` and their infos in, one action per row out.
pub type BatchActor<'a> = dyn FnMut(&[f32], &[&StepInfo]) -> Vec<Action> + 'a;

/// Runs one episode per seed in envs from `make_env`; `act(obs [n, obs_dim], infos)` returns one
/// action per row.
pub fn evaluate_batched(
    make_env: &MakeEnv<'_>,
    seeds: &[u64],
    act: &mut BatchActor<'_>,
) -> Result<EvalResult, LearnError> {
    struct Slot {
        env: ScalingEnv,
        obs: Vec<f32>,
        info: StepInfo,
        tally: EpisodeTally,
        done: bool,
    }
    let mut slots = Vec::with_capacity(seeds.len());
    for &seed in seeds {
        let mut env = make_env()?;
        let (obs, info) = env.reset(Some(seed));
        slots.push(Slot {
            env,
            obs,
            info,
            tally: EpisodeTally::default(),
            done: false,
        });
    }
    while slots.iter().any(|s| !s.done) {
        let live: Vec<usize> = (0..slots.len()).filter(|&i| !slots[i].done).collect();
        let obs: Vec<f32> = live
            .iter()
            .flat_map(|&i| slots[i].obs.iter().copied())
            .collect();
        let infos: Vec<&StepInfo> = live.iter().map(|&i| &slots[i].info).collect();
        let actions = act(&obs, &infos);
        let mut it = actions.into_iter();
        let mut todo: Vec<(&mut Slot, Action)> = Vec::with_capacity(live.len());
        for s in slots.iter_mut().filter(|s| !s.done) {
            todo.push((s, it.next().expect("one action per live env")));
        }
        todo.par_iter_mut()
            .try_for_each(|(s, a)| -> Result<(), LearnError> {
                let step = s.env.step(a)?;
                s.done = s.tally.add_step(&step);
                s.obs = step.obs;
                s.info = step.info;
                Ok(())
            })?;
    }
    Ok(EvalResult {
        episodes: slots.into_iter().map(|s| s.tally).collect(),
    })
}
