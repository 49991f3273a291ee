//! The runaway guard's flag, shared by every command that simulates: `--max-requests N`, the most
//! requests one episode may simulate (estimated before running: `scenario::size`).

use clap::Args;

use crate::scenario::size::DEFAULT_MAX_REQUESTS;
use crate::scenario::Scenario;

#[derive(Debug, Clone, Args)]
pub struct GuardArgs {
    /// Refuse a scenario whose episode is estimated (from the rate integral) to simulate more
    /// requests than this.
    #[arg(long, default_value_t = DEFAULT_MAX_REQUESTS)]
    pub max_requests: f64,
}

impl GuardArgs {
    /// Refuses `scenario` when its episode is too large (the message gives the estimate and the
    /// flag to allow it). Only the discrete-event fidelity simulates request by request: a fluid
    /// episode costs the same at any rate, so it is not refused.
    pub fn check(&self, scenario: &Scenario) -> anyhow::Result<()> {
        if scenario.sim.fidelity == crate::sim::Fidelity::Des {
            scenario.check_size(self.max_requests)?;
        }
        Ok(())
    }
}
