//! `EnvConfig`: the validated form of a scenario's `env:` section (`EnvSpec`). Checked once here
//! against the scenario it will run on; errors are `ConfigError::Invalid` naming the scenario
//! file, the field (`env.action.max_delta`, ...) and the value. Nothing downstream re-checks.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::forecast::direct::DirectRidgeModel;
use crate::io::ConfigError;
use crate::io::Ctx;
use crate::scenario::env_spec::{ActionModeSpec, EnvSpec, ObsForecastModel};
use crate::scenario::Scenario;

/// Most pools the `joint` action mode allows (3^8 = 6561 actions).
pub const MAX_JOINT_POOLS: usize = 8;
/// Most forecast steps ahead.
pub const MAX_FORECAST_HORIZON: usize = 1000;

/// A validated environment configuration for one scenario (its pool count is fixed).
#[derive(Debug, Clone, PartialEq)]
pub struct EnvConfig {
    spec: EnvSpec,
    n_pools: usize,
    /// Forecast steps in the observation (0 when the model is `none`).
    forecast_horizon: usize,
    /// Resolved `seasonal_naive` season [intervals].
    season_intervals: u32,
    /// The loaded model of `forecast.model: fitted`.
    fitted: Option<Arc<DirectRidgeModel>>,
}

impl EnvConfig {
    /// The scenario's own `env:` section, validated.
    pub fn from_scenario(scenario: &Scenario) -> Result<EnvConfig, ConfigError> {
        EnvConfig::new(&scenario.spec.env, scenario)
    }

    /// Validates `spec` (e.g. a per-run override of `scenario.spec.env`) for `scenario`.
    pub fn new(spec: &EnvSpec, scenario: &Scenario) -> Result<EnvConfig, ConfigError> {
        let ctx = Ctx {
            file: &scenario.path,
        };
        let n_pools = scenario.sim.pools.len();
        let a = &spec.action;
        if a.max_delta == 0 || a.max_delta > 10_000 {
            return Err(ctx.invalid("env.action.max_delta", a.max_delta, "must be in 1..=10000"));
        }
        if a.step_size == 0 {
            return Err(ctx.invalid("env.action.step_size", 0, "must be >= 1"));
        }
        if a.mode == ActionModeSpec::Joint && n_pools > MAX_JOINT_POOLS {
            return Err(ctx.invalid(
                "env.action.mode",
                "joint",
                format!("joint actions allow at most {MAX_JOINT_POOLS} pools; this scenario has {n_pools}: use delta or target"),
            ));
        }

        let f = &spec.forecast;
        if f.horizon > MAX_FORECAST_HORIZON {
            return Err(ctx.invalid(
                "env.forecast.horizon",
                f.horizon,
                format!("must be <= {MAX_FORECAST_HORIZON}"),
            ));
        }
        if !(f.rel_error.is_finite() && f.rel_error >= 0.0) {
            return Err(ctx.invalid(
                "env.forecast.rel_error",
                f.rel_error,
                "must be a finite number >= 0",
            ));
        }
        let interval_s = scenario.sim.interval.as_secs_f64();
        let season_intervals = match f.season_intervals {
            Some(0) => return Err(ctx.invalid("env.forecast.season_intervals", 0, "must be >= 1")),
            Some(s) => s,
            None => ((86_400.0 / interval_s).round() as u32).max(1),
        };
        if f.model == ObsForecastModel::Classical {
            let Some(raw) = &f.classical else {
                return Err(ctx.invalid(
                    "env.forecast.classical",
                    "(missing)",
                    "model classical needs a classical: { model: ... } spec",
                ));
            };
            classical_config(raw)
                .map_err(|e| ctx.invalid("env.forecast.classical", format!("{raw:?}"), e))?;
        }
        let fitted = if f.model == ObsForecastModel::Fitted {
            Some(Arc::new(load_fitted(
                &ctx,
                scenario,
                f.path.as_deref(),
                f.horizon,
            )?))
        } else {
            None
        };
        let forecast_horizon = if f.model == ObsForecastModel::None {
            0
        } else {
            f.horizon
        };

        let r = &spec.reward;
        for (name, v) in [
            ("cost_weight", r.cost_weight),
            ("revenue_weight", r.revenue_weight),
            ("slo_penalty", r.slo_penalty),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(ctx.invalid(
                    format!("env.reward.{name}"),
                    v,
                    "must be a finite number >= 0",
                ));
            }
        }
        if !(r.scale.is_finite() && r.scale > 0.0) {
            return Err(ctx.invalid("env.reward.scale", r.scale, "must be a finite number > 0"));
        }

        let t = &spec.termination;
        if let Some(e) = t.max_error_rate {
            if !(0.0..=1.0).contains(&e) {
                return Err(ctx.invalid("env.termination.max_error_rate", e, "must be in [0, 1]"));
            }
        }
        if t.patience_intervals == 0 {
            return Err(ctx.invalid("env.termination.patience_intervals", 0, "must be >= 1"));
        }
        if spec.calendar.promotions > MAX_CALENDAR_SLOTS {
            return Err(ctx.invalid(
                "env.calendar.promotions",
                spec.calendar.promotions,
                format!("must be in 0..={MAX_CALENDAR_SLOTS}"),
            ));
        }
        Ok(EnvConfig {
            spec: spec.clone(),
            n_pools,
            forecast_horizon,
            season_intervals,
            fitted,
        })
    }

    /// The model of `forecast.model: fitted` (loaded and checked).
    pub fn fitted_model(&self) -> Option<&Arc<DirectRidgeModel>> {
        self.fitted.as_ref()
    }

    /// The spec this was validated from (for run directories: the resolved config).
    pub fn spec(&self) -> &EnvSpec {
        &self.spec
    }

    /// Pools of the scenario it was validated for.
    pub fn n_pools(&self) -> usize {
        self.n_pools
    }

    /// Forecast steps in the observation (0 when `forecast.model` is `none`).
    pub fn forecast_horizon(&self) -> usize {
        self.forecast_horizon
    }

    /// Announced-promotion slots in the observation (`env.calendar.promotions`).
    pub fn calendar_slots(&self) -> usize {
        self.spec.calendar.promotions
    }

    /// `seasonal_naive` season [intervals].
    pub fn season_intervals(&self) -> u32 {
        self.season_intervals
    }

    /// A copy with the action mode replaced (always valid except `joint` on too many pools,
    /// which returns `None`).
    pub fn with_action_mode(&self, mode: ActionModeSpec) -> Option<EnvConfig> {
        if mode == ActionModeSpec::Joint && self.n_pools > MAX_JOINT_POOLS {
            return None;
        }
        let mut c = self.clone();
        c.spec.action.mode = mode;
        Some(c)
    }
}

/// Most calendar slots in the observation.
pub const MAX_CALENDAR_SLOTS: usize = 8;

/// Where `model: fitted` looks when no `path` is given: `forecasts/<name>.json` beside the
/// scenario file.
pub fn default_fitted_path(scenario: &Scenario) -> PathBuf {
    scenario
        .path
        .parent()
        .unwrap_or(Path::new("."))
        .join("forecasts")
        .join(format!("{}.json", scenario.name()))
}

/// Reads the model file of `model: fitted` (a relative `path` is taken from the scenario file's
/// folder) and checks it fits `scenario`: same classes, same decision interval, enough horizons.
fn load_fitted(
    ctx: &Ctx,
    scenario: &Scenario,
    path: Option<&Path>,
    horizon: usize,
) -> Result<DirectRidgeModel, ConfigError> {
    let dir = scenario.path.parent().unwrap_or(Path::new("."));
    let file = match path {
        Some(p) => dir.join(p),
        None => default_fitted_path(scenario),
    };
    let shown = file.display().to_string();
    let text = std::fs::read_to_string(&file).map_err(|e| {
        ctx.invalid(
            "env.forecast.path",
            &shown,
            format!(
                "cannot read the fitted forecast ({e}); make one with `shopgym forecast fit --scenario {} --seeds 0..40 --out {shown}`",
                scenario.path.display()
            ),
        )
    })?;
    let model = DirectRidgeModel::from_json(&text)
        .map_err(|e| ctx.invalid("env.forecast.path", &shown, e.to_string()))?;
    let classes: Vec<&str> = scenario
        .sim
        .classes
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    if model.classes != classes {
        return Err(ctx.invalid(
            "env.forecast.path",
            &shown,
            format!(
                "the model's classes {:?} are not the scenario's {classes:?}",
                model.classes
            ),
        ));
    }
    let interval = scenario.sim.interval.as_secs_f64();
    if (model.interval_s - interval).abs() > 1e-9 {
        return Err(ctx.invalid(
            "env.forecast.path",
            &shown,
            format!(
                "fitted for {} s decision intervals; the scenario has {interval} s",
                model.interval_s
            ),
        ));
    }
    if horizon > model.config.horizon {
        return Err(ctx.invalid(
            "env.forecast.horizon",
            horizon,
            format!(
                "the fitted model in {shown} forecasts at most {} intervals ahead",
                model.config.horizon
            ),
        ));
    }
    Ok(model)
}

/// Parses and builds the forecasting-module spec of `model: classical`.
pub(crate) fn classical_config(
    raw: &serde_yaml::Value,
) -> Result<crate::forecast::ForecastConfig, String> {
    let spec: crate::forecast::ForecasterSpec =
        serde_yaml::from_value(raw.clone()).map_err(|e| e.to_string())?;
    spec.build().map_err(|e| e.to_string())
}
