//! The fluid simulator against closed forms (M/M/c mean wait at constant load, overload queue
//! growth (λ − cμ)·t, Little's law with and without abandonment), its determinism, and the
//! instance lifecycle it shares with the DES.

use std::path::Path;
use std::sync::Arc;

use shopgym::scenario::Scenario;
use shopgym::sim::{ClusterSim, Fidelity, FluidSimulator, SimConfig, Simulator};

fn config(yaml: &str) -> Arc<SimConfig> {
    Scenario::from_yaml(yaml, Path::new("test.yaml"))
        .expect("test scenario is valid")
        .sim
}

/// One pool of `c` single-slot instances, Poisson `lambda` req/s, exponential service of
/// `mean_ms`, optional timeout, fluid fidelity.
fn mmc_yaml(lambda: f64, c: u32, mean_ms: f64, timeout: &str, horizon_s: f64) -> String {
    format!(
        "name: t\nhorizon_s: {horizon_s}\ndecision_interval_s: 60\nfidelity: fluid\n\
         classes: [{{ name: browse, service: {{ dist: exponential, mean_ms: {mean_ms} }}, \
         slo: {{ latency_ms: 300 }} {timeout} }}]\n\
         pools: [{{ name: browse, concurrency: 1, initial: {c}, min: {c}, max: {c} }}]\n\
         traffic: {{ mix: {{ browse: 1 }}, synthetic: {{ base_rate: {lambda} }} }}\n"
    )
}

/// Erlang C mean wait [s] of M/M/c.
fn mmc_wait(lambda: f64, mu: f64, c: u32) -> f64 {
    let a = lambda / mu;
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (f64::from(k) + a * b);
    }
    let rho = a / f64::from(c);
    let pw = b / (1.0 - rho * (1.0 - b));
    pw / (f64::from(c) * mu - lambda)
}

#[test]
fn mmc_mean_wait_at_constant_load_is_erlang_c() {
    // Exact Erlang C (c = 10), the exact path at c = 200, and Halfin–Whitt at c = 800.
    for (lambda, c) in [(90.0, 10), (1900.0, 200), (7800.0, 800)] {
        let mut sim = FluidSimulator::new(config(&mmc_yaml(lambda, c, 100.0, "", 3600.0)), 1);
        sim.run_to_end(|_| {});
        let s = sim.class_summary(0);
        let wait = s.wait_ms.mean.expect("completed") / 1e3;
        let expect = mmc_wait(lambda, 10.0, c);
        assert!(
            (wait / expect - 1.0).abs() < 0.05,
            "c {c}: fluid mean wait {wait} s vs Erlang C {expect} s"
        );
        let lat = s.latency_ms.mean.expect("completed") / 1e3;
        assert!((lat - (expect + 0.1)).abs() / (expect + 0.1) < 0.05);
        // Little's law below saturation: mean queue length = λ · mean wait.
        let mut sim = FluidSimulator::new(config(&mmc_yaml(lambda, c, 100.0, "", 600.0)), 1);
        let mut lq = 0.0;
        sim.run_to_end(|s| lq += s.pools[0].queue_len_mean / 10.0);
        assert!(
            (lq / (lambda * expect) - 1.0).abs() < 0.01,
            "c {c}: Lq {lq} vs λW {}",
            lambda * expect
        );
    }
}

#[test]
fn overload_queue_grows_at_lambda_minus_c_mu() {
    // Capacity 10 × 10/s = 100/s against 150/s, no timeout, unbounded queue.
    let mut sim = FluidSimulator::new(config(&mmc_yaml(150.0, 10, 100.0, "", 600.0)), 1);
    let mut t = 0.0;
    sim.run_to_end(|s| {
        t += 60.0;
        let q = f64::from(s.pools[0].queue_len);
        assert!(
            (q / (50.0 * t) - 1.0).abs() < 0.01,
            "queue {q} at {t} s, expected {}",
            50.0 * t
        );
        let done = s.classes[0].completed as f64;
        assert!((done / 6000.0 - 1.0).abs() < 0.01, "completed {done}");
        assert!((s.pools[0].utilisation - 1.0).abs() < 1e-9);
    });
    // The mean queue over the episode is the triangle's: (λ − cμ) T / 2.
    let totals = sim.totals();
    assert!((totals.in_system as f64 / (50.0 * 600.0) - 1.0).abs() < 0.01);
}

#[test]
fn littles_law_under_overload_with_abandonment() {
    // 150/s against 100/s with a 2 s timeout: every request waits ~2 s (served at the head just
    // before abandoning, or abandoning), so L = λ W = 300, 50/s time out and 100/s complete.
    let yaml = mmc_yaml(150.0, 10, 100.0, ", timeout_ms: 2000", 600.0);
    let mut sim = FluidSimulator::new(config(&yaml), 1);
    let mut n = 0;
    sim.run_to_end(|s| {
        n += 1;
        if n < 2 {
            return;
        }
        let c = &s.classes[0];
        let lq = s.pools[0].queue_len_mean;
        assert!((lq / 300.0 - 1.0).abs() < 0.01, "Lq {lq}");
        assert!((c.timed_out as f64 / 3000.0 - 1.0).abs() < 0.01, "{c:?}");
        assert!((c.completed as f64 / 6000.0 - 1.0).abs() < 0.01, "{c:?}");
        let w = c.mean_wait_ms.expect("completed") / 1e3;
        assert!((w / 2.0 - 1.0).abs() < 0.05, "wait {w}");
        assert!(c.slo_violated);
    });
}

fn rows(sim: &mut ClusterSim) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut k = 0;
    while !sim.is_done() {
        // A scripted scaling sequence that exercises launches, cold starts and removals.
        for p in 0..sim.config().pools.len() {
            let t = [2, 6, 12, 4, 9, 3][k % 6];
            sim.set_target(p, t);
        }
        k += 1;
        out.push(sim.step_interval().csv_row());
    }
    out
}

fn flash_sale(fidelity: Fidelity, poisson: bool) -> Arc<SimConfig> {
    let mut s = Scenario::load("scenarios/flash_sale_faults.yaml").expect("loads");
    let cfg = Arc::make_mut(&mut s.sim);
    cfg.fidelity = fidelity;
    if poisson {
        cfg.fluid.arrivals = shopgym::sim::FluidArrivals::Poisson;
    }
    s.sim
}

#[test]
fn fluid_is_deterministic_and_poisson_mode_follows_the_seed() {
    for poisson in [false, true] {
        let cfg = flash_sale(Fidelity::Fluid, poisson);
        let a = rows(&mut ClusterSim::new(cfg.clone(), 7));
        let b = rows(&mut ClusterSim::new(cfg.clone(), 7));
        assert_eq!(a, b);
        let mut again = ClusterSim::new(cfg.clone(), 3);
        again.reset(Some(7));
        assert_eq!(
            rows(&mut again),
            a,
            "reset(Some(seed)) restarts the episode"
        );
        let c = rows(&mut ClusterSim::new(cfg.clone(), 8));
        assert_ne!(a, c, "another seed gives another episode (noise, arrivals)");
    }
}

#[test]
fn fluid_keeps_the_des_instance_lifecycle() {
    // Same seed, same scale-ups: cold starts, the crash burst and its restarts come from the same
    // streams in the same order, so both fidelities have the same instances at every interval
    // end. (Scale-downs may pick different instances: the DES drains busy ones first, which
    // depends on requests; see the next test.)
    let mut des = ClusterSim::new(flash_sale(Fidelity::Des, false), 5);
    let mut fluid = ClusterSim::new(flash_sale(Fidelity::Fluid, false), 5);
    assert!(matches!(des, ClusterSim::Des(_)));
    assert_eq!(fluid.fidelity(), Fidelity::Fluid);
    let mut k = 0;
    while !des.is_done() {
        for p in 0..4 {
            let t = 2 + (k as i64 + p as i64) / 3;
            assert_eq!(des.set_target(p, t), fluid.set_target(p, t));
        }
        k += 1;
        let (a, b) = (des.step_interval(), fluid.step_interval());
        for (pa, pb) in a.pools.iter().zip(&b.pools) {
            assert_eq!(
                (pa.running + pa.draining, pa.provisioning, pa.restarting),
                (pb.running, pb.provisioning, pb.restarting),
                "interval {k}"
            );
        }
        assert!((a.cost - b.cost).abs() < 1e-3 * a.cost, "interval {k}");
    }
}

#[test]
fn fluid_bills_like_the_des_under_scale_downs() {
    let mut des = ClusterSim::new(flash_sale(Fidelity::Des, false), 5);
    let mut fluid = ClusterSim::new(flash_sale(Fidelity::Fluid, false), 5);
    rows(&mut des);
    rows(&mut fluid);
    let (a, b) = (des.totals(), fluid.totals());
    assert!(
        (b.instance_seconds / a.instance_seconds - 1.0).abs() < 0.01,
        "{} vs {}",
        b.instance_seconds,
        a.instance_seconds
    );
    assert!((b.arrivals as f64 / a.arrivals as f64 - 1.0).abs() < 0.01);
}

#[test]
fn des_fidelity_is_the_unchanged_simulator() {
    let cfg = flash_sale(Fidelity::Des, false);
    let mut a = ClusterSim::new(cfg.clone(), 2);
    let mut b = Simulator::new(cfg, 2);
    while !b.is_done() {
        assert_eq!(a.step_interval(), b.step_interval());
    }
    assert_eq!(a.totals(), b.totals());
}
