//! The fluid model against the DES on the flash sale (docs/fluid.md has the full table from
//! `cargo bench --bench fluid`): the DES episode of each agent, its actions replayed on the fluid
//! model with the same seed, must agree on cost and completed requests within 1 %, on lost revenue
//! within 10 %, on at least 95 % of the per-interval SLO verdicts, and on latency below 95 %
//! utilisation within 5 % (mean) and 15 % (p99) on average.

use shopgym::agents::Agent;
use shopgym::evaluate::calibrate::calibrate;
use shopgym::scenario::Scenario;

#[test]
fn fluid_matches_the_des_on_the_flash_sale() {
    let scenario = Scenario::load("scenarios/flash_sale.yaml").expect("loads");
    for name in ["static", "threshold"] {
        let agent = Agent::load(format!("agents/{name}.yaml")).expect("loads");
        let c = calibrate(&scenario, &agent, 1).expect("runs");
        let msg = format!("{c:#?}");
        assert!(c.cost_error.abs() < 0.01, "{msg}");
        assert!(c.completed_error.abs() < 0.01, "{msg}");
        assert!(c.revenue_lost_error.abs() < 0.10, "{msg}");
        assert!(c.slo_agreement >= 0.95, "{msg}");
        assert!(c.latency_pairs >= 300, "{msg}");
        assert!(c.mean_latency_error < 0.05, "{msg}");
        assert!(c.p99_error < 0.15, "{msg}");
    }
}
