//! Agents: an agent file names a policy and its hyperparameters; `Agent` loads and validates it,
//! says how the env must be configured for it (action mode, forecast), builds a fresh policy for
//! each episode, trains learners and loads their checkpoints. Baselines live in `baselines/`;
//! learners (`learn/`) act from a checkpoint directory written by `shopgym train`
//! (`Agent::with_checkpoint`).
//!
//! This is the one place that knows the agent kinds: the only `match` on `AgentSpec` outside
//! `spec.rs` (validate, env config, policy, train, checkpoint) is here, and `learn/` is called
//! with an env factory and run metadata, never with an `Agent`. Adding a kind: see
//! ARCHITECTURE.md, "Adding an agent".

pub mod spec;

use std::path::{Path, PathBuf};

pub use spec::AgentSpec;

use crate::baselines::hpa::HpaConfig;
use crate::baselines::{
    ClusterModel, DpPolicy, GreedyBudgetPolicy, PredictivePolicy, ThresholdPolicy,
};
use crate::env::{Env, EnvConfig, EnvError, ScalingEnv};
use crate::io::{ConfigError, Ctx};
use crate::learn::{self, LearnError, RunMeta, TrainOptions, TrainSummary};
use crate::policy::{Policy, RandomPolicy, StaticPolicy};
use crate::scenario::env_spec::{
    ActionModeSpec, CalendarObsSpec, EnvSpec, ObsForecastModel, ObsForecastSpec,
};
use crate::scenario::Scenario;
use crate::sim::rng::child_seed;

/// Why an agent could not run, train or load. Each ends that call; the agent stays usable.
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    /// The agent file, or the agent's needs on this scenario, are not valid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The env could not be built for the agent's config.
    #[error(transparent)]
    Env(#[from] EnvError),
    /// Training, or loading a learner's checkpoint, failed.
    #[error(transparent)]
    Learn(#[from] LearnError),
}

/// Names the field of a parse error that serde reports at the top level. `AgentSpec` is tagged
/// by `agent:`, so serde buffers the file and a wrong type inside a variant ("invalid type:
/// string, expected usize") loses its path. Each top-level key is tried alone beside the tag: the
/// one that reproduces the same message is the field. Otherwise the error is returned as it was.
fn locate_field(err: ConfigError, text: &str, path: &Path) -> ConfigError {
    let ConfigError::Parse { field, message, .. } = &err else {
        return err;
    };
    if field != "(top level)" {
        return err;
    }
    let Ok(serde_yaml::Value::Mapping(map)) = serde_yaml::from_str::<serde_yaml::Value>(text)
    else {
        return err;
    };
    let tag = serde_yaml::Value::from("agent");
    for (key, value) in &map {
        let Some(name) = key.as_str().filter(|k| *k != "agent") else {
            continue;
        };
        let mut alone = serde_yaml::Mapping::new();
        if let Some(kind) = map.get(&tag) {
            alone.insert(tag.clone(), kind.clone());
        }
        alone.insert(key.clone(), value.clone());
        let probe = serde_yaml::from_value::<AgentSpec>(serde_yaml::Value::Mapping(alone));
        if probe.is_err_and(|e| e.to_string().starts_with(message.as_str())) {
            return ConfigError::Parse {
                file: path.to_path_buf(),
                field: name.to_string(),
                message: message.clone(),
            };
        }
    }
    err
}

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

impl Agent {
    /// Reads and validates an agent file.
    pub fn load(path: impl AsRef<Path>) -> Result<Agent, ConfigError> {
        let path = path.as_ref();
        let text = crate::io::read_text(path)?;
        let spec: AgentSpec =
            crate::io::parse_yaml(&text, path).map_err(|e| locate_field(e, &text, path))?;
        let name = path.file_stem().map_or_else(
            || spec.kind().to_string(),
            |s| s.to_string_lossy().into_owned(),
        );
        Agent::new(name, spec, path)
    }

    /// Validates a spec built in code; `path` names it in errors.
    pub fn new(name: String, spec: AgentSpec, path: &Path) -> Result<Agent, ConfigError> {
        validate(&spec, &Ctx { file: path })?;
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
    pub fn env_config(&self, scenario: &Scenario) -> Result<EnvConfig, ConfigError> {
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
                env.forecast = self.resolved(forecast);
                // Enough steps to cover the longest cold start (beyond the forecast's horizon,
                // `lookahead` steps hold its last one).
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
                env.forecast = self.resolved(forecast);
                env.forecast.horizon = *horizon;
            }
            AgentSpec::DpOracle { horizon, .. } => {
                env.action.mode = ActionModeSpec::Target;
                env.forecast.model = ObsForecastModel::Oracle;
                env.forecast.horizon = *horizon;
            }
            AgentSpec::QLearning(c) => {
                env.action.mode = ActionModeSpec::Joint;
                env.action.step_size = c.step_size;
                self.observe_with(&mut env, &c.forecast, &c.calendar);
            }
            AgentSpec::Dqn(c) => {
                env.action.mode = ActionModeSpec::Joint;
                env.action.step_size = c.step_size;
                self.observe_with(&mut env, &c.forecast, &c.calendar);
            }
            AgentSpec::Ppo(c) => {
                env.action.mode = ActionModeSpec::Delta;
                env.action.max_delta = c.max_delta;
                env.action.step_size = c.step_size;
                self.observe_with(&mut env, &c.forecast, &c.calendar);
            }
        }
        EnvConfig::new(&env, scenario)
    }

    /// The same agent with every fitted forecast that names no file reading the model of
    /// `family` (`forecasts/<family>.json` beside it): what an agent trained or tuned on `family`
    /// brings to another scenario (an out-of-distribution set) instead of that scenario's own.
    pub fn with_fitted_forecast_of(&self, family: &Scenario) -> Agent {
        let mut a = self.clone();
        let path = crate::env::config::default_fitted_path(family);
        let pin = |f: &mut ObsForecastSpec| {
            if f.model == ObsForecastModel::Fitted && f.path.is_none() {
                f.path = Some(std::path::absolute(&path).unwrap_or(path.clone()));
            }
        };
        match &mut a.spec {
            AgentSpec::Predictive { forecast, .. } | AgentSpec::Dp { forecast, .. } => {
                pin(forecast)
            }
            AgentSpec::QLearning(c) => c.forecast.iter_mut().for_each(pin),
            AgentSpec::Dqn(c) => c.forecast.iter_mut().for_each(pin),
            AgentSpec::Ppo(c) => c.forecast.iter_mut().for_each(pin),
            _ => {}
        }
        a
    }

    /// `forecast` with a relative model `path` taken from this agent file's folder (made absolute,
    /// since the env reads relative paths from the scenario file's folder).
    fn resolved(&self, forecast: &ObsForecastSpec) -> ObsForecastSpec {
        let mut f = forecast.clone();
        if let Some(p) = &f.path {
            if p.is_relative() {
                let dir = self.path.parent().unwrap_or(Path::new("."));
                let p = dir.join(p);
                f.path = Some(std::path::absolute(&p).unwrap_or(p));
            }
        }
        f
    }

    /// A learner's observation overrides: its forecast and calendar features, where it sets them.
    fn observe_with(
        &self,
        env: &mut EnvSpec,
        forecast: &Option<ObsForecastSpec>,
        calendar: &Option<CalendarObsSpec>,
    ) {
        if let Some(f) = forecast {
            env.forecast = self.resolved(f);
        }
        if let Some(c) = calendar {
            env.calendar = *c;
        }
    }

    /// The env this agent runs in on `scenario`.
    pub fn make_env(&self, scenario: &Scenario) -> Result<ScalingEnv, AgentError> {
        let cfg = self.env_config(scenario)?;
        Ok(ScalingEnv::new(scenario, cfg)?)
    }

    /// What a training run of this agent on `scenario` records about itself.
    pub fn run_meta(&self, scenario: &Scenario) -> Result<RunMeta, AgentError> {
        Ok(RunMeta {
            scenario: scenario.name().to_string(),
            agent: self.name.clone(),
            agent_file: self.path.clone(),
            agent_yaml: serde_yaml::to_string(&self.spec).map_err(LearnError::from)?,
        })
    }

    /// Trains this learner on `scenario` (envs from its `env_config`); a baseline is refused.
    pub fn train(
        &self,
        scenario: &Scenario,
        options: &TrainOptions,
    ) -> Result<TrainSummary, AgentError> {
        let cfg = self.env_config(scenario)?;
        let make_env = || ScalingEnv::new(scenario, cfg.clone());
        let meta = self.run_meta(scenario)?;
        Ok(match &self.spec {
            AgentSpec::QLearning(c) => learn::q_learning::train(c, &make_env, &meta, options)?,
            #[cfg(feature = "tch")]
            AgentSpec::Dqn(c) => learn::dqn::train(c, &make_env, &meta, options)?,
            #[cfg(feature = "tch")]
            AgentSpec::Ppo(c) => learn::ppo::train(c, &make_env, &meta, options)?,
            other => return Err(not_trainable(other).into()),
        })
    }

    /// A fresh policy for `env` (built by `make_env` on `scenario`); `seed` seeds its randomness.
    pub fn policy(
        &self,
        scenario: &Scenario,
        env: &ScalingEnv,
        seed: u64,
    ) -> Result<Box<dyn Policy>, AgentError> {
        Ok(match &self.spec {
            AgentSpec::Static { instances, peak } => {
                let sim = env.sim().config();
                let mut targets = match peak {
                    Some(p) => {
                        crate::baselines::peak::peak_sizing(scenario, p.utilisation, p.draws)?
                    }
                    None => env.static_counts().to_vec(),
                };
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
                ClusterModel::new(env),
                HpaConfig {
                    target: *target_utilisation,
                    tolerance: *tolerance,
                    up_window_s: *up_window_s,
                    down_window_s: *down_window_s,
                },
            )),
            AgentSpec::GreedyBudget { headroom, budget } => Box::new(GreedyBudgetPolicy::new(
                ClusterModel::new(env),
                *headroom,
                *budget,
            )),
            AgentSpec::Predictive {
                headroom,
                lookahead,
                ..
            } => Box::new(PredictivePolicy::new(
                ClusterModel::new(env),
                *headroom,
                *lookahead,
            )),
            AgentSpec::Dp {
                horizon, headroom, ..
            } => Box::new(DpPolicy::new(
                ClusterModel::new(env),
                *horizon,
                *headroom,
                false,
            )),
            AgentSpec::DpOracle { horizon, headroom } => Box::new(DpPolicy::new(
                ClusterModel::new(env),
                *horizon,
                *headroom,
                true,
            )),
            AgentSpec::QLearning(_) | AgentSpec::Dqn(_) | AgentSpec::Ppo(_) => {
                let run = self
                    .checkpoint
                    .as_ref()
                    .ok_or_else(|| LearnError::NoCheckpoint(self.name.clone()))?;
                let dir = learn::checkpoint_dir(run)?;
                let saved = learn::run::TrainState::load(&dir)?;
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
    fn learner_policy(&self, dir: &Path, env: &ScalingEnv) -> Result<Box<dyn Policy>, AgentError> {
        Ok(match &self.spec {
            AgentSpec::QLearning(_) => {
                let p = learn::q_learning::load_policy(dir)?;
                if p.table.n_actions != env.action_space().flat_dim() {
                    return Err(LearnError::Mismatch {
                        path: dir.to_path_buf(),
                        message: format!(
                            "Q-table for {} actions, env has {}",
                            p.table.n_actions,
                            env.action_space().flat_dim()
                        ),
                    }
                    .into());
                }
                Box::new(p)
            }
            #[cfg(feature = "tch")]
            AgentSpec::Dqn(_) => match saved_spec(dir)? {
                AgentSpec::Dqn(cfg) => Box::new(learn::dqn::load_policy(dir, &cfg, env)?),
                _ => return Err(not_saved_kind(dir, "dqn")),
            },
            #[cfg(feature = "tch")]
            AgentSpec::Ppo(_) => match saved_spec(dir)? {
                AgentSpec::Ppo(cfg) => Box::new(learn::ppo::load_policy(dir, &cfg, env)?),
                _ => return Err(not_saved_kind(dir, "ppo")),
            },
            other => return Err(not_trainable(other).into()),
        })
    }
}

/// Checks a spec once: every value in its documented range (errors name field and value).
fn validate(spec: &AgentSpec, ctx: &Ctx) -> Result<(), ConfigError> {
    match spec {
        AgentSpec::Threshold {
            target_utilisation,
            tolerance,
            up_window_s,
            down_window_s,
        } => {
            ctx.check_range("target_utilisation", *target_utilisation, 1e-6, 1.0)?;
            ctx.check_range("tolerance", *tolerance, 0.0, 1.0)?;
            ctx.check_range("up_window_s", *up_window_s, 0.0, 1e9)?;
            ctx.check_range("down_window_s", *down_window_s, 0.0, 1e9)?;
        }
        AgentSpec::GreedyBudget { headroom, budget } => {
            ctx.check_range("headroom", *headroom, 0.0, 100.0)?;
            if *budget == Some(0) {
                return Err(ctx.invalid("budget", 0, "must be >= 1"));
            }
        }
        AgentSpec::Predictive {
            headroom,
            forecast,
            lookahead,
        } => {
            ctx.check_range("headroom", *headroom, 0.0, 100.0)?;
            if *lookahead > 1000 {
                return Err(ctx.invalid("lookahead", lookahead, "must be at most 1000 intervals"));
            }
            if forecast.model == ObsForecastModel::None {
                return Err(ctx.invalid("forecast.model", "none", "predictive needs a forecast"));
            }
        }
        AgentSpec::Dp {
            horizon,
            forecast,
            headroom,
        } => {
            ctx.check_range("headroom", *headroom, 0.0, 100.0)?;
            check_horizon(ctx, *horizon)?;
            if forecast.model == ObsForecastModel::None {
                return Err(ctx.invalid("forecast.model", "none", "dp needs a forecast"));
            }
        }
        AgentSpec::DpOracle { horizon, headroom } => {
            ctx.check_range("headroom", *headroom, 0.0, 100.0)?;
            check_horizon(ctx, *horizon)?;
        }
        AgentSpec::QLearning(c) => c.validate(ctx)?,
        AgentSpec::Dqn(c) => c.validate(ctx)?,
        AgentSpec::Ppo(c) => c.validate(ctx)?,
        AgentSpec::Static { peak: Some(p), .. } => {
            ctx.check_range("peak.utilisation", p.utilisation, 1e-3, 1.0)?;
            if p.draws == 0 || p.draws > 10_000 {
                return Err(ctx.invalid("peak.draws", p.draws, "must be in 1..=10000"));
            }
        }
        AgentSpec::Static { .. } | AgentSpec::Random {} => {}
    }
    Ok(())
}

/// A DP planning horizon: 1..=1000 intervals.
fn check_horizon(ctx: &Ctx, horizon: usize) -> Result<(), ConfigError> {
    if horizon == 0 || horizon > 1000 {
        return Err(ctx.invalid("horizon", horizon, "must be in 1..=1000"));
    }
    Ok(())
}

/// What `train` and checkpoint loading answer for a kind they have no arm for: a baseline, or a
/// deep learner in a build without libtorch (the one place that fallback is written).
fn not_trainable(spec: &AgentSpec) -> LearnError {
    if spec.is_learner() {
        LearnError::NoTch(spec.kind())
    } else {
        LearnError::NotLearner(spec.kind())
    }
}

/// A checkpoint whose `agent.yaml` is of another kind than the agent loading it.
#[cfg(feature = "tch")]
fn not_saved_kind(dir: &Path, kind: &str) -> AgentError {
    LearnError::BadCheckpoint {
        path: dir.to_path_buf(),
        reason: format!("agent.yaml is not a {kind} agent"),
    }
    .into()
}

/// The resolved agent a checkpoint directory was trained with (its network shape).
#[cfg(feature = "tch")]
fn saved_spec(dir: &Path) -> Result<AgentSpec, ConfigError> {
    crate::io::read_yaml(&dir.join("agent.yaml"))
}
