//! Agent files (`agents/*.yaml`): which policy to run and its hyperparameters, tagged by
//! `agent:`. Unknown fields are errors; every default is documented. The agent's name is the file
//! stem, so two files of one kind (e.g. `predictive.yaml`, `predictive_oracle.yaml`) stay apart.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::learn::dqn::DqnConfig;
use crate::learn::ppo::PpoConfig;
use crate::learn::q_learning::QLearningConfig;
use crate::scenario::env_spec::ObsForecastSpec;

/// `static` with `peak`: size for the largest load over the draws of seeds `0..draws`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeakSizing {
    /// Target utilisation at that load, in (0, 1]. Default 0.6.
    #[serde(default = "default_target")]
    pub utilisation: f64,
    /// Training draws looked at (seeds 0..draws). Default 32.
    #[serde(default = "default_peak_draws")]
    pub draws: u32,
}

fn is_zero(v: &usize) -> bool {
    *v == 0
}

fn default_peak_draws() -> u32 {
    32
}

/// One agent.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "agent", rename_all = "snake_case", deny_unknown_fields)]
pub enum AgentSpec {
    /// Fixed instance counts: pool name -> instances (pools not named keep the scenario's static
    /// counts, i.e. its `policy` section or each pool's `initial`). Scaled by the scenario's `scale`.
    /// With `peak`, the counts are computed instead: every pool sized for the largest draw of
    /// the family (`baselines::peak`), then `instances` override named pools.
    Static {
        #[serde(default)]
        instances: BTreeMap<String, u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        peak: Option<PeakSizing>,
    },
    /// Uniform over the allowed actions of the scenario's action mode (seeded per episode).
    Random {},
    /// Kubernetes HPA on pool utilisation.
    Threshold {
        /// Target utilisation in (0, 1]. Default 0.6.
        #[serde(default = "default_target")]
        target_utilisation: f64,
        /// No action within this relative band. Default 0.1.
        #[serde(default = "default_tolerance")]
        tolerance: f64,
        /// Scale-up stabilisation window [s]. Default 0.
        #[serde(default)]
        up_window_s: f64,
        /// Scale-down stabilisation window [s]. Default 300.
        #[serde(default = "default_down_window")]
        down_window_s: f64,
    },
    /// Demand sizing with greedy allocation of a cluster budget.
    GreedyBudget {
        /// Extra load planned for. Default 0.1.
        #[serde(default = "default_headroom")]
        headroom: f64,
        /// Instances to spread; default the scenario's budget (none: no cap).
        #[serde(default)]
        budget: Option<u32>,
    },
    /// Forecast sizing over the cold-start lead time.
    Predictive {
        /// Default 0.1.
        #[serde(default = "default_headroom")]
        headroom: f64,
        /// Intervals beyond each pool's lead time it also sizes for (pre-scaling ahead of a
        /// forecast surge). Default 0.
        #[serde(default, skip_serializing_if = "is_zero")]
        lookahead: usize,
        /// The forecast it sizes for (the env's `forecast` section). Default: damped Holt,
        /// refitted every 10 intervals on the last 240, 3 intervals ahead.
        #[serde(default = "default_forecast")]
        forecast: ObsForecastSpec,
    },
    /// Receding-horizon dynamic programming on a forecast.
    Dp {
        /// Planning horizon [intervals]. Default 10.
        #[serde(default = "default_dp_horizon")]
        horizon: usize,
        /// Extra load planned for (margin for forecast and model error). Default 0.1.
        #[serde(default = "default_headroom")]
        headroom: f64,
        /// Default: damped Holt as for `predictive`, `horizon` intervals ahead.
        #[serde(default = "default_forecast")]
        forecast: ObsForecastSpec,
    },
    /// `dp` on the true future rates (oracle forecast): a reference upper bound.
    DpOracle {
        /// Default 10.
        #[serde(default = "default_dp_horizon")]
        horizon: usize,
        /// Default 0.1.
        #[serde(default = "default_headroom")]
        headroom: f64,
    },
    /// Tabular Q-learning (`shopgym train`; evaluate with `--checkpoint RUN_DIR`).
    QLearning(QLearningConfig),
    /// DQN (needs the `tch` feature; evaluate with `--checkpoint RUN_DIR`).
    Dqn(DqnConfig),
    /// PPO (needs the `tch` feature; evaluate with `--checkpoint RUN_DIR`).
    Ppo(PpoConfig),
}

fn default_target() -> f64 {
    0.6
}
fn default_tolerance() -> f64 {
    0.1
}
fn default_down_window() -> f64 {
    300.0
}
fn default_headroom() -> f64 {
    0.1
}
fn default_dp_horizon() -> usize {
    10
}

/// Damped Holt on the last 240 intervals, refitted every 10.
pub fn default_forecast() -> ObsForecastSpec {
    let classical =
        serde_yaml::from_str("{ model: holt, damped: true, refit_every: 10, window: 240 }")
            .expect("static forecast spec parses");
    let mut f: ObsForecastSpec =
        serde_yaml::from_str("{ model: classical, horizon: 3 }").expect("static spec parses");
    f.classical = Some(classical);
    f
}

impl AgentSpec {
    /// True for agents trained by `shopgym train` (they act from a checkpoint).
    pub fn is_learner(&self) -> bool {
        matches!(
            self,
            AgentSpec::QLearning(_) | AgentSpec::Dqn(_) | AgentSpec::Ppo(_)
        )
    }

    /// Learners: the env steps a training runs for unless told otherwise (`total_steps`).
    pub fn total_steps(&self) -> Option<u64> {
        match self {
            AgentSpec::QLearning(c) => Some(c.total_steps),
            AgentSpec::Dqn(c) => Some(c.total_steps),
            AgentSpec::Ppo(c) => Some(c.total_steps),
            _ => None,
        }
    }

    /// The kind, as written after `agent:`.
    pub fn kind(&self) -> &'static str {
        match self {
            AgentSpec::Static { .. } => "static",
            AgentSpec::Random {} => "random",
            AgentSpec::Threshold { .. } => "threshold",
            AgentSpec::GreedyBudget { .. } => "greedy_budget",
            AgentSpec::Predictive { .. } => "predictive",
            AgentSpec::Dp { .. } => "dp",
            AgentSpec::DpOracle { .. } => "dp_oracle",
            AgentSpec::QLearning(_) => "q_learning",
            AgentSpec::Dqn(_) => "dqn",
            AgentSpec::Ppo(_) => "ppo",
        }
    }
}
