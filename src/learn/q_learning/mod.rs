//! Tabular Q-learning: the observation is discretised into a state (`discretise`), actions are the
//! env's `joint` moves (3^pools), the table is updated one transition at a time in env order
//! (deterministic), with linear epsilon and learning-rate schedules and optional double Q.
//!
//! Checkpoint files: `q_table.json` (the table, whose greedy `QPolicy` acts in evaluation),
//! `rng.json`, `agent.yaml`, `state.json`.
//!
//! The horizon is part of the task (`time.progress` is in the state), so a truncated episode's
//! last transition is not bootstrapped.
//!
//! Resume is exact: a checkpoint holds the table, the exploration stream's position, the counters
//! and where the training envs stand (`learn::episodes`: every episode has its own seed, and the
//! actions of the current episodes are replayed), and evaluations and checkpoints fall on fixed
//! multiples of their periods. A run stopped at any checkpoint and resumed ends with the same
//! table, `train.csv` and TensorBoard scalars as a straight run; only wall-clock values differ
//! (`wall_s`, `charts/steps_per_second`, `state.json`'s `wall_seconds`).

pub mod config;
pub mod discretise;
pub mod table;

use std::path::Path;

use rand::Rng;

pub use config::{Bins, QLearningConfig};
pub use discretise::Discretiser;
pub use table::{QPolicy, QTable};

use super::episodes::Episodes;
use super::eval::evaluate_batched;
use super::run::{
    self, finish_run, record_step, save_agent, RunLog, RunMeta, Slot, TrainOptions, TrainState,
    TrainSummary,
};
use super::{load_json, LearnError, MakeEnv};
use crate::env::{Action, AutoresetMode, Env, EpisodeTally, VecEnv};
use crate::sim::rng::{child_seed, stream, StreamRng};

/// Position of the exploration stream, saved so `--resume` continues it.
#[derive(serde::Serialize, serde::Deserialize)]
struct RngState {
    word_pos: String,
}

fn linear(start: f64, end: f64, frac: f64) -> f64 {
    start + (end - start) * frac.clamp(0.0, 1.0)
}

fn save_checkpoint(
    dir: &Path,
    meta: &RunMeta,
    table: &QTable,
    rng: &StreamRng,
    state: &TrainState,
) -> Result<(), LearnError> {
    table.save(&dir.join("q_table.json"))?;
    let r = RngState {
        word_pos: rng.get_word_pos().to_string(),
    };
    crate::io::atomic_write(&dir.join("rng.json"), &serde_json::to_vec(&r)?)?;
    save_agent(dir, meta)?;
    state.save(dir)
}

/// The greedy policy of a checkpoint directory.
pub fn load_policy(dir: &Path) -> Result<QPolicy, LearnError> {
    Ok(QPolicy {
        table: QTable::load(&dir.join("q_table.json"))?,
    })
}

/// Trains tabular Q-learning (see the module docs).
pub fn train(
    cfg: &QLearningConfig,
    make_env: &MakeEnv<'_>,
    meta: &RunMeta,
    options: &TrainOptions,
) -> Result<TrainSummary, LearnError> {
    let total = options.steps.unwrap_or(cfg.total_steps);
    let n_envs = cfg.num_envs.max(1);
    let envs = (0..n_envs)
        .map(|_| make_env())
        .collect::<Result<Vec<_>, _>>()?;
    let n_actions = envs[0].action_space().flat_dim();
    let disc = Discretiser::new(&cfg.bins, envs[0].obs_names());
    let venv = VecEnv::new(envs, AutoresetMode::SameStep)?;

    let mut rng = stream(options.seed, "q_learning/explore");
    let (mut table, mut state) = if options.resume {
        let dir = options.out.join("checkpoints").join("latest");
        let restore = || -> Result<(QTable, TrainState, u128), LearnError> {
            let table = QTable::load(&dir.join("q_table.json"))?;
            let state = TrainState::load(&dir)?;
            let path = dir.join("rng.json");
            let r: RngState = load_json(&path, "a stream position")?;
            let pos = r.word_pos.parse().map_err(|e| LearnError::Parse {
                path,
                what: "a stream position",
                message: format!("word_pos {:?}: {e}", r.word_pos),
            })?;
            Ok((table, state, pos))
        };
        let (table, state, pos) = restore().map_err(|e| LearnError::Resume(Box::new(e)))?;
        rng.set_word_pos(pos);
        (table, state)
    } else {
        (
            QTable::new(disc, n_actions, cfg.double_q),
            TrainState {
                kind: "q_learning".into(),
                seed: options.seed,
                ..TrainState::default()
            },
        )
    };
    let mut log = RunLog::open(meta, options, total, &state)?;
    // The envs where the checkpoint left them; a checkpoint from before env cursors starts fresh
    // episodes.
    let (mut venv, mut obs, mut infos, mut tallies) = match state.envs.take() {
        Some(cursor) => {
            let mut venv = Episodes::new(venv, cursor.base, options.train_seeds);
            let r = venv
                .restore(&cursor)
                .map_err(|e| LearnError::Resume(Box::new(e)))?;
            (venv, r.obs, r.infos, r.tallies)
        }
        None => {
            let base = child_seed(options.seed, "q_learning/reset", state.global_step);
            let mut venv = Episodes::new(venv, base, options.train_seeds);
            let (obs, infos) = venv.reset();
            (venv, obs, infos, vec![EpisodeTally::default(); n_envs])
        }
    };
    let dim = venv.venv().obs_dim();
    let eval_seeds = options.eval_seeds_or(cfg.eval_seed, cfg.eval_episodes);
    let mut last_eval = None;
    let start_step = state.global_step;
    let t0 = std::time::Instant::now();

    while state.global_step < total && !super::stop_requested() {
        let frac = state.global_step as f64 / total as f64;
        let epsilon = linear(
            cfg.epsilon_start,
            cfg.epsilon_end,
            frac / cfg.exploration_fraction.max(1e-9),
        );
        let lr = linear(cfg.lr_start, cfg.lr_end, frac) as f32;

        // collect: epsilon-greedy over the allowed joint actions
        let states: Vec<usize> = obs
            .chunks_exact(dim)
            .map(|o| table.discretiser.state(o))
            .collect();
        let actions: Vec<usize> = states
            .iter()
            .zip(&infos)
            .map(|(&s, info)| {
                if rng.random::<f64>() < epsilon {
                    let allowed: Vec<usize> = (0..n_actions)
                        .filter(|&a| info.action_mask.get(a).copied().unwrap_or(true))
                        .collect();
                    allowed[rng.random_range(0..allowed.len().max(1))]
                } else {
                    table.greedy(s, &info.action_mask)
                }
            })
            .collect();
        let step = venv.step(
            &actions
                .iter()
                .map(|&a| Action::Discrete(a as i64))
                .collect::<Vec<_>>(),
        )?;
        state.global_step += n_envs as u64;

        // update: one TD step per env, in env order
        let gamma = cfg.gamma as f32;
        for i in 0..n_envs {
            let done = step.done(i);
            let (next_obs, next_info) = step.outcome(i);
            let r = (step.rewards[i] * cfg.reward_scale) as f32;
            let (s, a) = (states[i], actions[i]);
            let s2 = table.discretiser.state(next_obs);
            let mask = &next_info.action_mask;
            let idx = s * n_actions + a;
            table.visits[idx] = table.visits[idx].saturating_add(1);
            match table.q2.take() {
                None => {
                    let target = r + if done {
                        0.0
                    } else {
                        gamma * table.max_of(&table.q, s2, mask).1
                    };
                    table.q[idx] += lr * (target - table.q[idx]);
                }
                Some(mut q2) => {
                    // Double Q: update one table toward the other's value of its own argmax.
                    let first = rng.random::<bool>();
                    let (upd, other) = if first {
                        (&mut table.q, &q2)
                    } else {
                        (&mut q2, &table.q)
                    };
                    let boot = if done {
                        0.0
                    } else {
                        let (a2, _) = table_max(upd, s2, n_actions, mask);
                        other[s2 * n_actions + a2]
                    };
                    upd[idx] += lr * (r + gamma * boot - upd[idx]);
                    table.q2 = Some(q2);
                }
            }
            record_step(
                &mut log,
                &mut state,
                &mut tallies[i],
                step.rewards[i],
                next_info,
                done,
            );
        }
        obs = step.obs;
        infos = step.infos;
        state.iteration += 1;

        // log
        if state.global_step % 1200 < n_envs as u64 {
            log.scalar("schedule/epsilon", epsilon, state.global_step);
            log.scalar("schedule/learning_rate", f64::from(lr), state.global_step);
            let sps =
                (state.global_step - start_step) as f64 / t0.elapsed().as_secs_f64().max(1e-9);
            log.scalar("charts/steps_per_second", sps, state.global_step);
            let visited = (0..table.n_states)
                .filter(|s| {
                    table.visits[s * n_actions..(s + 1) * n_actions]
                        .iter()
                        .any(|&v| v > 0)
                })
                .count();
            log.scalar("charts/states_visited", visited as f64, state.global_step);
        }
        let stride = n_envs as u64;
        if run::crossed(state.global_step, stride, cfg.eval_every) || state.global_step >= total {
            let mut act = |o: &[f32], infos: &[&crate::env::StepInfo]| {
                o.chunks_exact(dim)
                    .zip(infos)
                    .map(|(o, info)| {
                        Action::Discrete(
                            table.greedy(table.discretiser.state(o), &info.action_mask) as i64,
                        )
                    })
                    .collect()
            };
            let r = evaluate_batched(make_env, &eval_seeds, &mut act)?;
            r.log(&mut log, state.global_step);
            last_eval = Some(r.mean_return());
            if state.improves(r.mean_return()) {
                log.save(Slot::Best, &mut state, |d, st| {
                    save_checkpoint(d, meta, &table, &rng, st)
                })?;
            }
        }
        log.progress(state.global_step);
        if run::crossed(state.global_step, stride, cfg.checkpoint_every) {
            state.envs = Some(venv.cursor().clone());
            log.save(Slot::Latest, &mut state, |d, st| {
                save_checkpoint(d, meta, &table, &rng, st)
            })?;
            state.envs = None;
        }
    }

    state.envs = Some(venv.cursor().clone());
    finish_run(
        &mut log,
        &mut state,
        total,
        options,
        last_eval,
        |dir, st| save_checkpoint(dir, meta, &table, &rng, st),
    )
}

fn table_max(t: &[f32], s: usize, n: usize, mask: &[bool]) -> (usize, f32) {
    let mut best = (0, f32::NEG_INFINITY);
    for (a, &v) in t[s * n..(s + 1) * n].iter().enumerate() {
        if (mask.is_empty() || mask[a]) && v > best.1 {
            best = (a, v);
        }
    }
    best
}
