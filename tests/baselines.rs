//! Baselines: the DP planner is never worse than the simpler sizing rules under its own model,
//! and on the flash sale the policies keep their expected order (regression floors).

use std::path::Path;

use shopgym::agents::Agent;
use shopgym::baselines::dp::plan;
use shopgym::baselines::model::{PoolModel, Weights};
use shopgym::evaluate::run_one;
use shopgym::scenario::Scenario;
use shopgym::sim::{SimTime, Simulator};

/// Cost of a level sequence under the DP's objective (stage costs plus launch cost of raises).
fn sequence_cost(stage: &[Vec<f64>], levels: &[u32], current: u32, lo: u32, launch: f64) -> f64 {
    let mut prev = current;
    let mut v = 0.0;
    for (t, &x) in levels.iter().enumerate() {
        v += stage[t][(x - lo) as usize] + launch * f64::from(x.saturating_sub(prev));
        prev = x;
    }
    v
}

#[test]
fn dp_plan_is_never_worse_than_greedy_sizing_under_its_model() {
    let scenario = Scenario::load("scenarios/flash_sale.yaml").expect("loads");
    let cfg = scenario.sim.clone();
    let traffic = Simulator::new(cfg.clone(), 0).traffic().clone();
    let models = PoolModel::from_config(&cfg);
    let interval = cfg.interval.as_secs_f64();
    let w = Weights {
        interval_s: interval,
        slo_penalty: 1.0,
        cost_weight: 1.0,
        revenue_weight: 1.0,
    };
    let horizon = 10;
    let mut checked = 0;
    // Windows before, at and after the surge start (t = 1800 s).
    for start in [900u64, 1500, 1740, 1800, 2400, 3300] {
        let rates: Vec<Vec<f64>> = (0..horizon as u64 + 3)
            .map(|k| {
                let t0 = SimTime::from_secs(start + k * interval as u64);
                let mut e = vec![0.0; cfg.classes.len()];
                traffic.expected_arrivals(t0, t0 + cfg.interval, &mut e);
                e.iter().map(|x| x / interval).collect()
            })
            .collect();
        for m in &models {
            let lead = (m.cold_start_s / interval).ceil() as usize;
            let launch = m.cost_per_hour * m.cold_start_s / 3600.0;
            let stage: Vec<Vec<f64>> = rates[..horizon]
                .iter()
                .map(|r| {
                    (m.min..=m.max)
                        .map(|x| m.evaluate(x, r, &w).total(&w))
                        .collect()
                })
                .collect();
            for current in [m.min, (m.min + m.max) / 4, m.max / 2] {
                let p = plan(&stage, current, m.min, m.max, lead, launch);
                let respect_lead = |levels: Vec<u32>| -> Vec<u32> {
                    levels
                        .into_iter()
                        .enumerate()
                        .map(|(t, x)| if t < lead { x.min(current) } else { x })
                        .collect()
                };
                let need = |r: &Vec<f64>| m.min_instances_for_slo(r, 0.0, &w);
                let candidates = [
                    ("static", vec![current; horizon]),
                    (
                        "predictive",
                        respect_lead(
                            (0..horizon)
                                .map(|t| {
                                    (t..=t + lead)
                                        .map(|k| need(&rates[k]))
                                        .max()
                                        .unwrap_or(m.min)
                                })
                                .collect(),
                        ),
                    ),
                    (
                        "reactive",
                        respect_lead(
                            (0..horizon)
                                .map(|t| if t == 0 { current } else { need(&rates[t - 1]) })
                                .collect(),
                        ),
                    ),
                    (
                        "peak",
                        respect_lead(vec![
                            (0..horizon)
                                .map(|t| need(&rates[t]))
                                .max()
                                .unwrap_or(m.min);
                            horizon
                        ]),
                    ),
                ];
                for (name, levels) in candidates {
                    let c = sequence_cost(&stage, &levels, current, m.min, launch);
                    assert!(
                        p.value <= c + 1e-9,
                        "pool {} at {start}s from {current}: dp {} > {name} {c}",
                        m.pool,
                        p.value
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked >= 200);
}

#[test]
fn flash_sale_baselines_keep_their_order() {
    let scenario = Scenario::load("scenarios/flash_sale.yaml").expect("loads");
    let load = |name: &str| {
        Agent::load(Path::new("agents").join(format!("{name}.yaml"))).expect("agent loads")
    };
    let seeds = [1000u64, 1001];
    // Mean return, and mean SLO-violation minutes during the surge (30 to 60 minutes in).
    let mean = |name: &str| {
        let agent = load(name);
        let n = seeds.len() as f64;
        let ret = seeds
            .iter()
            .map(|&s| {
                run_one(&scenario, &agent, s)
                    .expect("episode runs")
                    .tally
                    .episode_return
            })
            .sum::<f64>();
        let surge = seeds
            .iter()
            .map(|&s| violation_minutes_in(&scenario, &agent, s, 1800.0, 3600.0).0)
            .sum::<f64>();
        (ret / n, surge / n)
    };
    let (oracle, _) = mean("dp_oracle");
    let (threshold, threshold_slo) = mean("threshold");
    let (predictive, predictive_slo) = mean("predictive");
    let (stat, _) = mean("static");
    println!("returns: dp_oracle {oracle:.0}, predictive {predictive:.0}, threshold {threshold:.0}, static {stat:.0}");
    assert!(
        oracle > predictive && oracle > threshold && oracle > stat,
        "dp_oracle is the reference upper bound"
    );
    assert!(
        predictive > threshold,
        "forecasting beats reacting on a sale"
    );
    assert!(
        predictive_slo < threshold_slo,
        "surge SLO minutes: predictive {predictive_slo} vs threshold {threshold_slo}"
    );
    assert!(threshold > stat, "scaling beats the initial static sizing");
}

/// SLO-violation minutes of one episode inside [from_s, to_s).
fn violation_minutes_in(
    scenario: &Scenario,
    agent: &Agent,
    seed: u64,
    from_s: f64,
    to_s: f64,
) -> (f64, Vec<u32>) {
    let mut env = agent.make_env(scenario).expect("env");
    let mut policy = agent.policy(scenario, &env, seed).expect("policy");
    let mut minutes = 0.0;
    let mut per_interval = Vec::new();
    shopgym::policy::run_episode(&mut env, policy.as_mut(), Some(seed), |step| {
        if let Some(s) = &step.info.stats {
            let n = s.classes.iter().filter(|c| c.slo_violated).count() as u32;
            per_interval.push(n);
            if s.start_s >= from_s && s.start_s < to_s && n > 0 {
                minutes += (s.end_s - s.start_s) / 60.0;
            }
        }
    })
    .expect("episode");
    (minutes, per_interval)
}

#[test]
#[ignore = "diagnostic: prints where each baseline violates its SLOs"]
fn print_violation_profile() {
    let scenario = Scenario::load("scenarios/flash_sale.yaml").expect("loads");
    for name in ["threshold", "predictive", "dp", "dp_oracle"] {
        let agent = Agent::load(Path::new("agents").join(format!("{name}.yaml"))).expect("agent");
        let (m, v) = violation_minutes_in(&scenario, &agent, 1000, 1800.0, 3600.0);
        println!(
            "{name:>10}: surge minutes {m:4.0} | {}",
            v.iter().map(|x| x.to_string()).collect::<String>()
        );
    }
}
