//! Agents: an agent file names a policy and its hyperparameters; `Agent` loads and validates it,
//! says how the env must be configured for it (action mode, forecast) and builds a fresh policy
//! for each episode. Baselines live in `baselines/`; learners (`learn/`) act from a checkpoint
//! directory written by `shopgym train` (`Agent::with_checkpoint`).
//!
//! Parts: `spec` (the YAML format).

pub mod spec;

use std::path::{Path, PathBuf};

pub use spec::AgentSpec;

use crate::baselines::hpa::HpaConfig;
use crate::baselines::{Context, DpPolicy, GreedyBudgetPolicy, PredictivePolicy, ThresholdPolicy};
use crate::env::{Env, EnvConfig, ScalingEnv};
use crate::learn::LearnError;
use crate::policy::{Policy, RandomPolicy, StaticPolicy};
use crate::scenario::env_spec::{ActionModeSpec, ForecastModel};
use crate::scenario::error::Ctx;
use crate::scenario::{Scenario, ScenarioError};
use crate::sim::rng::child_seed;

/// A loaded, validated agent.
#[derive(Debug, Clone)]
pub struct Agent {
    /// The file stem (or the kind for built-in agents).
    pub name: String,
    pub spec: AgentSpec,
    pub path: PathBuf,
    /// Learners: the training run directory (or checkpoint directory) whose model they act with.
    pub checkpoint: Option<PathBuf>,
}

fn check(ctx: &Ctx, field: &str, v: f64, lo: f64, hi: f64) -> Result<(), ScenarioError> {
    if v.is_finite() && v >= lo && v <= hi {
        Ok(())
    } else {
        Err(ctx.invalid(field, v, format!("must be in [{lo}, {hi}]")))
    }
}

/// A linear epsilon schedule: both ends in [0, 1], over a fraction of the run in (0, 1].
fn check_epsilon(ctx: &Ctx, start: f64, end: f64, fraction: f64) -> Result<(), ScenarioError> {
    check(ctx, "epsilon_start", start, 0.0, 1.0)?;
    check(ctx, "epsilon_end", end, 0.0, 1.0)?;
    check(ctx, "exploration_fraction", fraction, 1e-9, 1.0)
}

/// Hidden layer sizes of a network: each at least 1.
fn check_hidden(ctx: &Ctx, hidden: &[i64]) -> Result<(), ScenarioError> {
    if hidden.iter().any(|&h| h < 1) {
        return Err(ctx.invalid("hidden", format!("{hidden:?}"), "sizes must be >= 1"));
    }
    Ok(())
}

impl Agent {
    /// Reads and validates an agent file.
    pub fn load(path: impl AsRef<Path>) -> Result<Agent, ScenarioError> {
        let path = path.as_ref();
        let spec: AgentSpec = crate::scenario::read_yaml(path)?;
        let name = path.file_stem().map_or_else(
            || spec.kind().to_string(),
            |s| s.to_string_lossy().into_owned(),
        );
        Agent::new(name, spec, path)
    }

    /// Validates a spec built in code; `path` names it in errors.
    pub fn new(name: String, spec: AgentSpec, path: &Path) -> Result<Agent, ScenarioError> {
        let ctx = Ctx { file: path };
        match &spec {
            AgentSpec::Threshold {
                target_utilisation,
                tolerance,
                up_window_s,
                down_window_s,
            } => {
                check(&ctx, "target_utilisation", *target_utilisation, 1e-6, 1.0)?;
                check(&ctx, "tolerance", *tolerance, 0.0, 1.0)?;
                check(&ctx, "up_window_s", *up_window_s, 0.0, 1e9)?;
                check(&ctx, "down_window_s", *down_window_s, 0.0, 1e9)?;
            }
            AgentSpec::GreedyBudget { headroom, budget } => {
                check(&ctx, "headroom", *headroom, 0.0, 100.0)?;
                if *budget == Some(0) {
                    return Err(ctx.invalid("budget", 0, "must be >= 1"));
                }
            }
            AgentSpec::Predictive { headroom, forecast } => {
                check(&ctx, "headroom", *headroom, 0.0, 100.0)?;
                if forecast.model == ForecastModel::None {
                    return Err(ctx.invalid(
                        "forecast.model",
                        "none",
                        "predictive needs a forecast",
                    ));
                }
            }
            AgentSpec::Dp {
                horizon,
                forecast,
                headroom,
            } => {
                check(&ctx, "headroom", *headroom, 0.0, 100.0)?;
                if *horizon == 0 || *horizon > 1000 {
                    return Err(ctx.invalid("horizon", horizon, "must be in 1..=1000"));
                }
                if forecast.model == ForecastModel::None {
                    return Err(ctx.invalid("forecast.model", "none", "dp needs a forecast"));
                }
            }
            AgentSpec::DpOracle { horizon, headroom } => {
                check(&ctx, "headroom", *headroom, 0.0, 100.0)?;
                if *horizon == 0 || *horizon > 1000 {
                    return Err(ctx.invalid("horizon", horizon, "must be in 1..=1000"));
                }
            }
            AgentSpec::QLearning(c) => {
                check(&ctx, "gamma", c.gamma, 0.0, 1.0)?;
                check_epsilon(&ctx, c.epsilon_start, c.epsilon_end, c.exploration_fraction)?;
                check(&ctx, "lr_start", c.lr_start, 0.0, 1.0)?;
                check(&ctx, "lr_end", c.lr_end, 0.0, 1.0)?;
                let b = &c.bins;
                let states: f64 = [b.time, b.load, b.instances, b.utilisation, b.trend]
                    .iter()
                    .map(|&n| n.max(1) as f64)
                    .product();
                if states > 1e6 {
                    return Err(ctx.invalid("bins", states, "more than 1e6 states"));
                }
                if c.step_size == 0 || c.num_envs == 0 {
                    return Err(ctx.invalid("step_size/num_envs", 0, "must be >= 1"));
                }
            }
            AgentSpec::Dqn(c) => {
                check(&ctx, "gamma", c.gamma, 0.0, 1.0)?;
                check(&ctx, "learning_rate", c.learning_rate, 0.0, 1.0)?;
                check(&ctx, "tau", c.tau, 1e-9, 1.0)?;
                check_epsilon(&ctx, c.epsilon_start, c.epsilon_end, c.exploration_fraction)?;
                check(&ctx, "huber_delta", c.huber_delta, 1e-9, 1e9)?;
                check(&ctx, "max_grad_norm", c.max_grad_norm, 1e-9, 1e9)?;
                check(&ctx, "reward_scale", c.reward_scale, 1e-12, 1e6)?;
                check_hidden(&ctx, &c.hidden)?;
                for (field, v) in [
                    ("step_size", c.step_size as usize),
                    ("num_envs", c.num_envs),
                    ("n_step", c.n_step),
                    ("buffer_size", c.buffer_size),
                    ("batch_size", c.batch_size),
                    ("gradient_steps", c.gradient_steps),
                ] {
                    if v == 0 {
                        return Err(ctx.invalid(field, 0, "must be >= 1"));
                    }
                }
                if c.n_step > 1000 {
                    return Err(ctx.invalid("n_step", c.n_step, "must be <= 1000"));
                }
            }
            AgentSpec::Ppo(c) => {
                check(&ctx, "gamma", c.gamma, 0.0, 1.0)?;
                check(&ctx, "gae_lambda", c.gae_lambda, 0.0, 1.0)?;
                check(&ctx, "clip_coef", c.clip_coef, 0.0, 10.0)?;
                check(&ctx, "learning_rate", c.learning_rate, 0.0, 1.0)?;
                check_hidden(&ctx, &c.hidden)?;
                if c.step_size == 0 || c.max_delta == 0 || c.num_envs == 0 || c.num_steps == 0 {
                    return Err(ctx.invalid(
                        "step_size/max_delta/num_envs/num_steps",
                        0,
                        "must be >= 1",
                    ));
                }
            }
            AgentSpec::Static { .. } | AgentSpec::Random {} => {}
        }
        Ok(Agent {
            name,
            spec,
            path: path.to_path_buf(),
            checkpoint: None,
        })
    }

    /// The same agent acting with the model trained in `run_dir` (learners only).
    pub fn with_checkpoint(mut self, run_dir: impl Into<PathBuf>) -> Agent {
        self.checkpoint = Some(run_dir.into());
        self
    }

    /// The env configuration this agent runs with on `scenario`: the scenario's `env:` section
    /// with the agent's needs applied (baselines act in `target` mode and bring their forecast).
    pub fn env_config(&self, scenario: &Scenario) -> Result<EnvConfig, ScenarioError> {
        let mut env = scenario.spec.env.clone();
        match &self.spec {
            AgentSpec::Random {} => {}
            AgentSpec::Static { .. }
            | AgentSpec::Threshold { .. }
            | AgentSpec::GreedyBudget { .. } => {
                env.action.mode = ActionModeSpec::Target;
            }
            AgentSpec::Predictive { forecast, .. } => {
                env.action.mode = ActionModeSpec::Target;
                env.forecast = forecast.clone();
                // Enough steps to cover the longest cold start.
                let interval = scenario.sim.interval.as_secs_f64();
                let lead = scenario
                    .sim
                    .pools
                    .iter()
                    .map(|p| (p.cold_start.mean() / 1e6 / interval).ceil() as usize)
                    .max()
                    .unwrap_or(0);
                env.forecast.horizon = env.forecast.horizon.max(lead + 1);
            }
            AgentSpec::Dp {
                horizon, forecast, ..
            } => {
                env.action.mode = ActionModeSpec::Target;
                env.forecast = forecast.clone();
                env.forecast.horizon = *horizon;
            }
            AgentSpec::DpOracle { horizon, .. } => {
                env.action.mode = ActionModeSpec::Target;
                env.forecast.model = ForecastModel::Oracle;
                env.forecast.horizon = *horizon;
            }
            AgentSpec::QLearning(c) => {
                env.action.mode = ActionModeSpec::Joint;
                env.action.step_size = c.step_size;
                if let Some(f) = &c.forecast {
                    env.forecast = f.clone();
                }
            }
            AgentSpec::Dqn(c) => {
                env.action.mode = ActionModeSpec::Joint;
                env.action.step_size = c.step_size;
                if let Some(f) = &c.forecast {
                    env.forecast = f.clone();
                }
            }
            AgentSpec::Ppo(c) => {
                env.action.mode = ActionModeSpec::Delta;
                env.action.max_delta = c.max_delta;
                env.action.step_size = c.step_size;
                if let Some(f) = &c.forecast {
                    env.forecast = f.clone();
                }
            }
        }
        EnvConfig::new(&env, scenario)
    }

    /// The env this agent runs in on `scenario`.
    pub fn make_env(&self, scenario: &Scenario) -> anyhow::Result<ScalingEnv> {
        let cfg = self.env_config(scenario)?;
        Ok(ScalingEnv::new(scenario, cfg)?)
    }

    /// A fresh policy for `env` (built by `make_env` on `scenario`); `seed` seeds its randomness.
    pub fn policy(
        &self,
        scenario: &Scenario,
        env: &ScalingEnv,
        seed: u64,
    ) -> anyhow::Result<Box<dyn Policy>> {
        Ok(match &self.spec {
            AgentSpec::Static { instances } => {
                let sim = env.sim().config();
                let mut targets = env.static_counts().to_vec();
                for (name, &n) in instances {
                    let p = sim.pool_index(name).ok_or_else(|| {
                        Ctx { file: &self.path }.invalid(
                            format!("instances.{name}"),
                            n,
                            "no pool of that name in the scenario",
                        )
                    })?;
                    // Counts are in the scenario's real units, like its pool sizes: apply `scale`.
                    let scaled =
                        ((f64::from(n) * scenario.spec.scale).round() as u32).max(u32::from(n > 0));
                    targets[p] = scaled.clamp(sim.pools[p].min, sim.pools[p].max);
                }
                Box::new(StaticPolicy::new(targets, env.codec().clone()))
            }
            AgentSpec::Random {} => Box::new(RandomPolicy::new(
                env.action_space().clone(),
                child_seed(seed, "policy", 0),
            )),
            AgentSpec::Threshold {
                target_utilisation,
                tolerance,
                up_window_s,
                down_window_s,
            } => Box::new(ThresholdPolicy::new(
                Context::new(env),
                HpaConfig {
                    target: *target_utilisation,
                    tolerance: *tolerance,
                    up_window_s: *up_window_s,
                    down_window_s: *down_window_s,
                },
            )),
            AgentSpec::GreedyBudget { headroom, budget } => Box::new(GreedyBudgetPolicy::new(
                Context::new(env),
                *headroom,
                *budget,
            )),
            AgentSpec::Predictive { headroom, .. } => {
                Box::new(PredictivePolicy::new(Context::new(env), *headroom))
            }
            AgentSpec::Dp {
                horizon, headroom, ..
            } => Box::new(DpPolicy::new(Context::new(env), *horizon, *headroom, false)),
            AgentSpec::DpOracle { horizon, headroom } => {
                Box::new(DpPolicy::new(Context::new(env), *horizon, *headroom, true))
            }
            AgentSpec::QLearning(_) | AgentSpec::Dqn(_) | AgentSpec::Ppo(_) => {
                let run = self
                    .checkpoint
                    .as_ref()
                    .ok_or_else(|| LearnError::NoCheckpoint(self.name.clone()))?;
                let dir = crate::learn::checkpoint_dir(run)?;
                let saved = crate::learn::run::TrainState::load(&dir)?;
                if saved.kind != self.spec.kind() {
                    return Err(LearnError::BadCheckpoint {
                        path: dir,
                        reason: format!(
                            "holds a `{}` model, the agent is `{}`",
                            saved.kind,
                            self.spec.kind()
                        ),
                    }
                    .into());
                }
                self.learner_policy(&dir, env)?
            }
        })
    }

    /// The greedy policy of a learner's checkpoint directory `dir`.
    fn learner_policy(&self, dir: &Path, env: &ScalingEnv) -> anyhow::Result<Box<dyn Policy>> {
        match &self.spec {
            AgentSpec::QLearning(_) => {
                let p = crate::learn::q_learning::load_policy(dir)?;
                if p.table.n_actions != env.action_space().flat_dim() {
                    anyhow::bail!(
                        "{}: Q-table for {} actions, env has {}",
                        dir.display(),
                        p.table.n_actions,
                        env.action_space().flat_dim()
                    );
                }
                Ok(Box::new(p))
            }
            #[cfg(feature = "tch")]
            AgentSpec::Dqn(_) => match saved_spec(dir)? {
                AgentSpec::Dqn(cfg) => {
                    Ok(Box::new(crate::learn::dqn::load_policy(dir, &cfg, env)?))
                }
                _ => anyhow::bail!("{}: agent.yaml is not a dqn agent", dir.display()),
            },
            #[cfg(feature = "tch")]
            AgentSpec::Ppo(_) => match saved_spec(dir)? {
                AgentSpec::Ppo(cfg) => {
                    Ok(Box::new(crate::learn::ppo::load_policy(dir, &cfg, env)?))
                }
                _ => anyhow::bail!("{}: agent.yaml is not a ppo agent", dir.display()),
            },
            #[cfg(not(feature = "tch"))]
            AgentSpec::Dqn(_) => Err(LearnError::NoTch("dqn").into()),
            #[cfg(not(feature = "tch"))]
            AgentSpec::Ppo(_) => Err(LearnError::NoTch("ppo").into()),
            other => Err(LearnError::NotLearner(other.kind()).into()),
        }
    }
}

/// The resolved agent a checkpoint directory was trained with (its network shape).
#[cfg(feature = "tch")]
fn saved_spec(dir: &Path) -> anyhow::Result<AgentSpec> {
    let path = dir.join("agent.yaml");
    Ok(crate::scenario::parse(
        &std::fs::read_to_string(&path)?,
        &path,
    )?)
}
