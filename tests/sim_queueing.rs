//! The simulator against queueing theory: Erlang C (M/M/c), M/M/c/K and Erlang B blocking,
//! Little's law, and arrival counts against the integral of a time-varying rate.

use std::path::Path;
use std::sync::Arc;

use shopgym::scenario::Scenario;
use shopgym::sim::{SimConfig, SimTime, Simulator};

fn config(yaml: &str) -> Arc<SimConfig> {
    Scenario::from_yaml(yaml, Path::new("test.yaml"))
        .expect("test scenario is valid")
        .sim
}

/// One pool `browse` of `c` single-worker instances, Poisson `lambda` req/s, service `service`.
fn mmc_yaml(lambda: f64, c: u32, service: &str, queue: Option<u32>, horizon_s: f64) -> String {
    let q = queue
        .map(|q| format!("queue_capacity: {q}"))
        .unwrap_or_default();
    format!(
        "name: t\nhorizon_s: {horizon_s}\ndecision_interval_s: 600\n\
         classes: [{{ name: browse, service: {service}, slo: {{ latency_ms: 300 }} }}]\n\
         pools: [{{ name: browse, concurrency: 1, initial: {c}, min: {c}, max: {c}, {q} }}]\n\
         traffic: {{ mix: {{ browse: 1 }}, synthetic: {{ base_rate: {lambda} }} }}\n"
    )
}

/// Erlang C: (P(wait > 0), E[wait] in seconds) for arrival rate `lambda`, service rate `mu`, `c` servers.
fn erlang_c(lambda: f64, mu: f64, c: u32) -> (f64, f64) {
    let a = lambda / mu;
    let mut term = 1.0; // a^k / k!
    let mut sum = 0.0;
    for k in 0..c {
        sum += term;
        term *= a / f64::from(k + 1);
    }
    let tail = term * f64::from(c) / (f64::from(c) - a);
    let p_wait = tail / (sum + tail);
    (p_wait, p_wait / (f64::from(c) * mu - lambda))
}

/// Blocking probability of M/M/c/K (K = c + queue places).
fn mmck_blocking(lambda: f64, mu: f64, c: u32, k: u32) -> f64 {
    let a = lambda / mu;
    let mut p = vec![1.0f64];
    for n in 1..=k {
        let prev = p[(n - 1) as usize];
        let div = f64::from(n.min(c));
        p.push(prev * a / div);
    }
    let total: f64 = p.iter().sum();
    p[k as usize] / total
}

struct Pooled {
    arrivals: u64,
    completed: u64,
    rejected: u64,
    wait_ms_sum: f64,
    delayed: f64,
}

fn run_seeds(cfg: &Arc<SimConfig>, seeds: std::ops::Range<u64>) -> Pooled {
    let mut p = Pooled {
        arrivals: 0,
        completed: 0,
        rejected: 0,
        wait_ms_sum: 0.0,
        delayed: 0.0,
    };
    for seed in seeds {
        let mut sim = Simulator::new(cfg.clone(), seed);
        sim.run_to_end(|_| {});
        let s = sim.class_summary(0);
        p.arrivals += s.arrivals;
        p.completed += s.completed;
        p.rejected += s.rejected;
        p.wait_ms_sum += s.wait_ms.mean.unwrap_or(0.0) * s.completed as f64;
        p.delayed += s.wait_ms.p_wait.unwrap_or(0.0) * s.completed as f64;
    }
    p
}

#[test]
fn mmc_validation_matches_erlang_c() {
    // The shipped scenario: lambda 90/s, mean service 100 ms, c = 10 (utilisation 0.9).
    let cfg = Scenario::load("scenarios/mmc_validation.yaml")
        .expect("shipped scenario loads")
        .sim;
    let (p_wait, w) = erlang_c(90.0, 10.0, 10);
    assert!(
        (p_wait - 0.6687).abs() < 1e-3 && (w * 1e3 - 66.87).abs() < 0.01,
        "formula: {p_wait} {w}"
    );
    let r = run_seeds(&cfg, 0..16);
    let mean_wait_ms = r.wait_ms_sum / r.completed as f64;
    let sim_p_wait = r.delayed / r.completed as f64;
    let err_w = mean_wait_ms / (w * 1e3) - 1.0;
    let err_p = sim_p_wait / p_wait - 1.0;
    println!("M/M/10: E[W] sim {mean_wait_ms:.3} ms vs {:.3} ms ({:+.2} %); P(W>0) sim {sim_p_wait:.4} vs {p_wait:.4} ({:+.2} %)", w * 1e3, err_w * 100.0, err_p * 100.0);
    assert!(
        err_w.abs() < 0.03,
        "mean wait off by {:.2} %",
        err_w * 100.0
    );
    assert!(err_p.abs() < 0.03, "P(wait) off by {:.2} %", err_p * 100.0);
}

#[test]
fn mmc_at_lower_load_matches_erlang_c() {
    // c = 4, lambda 30/s, mean service 100 ms: utilisation 0.75.
    let cfg = config(&mmc_yaml(
        30.0,
        4,
        "{ dist: exponential, mean_ms: 100 }",
        None,
        20_000.0,
    ));
    let (p_wait, w) = erlang_c(30.0, 10.0, 4);
    let r = run_seeds(&cfg, 0..4);
    let mean_wait_ms = r.wait_ms_sum / r.completed as f64;
    let sim_p_wait = r.delayed / r.completed as f64;
    assert!(
        (mean_wait_ms / (w * 1e3) - 1.0).abs() < 0.03,
        "E[W] {mean_wait_ms} vs {}",
        w * 1e3
    );
    assert!(
        (sim_p_wait / p_wait - 1.0).abs() < 0.03,
        "P(W>0) {sim_p_wait} vs {p_wait}"
    );
}

#[test]
fn mmck_blocking_matches_formula() {
    // c = 5, 5 queue places (K = 10), lambda 50/s, mean service 100 ms (a = 5).
    let cfg = config(&mmc_yaml(
        50.0,
        5,
        "{ dist: exponential, mean_ms: 100 }",
        Some(5),
        20_000.0,
    ));
    let expect = mmck_blocking(50.0, 10.0, 5, 10);
    let r = run_seeds(&cfg, 0..4);
    let got = r.rejected as f64 / r.arrivals as f64;
    println!("M/M/5/10 blocking: sim {got:.5} vs {expect:.5}");
    assert!(
        (got / expect - 1.0).abs() < 0.03,
        "blocking {got} vs {expect}"
    );
}

#[test]
fn erlang_b_blocking_is_insensitive_to_the_service_distribution() {
    // M/G/c/c: blocking depends on the service time only through its mean (Erlang B).
    let expect = mmck_blocking(40.0, 10.0, 5, 5);
    for service in [
        "{ dist: exponential, mean_ms: 100 }",
        "{ dist: lognormal, mean_ms: 100, cv: 2.0 }",
        "{ dist: deterministic, mean_ms: 100 }",
    ] {
        let cfg = config(&mmc_yaml(40.0, 5, service, Some(0), 20_000.0));
        let r = run_seeds(&cfg, 0..4);
        let got = r.rejected as f64 / r.arrivals as f64;
        assert!(
            (got / expect - 1.0).abs() < 0.03,
            "{service}: blocking {got} vs Erlang B {expect}"
        );
    }
}

#[test]
fn littles_law_holds_across_a_multi_stage_route() {
    // pay visits order then payment; browse has its own pool. L = lambda * W over the system.
    let yaml = "name: t\nhorizon_s: 20000\ndecision_interval_s: 100\n\
        classes:\n  - { name: browse, service: { dist: gamma, mean_ms: 50, cv: 0.5 }, slo: { latency_ms: 300 } }\n  \
          - { name: pay, service: { dist: exponential, mean_ms: 80 }, slo: { latency_ms: 900 } }\n\
        routes: { pay: [ { pool: order, service: { dist: exponential, mean_ms: 30 } }, { pool: payment } ] }\n\
        pools:\n  - { name: browse, concurrency: 4, initial: 3, min: 3, max: 3 }\n  \
          - { name: order, concurrency: 2, initial: 2, min: 2, max: 2 }\n  - { name: payment, concurrency: 2, initial: 4, min: 4, max: 4 }\n\
        traffic: { mix: { browse: 0.7, pay: 0.3 }, synthetic: { base_rate: 300 } }\n";
    let cfg = config(yaml);
    let mut sim = Simulator::new(cfg.clone(), 3);
    let mut l_area = 0.0;
    let mut t = 0.0;
    sim.run_to_end(|s| {
        let span = s.end_s - s.start_s;
        t += span;
        l_area += s
            .pools
            .iter()
            .map(|p| p.queue_len_mean + p.busy_mean)
            .sum::<f64>()
            * span;
    });
    let l = l_area / t;
    let tot = sim.totals();
    let lambda = tot.arrivals as f64 / t;
    let w_s: f64 = (0..2)
        .map(|c| {
            let s = sim.class_summary(c);
            s.latency_ms.mean.unwrap_or(0.0) / 1e3 * s.completed as f64
        })
        .sum::<f64>()
        / tot.completed as f64;
    println!("Little: L {l:.4} vs lambda W {:.4}", lambda * w_s);
    assert!(
        (l / (lambda * w_s) - 1.0).abs() < 0.01,
        "L {l} vs lambda*W {}",
        lambda * w_s
    );
}

#[test]
fn arrival_counts_match_the_integral_of_a_time_varying_rate() {
    // Diurnal profile plus a promotion with a class-mix shift, 6 h, rate step 5 s.
    let yaml = "name: t\nhorizon_s: 21600\ndecision_interval_s: 300\nstart: { weekday: 4, hour: 6 }\n\
        classes:\n  - { name: browse, service: { dist: exponential, mean_ms: 1 }, slo: { latency_ms: 300 } }\n  \
          - { name: order, service: { dist: exponential, mean_ms: 1 }, slo: { latency_ms: 300 } }\n\
        pools:\n  - { name: browse, concurrency: 64, initial: 4, min: 4, max: 4 }\n  - { name: order, concurrency: 64, initial: 4, min: 4, max: 4 }\n\
        traffic:\n  mix: { browse: 0.8, order: 0.2 }\n  synthetic:\n    base_rate: 50\n    \
          daily_profile: [0.2, 0.2, 0.2, 0.2, 0.2, 0.3, 0.5, 0.8, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.8, 0.5, 0.3]\n    \
          promotions: [ { start_s: 7200, ramp_s: 600, peak: 5, hold_s: 1800, decay_s: 900, mix_boost: { order: 3 } } ]\n";
    let cfg = config(yaml);
    let seeds = 10u64;
    let mut chi2 = 0.0;
    let mut n_cells = 0.0;
    let mut total = [0u64; 2];
    let mut expected_total = [0.0; 2];
    for seed in 0..seeds {
        let mut sim = Simulator::new(cfg.clone(), seed);
        let traffic = sim.traffic().clone();
        sim.run_to_end(|s| {
            let mut e = [0.0; 2];
            traffic.expected_arrivals(
                SimTime::from_secs_f64(s.start_s),
                SimTime::from_secs_f64(s.end_s),
                &mut e,
            );
            for c in 0..2 {
                let o = s.classes[c].arrivals as f64;
                chi2 += (o - e[c]).powi(2) / e[c];
                n_cells += 1.0;
                total[c] += s.classes[c].arrivals;
                expected_total[c] += e[c];
            }
        });
    }
    // Independent check of the rate integral: fine Riemann sum of the instantaneous rate.
    let traffic = Simulator::new(cfg.clone(), 0).traffic().clone();
    let mut fine = [0.0; 2];
    let mut r = [0.0; 2];
    let dt = 0.05;
    for k in 0..(21_600.0 / dt) as usize {
        traffic.rates_at((k as f64 + 0.5) * dt, &mut r);
        fine[0] += r[0] * dt;
        fine[1] += r[1] * dt;
    }
    for c in 0..2 {
        let per_seed = expected_total[c] / seeds as f64;
        assert!(
            (per_seed / fine[c] - 1.0).abs() < 1e-3,
            "segment integral {per_seed} vs fine {}",
            fine[c]
        );
        let z = (total[c] as f64 - expected_total[c]) / expected_total[c].sqrt();
        println!(
            "class {c}: {} arrivals vs {:.0} expected (z = {z:.2})",
            total[c], expected_total[c]
        );
        assert!(z.abs() < 4.0, "class {c}: z = {z}");
    }
    // Per-interval counts are Poisson: chi2/cells ~ 1 (sd ~ sqrt(2/cells)).
    let ratio = chi2 / n_cells;
    println!("chi2 / cells = {ratio:.3} over {n_cells} cells");
    assert!(
        (ratio - 1.0).abs() < 4.0 * (2.0 / n_cells).sqrt(),
        "dispersion {ratio}"
    );
}
