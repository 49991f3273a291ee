//! The forecaster spec: parsed from YAML (the scenario's `env.forecast` section, `agents/`,
//! `experiments/`), then validated once into a [`ForecastConfig`] holding the built model.
//!
//! ```yaml
//! model: holt_winters_add   # naive | seasonal_naive | moving_average | drift | ses | holt |
//!                           # holt_winters_add | holt_winters_mul | arima | auto_arima | ridge |
//!                           # lstm | transformer (these two need `--features tch`)
//! season: 1440              # model fields (see `ModelSpec`), unknown fields are errors
//! transform: log            # optional: none (default) | log | boxcox
//! boxcox_lambda: 0.3        # optional, with transform: boxcox (estimated when absent)
//! refit_every: 60           # optional: refit after this many updates (default: never)
//! window: 10080             # optional: fit on at most this many recent steps (default: all)
//! ```
//!
//! Model fields and defaults:
//! * `seasonal_naive`: `season` (required). `moving_average`: `window` (required).
//! * `ses`: `alpha`. `holt`: `damped` (false), `alpha`, `beta`, `phi`.
//! * `holt_winters_add` / `holt_winters_mul`: `season` (required), `damped` (false), `alpha`,
//!   `beta`, `gamma`, `phi`. Smoothing parameters left out are estimated.
//! * `arima`: `order: [p, d, q]` (required), `seasonal_order: [P, D, Q, s]` (none),
//!   `method: css | ml | css_ml` (css_ml), `include_mean` (true iff d = D = 0).
//! * `auto_arima`: `season` (1), `max_p` (2), `max_q` (2), `max_seasonal_p` (1),
//!   `max_seasonal_q` (1), `max_d` (2).
//! * `ridge`: `lags` ([1, 2, 3] plus `season` and 7 x `season` if given), `season`,
//!   `calendar` (true), `lambda` (1.0).
//! * `lstm` / `transformer`: see [`NeuralSpec`](super::neural::NeuralSpec) (`lookback`, `horizon`,
//!   `hidden` / `d_model`, `heads`, `layers`, `epochs`, `lr`, `batch`, `seed`, ...). The input
//!   window is `lookback`; `window` keeps its common meaning (fit on the most recent steps).

use super::arima::auto::AutoArima;
use super::arima::{Arima, Method, Order, SeasonalOrder};
use super::ets::{ExponentialSmoothing, SeasonKind};
use super::naive::{Naive, NaiveKind};
use super::neural::{self, Arch, NeuralSpec};
use super::online::{OnlineForecaster, RefitPolicy};
use super::ridge::Ridge;
use super::transform::{Transform, Transformed};
use super::{Calendar, Exog, ForecastError, Forecaster};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::sync::Arc;

/// ARIMA estimation method in a spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum MethodSpec {
    /// Conditional sum of squares.
    Css,
    /// Exact maximum likelihood.
    Ml,
    /// CSS then ML (default).
    #[default]
    CssMl,
}

/// The model part of a spec, tagged by `model:`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "model", rename_all = "snake_case", deny_unknown_fields)]
pub enum ModelSpec {
    /// Last value.
    Naive {},
    /// Value one season ago.
    SeasonalNaive {
        /// Season length in steps.
        season: usize,
    },
    /// Mean of the last `window` values.
    MovingAverage {
        /// Window in steps.
        window: usize,
    },
    /// Random walk with drift.
    Drift {},
    /// Simple exponential smoothing.
    Ses {
        /// Fixed level smoothing (estimated when absent).
        #[serde(default)]
        alpha: Option<f64>,
    },
    /// Holt's linear trend.
    Holt {
        /// Damped trend.
        #[serde(default)]
        damped: bool,
        /// Fixed level smoothing.
        #[serde(default)]
        alpha: Option<f64>,
        /// Fixed trend smoothing.
        #[serde(default)]
        beta: Option<f64>,
        /// Fixed damping.
        #[serde(default)]
        phi: Option<f64>,
    },
    /// Holt-Winters, additive season.
    HoltWintersAdd(HwSpec),
    /// Holt-Winters, multiplicative season.
    HoltWintersMul(HwSpec),
    /// SARIMA with a given order.
    Arima {
        /// `[p, d, q]`.
        order: [usize; 3],
        /// `[P, D, Q, s]`.
        #[serde(default)]
        seasonal_order: Option<[usize; 4]>,
        /// Estimation method.
        #[serde(default)]
        method: MethodSpec,
        /// Estimate a mean (default: iff no differencing).
        #[serde(default)]
        include_mean: Option<bool>,
    },
    /// Automatic SARIMA order search.
    AutoArima {
        /// Season length (1 = non-seasonal).
        #[serde(default = "one")]
        season: usize,
        /// Largest p.
        #[serde(default = "two")]
        max_p: usize,
        /// Largest q.
        #[serde(default = "two")]
        max_q: usize,
        /// Largest seasonal P.
        #[serde(default = "one")]
        max_seasonal_p: usize,
        /// Largest seasonal Q.
        #[serde(default = "one")]
        max_seasonal_q: usize,
        /// Largest d.
        #[serde(default = "two")]
        max_d: usize,
    },
    /// Ridge regression on lags, calendar and known regressors.
    Ridge {
        /// Lags in steps.
        #[serde(default)]
        lags: Option<Vec<usize>>,
        /// Season, used for the default lags.
        #[serde(default)]
        season: Option<usize>,
        /// Hour/weekday features.
        #[serde(default = "yes")]
        calendar: bool,
        /// Ridge penalty on standardised coefficients.
        #[serde(default = "one_f")]
        lambda: f64,
    },
    /// LSTM forecaster (needs `--features tch`).
    Lstm(NeuralSpec),
    /// Transformer-encoder forecaster (needs `--features tch`).
    Transformer(NeuralSpec),
}

/// Holt-Winters fields.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HwSpec {
    /// Season length in steps.
    pub season: usize,
    /// Damped trend.
    #[serde(default)]
    pub damped: bool,
    /// Fixed level smoothing.
    #[serde(default)]
    pub alpha: Option<f64>,
    /// Fixed trend smoothing.
    #[serde(default)]
    pub beta: Option<f64>,
    /// Fixed seasonal smoothing.
    #[serde(default)]
    pub gamma: Option<f64>,
    /// Fixed damping.
    #[serde(default)]
    pub phi: Option<f64>,
}

fn one() -> usize {
    1
}
fn two() -> usize {
    2
}
fn yes() -> bool {
    true
}
fn one_f() -> f64 {
    1.0
}

/// Transform in a spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TransformSpec {
    /// No transform (default).
    #[default]
    None,
    /// Natural log.
    Log,
    /// Box-Cox.
    Boxcox,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct CommonSpec {
    #[serde(default)]
    transform: TransformSpec,
    #[serde(default)]
    boxcox_lambda: Option<f64>,
    #[serde(default)]
    refit_every: Option<usize>,
    #[serde(default)]
    window: Option<usize>,
}

const COMMON_KEYS: [&str; 4] = ["transform", "boxcox_lambda", "refit_every", "window"];

/// A parsed, not yet validated forecaster spec (see the module docs for the YAML shape).
#[derive(Debug, Clone, PartialEq)]
pub struct ForecasterSpec {
    /// The model and its fields.
    pub model: ModelSpec,
    /// Transform applied before fitting.
    pub transform: TransformSpec,
    /// Box-Cox lambda (estimated when `None`).
    pub boxcox_lambda: Option<f64>,
    /// Refit after this many updates.
    pub refit_every: Option<usize>,
    /// Fit on at most this many recent steps.
    pub window: Option<usize>,
}

impl<'de> Deserialize<'de> for ForecasterSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map: BTreeMap<String, serde_yaml::Value> = BTreeMap::deserialize(d)?;
        let mut common = serde_yaml::Mapping::new();
        let mut model = serde_yaml::Mapping::new();
        for (k, v) in map {
            let key = serde_yaml::Value::String(k.clone());
            if COMMON_KEYS.contains(&k.as_str()) {
                common.insert(key, v);
            } else {
                model.insert(key, v);
            }
        }
        let c: CommonSpec =
            serde_yaml::from_value(serde_yaml::Value::Mapping(common)).map_err(D::Error::custom)?;
        let m: ModelSpec =
            serde_yaml::from_value(serde_yaml::Value::Mapping(model)).map_err(D::Error::custom)?;
        Ok(ForecasterSpec {
            model: m,
            transform: c.transform,
            boxcox_lambda: c.boxcox_lambda,
            refit_every: c.refit_every,
            window: c.window,
        })
    }
}

impl ForecasterSpec {
    /// A spec with no transform and no refit policy.
    pub fn new(model: ModelSpec) -> Self {
        ForecasterSpec {
            model,
            transform: TransformSpec::None,
            boxcox_lambda: None,
            refit_every: None,
            window: None,
        }
    }

    /// Parses YAML; errors name the field path.
    pub fn from_yaml(text: &str) -> Result<Self, ForecastError> {
        let de = serde_yaml::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            if path == "." || path.is_empty() {
                ForecastError::Spec(inner.to_string())
            } else {
                ForecastError::Spec(format!("{path}: {inner}"))
            }
        })
    }

    /// Validates and builds the forecaster.
    pub fn build(&self) -> Result<ForecastConfig, ForecastError> {
        let model: Arc<dyn Forecaster> = match &self.model {
            ModelSpec::Naive {} => Arc::new(Naive::new(NaiveKind::Naive)?),
            ModelSpec::SeasonalNaive { season } => {
                Arc::new(Naive::new(NaiveKind::SeasonalNaive { season: *season })?)
            }
            ModelSpec::MovingAverage { window } => {
                Arc::new(Naive::new(NaiveKind::MovingAverage { window: *window })?)
            }
            ModelSpec::Drift {} => Arc::new(Naive::new(NaiveKind::Drift)?),
            ModelSpec::Ses { alpha } => {
                Arc::new(ExponentialSmoothing::ses().with_params(*alpha, None, None, None))
            }
            ModelSpec::Holt {
                damped,
                alpha,
                beta,
                phi,
            } => {
                Arc::new(ExponentialSmoothing::holt(*damped).with_params(*alpha, *beta, None, *phi))
            }
            ModelSpec::HoltWintersAdd(h) => Arc::new(hw(h, SeasonKind::Additive)?),
            ModelSpec::HoltWintersMul(h) => Arc::new(hw(h, SeasonKind::Multiplicative)?),
            ModelSpec::Arima {
                order,
                seasonal_order,
                method,
                include_mean,
            } => {
                let so = seasonal_order.unwrap_or([0, 0, 0, 0]);
                let mut a = Arima::new(
                    Order {
                        p: order[0],
                        d: order[1],
                        q: order[2],
                    },
                    SeasonalOrder {
                        p: so[0],
                        d: so[1],
                        q: so[2],
                        s: so[3],
                    },
                )
                .with_method(match method {
                    MethodSpec::Css => Method::Css,
                    MethodSpec::Ml => Method::Ml,
                    MethodSpec::CssMl => Method::CssMl,
                });
                a.include_mean = *include_mean;
                Arc::new(a)
            }
            ModelSpec::AutoArima {
                season,
                max_p,
                max_q,
                max_seasonal_p,
                max_seasonal_q,
                max_d,
            } => {
                if *season == 0 {
                    return Err(ForecastError::invalid("season", 0, "must be at least 1"));
                }
                if *max_p > 5 || *max_q > 5 || *max_seasonal_p > 2 || *max_seasonal_q > 2 {
                    return Err(ForecastError::invalid(
                        "max_p/max_q/max_seasonal_p/max_seasonal_q",
                        format!("{max_p}/{max_q}/{max_seasonal_p}/{max_seasonal_q}"),
                        "the search supports p, q <= 5 and P, Q <= 2",
                    ));
                }
                Arc::new(AutoArima {
                    season: *season,
                    max_p: *max_p,
                    max_q: *max_q,
                    max_sp: *max_seasonal_p,
                    max_sq: *max_seasonal_q,
                    max_d: (*max_d).min(2),
                })
            }
            ModelSpec::Ridge {
                lags,
                season,
                calendar,
                lambda,
            } => {
                let lags = match lags {
                    Some(l) if l.is_empty() => {
                        return Err(ForecastError::invalid(
                            "lags",
                            "[]",
                            "give at least one lag",
                        ))
                    }
                    Some(l) => l.clone(),
                    None => default_lags(*season),
                };
                Arc::new(Ridge::new(lags, *calendar, *lambda)?)
            }
            ModelSpec::Lstm(n) => neural::build(Arch::Lstm, n)?,
            ModelSpec::Transformer(n) => neural::build(Arch::Transformer, n)?,
        };
        if self.transform != TransformSpec::Boxcox && self.boxcox_lambda.is_some() {
            return Err(ForecastError::invalid(
                "boxcox_lambda",
                self.boxcox_lambda.unwrap_or_default(),
                "only applies with transform: boxcox",
            ));
        }
        if let Some(l) = self.boxcox_lambda {
            if !(l.is_finite() && (-2.0..=3.0).contains(&l)) {
                return Err(ForecastError::invalid(
                    "boxcox_lambda",
                    l,
                    "must lie in [-2, 3]",
                ));
            }
        }
        let model: Arc<dyn Forecaster> = match self.transform {
            TransformSpec::None => model,
            TransformSpec::Log => Arc::new(Transformed {
                inner: model,
                transform: Transform::Log,
            }),
            TransformSpec::Boxcox => Arc::new(Transformed {
                inner: model,
                transform: Transform::BoxCox(self.boxcox_lambda),
            }),
        };
        for (field, v) in [("refit_every", self.refit_every), ("window", self.window)] {
            if v == Some(0) {
                return Err(ForecastError::invalid(field, 0, "must be at least 1"));
            }
        }
        if let Some(w) = self.window {
            if w < model.min_len() {
                let hint = match self.model {
                    ModelSpec::Lstm(_) | ModelSpec::Transformer(_) => {
                        " (the network's input window is `lookback`)"
                    }
                    _ => "",
                };
                return Err(ForecastError::invalid(
                    "window",
                    w,
                    format!(
                        "{} needs at least {} observations{hint}",
                        model.name(),
                        model.min_len()
                    ),
                ));
            }
        }
        Ok(ForecastConfig {
            model,
            policy: RefitPolicy {
                refit_every: self.refit_every,
                window: self.window,
            },
        })
    }
}

/// Default ridge lags: 1, 2, 3, plus one season and one week of seasons back when a season is given.
pub fn default_lags(season: Option<usize>) -> Vec<usize> {
    let mut l = vec![1, 2, 3];
    if let Some(s) = season.filter(|s| *s > 3) {
        l.push(s);
    }
    l
}

fn hw(h: &HwSpec, kind: SeasonKind) -> Result<ExponentialSmoothing, ForecastError> {
    Ok(
        ExponentialSmoothing::holt_winters(kind, h.season, h.damped)?
            .with_params(h.alpha, h.beta, h.gamma, h.phi),
    )
}

impl TryFrom<ForecasterSpec> for ForecastConfig {
    type Error = ForecastError;
    fn try_from(spec: ForecasterSpec) -> Result<Self, Self::Error> {
        spec.build()
    }
}

/// A validated forecaster: the built model and its refit policy. Cheap to clone (the model is
/// shared), so the env can make one [`OnlineForecaster`] per request class from one config.
#[derive(Debug, Clone)]
pub struct ForecastConfig {
    /// The (possibly transformed) model.
    pub model: Arc<dyn Forecaster>,
    /// Refit policy for online use.
    pub policy: RefitPolicy,
}

impl ForecastConfig {
    /// A fresh online forecaster with no history.
    pub fn online(&self, calendar: Option<Calendar>, exog: Option<Exog>) -> OnlineForecaster {
        OnlineForecaster::new(self.model.clone(), self.policy, calendar, exog)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_builds() {
        let s = ForecasterSpec::from_yaml(
            "model: holt_winters_add\nseason: 24\ndamped: true\ntransform: log\nrefit_every: 12\n",
        )
        .unwrap();
        assert_eq!(s.transform, TransformSpec::Log);
        let c = s.build().unwrap();
        assert_eq!(c.model.name(), "holt_winters_add");
        assert_eq!(c.policy.refit_every, Some(12));
        let s = ForecasterSpec::from_yaml("model: naive\n").unwrap();
        assert_eq!(s.model, ModelSpec::Naive {});
        let s = ForecasterSpec::from_yaml(
            "model: arima\norder: [0, 1, 1]\nseasonal_order: [0, 1, 1, 12]\n",
        )
        .unwrap();
        assert!(s.build().is_ok());
    }

    #[test]
    fn errors_name_the_field() {
        let e = ForecasterSpec::from_yaml("model: holt_winters_add\nsesaon: 24\n").unwrap_err();
        assert!(e.to_string().contains("sesaon"), "{e}");
        let e = ForecasterSpec::from_yaml("model: prophet\n").unwrap_err();
        assert!(e.to_string().contains("prophet"), "{e}");
        let e = ForecasterSpec::from_yaml("model: naive\ntransform: sqrt\n").unwrap_err();
        assert!(e.to_string().contains("sqrt"), "{e}");
        let e = ForecasterSpec::from_yaml("model: holt_winters_add\nseason: 1\n")
            .unwrap()
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("season"), "{e}");
        let e = ForecasterSpec::from_yaml("model: naive\nfoo: 1\n").unwrap_err();
        assert!(e.to_string().contains("foo"), "{e}");
    }
}
