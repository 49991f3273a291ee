//! `ScalingEnv`: one scenario's simulator as a Gymnasium-style environment.
//!
//! Lifecycle: `new` (or `from_scenario`) builds it; `reset(seed)` starts an episode (`Some(s)`
//! re-derives every random stream of the simulator and the forecaster from `s`, `None` continues
//! them; the first `reset(None)` of a fresh env is `reset(Some(0))`); each `step(action)` sets the
//! per-pool targets the action asks for (clipped, reported in `info.scaling`), simulates one
//! decision interval (`decision_interval_s` of the scenario), feeds the interval's arrivals to the
//! forecaster and returns the next observation, the reward and `info`. The episode is `truncated`
//! at the scenario's horizon and `terminated` by the optional failure condition (`env.termination`);
//! after either, `step` refuses until the next `reset`.
//!
//! Rendering: `set_render_mode(Some(mode))` makes the env record every reset and step; `render`
//! then draws the episode so far (`env::render`).
//!
//! On a scenario family, each `reset` first draws the episode's instance (`Scenario::draw`):
//! `reset(Some(s))` from the stream `scenario` of `s`, `reset(None)` from that stream continued.
//! The simulator then runs that instance with the same streams as ever, so the instance and the
//! requests depend only on the seed. The observation layout (its reference rates and bounds)
//! stays the nominal instance's, so it does not reveal the draw. `info.scenario_params` after a
//! reset lists the drawn values.

use super::action::ActionCodec;
use super::config::EnvConfig;
use super::error::EnvError;
use super::forecast::{self, ArrivalForecaster};
use super::info::{ArrivalForecast, RewardTerms, StepInfo};
use super::observation::{Moment, ObsLayout};
use super::render::{Frame, RenderMode, Renderer};
use super::space::Action;
use super::space::Space;
use super::{Env, Step};
use crate::io::ConfigError;
use crate::scenario::{Announcement, Scenario, DRAW_STREAM};
use crate::sim::rng::{stream, StreamRng};
use crate::sim::{ClusterSim, IntervalStats, PoolView};
use std::sync::Arc;

/// The autoscaling environment over one scenario.
pub struct ScalingEnv {
    name: String,
    sim: ClusterSim,
    config: EnvConfig,
    codec: ActionCodec,
    layout: ObsLayout,
    forecaster: Box<dyn ArrivalForecaster>,
    static_counts: Vec<u32>,
    /// No reset yet.
    fresh: bool,
    /// An episode is running (reset done, not ended).
    running: bool,
    steps: u64,
    /// Consecutive intervals above `termination.max_error_rate`.
    bad_streak: u32,
    /// Per class arrivals of the last interval (forecaster input).
    counts: Vec<f64>,
    /// Forecast steps in the observation and info.
    forecast_horizon: usize,
    /// `[h * n_classes + c]`.
    forecast: Vec<f64>,
    /// The family each reset draws an instance of (`None`: a fixed scenario).
    family: Option<Scenario>,
    /// The stream instances are drawn from.
    draw_rng: StreamRng,
    /// The running instance's announced promotions.
    calendar: Vec<Announcement>,
    /// The running instance's drawn values.
    params: Vec<(String, f64)>,
    /// Records frames when a render mode is set (`set_render_mode`).
    renderer: Option<Renderer>,
}

impl ScalingEnv {
    /// The env of `scenario` with the scenario's own `env:` section.
    pub fn from_scenario(scenario: &Scenario) -> Result<ScalingEnv, ConfigError> {
        let config = EnvConfig::from_scenario(scenario)?;
        Ok(
            ScalingEnv::new(scenario, config)
                .expect("a config validated for this scenario fits it"),
        )
    }

    /// The env of `scenario` with `config` (validated for a scenario with the same pools).
    pub fn new(scenario: &Scenario, config: EnvConfig) -> Result<ScalingEnv, EnvError> {
        let sim_cfg = &scenario.sim;
        if config.n_pools() != sim_cfg.pools.len() {
            return Err(EnvError::ConfigMismatch {
                config_pools: config.n_pools(),
                scenario_pools: sim_cfg.pools.len(),
            });
        }
        let nc = sim_cfg.classes.len();
        let h = config.forecast_horizon();
        Ok(ScalingEnv {
            name: scenario.name().to_string(),
            sim: ClusterSim::new(sim_cfg.clone(), 0),
            codec: ActionCodec::new(&config.spec().action, sim_cfg),
            layout: ObsLayout::new(sim_cfg, h, config.calendar_slots()),
            forecaster: forecast::build(&config, nc),
            static_counts: scenario.static_counts.clone(),
            config,
            fresh: true,
            running: false,
            steps: 0,
            bad_streak: 0,
            counts: vec![0.0; nc],
            forecast_horizon: h,
            forecast: vec![0.0; h * nc],
            family: scenario.is_family().then(|| scenario.clone()),
            draw_rng: stream(0, DRAW_STREAM),
            calendar: scenario.calendar.clone(),
            params: scenario.params.clone(),
            renderer: None,
        })
    }

    /// Replaces the forecaster (e.g. an adapter over a fitted statistical model). The observation
    /// then carries `forecast.horizon` forecast steps per class even if `forecast.model` is `none`.
    /// Call before the first `reset`.
    pub fn with_forecaster(mut self, forecaster: Box<dyn ArrivalForecaster>) -> ScalingEnv {
        let h = self.config.spec().forecast.horizon;
        self.layout = ObsLayout::new(self.sim.config(), h, self.config.calendar_slots());
        self.forecast_horizon = h;
        self.forecast = vec![0.0; h * self.counts.len()];
        self.forecaster = forecaster;
        self.fresh = true;
        self
    }

    /// Sets the simulator's cap on requests in the system (default
    /// `sim::engine::MAX_IN_SYSTEM`); past it `step` refuses with `EnvError::Overloaded`.
    pub fn set_max_in_system(&mut self, limit: u64) {
        self.sim.set_max_in_system(limit);
    }

    /// The simulator (read-only: pool views, traffic, totals), at the scenario's fidelity.
    pub fn sim(&self) -> &ClusterSim {
        &self.sim
    }

    pub fn config(&self) -> &EnvConfig {
        &self.config
    }

    /// How actions are read; policies use it to encode the targets they want.
    pub fn codec(&self) -> &ActionCodec {
        &self.codec
    }

    pub fn scenario_name(&self) -> &str {
        &self.name
    }

    /// Instances per pool under the scenario's static policy.
    pub fn static_counts(&self) -> &[u32] {
        &self.static_counts
    }

    /// The running episode's announced promotions.
    pub fn calendar(&self) -> &[Announcement] {
        &self.calendar
    }

    /// The running episode's drawn scenario values, by field (empty for a fixed scenario).
    pub fn scenario_params(&self) -> &[(String, f64)] {
        &self.params
    }

    /// Sets what `render` draws (`None`: nothing, the default); the history so far starts anew
    /// (the next reset fills it).
    pub fn set_render_mode(&mut self, mode: Option<RenderMode>) {
        self.renderer = mode.map(|m| Renderer::new(m, self.sim.config()));
    }

    /// The render mode `set_render_mode` set.
    pub fn render_mode(&self) -> Option<RenderMode> {
        self.renderer.as_ref().map(Renderer::mode)
    }

    /// The current frame of the episode (`env::render`); `None` without a render mode.
    pub fn render(&self) -> Option<Frame> {
        self.renderer.as_ref().map(Renderer::frame)
    }

    /// Name of the forecaster feeding the observation.
    pub fn forecaster_name(&self) -> &str {
        self.forecaster.name()
    }

    /// Starts an episode on `instance` with seed `seed`, as `reset(Some(seed))` would on a family
    /// that drew it: e.g. a file written by `shopgym scenario show`, run with the layout (the
    /// reference rates and bounds) of this env's scenario. It must have the same classes and
    /// pools.
    pub fn reset_on(
        &mut self,
        instance: &Scenario,
        seed: u64,
    ) -> Result<(Vec<f32>, StepInfo), EnvError> {
        let (have, want) = (self.sim.config(), &instance.sim);
        if have.pools.len() != want.pools.len() || have.classes.len() != want.classes.len() {
            return Err(EnvError::ConfigMismatch {
                config_pools: have.pools.len(),
                scenario_pools: want.pools.len(),
            });
        }
        self.fresh = false;
        self.draw_rng = stream(seed, DRAW_STREAM);
        self.calendar = instance.calendar.clone();
        self.params = instance.params.clone();
        self.sim.reset_with(Arc::clone(&instance.sim), Some(seed));
        Ok(self.begin(Some(seed)))
    }

    /// The part of a reset after the simulator's: forecaster, counters, first observation.
    fn begin(&mut self, seed: Option<u64>) -> (Vec<f32>, StepInfo) {
        self.forecaster
            .reset(self.sim.traffic(), self.sim.config().interval, seed);
        self.forecaster.announce(&self.calendar);
        self.running = true;
        self.steps = 0;
        self.bad_streak = 0;
        let (obs, mut info) = self.observe(None);
        info.scenario_params = self.params.clone();
        // A new history, for this episode's instance (a family's may last longer).
        if let Some(mode) = self.render_mode() {
            let mut r = Renderer::new(mode, self.sim.config());
            r.record(&info);
            self.renderer = Some(r);
        }
        (obs, info)
    }

    fn pool_views(&self) -> Vec<PoolView> {
        (0..self.sim.config().pools.len())
            .map(|p| self.sim.pool_view(p))
            .collect()
    }

    /// Observation and info of the current state.
    fn observe(&mut self, stats: Option<IntervalStats>) -> (Vec<f32>, StepInfo) {
        let h = self.forecast_horizon;
        if h > 0 {
            self.forecaster
                .predict(self.sim.now(), h, &mut self.forecast);
        }
        let pools = self.pool_views();
        let mut obs = Vec::with_capacity(self.layout.len());
        self.layout.fill(
            &mut obs,
            &pools,
            stats.as_ref(),
            &self.forecast,
            &Moment {
                traffic: self.sim.traffic(),
                now: self.sim.now(),
                calendar: &self.calendar,
            },
        );
        let billed = self.sim.billed_instances();
        let info = StepInfo {
            step: self.steps,
            time_s: self.sim.now().as_secs_f64(),
            action_mask: self.codec.mask(&pools, billed),
            pools,
            billed_instances: billed,
            forecast: ArrivalForecast {
                horizon: h,
                n_classes: self.counts.len(),
                values: self.forecast.clone(),
            },
            stats,
            ..StepInfo::default()
        };
        (obs, info)
    }

    fn reward_terms(&self, stats: &IntervalStats, violations: u32) -> RewardTerms {
        let r = &self.config.spec().reward;
        RewardTerms {
            cost: -r.scale * r.cost_weight * stats.cost,
            revenue_lost: -r.scale * r.revenue_weight * stats.revenue_lost,
            slo_penalty: -r.scale * r.slo_penalty * f64::from(violations),
        }
    }

    /// Updates the failure streak; true when the episode fails.
    fn failed(&mut self, stats: &IntervalStats) -> bool {
        let t = &self.config.spec().termination;
        let Some(limit) = t.max_error_rate else {
            return false;
        };
        let (mut errors, mut finished) = (0u64, 0u64);
        for c in &stats.classes {
            let e = c.rejected + c.timed_out + c.failed;
            errors += e;
            finished += c.completed + e;
        }
        let bad = finished > 0 && errors as f64 / finished as f64 > limit;
        self.bad_streak = if bad { self.bad_streak + 1 } else { 0 };
        self.bad_streak >= t.patience_intervals
    }
}

impl Env for ScalingEnv {
    fn reset(&mut self, seed: Option<u64>) -> (Vec<f32>, StepInfo) {
        let seed = if self.fresh { seed.or(Some(0)) } else { seed };
        self.fresh = false;
        match &self.family {
            None => self.sim.reset(seed),
            Some(family) => {
                if let Some(s) = seed {
                    self.draw_rng = stream(s, DRAW_STREAM);
                }
                // Every draw validates: the family was checked at its corners and on seeded
                // draws when loaded. Should one still fail, the episode runs the nominal
                // instance, and `scenario_params` says so (`draw_failed` = 1).
                let (sim, calendar, params) = match family.draw(&mut self.draw_rng) {
                    Ok(inst) => (inst.sim, inst.calendar, inst.params),
                    Err(_) => (
                        family.sim.clone(),
                        family.calendar.clone(),
                        vec![("draw_failed".to_string(), 1.0)],
                    ),
                };
                self.calendar = calendar;
                self.params = params;
                self.sim.reset_with(sim, seed);
            }
        }
        self.begin(seed)
    }

    fn step(&mut self, action: &Action) -> Result<Step, EnvError> {
        if !self.running {
            return Err(EnvError::NeedsReset);
        }
        if !self.codec.space().contains_action(action) {
            return Err(EnvError::InvalidAction {
                action: format!("{action:?}"),
                space: format!("{:?}", self.codec.space()),
            });
        }
        // act
        let pools = self.pool_views();
        let targets = self.codec.targets(action, &pools);
        let scaling: Vec<_> = targets
            .iter()
            .enumerate()
            .map(|(p, &t)| self.sim.set_target(p, t))
            .collect();
        // simulate one interval
        let stats = self.sim.step_interval();
        if let Some(t) = self.sim.overflowed() {
            self.running = false;
            return Err(EnvError::Overloaded {
                in_system: self.sim.max_in_system(),
                t_s: t.as_secs_f64(),
            });
        }
        self.steps += 1;
        for (n, c) in self.counts.iter_mut().zip(&stats.classes) {
            *n = c.arrivals as f64;
        }
        self.forecaster.observe(&self.counts);
        // reward and episode end
        let violations = stats.classes.iter().filter(|c| c.slo_violated).count() as u32;
        let terms = self.reward_terms(&stats, violations);
        let terminated = self.failed(&stats);
        let truncated = self.sim.is_done();
        self.running = !(terminated || truncated);
        // observe
        let (obs, mut info) = self.observe(Some(stats));
        info.clipped = scaling.iter().any(|s| s.clipped);
        info.scaling = scaling;
        info.reward_terms = terms;
        info.slo_violations = violations;
        if let Some(r) = &mut self.renderer {
            r.record(&info);
        }
        Ok(Step {
            obs,
            reward: terms.total(),
            terminated,
            truncated,
            info,
        })
    }

    fn observation_space(&self) -> &Space {
        self.layout.space()
    }

    fn action_space(&self) -> &Space {
        self.codec.space()
    }

    fn obs_names(&self) -> &[String] {
        self.layout.names()
    }
}
