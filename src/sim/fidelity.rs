//! Which simulator runs an episode: the discrete-event core (`des`, the ground truth) or the
//! time-stepped mean-field model (`fluid`, `sim::fluid`), and the fluid model's options. Both
//! take the same `SimConfig`; the choice is a field of it so that every consumer of a scenario
//! (env, evaluation, training, experiments, stress tests) runs the fidelity the scenario asks for.

use super::time::SimTime;

/// The simulator behind an episode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Fidelity {
    /// Request-level discrete-event simulation (`Simulator`): exact, cost per request.
    #[default]
    Des,
    /// Time-stepped fluid model (`FluidSimulator`): cost independent of the request rate.
    Fluid,
}

impl Fidelity {
    pub fn name(self) -> &'static str {
        match self {
            Fidelity::Des => "des",
            Fidelity::Fluid => "fluid",
        }
    }
}

impl std::fmt::Display for Fidelity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Fidelity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "des" => Ok(Fidelity::Des),
            "fluid" => Ok(Fidelity::Fluid),
            other => Err(format!(
                "unknown fidelity {other:?} (expected des or fluid)"
            )),
        }
    }
}

/// How the fluid model feeds arrivals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FluidArrivals {
    /// The expected count of each step (rate × step): deterministic given the traffic.
    #[default]
    Mean,
    /// Poisson counts per step drawn from each class's `arrivals` stream.
    Poisson,
}

/// Options of the fluid model (ignored by the DES).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FluidOptions {
    /// Longest step while a queue is non-empty or a pool is overloaded. Below saturation the model
    /// steps once per rate segment (`traffic.rate_step`), where the fluid is exact.
    pub step: SimTime,
    pub arrivals: FluidArrivals,
}

impl Default for FluidOptions {
    fn default() -> Self {
        FluidOptions {
            step: SimTime::from_millis_f64(1000.0),
            arrivals: FluidArrivals::Mean,
        }
    }
}
