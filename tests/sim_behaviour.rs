//! Simulator behaviour: determinism and common random numbers, the scaling API (cold starts,
//! draining, clipping, budget), timeouts and failures.

use std::path::Path;
use std::sync::Arc;

use shopgym::scenario::Scenario;
use shopgym::sim::{SimConfig, Simulator};

fn config(yaml: &str) -> Arc<SimConfig> {
    Scenario::from_yaml(yaml, Path::new("test.yaml"))
        .expect("test scenario is valid")
        .sim
}

fn rows(sim: &mut Simulator) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    sim.run_to_end(|s| out.push(s.csv_row()));
    out
}

const TWO_POOLS: &str = "name: t\nhorizon_s: 1800\ndecision_interval_s: 60\n\
    classes:\n  - { name: browse, service: { dist: lognormal, mean_ms: 40, cv: 1.0 }, slo: { latency_ms: 300 }, timeout_ms: 2000, value_per_failure: 0.01 }\n  \
      - { name: order, service: { dist: gamma, mean_ms: 100, cv: 0.5 }, slo: { quantile: 0.99, latency_ms: 1000 }, timeout_ms: 5000, value_per_failure: 1 }\n\
    pools:\n  - { name: browse, concurrency: 4, initial: 3, min: 1, max: 20, cost_per_hour: 0.2, cold_start: { dist: deterministic, mean_s: 30 } }\n  \
      - { name: order, concurrency: 2, initial: 2, min: 1, max: 20, cost_per_hour: 0.3, cold_start: { dist: deterministic, mean_s: 30 }, queue_capacity: 50 }\n\
    traffic:\n  mix: { browse: 0.8, order: 0.2 }\n  synthetic:\n    base_rate: 200\n    \
      promotions: [ { start_s: 600, ramp_s: 60, peak: 3, hold_s: 300, decay_s: 120 } ]\n  noise: { sigma: 0.1, phi: 0.8, step_s: 60 }\n";

#[test]
fn same_seed_gives_identical_intervals_and_different_seeds_differ() {
    let cfg = config(TWO_POOLS);
    let a = rows(&mut Simulator::new(cfg.clone(), 11));
    let b = rows(&mut Simulator::new(cfg.clone(), 11));
    let c = rows(&mut Simulator::new(cfg.clone(), 12));
    assert_eq!(a, b);
    assert_ne!(a, c);
    // reset(Some(seed)) reproduces a fresh simulator; reset(None) continues into a new episode.
    let mut sim = Simulator::new(cfg.clone(), 99);
    let _ = rows(&mut sim);
    sim.reset(Some(11));
    assert_eq!(rows(&mut sim), a);
    sim.reset(None);
    let d = rows(&mut sim);
    assert_ne!(d, a);
}

#[test]
fn two_policies_on_one_seed_see_the_same_arrivals() {
    let cfg = config(TWO_POOLS);
    let mut lean = Simulator::new(cfg.clone(), 5);
    let mut big = Simulator::new(cfg.clone(), 5);
    big.set_target(0, 15);
    big.set_target(1, 15);
    let mut arrivals = (Vec::new(), Vec::new());
    let (mut lean_lost, mut big_lost) = (0.0, 0.0);
    while !lean.is_done() {
        let s1 = lean.step_interval();
        let s2 = big.step_interval();
        arrivals
            .0
            .push(s1.classes.iter().map(|c| c.arrivals).collect::<Vec<_>>());
        arrivals
            .1
            .push(s2.classes.iter().map(|c| c.arrivals).collect::<Vec<_>>());
        lean_lost += s1.revenue_lost;
        big_lost += s2.revenue_lost;
    }
    assert_eq!(
        arrivals.0, arrivals.1,
        "arrivals must not depend on the policy"
    );
    assert!(
        big_lost < lean_lost,
        "more capacity should lose less: {big_lost} vs {lean_lost}"
    );
    assert!(lean.totals().cost < big.totals().cost);
}

#[test]
fn cold_start_delays_new_capacity_and_scale_down_drains() {
    let cfg = config(TWO_POOLS);
    let mut sim = Simulator::new(cfg, 1);
    let out = sim.set_target(0, 8);
    assert_eq!((out.before, out.target, out.clipped), (3, 8, false));
    let v = sim.pool_view(0);
    assert_eq!((v.running, v.provisioning, v.active), (3, 5, 8));
    let _ = sim.run_until(shopgym::sim::SimTime::from_secs(29));
    assert_eq!(
        sim.pool_view(0).provisioning,
        5,
        "still booting before 30 s"
    );
    let _ = sim.run_until(shopgym::sim::SimTime::from_secs(31));
    assert_eq!(
        sim.pool_view(0).running,
        8,
        "ready after the 30 s cold start"
    );
    // Scale down under load: some instances may have to drain, none serve new work.
    let out = sim.set_target(0, 1);
    assert_eq!(out.target, 1);
    let v = sim.pool_view(0);
    assert_eq!(v.running, 1);
    assert_eq!(v.active, 1);
    let _ = sim.run_until(shopgym::sim::SimTime::from_secs(60));
    assert_eq!(
        sim.pool_view(0).draining,
        0,
        "draining instances leave once idle"
    );
}

#[test]
fn targets_are_clipped_to_bounds_and_budget() {
    let yaml = TWO_POOLS.replace("horizon_s: 1800", "horizon_s: 1800\nbudget: 12");
    let mut sim = Simulator::new(config(&yaml), 1);
    let out = sim.set_target(0, 100);
    assert!(out.clipped);
    assert_eq!(out.target, 10, "budget 12 minus the 2 order instances");
    let out = sim.set_target(1, 0);
    assert!(out.clipped);
    assert_eq!(out.target, 1, "min is 1");
    let out = sim.scale_by(1, 5);
    // At t = 0 the removed order instance was idle and left at once: 10 + 1 billed, room for 1.
    assert_eq!(out.target, 2);
    assert!(out.clipped);
    assert!(sim.billed_instances() <= 12);
}

#[test]
fn overload_times_out_and_rejects_and_costs_revenue() {
    let yaml = TWO_POOLS.replace("base_rate: 200", "base_rate: 2000");
    let mut sim = Simulator::new(config(&yaml), 2);
    sim.run_to_end(|_| {});
    let t = sim.totals();
    assert!(t.timed_out > 0 && t.rejected > 0, "{t:?}");
    let browse = sim.class_summary(0);
    let order = sim.class_summary(1);
    let expect = (browse.rejected + browse.timed_out + browse.failed) as f64 * 0.01
        + (order.rejected + order.timed_out + order.failed) as f64 * 1.0;
    assert!((t.revenue_lost - expect).abs() < 1e-6 * expect.max(1.0));
    assert!(browse.slo_violation_intervals > 0);
    // Conservation: every arrival is completed, failed, or still in the system.
    assert_eq!(
        t.arrivals,
        t.completed + t.rejected + t.timed_out + t.failed + t.in_system
    );
}

#[test]
fn instance_crashes_lose_in_flight_work_and_restart() {
    let yaml = TWO_POOLS.replace(
        "queue_capacity: 50 }",
        "queue_capacity: 50, failures: { mtbf_s: 120, restart: { dist: deterministic, mean_s: 20 } } }",
    );
    let mut sim = Simulator::new(config(&yaml), 4);
    let mut restarting_seen = false;
    while !sim.is_done() {
        let s = sim.step_interval();
        restarting_seen |= s.pools[1].restarting > 0;
    }
    let t = sim.totals();
    assert!(t.failed > 0, "{t:?}");
    assert!(restarting_seen);
    assert_eq!(
        t.arrivals,
        t.completed + t.rejected + t.timed_out + t.failed + t.in_system
    );
}

#[test]
fn cost_is_instance_seconds_times_price() {
    let cfg = config(TWO_POOLS);
    let mut sim = Simulator::new(cfg, 3);
    sim.run_to_end(|_| {});
    let t = sim.totals();
    // Static: 3 browse at $0.2/h and 2 order at $0.3/h for 1800 s.
    assert!((t.instance_seconds - 5.0 * 1800.0).abs() < 1e-6);
    assert!((t.cost - (3.0 * 0.2 + 2.0 * 0.3) * 0.5).abs() < 1e-9);
}

#[test]
fn injected_faults_slow_service_crash_instances_and_delay_boots() {
    let base = config(TWO_POOLS);
    let faulty = config(&TWO_POOLS.replace(
        "horizon_s: 1800",
        "horizon_s: 1800\nfaults:\n  - { kind: slowdown, pool: browse, start_s: 300, duration_s: 120, factor: 4 }\n  \
         - { kind: crash_burst, pool: order, at_s: 900, fraction: 0.5, restart: { dist: deterministic, mean_s: 90 } }\n  \
         - { kind: slow_cold_start, start_s: 0, duration_s: 60, factor: 3 }\n",
    ));
    assert_eq!(faulty.faults.len(), 3);
    let mut a = Simulator::new(base, 8);
    let mut b = Simulator::new(faulty, 8);
    a.set_target(0, 6);
    b.set_target(0, 6);
    let _ = a.run_until(shopgym::sim::SimTime::from_secs(31));
    let _ = b.run_until(shopgym::sim::SimTime::from_secs(31));
    assert_eq!(a.pool_view(0).running, 6, "30 s cold start");
    assert_eq!(b.pool_view(0).provisioning, 3, "cold start tripled to 90 s");
    let (mut lat_a, mut lat_b) = (Vec::new(), Vec::new());
    let mut restarting = 0;
    while !a.is_done() {
        let sa = a.step_interval();
        let sb = b.step_interval();
        lat_a.push(sa.classes[0].latency_ms.mean.unwrap_or(0.0));
        lat_b.push(sb.classes[0].latency_ms.mean.unwrap_or(0.0));
        assert_eq!(
            sa.classes[0].arrivals, sb.classes[0].arrivals,
            "faults do not change arrivals"
        );
        restarting += sb.pools[1].restarting;
    }
    // Intervals 5 and 6 (300-420 s) are slowed 4x.
    assert!(lat_b[5] > 2.0 * lat_a[5], "{} vs {}", lat_b[5], lat_a[5]);
    assert!(
        (lat_b[12] - lat_a[12]).abs() < 0.5 * lat_a[12],
        "no slowdown later"
    );
    assert!(b.totals().failed > 0 || restarting > 0);
    assert_eq!(a.totals().failed, 0);
    assert!(
        restarting > 0,
        "the crash burst puts order instances into restart"
    );
}
