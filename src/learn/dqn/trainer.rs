//! The DQN training loop and greedy policy (libtorch): see the module docs of `learn::dqn`.

use std::path::Path;

use rand::Rng;
use tch::nn::OptimizerConfig;
use tch::{Device, Kind, Reduction, Tensor};

use super::network::{self, QNetwork};
use super::DqnConfig;
use crate::env::{Action, AutoresetMode, Env, EpisodeTally, Space, StepInfo, VecEnv};
use crate::learn::episodes::Episodes;
use crate::learn::eval::evaluate_batched;
use crate::learn::obs_norm::ObsNorm;
use crate::learn::replay::{Batch, NStep, ReplayBuffer};
use crate::learn::run::{
    finish_run, record_step, save_agent, RunLog, RunMeta, Slot, TrainOptions, TrainState,
    TrainSummary,
};
use crate::learn::{load_json, mask_tensor, LearnError, MakeEnv};
use crate::policy::Policy;
use crate::sim::rng::{child_seed, stream, StreamRng};

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

/// Positions of the two ChaCha streams, saved so `--resume` continues them.
#[derive(serde::Serialize, serde::Deserialize)]
struct RngState {
    explore: String,
    replay: String,
}

/// Everything a checkpoint holds besides the counters.
struct Learner {
    online: QNetwork,
    target: QNetwork,
    norm: ObsNorm,
    buffer: ReplayBuffer,
    explore: StreamRng,
    sampler: StreamRng,
}

impl Learner {
    /// Writes a checkpoint to `dir`; the replay buffer only into `checkpoints/latest/`.
    fn save(&self, dir: &Path, meta: &RunMeta, state: &TrainState) -> Result<(), LearnError> {
        crate::nn::save_var_store(&self.online.vs, &dir.join("model.safetensors"))?;
        crate::nn::save_var_store(&self.target.vs, &dir.join("target.safetensors"))?;
        self.norm.save(&dir.join("obs_norm.json"))?;
        let r = RngState {
            explore: self.explore.get_word_pos().to_string(),
            replay: self.sampler.get_word_pos().to_string(),
        };
        crate::io::atomic_write(&dir.join("rng.json"), &serde_json::to_vec(&r)?)?;
        if crate::learn::run::is_latest(dir) {
            self.buffer.save(&dir.join("replay.bin"))?;
        }
        save_agent(dir, meta)?;
        state.save(dir)
    }

    /// Restores a checkpoint written by `save` into this (freshly built) learner.
    fn restore(&mut self, dir: &Path, cfg: &DqnConfig) -> Result<TrainState, LearnError> {
        let state = TrainState::load(dir)?;
        crate::nn::load_var_store(&mut self.online.vs, &dir.join("model.safetensors"))?;
        crate::nn::load_var_store(&mut self.target.vs, &dir.join("target.safetensors"))?;
        self.norm = ObsNorm::load(&dir.join("obs_norm.json"))?;
        let p = dir.join("rng.json");
        let r: RngState = load_json(&p, "a stream position")?;
        let pos = |field: &str, v: &str| -> Result<u128, LearnError> {
            v.parse().map_err(|e| LearnError::Parse {
                path: p.clone(),
                what: "a stream position",
                message: format!("{field} {v:?}: {e}"),
            })
        };
        self.explore.set_word_pos(pos("explore", &r.explore)?);
        self.sampler.set_word_pos(pos("replay", &r.replay)?);
        self.buffer = ReplayBuffer::load(
            &dir.join("replay.bin"),
            cfg.buffer_size,
            self.norm.rms.mean.len(),
            self.online.n_actions as usize,
        )?;
        Ok(state)
    }

    /// One gradient step on a sampled minibatch; returns `(td_loss, mean Q(s, a))`.
    fn update(
        &mut self,
        cfg: &DqnConfig,
        opt: &mut tch::nn::Optimizer,
    ) -> Result<(f64, f64), LearnError> {
        let device = self.online.vs.device();
        let b: Batch = self.buffer.sample(&mut self.sampler, cfg.batch_size);
        let rows = b.actions.len() as i64;
        let n_act = self.online.n_actions;
        let tensor = |v: &[f32]| Tensor::from_slice(v).to_device(device);
        let obs = tensor(&self.norm.normalize(&b.obs)).view([rows, -1]); // [B, D]
        let next_obs = tensor(&self.norm.normalize(&b.next_obs)).view([rows, -1]); // [B, D]
        let actions = Tensor::from_slice(&b.actions)
            .to_device(device)
            .unsqueeze(-1); // [B, 1]
        let rewards = tensor(&b.rewards); // [B]
        let discounts = tensor(&b.discounts); // [B]
        let next_mask = Tensor::from_slice(&b.next_mask)
            .view([rows, n_act])
            .to_device(device); // [B, A]

        // target: r + discount · Q_target(s', a*), a* by the online net (double) or the target
        let y = tch::no_grad(|| {
            let q_next = self.target.q(&next_obs); // [B, A]
            let v_next = if cfg.double {
                let a_star = self.online.greedy(&next_obs, &next_mask).unsqueeze(-1); // [B, 1]
                q_next.gather(1, &a_star, false).squeeze_dim(-1)
            } else {
                network::masked(&q_next, &next_mask).amax(-1, false)
            }; // [B]
            &rewards + &discounts * v_next
        });
        let q_sa = self
            .online
            .q(&obs)
            .gather(1, &actions, false)
            .squeeze_dim(-1); // [B]
        let loss = q_sa.huber_loss(&y, Reduction::Mean, cfg.huber_delta);
        opt.zero_grad();
        loss.backward();
        opt.clip_grad_norm(cfg.max_grad_norm);
        opt.step();
        Ok((
            f64::try_from(&loss)?,
            f64::try_from(q_sa.detach().mean(Kind::Float))?,
        ))
    }
}

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
        online,
        target,
        norm: ObsNorm::new(dim, cfg.norm_obs),
        buffer: ReplayBuffer::new(cfg.buffer_size, dim, n_act as usize),
        explore: stream(options.seed, "dqn/explore"),
        sampler: stream(options.seed, "dqn/replay"),
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
    let mut opt = tch::nn::Adam::default().build(&l.online.vs, cfg.learning_rate)?;
    let mut log = RunLog::open(meta, options, total, &state)?;
    let eval_seeds = options.eval_seeds_or(cfg.eval_seed, cfg.eval_episodes);
    let mut last_eval = None;
    let g0 = state.global_step;
    let mut next_eval = next_multiple(g0, cfg.eval_every);
    let mut next_ckpt = next_multiple(g0, cfg.checkpoint_every);
    let mut next_target = next_multiple(g0, cfg.target_update_interval);
    let mut next_train = g0.max(cfg.learning_starts);
    let mut next_log = next_multiple(g0, LOG_EVERY);
    let start_step = state.global_step;
    let t0 = std::time::Instant::now();
    let (mut loss_sum, mut q_sum, mut updates) = (0.0, 0.0, 0u64);

    // Every episode starts from its own seed (`Episodes`; in the train split when there is one).
    // Resumed runs start fresh episodes; pending n-step transitions of the interrupted episodes
    // are dropped.
    let mut venv = Episodes::new(
        venv,
        child_seed(options.seed, "dqn/reset", state.global_step),
        options.train_seeds,
    );
    let (mut obs, mut infos) = venv.reset();
    let mut nstep = vec![NStep::new(cfg.n_step, cfg.gamma); n];
    let mut tallies = vec![EpisodeTally::default(); n];
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
            let r = (step.rewards[i] * cfg.reward_scale) as f32;
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
        while state.global_step >= next_train && !l.buffer.is_empty() {
            next_train += cfg.train_frequency.max(1);
            for _ in 0..cfg.gradient_steps {
                let (loss, q) = l.update(cfg, &mut opt)?;
                loss_sum += loss;
                q_sum += q;
                updates += 1;
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
            if updates > 0 {
                log.scalar("losses/td_loss", loss_sum / updates as f64, g);
                log.scalar("losses/q_values", q_sum / updates as f64, g);
                (loss_sum, q_sum, updates) = (0.0, 0.0, 0);
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
            log.save(Slot::Latest, &mut state, |d, st| l.save(d, meta, st))?;
        }
    }

    finish_run(
        &mut log,
        &mut state,
        total,
        options,
        last_eval,
        |dir, st| l.save(dir, meta, st),
    )
}
