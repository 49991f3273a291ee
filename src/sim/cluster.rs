//! `ClusterSim`: the simulator an env drives, at the fidelity its config asks for. Both variants
//! have the same driving API (reset, scaling calls, one interval at a time, pool views, totals,
//! class summaries), so everything above `sim` is indifferent to the fidelity. The DES variant is
//! the unchanged `Simulator`: `fidelity: des` gives the same bytes as before this type existed.

use std::sync::Arc;

use super::config::SimConfig;
use super::engine::{PoolView, ScaleOutcome, Simulator, Totals};
use super::fidelity::Fidelity;
use super::fluid::FluidSimulator;
use super::metrics::{ClassSummary, IntervalStats};
use super::time::SimTime;
use super::traffic::Traffic;

/// A cluster simulation of either fidelity.
#[allow(clippy::large_enum_variant)]
pub enum ClusterSim {
    Des(Simulator),
    Fluid(FluidSimulator),
}

macro_rules! delegate {
    ($self:ident, $s:ident => $e:expr) => {
        match $self {
            ClusterSim::Des($s) => $e,
            ClusterSim::Fluid($s) => $e,
        }
    };
}

impl ClusterSim {
    /// A fresh episode of `cfg` with root seed `seed`, at `cfg.fidelity`.
    pub fn new(cfg: Arc<SimConfig>, seed: u64) -> ClusterSim {
        match cfg.fidelity {
            Fidelity::Des => ClusterSim::Des(Simulator::new(cfg, seed)),
            Fidelity::Fluid => ClusterSim::Fluid(FluidSimulator::new(cfg, seed)),
        }
    }

    pub fn fidelity(&self) -> Fidelity {
        match self {
            ClusterSim::Des(_) => Fidelity::Des,
            ClusterSim::Fluid(_) => Fidelity::Fluid,
        }
    }

    /// See `Simulator::reset`.
    pub fn reset(&mut self, seed: Option<u64>) {
        delegate!(self, s => s.reset(seed))
    }

    /// See `Simulator::reset_with`: the next instance of a scenario family (same classes, pools
    /// and fidelity).
    pub fn reset_with(&mut self, cfg: Arc<SimConfig>, seed: Option<u64>) {
        delegate!(self, s => s.reset_with(cfg, seed))
    }

    /// The DES's cap on requests in the system (`Simulator::set_max_in_system`). The fluid
    /// model holds no per-request state, so its memory does not grow with a backlog: no cap.
    pub fn set_max_in_system(&mut self, limit: u64) {
        if let ClusterSim::Des(s) = self {
            s.set_max_in_system(limit);
        }
    }

    /// See `Simulator::max_in_system` (the fluid model: unbounded).
    pub fn max_in_system(&self) -> u64 {
        match self {
            ClusterSim::Des(s) => s.max_in_system(),
            ClusterSim::Fluid(_) => u64::MAX,
        }
    }

    /// See `Simulator::overflowed` (never for the fluid model).
    pub fn overflowed(&self) -> Option<SimTime> {
        match self {
            ClusterSim::Des(s) => s.overflowed(),
            ClusterSim::Fluid(_) => None,
        }
    }

    pub fn config(&self) -> &Arc<SimConfig> {
        delegate!(self, s => s.config())
    }

    pub fn now(&self) -> SimTime {
        delegate!(self, s => s.now())
    }

    pub fn horizon(&self) -> SimTime {
        delegate!(self, s => s.horizon())
    }

    pub fn is_done(&self) -> bool {
        delegate!(self, s => s.is_done())
    }

    pub fn traffic(&self) -> &Traffic {
        delegate!(self, s => s.traffic())
    }

    /// DES events, or fluid steps and lifecycle events, processed in this episode.
    pub fn events_processed(&self) -> u64 {
        delegate!(self, s => s.events_processed())
    }

    pub fn pool_view(&self, p: usize) -> PoolView {
        delegate!(self, s => s.pool_view(p))
    }

    pub fn billed_instances(&self) -> u32 {
        delegate!(self, s => s.billed_instances())
    }

    pub fn step_interval(&mut self) -> IntervalStats {
        delegate!(self, s => s.step_interval())
    }

    pub fn run_until(&mut self, t: SimTime) -> IntervalStats {
        delegate!(self, s => s.run_until(t))
    }

    pub fn run_to_end(&mut self, on_interval: impl FnMut(&IntervalStats)) {
        delegate!(self, s => s.run_to_end(on_interval))
    }

    pub fn set_target(&mut self, p: usize, target: i64) -> ScaleOutcome {
        delegate!(self, s => s.set_target(p, target))
    }

    pub fn scale_by(&mut self, p: usize, delta: i64) -> ScaleOutcome {
        delegate!(self, s => s.scale_by(p, delta))
    }

    pub fn class_summary(&self, c: usize) -> ClassSummary {
        delegate!(self, s => s.class_summary(c))
    }

    pub fn totals(&self) -> Totals {
        delegate!(self, s => s.totals())
    }
}
