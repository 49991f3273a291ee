//! The DQN training loop and greedy policy (libtorch): see the module docs of `learn::dqn`.

use std::path::Path;

use rand::Rng;
use tch::{Device, Tensor};

use super::learner::{Learner, LoopState};
use super::network::QNetwork;
use super::DqnConfig;
use crate::env::{Action, AutoresetMode, Env, EpisodeTally, Space, StepInfo, VecEnv};
use crate::learn::episodes::{Episodes, Replayed};
use crate::learn::eval::evaluate_batched;
use crate::learn::obs_norm::ObsNorm;
use crate::learn::replay::{NStep, ReplayBuffer};
use crate::learn::run::{
    finish_run, record_step, RunLog, RunMeta, Slot, TrainOptions, TrainState, TrainSummary,
};
use crate::learn::{mask_tensor, LearnError, MakeEnv};
use crate::policy::Policy;
use crate::sim::rng::{child_seed, stream};

/// Number of actions of a `Discrete` action space.
fn n_actions(space: &Space) -> Result<i64, LearnError> {
    match space {
        Space::Discrete(d) => Ok(d.n as i64),
        other => Err(LearnError::ActionSpace {
            learner: "dqn",
            expected: "Discrete (joint)",
            got: format!("{other:?}"),
        }),
    }
}

/// Greedy action indices for a batch of raw observations `[B, obs_dim]`.
fn greedy_indices(net: &QNetwork, norm: &ObsNorm, obs: &[f32], infos: &[&StepInfo]) -> Vec<i64> {
    let device = net.vs.device();
    let x = Tensor::from_slice(&norm.normalize(obs))
        .view([infos.len() as i64, -1])
        .to_device(device);
    let m = mask_tensor(infos, net.n_actions as usize, device);
    let a = tch::no_grad(|| net.greedy(&x, &m));
    Vec::<i64>::try_from(a.to_device(Device::Cpu)).expect("int64 actions")
}

/// `greedy_indices` as env actions.
fn greedy_actions(net: &QNetwork, norm: &ObsNorm, obs: &[f32], infos: &[&StepInfo]) -> Vec<Action> {
    greedy_indices(net, norm, obs, infos)
        .into_iter()
        .map(Action::Discrete)
        .collect()
}

/// The greedy policy of a trained DQN checkpoint.
pub struct DqnPolicy {
    net: QNetwork,
    norm: ObsNorm,
}

impl Policy for DqnPolicy {
    fn name(&self) -> &str {
        "dqn"
    }

    fn reset(&mut self, _seed: Option<u64>) {}

    fn act(&mut self, obs: &[f32], info: &StepInfo) -> Action {
        greedy_actions(&self.net, &self.norm, obs, &[info])
            .pop()
            .expect("one action")
    }
}

/// Loads the greedy policy of checkpoint `dir` for `env` (built by the agent's `make_env`).
pub fn load_policy(dir: &Path, cfg: &DqnConfig, env: &dyn Env) -> Result<DqnPolicy, LearnError> {
    tch::set_num_threads(1);
    let n = n_actions(env.action_space())?;
    let obs_dim = env.observation_space().flat_dim() as i64;
    // The weights are overwritten by the checkpoint's.
    let mut init = stream(0, "dqn/init");
    let mut net = QNetwork::new(Device::Cpu, obs_dim, n, &cfg.hidden, cfg.dueling, &mut init)?;
    crate::nn::load_var_store(&mut net.vs, &dir.join("model.safetensors"))?;
    let norm = ObsNorm::load(&dir.join("obs_norm.json"))?;
    if norm.rms.mean.len() != obs_dim as usize {
        return Err(LearnError::Mismatch {
            path: dir.to_path_buf(),
            message: format!(
                "observation statistics for {} features, env has {obs_dim}",
                norm.rms.mean.len()
            ),
        });
    }
    Ok(DqnPolicy { net, norm })
}

/// Adam's epsilon (PyTorch's default, what tch's Adam used before the optimiser was checkpointed).
const ADAM_EPS: f64 = 1e-8;

/// Env steps between two `losses/*` and `schedule/*` log rows.
const LOG_EVERY: u64 = 1_000;

/// The first multiple of `k` (at least 1) after `step`.
fn next_multiple(step: u64, k: u64) -> u64 {
    (step / k.max(1) + 1) * k.max(1)
}

fn linear(start: f64, end: f64, frac: f64) -> f64 {
    start + (end - start) * frac.clamp(0.0, 1.0)
}

/// Trains DQN (see the module docs).
pub fn train(
    cfg: &DqnConfig,
    make_env: &MakeEnv<'_>,
    meta: &RunMeta,
    options: &TrainOptions,
) -> Result<TrainSummary, LearnError> {
    crate::nn::init_threads()?;
    let device = crate::nn::device()?;
    let total = options.steps.unwrap_or(cfg.total_steps);
    let n = cfg.num_envs.max(1);
    let envs = (0..n).map(|_| make_env()).collect::<Result<Vec<_>, _>>()?;
    let n_act = n_actions(envs[0].action_space())?;
    let venv = VecEnv::new(envs, AutoresetMode::SameStep)?;
    let dim = venv.obs_dim();

    let mut init = stream(options.seed, "dqn/init");
    let mut build = || {
        let (d, h) = (dim as i64, &cfg.hidden);
        QNetwork::new(device, d, n_act, h, cfg.dueling, &mut init)
    };
    let online = build()?;
    let mut target = build()?;
    target.update_from(&online, 1.0);
    let mut l = Learner {
        opt: crate::nn::Adam::new(&online.vs, cfg.learning_rate, ADAM_EPS),
        online,
        target,
        norm: ObsNorm::new(dim, cfg.norm_obs),
        buffer: ReplayBuffer::new(cfg.buffer_size, dim, n_act as usize),
        explore: stream(options.seed, "dqn/explore"),
        sampler: stream(options.seed, "dqn/replay"),
        schedule: LoopState::new(cfg),
    };
    let mut state = TrainState {
        kind: "dqn".into(),
        seed: options.seed,
        ..TrainState::default()
    };
    if options.resume {
        let dir = options.out.join("checkpoints").join("latest");
        state = l
            .restore(&dir, cfg)
            .map_err(|e| LearnError::Resume(Box::new(e)))?;
    }
    let mut log = RunLog::open(meta, options, total, &state)?;
    let eval_seeds = options.eval_seeds_or(cfg.eval_seed, cfg.eval_episodes);
    let mut last_eval = None;
    let g0 = state.global_step;
    let mut next_eval = next_multiple(g0, cfg.eval_every);
    let mut next_ckpt = next_multiple(g0, cfg.checkpoint_every);
    let mut next_target = next_multiple(g0, cfg.target_update_interval);
    let mut next_log = next_multiple(g0, LOG_EVERY);
    let start_step = state.global_step;
    let t0 = std::time::Instant::now();

    // Every episode starts from its own seed (`Episodes`; in the train split when there is one).
    // A resumed run puts the envs back where the checkpoint left them and rebuilds the pending
    // n-step transitions of their running episodes from the re-simulated steps.
    let mut nstep = vec![NStep::new(cfg.n_step, cfg.gamma); n];
    let (mut venv, mut obs, mut infos, mut tallies) = match state.envs.take() {
        Some(cursor) => {
            let mut venv = Episodes::new(venv, cursor.base, options.train_seeds);
            let r = venv
                .restore_with(&cursor, |s: Replayed<'_>| {
                    let Action::Discrete(a) = *s.action else {
                        return;
                    };
                    let r = cfg.learning_reward(s.step.reward, &s.step.info.reward_terms);
                    let mask = &s.step.info.action_mask;
                    // Transitions it completes are in the restored buffer already.
                    let _ = nstep[s.env].push(s.obs, a, r, &s.step.obs, mask, false);
                })
                .map_err(|e| LearnError::Resume(Box::new(e)))?;
            (venv, r.obs, r.infos, r.tallies)
        }
        None => {
            let base = child_seed(options.seed, "dqn/reset", state.global_step);
            let mut venv = Episodes::new(venv, base, options.train_seeds);
            let (obs, infos) = venv.reset();
            (venv, obs, infos, vec![EpisodeTally::default(); n])
        }
    };
    let explore_steps = (cfg.exploration_fraction * total as f64).max(1.0);

    while state.global_step < total && !crate::learn::stop_requested() {
        let epsilon = linear(
            cfg.epsilon_start,
            cfg.epsilon_end,
            state.global_step as f64 / explore_steps,
        );

        // collect: epsilon-greedy over the allowed actions, one batched forward pass
        l.norm.update(&obs);
        let greedy = greedy_indices(&l.online, &l.norm, &obs, &infos.iter().collect::<Vec<_>>());
        let actions: Vec<i64> = greedy
            .into_iter()
            .zip(&infos)
            .map(|(g, info)| {
                if l.explore.random::<f64>() >= epsilon {
                    return g;
                }
                let allowed: Vec<i64> = (0..n_act)
                    .filter(|&a| info.action_mask.get(a as usize).copied().unwrap_or(true))
                    .collect();
                // The greedy action is allowed, so `allowed` is empty only for a malformed mask.
                if allowed.is_empty() {
                    g
                } else {
                    allowed[l.explore.random_range(0..allowed.len())]
                }
            })
            .collect();
        let step = venv.step(
            &actions
                .iter()
                .map(|&a| Action::Discrete(a))
                .collect::<Vec<_>>(),
        )?;
        state.global_step += n as u64;

        // store: n-step transitions of every env, in env order
        for i in 0..n {
            let done = step.done(i);
            let (next_obs, next_info) = step.outcome(i);
            let r = cfg.learning_reward(step.rewards[i], &next_info.reward_terms);
            for t in nstep[i].push(
                &obs[i * dim..(i + 1) * dim],
                actions[i],
                r,
                next_obs,
                &next_info.action_mask,
                done,
            ) {
                l.buffer.push(&t);
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
        log.progress(state.global_step);

        // update: `gradient_steps` per `train_frequency` env steps once `learning_starts` passed
        while state.global_step >= l.schedule.next_train && !l.buffer.is_empty() {
            l.schedule.next_train += cfg.train_frequency.max(1);
            for _ in 0..cfg.gradient_steps {
                let (loss, q) = l.update(cfg)?;
                l.schedule.add(loss, q);
                state.iteration += 1;
                if cfg.tau < 1.0 {
                    l.target.update_from(&l.online, cfg.tau);
                }
            }
        }
        if state.global_step >= next_target {
            next_target = next_multiple(state.global_step, cfg.target_update_interval);
            if cfg.tau >= 1.0 {
                l.target.update_from(&l.online, 1.0);
            }
        }

        // log
        let g = state.global_step;
        if g >= next_log || g >= total {
            next_log = next_multiple(g, LOG_EVERY);
            if let Some((loss, q)) = l.schedule.take_means() {
                log.scalar("losses/td_loss", loss, g);
                log.scalar("losses/q_values", q, g);
            }
            log.scalar("schedule/epsilon", epsilon, g);
            let sps = (g - start_step) as f64 / t0.elapsed().as_secs_f64().max(1e-9);
            log.scalar("charts/steps_per_second", sps, g);
        }
        if g >= next_eval || g >= total {
            next_eval = next_multiple(g, cfg.eval_every);
            let (net, norm) = (&l.online, &l.norm);
            let mut act = |o: &[f32], infos: &[&StepInfo]| greedy_actions(net, norm, o, infos);
            let r = evaluate_batched(make_env, &eval_seeds, &mut act)?;
            r.log(&mut log, g);
            last_eval = Some(r.mean_return());
            if state.improves(r.mean_return()) {
                log.save(Slot::Best, &mut state, |d, st| l.save(d, meta, st))?;
            }
        }
        if g >= next_ckpt {
            next_ckpt = next_multiple(g, cfg.checkpoint_every);
            state.envs = Some(venv.cursor().clone());
            log.save(Slot::Latest, &mut state, |d, st| l.save(d, meta, st))?;
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
        |dir, st| l.save(dir, meta, st),
    )
}
