//! The PPO training loop and greedy policy (libtorch): see the module docs of `learn::ppo`.

use std::path::Path;

use tch::{Device, Kind, Tensor};

use super::network::ActorCritic;
use super::PpoConfig;
use crate::env::{Action, AutoresetMode, Env, EpisodeTally, Space, StepInfo, VecEnv};
use crate::learn::episodes::Episodes;
use crate::learn::eval::evaluate_batched;
use crate::learn::obs_norm::ObsNorm;
use crate::learn::run::{
    self, finish_run, record_step, save_agent, RunLog, RunMeta, Slot, TrainOptions, TrainState,
    TrainSummary,
};
use crate::learn::{mask_tensor, LearnError, MakeEnv};
use crate::policy::Policy;
use crate::sim::rng::child_seed;

/// `(nvec, start)` of a `MultiDiscrete` action space.
fn heads(space: &Space) -> Result<(Vec<i64>, Vec<i64>), LearnError> {
    match space {
        Space::MultiDiscrete(m) => {
            Ok((m.nvec.iter().map(|&n| n as i64).collect(), m.start.clone()))
        }
        other => Err(LearnError::ActionSpace {
            learner: "ppo",
            expected: "MultiDiscrete",
            got: format!("{other:?}"),
        }),
    }
}

/// Greedy actions for a batch of raw observations `[B, obs_dim]`.
fn greedy_actions(
    net: &ActorCritic,
    norm: &ObsNorm,
    start: &[i64],
    obs: &[f32],
    infos: &[&StepInfo],
) -> Vec<Action> {
    let b = infos.len() as i64;
    let width: i64 = net.nvec.iter().sum();
    let device = net.vs.device();
    let x = Tensor::from_slice(&norm.normalize(obs))
        .view([b, -1])
        .to_device(device);
    let m = mask_tensor(infos, width as usize, device);
    let a = tch::no_grad(|| net.act(&net.logits(&x, &m), true));
    to_actions(&a, start)
}

/// Index tensor `[B, H]` to env actions (index + start per head).
fn to_actions(a: &Tensor, start: &[i64]) -> Vec<Action> {
    let idx: Vec<i64> =
        Vec::<i64>::try_from(a.flatten(0, -1).to_device(Device::Cpu)).expect("int64 actions");
    idx.chunks_exact(start.len())
        .map(|row| Action::MultiDiscrete(row.iter().zip(start).map(|(i, s)| i + s).collect()))
        .collect()
}

/// The greedy policy of a trained PPO checkpoint.
pub struct PpoPolicy {
    net: ActorCritic,
    norm: ObsNorm,
    start: Vec<i64>,
}

impl Policy for PpoPolicy {
    fn name(&self) -> &str {
        "ppo"
    }

    fn reset(&mut self, _seed: Option<u64>) {}

    fn act(&mut self, obs: &[f32], info: &StepInfo) -> Action {
        greedy_actions(&self.net, &self.norm, &self.start, obs, &[info])
            .pop()
            .expect("one action")
    }
}

/// Loads the greedy policy of checkpoint `dir` for `env` (built by the agent's `make_env`).
pub fn load_policy(dir: &Path, cfg: &PpoConfig, env: &dyn Env) -> Result<PpoPolicy, LearnError> {
    tch::set_num_threads(1);
    let (nvec, start) = heads(env.action_space())?;
    let obs_dim = env.observation_space().flat_dim() as i64;
    // Building draws initial weights from libtorch's generator (then replaced by the loaded
    // ones): held, so that a PPO training beside this evaluation draws what its seed implies.
    let mut net = {
        let _torch = crate::nn::hold_generator();
        ActorCritic::new(Device::Cpu, obs_dim, &nvec, &cfg.hidden)?
    };
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
    Ok(PpoPolicy { net, norm, start })
}

fn save_checkpoint(
    dir: &Path,
    meta: &RunMeta,
    net: &ActorCritic,
    opt: &crate::nn::Adam,
    norm: &ObsNorm,
    state: &TrainState,
) -> Result<(), LearnError> {
    crate::nn::save_var_store(&net.vs, &dir.join("model.safetensors"))?;
    opt.save(&dir.join("adam.safetensors"))?;
    norm.save(&dir.join("obs_norm.json"))?;
    save_agent(dir, meta)?;
    state.save(dir)
}

/// Trains PPO (see the module docs).
pub fn train(
    cfg: &PpoConfig,
    make_env: &MakeEnv<'_>,
    meta: &RunMeta,
    options: &TrainOptions,
) -> Result<TrainSummary, LearnError> {
    crate::nn::init_threads()?;
    let device = crate::nn::device()?;
    let total = options.steps.unwrap_or(cfg.total_steps);
    let (n, t_len) = (cfg.num_envs.max(1), cfg.num_steps.max(1));
    let batch = (n * t_len) as i64;
    let minibatch = (batch / cfg.num_minibatches.max(1) as i64).max(1);
    let envs = (0..n).map(|_| make_env()).collect::<Result<Vec<_>, _>>()?;
    let (nvec, start) = heads(envs[0].action_space())?;
    let width: i64 = nvec.iter().sum();
    let n_heads = nvec.len() as i64;
    let venv = VecEnv::new(envs, AutoresetMode::SameStep)?;
    let dim = venv.obs_dim() as i64;

    let mut state = TrainState {
        kind: "ppo".into(),
        seed: options.seed,
        ..TrainState::default()
    };
    let mut norm = ObsNorm::new(dim as usize, cfg.norm_obs);
    // libtorch's generator is process-wide: it is held while drawn from (the initial weights
    // here, each iteration's sampling and minibatch order below), so PPO trainings running side
    // by side in one process (`shopgym experiment`) each draw what their seed implies.
    let mut net = {
        let _torch = crate::nn::seed_exclusive(child_seed(options.seed, "ppo/torch", 0));
        ActorCritic::new(device, dim, &nvec, &cfg.hidden)?
    };
    let mut opt = crate::nn::Adam::new(&net.vs, cfg.learning_rate, 1e-5);
    if options.resume {
        let dir = options.out.join("checkpoints").join("latest");
        let mut restore = || -> Result<(TrainState, ObsNorm), LearnError> {
            let state = TrainState::load(&dir)?;
            crate::nn::load_var_store(&mut net.vs, &dir.join("model.safetensors"))?;
            let adam = dir.join("adam.safetensors");
            // A checkpoint from before the optimiser was saved restarts Adam's moments.
            if adam.is_file() {
                opt.load(&adam)?;
            }
            Ok((state, ObsNorm::load(&dir.join("obs_norm.json"))?))
        };
        (state, norm) = restore().map_err(|e| LearnError::Resume(Box::new(e)))?;
    }
    let mut log = RunLog::open(meta, options, total, &state)?;
    let eval_seeds = options.eval_seeds_or(cfg.eval_seed, cfg.eval_episodes);
    let mut last_eval = None;
    let start_step = state.global_step;
    let t0 = std::time::Instant::now();

    // The envs where the checkpoint left them (`learn::episodes`); an env whose episode has no
    // actions yet after its first began with the last step (`next_done`).
    let (mut venv, mut obs, mut infos, mut tallies) = match state.envs.take() {
        Some(cursor) => {
            let mut venv = Episodes::new(venv, cursor.base, options.train_seeds);
            let r = venv
                .restore(&cursor)
                .map_err(|e| LearnError::Resume(Box::new(e)))?;
            (venv, r.obs, r.infos, r.tallies)
        }
        None => {
            let base = child_seed(options.seed, "ppo/reset", state.global_step);
            let mut venv = Episodes::new(venv, base, options.train_seeds);
            let (obs, infos) = venv.reset();
            (venv, obs, infos, vec![EpisodeTally::default(); n])
        }
    };
    let c = venv.cursor();
    let mut next_done: Vec<f32> = (0..n)
        .map(|i| f32::from(u8::from(c.episodes[i] > 0 && c.actions[i].is_empty())))
        .collect();
    let iterations = total.div_ceil(batch as u64);

    while state.global_step < total && !crate::learn::stop_requested() {
        // One torch seed per iteration (action sampling, minibatch order), so a run resumed at
        // an iteration boundary draws what a straight run draws.
        let torch =
            crate::nn::seed_exclusive(child_seed(options.seed, "ppo/torch", state.iteration + 1));
        if cfg.anneal_lr {
            let frac = 1.0 - state.iteration as f64 / iterations as f64;
            opt.lr = frac.max(0.0) * cfg.learning_rate;
        }
        // collect: t_len steps of every env; buffers are [T, N, ...]
        let mut b_obs = Vec::with_capacity(t_len);
        let mut b_mask = Vec::with_capacity(t_len);
        let mut b_act = Vec::with_capacity(t_len);
        let mut b_logp = Vec::with_capacity(t_len);
        let mut b_val = Vec::with_capacity(t_len);
        let mut b_rew = Vec::with_capacity(t_len);
        let mut b_done = Vec::with_capacity(t_len);
        for _ in 0..t_len {
            norm.update(&obs);
            let x = Tensor::from_slice(&norm.normalize(&obs))
                .view([n as i64, dim])
                .to_device(device); // [N, D]
            let m = mask_tensor(&infos.iter().collect::<Vec<_>>(), width as usize, device); // [N, W]
            let (a, logp, v) = tch::no_grad(|| {
                let logits = net.logits(&x, &m);
                let a = net.act(&logits, false); // [N, H]
                let (logp, _) = net.log_prob_entropy(&logits, &a);
                (a, logp, net.value(&x))
            });
            let step = venv.step(&to_actions(&a, &start))?;
            state.global_step += n as u64;
            b_obs.push(x);
            b_mask.push(m);
            b_act.push(a);
            b_logp.push(logp);
            b_val.push(v);
            b_done.push(Tensor::from_slice(&next_done).to_device(device));
            let r: Vec<f32> = step
                .rewards
                .iter()
                .map(|&r| (r * cfg.reward_scale) as f32)
                .collect();
            b_rew.push(Tensor::from_slice(&r).to_device(device));
            for i in 0..n {
                let done = step.done(i);
                next_done[i] = f32::from(u8::from(done));
                let (_, info) = step.outcome(i);
                record_step(
                    &mut log,
                    &mut state,
                    &mut tallies[i],
                    step.rewards[i],
                    info,
                    done,
                );
            }
            obs = step.obs;
            infos = step.infos;
            log.progress(state.global_step);
        }
        // GAE advantages [T, N], bootstrapping from the value of the last observation
        let next_x = Tensor::from_slice(&norm.normalize(&obs))
            .view([n as i64, dim])
            .to_device(device);
        let next_value = tch::no_grad(|| net.value(&next_x));
        let values = Tensor::stack(&b_val, 0);
        let rewards = Tensor::stack(&b_rew, 0);
        let dones = Tensor::stack(&b_done, 0); // dones[t]: obs t starts a new episode
        let next_done_t = Tensor::from_slice(&next_done).to_device(device);
        let mut adv: Vec<Tensor> = (0..t_len)
            .map(|_| Tensor::zeros([n as i64], (Kind::Float, device)))
            .collect();
        let mut last = Tensor::zeros([n as i64], (Kind::Float, device));
        let (gamma, lam) = (cfg.gamma, cfg.gae_lambda);
        for t in (0..t_len).rev() {
            let (nonterminal, next_v) = if t + 1 == t_len {
                (1.0 - &next_done_t, next_value.shallow_clone())
            } else {
                (1.0 - dones.get(t as i64 + 1), values.get(t as i64 + 1))
            };
            let delta =
                rewards.get(t as i64) + gamma * &next_v * &nonterminal - values.get(t as i64);
            last = delta + gamma * lam * &nonterminal * &last;
            adv[t] = last.shallow_clone();
        }
        let advantages = Tensor::stack(&adv, 0).view([batch]);
        let returns = &advantages + values.view([batch]);
        let f_obs = Tensor::stack(&b_obs, 0).view([batch, dim]);
        let f_mask = Tensor::stack(&b_mask, 0).view([batch, width]);
        let f_act = Tensor::stack(&b_act, 0).view([batch, n_heads]);
        let f_logp = Tensor::stack(&b_logp, 0).view([batch]);
        let f_val = values.view([batch]);

        // update: epochs over shuffled minibatches
        let (mut pg_sum, mut v_sum, mut ent_sum, mut kl_sum, mut clipfrac_sum, mut count) =
            (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
        for _ in 0..cfg.update_epochs {
            let perm = Tensor::randperm(batch, (Kind::Int64, device));
            let mut s = 0;
            while s < batch {
                let idx = perm.narrow(0, s, minibatch.min(batch - s));
                s += minibatch;
                let logits =
                    net.logits(&f_obs.index_select(0, &idx), &f_mask.index_select(0, &idx));
                let (newlogp, entropy) =
                    net.log_prob_entropy(&logits, &f_act.index_select(0, &idx));
                let logratio = &newlogp - f_logp.index_select(0, &idx);
                let ratio = logratio.exp();
                tch::no_grad(|| {
                    kl_sum += f64::try_from(((&ratio - 1.0) - &logratio).mean(Kind::Float))
                        .unwrap_or(0.0);
                    clipfrac_sum += f64::try_from(
                        (&ratio - 1.0)
                            .abs()
                            .gt(cfg.clip_coef)
                            .to_kind(Kind::Float)
                            .mean(Kind::Float),
                    )
                    .unwrap_or(0.0);
                });
                let mut mb_adv = advantages.index_select(0, &idx);
                if cfg.norm_adv {
                    mb_adv = (&mb_adv - mb_adv.mean(Kind::Float)) / (mb_adv.std(true) + 1e-8);
                }
                let pg1 = -&mb_adv * &ratio;
                let pg2 = -&mb_adv * ratio.clamp(1.0 - cfg.clip_coef, 1.0 + cfg.clip_coef);
                let pg_loss = pg1.max_other(&pg2).mean(Kind::Float);
                let newv = net.value(&f_obs.index_select(0, &idx));
                let mb_ret = returns.index_select(0, &idx);
                let v_loss = if cfg.clip_vloss {
                    let old = f_val.index_select(0, &idx);
                    let unclipped = (&newv - &mb_ret).square();
                    let clipped = (&old + (&newv - &old).clamp(-cfg.clip_coef, cfg.clip_coef)
                        - &mb_ret)
                        .square();
                    0.5 * unclipped.max_other(&clipped).mean(Kind::Float)
                } else {
                    0.5 * (&newv - &mb_ret).square().mean(Kind::Float)
                };
                let ent = entropy.mean(Kind::Float);
                let loss: Tensor = &pg_loss - &ent * cfg.ent_coef + &v_loss * cfg.vf_coef;
                opt.zero_grad();
                loss.backward();
                opt.clip_grad_norm(cfg.max_grad_norm);
                opt.step();
                pg_sum += f64::try_from(&pg_loss).unwrap_or(f64::NAN);
                v_sum += f64::try_from(&v_loss).unwrap_or(f64::NAN);
                ent_sum += f64::try_from(&ent).unwrap_or(f64::NAN);
                count += 1.0;
            }
        }
        drop(torch);
        state.iteration += 1;

        // log
        let g = state.global_step;
        log.scalar("losses/policy_loss", pg_sum / count, g);
        log.scalar("losses/value_loss", v_sum / count, g);
        log.scalar("losses/entropy", ent_sum / count, g);
        log.scalar("losses/approx_kl", kl_sum / count, g);
        log.scalar("losses/clipfrac", clipfrac_sum / count, g);
        log.scalar(
            "schedule/learning_rate",
            opt_lr(cfg, state.iteration, iterations),
            g,
        );
        let sps = (g - start_step) as f64 / t0.elapsed().as_secs_f64().max(1e-9);
        log.scalar("charts/steps_per_second", sps, g);
        let stride = batch as u64;
        if run::crossed(g, stride, cfg.eval_every) || g >= total {
            let mut act =
                |o: &[f32], infos: &[&StepInfo]| greedy_actions(&net, &norm, &start, o, infos);
            let r = evaluate_batched(make_env, &eval_seeds, &mut act)?;
            r.log(&mut log, g);
            last_eval = Some(r.mean_return());
            if state.improves(r.mean_return()) {
                log.save(Slot::Best, &mut state, |d, st| {
                    save_checkpoint(d, meta, &net, &opt, &norm, st)
                })?;
            }
        }
        if run::crossed(g, stride, cfg.checkpoint_every) {
            state.envs = Some(venv.cursor().clone());
            log.save(Slot::Latest, &mut state, |d, st| {
                save_checkpoint(d, meta, &net, &opt, &norm, st)
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
        |dir, st| save_checkpoint(dir, meta, &net, &opt, &norm, st),
    )
}

fn opt_lr(cfg: &PpoConfig, iteration: u64, iterations: u64) -> f64 {
    if cfg.anneal_lr {
        (1.0 - iteration as f64 / iterations as f64).max(0.0) * cfg.learning_rate
    } else {
        cfg.learning_rate
    }
}
