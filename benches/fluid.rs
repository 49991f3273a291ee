//! Fluid fidelity: speed and calibration against the DES (prints figures; no pass/fail).
//! `cargo bench --bench fluid`.
//!
//! 1. speed: env steps/s of `ScalingEnv` on `scenarios/flash_sale.yaml` and `singles_day.yaml` in
//!    fluid and DES mode side by side (one core; the scenario's own delta env holding every pool,
//!    and target mode with the static counts), at the shipped scale and at full scale (`scale: 1`);
//! 2. calibration: per scenario and agent (static, threshold, dp_oracle), the DES episode and its
//!    action sequence replayed on the fluid model, with per-episode and per-interval errors
//!    (`evaluate::calibrate`). `SHOPGYM_FLUID_SCENARIOS` (comma-separated stems, default
//!    flash_sale,flash_sale_faults,singles_day,steady_day,mmc_validation) picks scenarios;
//!    `SHOPGYM_FLUID_FULL` (stems, or `all`) adds full-scale variants; `SHOPGYM_FLUID_INTERVALS=1` prints
//!    every interval of the first pair; `SHOPGYM_FLUID_AGENTS` (agent file stems, default
//!    static,threshold,dp_oracle) picks the agents. `SHOPGYM_FLUID_ONLY=1` skips the DES speed runs,
//!    `SHOPGYM_FLUID_SKIP_SPEED=1` the speed section, `SHOPGYM_FLUID_SKIP_CALIBRATION=1` this one;
//! 3. noise floor: the per-interval latency error a perfect model of the DES's expected latencies
//!    would still show against one DES episode (the seed mean of 30 DES episodes under static),
//!    beside the fluid model's (`SHOPGYM_FLUID_NOISE`, `SHOPGYM_FLUID_NOISE_SEEDS`;
//!    `SHOPGYM_FLUID_SKIP_NOISE=1` skips it).

mod common;

use std::path::Path;
use std::time::Instant;

use shopgym::agents::Agent;
use shopgym::env::{Action, Env, EnvConfig, ScalingEnv, Space};
use shopgym::evaluate::calibrate::{compare, run_pair, Run};
use shopgym::scenario::env_spec::ActionModeSpec;
use shopgym::scenario::{Scenario, ScenarioSpec};
use shopgym::sim::Fidelity;

fn at_scale(path: &str, scale: Option<f64>) -> Scenario {
    let s = Scenario::load(path).expect("shipped scenario loads");
    match scale {
        None => s,
        Some(k) => {
            let mut spec: ScenarioSpec = s.spec.clone();
            spec.scale = k;
            spec.name = format!("{}_full", spec.name);
            Scenario::from_spec(spec, Path::new(path)).expect("full scale is valid")
        }
    }
}

/// Env steps per second over whole episodes for at least `min_s` seconds: in `target` mode with
/// the static counts as a constant action, or in the scenario's own env (`delta` by default: what
/// learners train on) holding every pool (delta 0).
fn steps_per_s(scenario: &Scenario, target_mode: bool, min_s: f64) -> f64 {
    let own = EnvConfig::from_scenario(scenario).expect("valid env");
    let cfg = if target_mode {
        own.with_action_mode(ActionModeSpec::Target)
            .expect("target mode")
    } else {
        own
    };
    let mut env = ScalingEnv::new(scenario, cfg).expect("fits");
    let action = match (target_mode, env.action_space()) {
        (true, _) => Action::MultiDiscrete(
            scenario
                .static_counts
                .iter()
                .map(|&n| i64::from(n))
                .collect(),
        ),
        (false, Space::MultiDiscrete(m)) => Action::MultiDiscrete(vec![0; m.nvec.len()]),
        (false, other) => panic!("speed bench expects a delta env, got {other:?}"),
    };
    let (mut steps, mut seed) = (0u64, 0u64);
    let t = Instant::now();
    while t.elapsed().as_secs_f64() < min_s {
        env.reset(Some(seed));
        seed += 1;
        loop {
            let s = env.step(&action).expect("valid action");
            steps += 1;
            if s.terminated || s.truncated {
                break;
            }
        }
    }
    steps as f64 / t.elapsed().as_secs_f64()
}

fn speed() {
    println!(
        "## speed: env steps/s on one core
"
    );
    println!("| scenario | env | fluid steps/s | DES steps/s | fluid / DES |");
    println!("|---|---|---:|---:|---:|");
    // A smoke pass skips full scale (one DES episode of it takes over a minute) and measures for
    // a moment only.
    let (scales, min_s): (&[Option<f64>], f64) = if common::measuring() {
        (&[None, Some(1.0)], 3.0)
    } else {
        (&[None], 0.01)
    };
    for (path, &scale) in ["scenarios/flash_sale.yaml", "scenarios/singles_day.yaml"]
        .iter()
        .flat_map(|p| scales.iter().map(move |s| (p, s)))
    {
        let s = at_scale(path, scale);
        for (target_mode, label) in [(false, "delta, hold"), (true, "target, static counts")] {
            let fluid = steps_per_s(
                &s.clone().with_fidelity(Some(Fidelity::Fluid)),
                target_mode,
                min_s,
            );
            let des = if std::env::var("SHOPGYM_FLUID_ONLY").is_ok() {
                f64::NAN
            } else {
                steps_per_s(
                    &s.clone().with_fidelity(Some(Fidelity::Des)),
                    target_mode,
                    min_s,
                )
            };
            println!(
                "| {} (scale {}) | {label} | {fluid:.0} | {des:.1} | {:.0}x |",
                s.name(),
                s.spec.scale,
                fluid / des
            );
        }
    }
    println!();
}

fn calibration() {
    let names = std::env::var("SHOPGYM_FLUID_SCENARIOS").unwrap_or_else(|_| {
        if common::measuring() {
            "flash_sale,flash_sale_faults,singles_day,steady_day,mmc_validation".into()
        } else {
            "flash_sale".into()
        }
    });
    // Full-scale variants of these (comma-separated stems); `all` for every listed scenario.
    let full = std::env::var("SHOPGYM_FLUID_FULL").unwrap_or_default();
    let show_intervals = std::env::var("SHOPGYM_FLUID_INTERVALS").is_ok_and(|v| v == "1");
    let agent_names = std::env::var("SHOPGYM_FLUID_AGENTS")
        .unwrap_or_else(|_| "static,threshold,dp_oracle".into());
    let agents: Vec<Agent> = agent_names
        .split(',')
        .filter(|a| !a.is_empty())
        .map(|a| Agent::load(format!("agents/{a}.yaml")).expect("shipped agent loads"))
        .collect();
    println!("## calibration: fluid vs DES, same seed and actions (seed 1)\n");
    println!("| scenario | agent | cost err | completed err | lost revenue DES / fluid ($) | err | SLO intervals DES / fluid | SLO agreement | latency pairs | mean lat err (within 5 %) | p99 err (within 15 %) | DES s | fluid s |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut shown = !show_intervals;
    for name in names.split(',').filter(|n| !n.is_empty()) {
        let path = format!("scenarios/{name}.yaml");
        let with_full = full == "all" || full.split(',').any(|f| f == name);
        let scales: &[Option<f64>] = if with_full {
            &[None, Some(1.0)]
        } else {
            &[None]
        };
        for &scale in scales {
            let s = at_scale(&path, scale);
            for a in &agents {
                let (d, f) = match run_pair(&s, a, 1) {
                    Ok(x) => x,
                    Err(e) => {
                        println!("| {} | {} | error: {e} |", s.name(), a.name);
                        continue;
                    }
                };
                let c = compare(&s, &a.name, 1, &d, &f);
                println!(
                    "| {} | {} | {:+.2} % | {:+.2} % | {:.1} / {:.1} | {:+.1} % | {} / {} | {:.1} % | {} | {:.1} % ({:.0} %) | {:.1} % ({:.0} %) | {:.2} | {:.4} |",
                    c.scenario, c.agent, 100.0 * c.cost_error, 100.0 * c.completed_error,
                    c.revenue_lost.0, c.revenue_lost.1, 100.0 * c.revenue_lost_error,
                    c.slo_intervals.0, c.slo_intervals.1, 100.0 * c.slo_agreement, c.latency_pairs,
                    100.0 * c.mean_latency_error, 100.0 * c.mean_latency_within,
                    100.0 * c.p99_error, 100.0 * c.p99_within, c.des_wall_seconds, c.fluid_wall_seconds
                );
                if !shown {
                    shown = true;
                    println!(
                        "\nper interval ({} / {}): class 0, DES vs fluid",
                        s.name(),
                        a.name
                    );
                    println!("interval util0 mean_ms(d/f) p99_ms(d/f) completed(d/f) errors(d/f) slo(d/f)");
                    for (x, y) in d.intervals.iter().zip(&f.intervals) {
                        let (p, q) = (&x.classes[0], &y.classes[0]);
                        println!(
                            "{} {:.3} {:.1}/{:.1} {:.1}/{:.1} {}/{} {}/{} {}/{}",
                            x.index,
                            x.pools[0].utilisation,
                            p.latency_ms.mean.unwrap_or(0.0),
                            q.latency_ms.mean.unwrap_or(0.0),
                            p.latency_ms.p99.unwrap_or(0.0),
                            q.latency_ms.p99.unwrap_or(0.0),
                            p.completed,
                            q.completed,
                            p.rejected + p.timed_out + p.failed,
                            q.rejected + q.timed_out + q.failed,
                            u8::from(p.slo_violated),
                            u8::from(q.slo_violated)
                        );
                    }
                    println!();
                }
            }
        }
    }
}

/// The DES run `runs[0]` with each (interval, class) mean latency and p99 replaced by their
/// mean over `runs` (the same scenario and actions, other seeds): an estimate of what a model
/// that predicts the DES's expected latencies exactly would say.
fn seed_mean(runs: &[Run]) -> Run {
    let mut out = runs[0].clone();
    for (i, iv) in out.intervals.iter_mut().enumerate() {
        for (c, class) in iv.classes.iter_mut().enumerate() {
            let avg = |get: &dyn Fn(&Run) -> Option<f64>| {
                let v: Vec<f64> = runs.iter().filter_map(get).collect();
                (v.len() == runs.len()).then(|| v.iter().sum::<f64>() / v.len() as f64)
            };
            class.latency_ms.mean = avg(&|r: &Run| r.intervals[i].classes[c].latency_ms.mean);
            class.latency_ms.p99 = avg(&|r: &Run| r.intervals[i].classes[c].latency_ms.p99);
        }
    }
    out
}

/// Section 3, the noise floor: how close any deterministic model can come to one DES episode, per
/// interval.
/// `static` (constant actions) runs on the DES from `n` seeds; the seed-mean latencies of each
/// interval stand for a perfect model of the DES's expected latencies, and are compared with the
/// seed-1 episode exactly as the fluid model is (`compare`), beside the fluid model's own error.
/// `SHOPGYM_FLUID_NOISE` (stems; default mmc_validation,worldcup98_replay) picks scenarios,
/// `SHOPGYM_FLUID_NOISE_SEEDS` the number of DES seeds (default 30).
fn noise_floor() {
    let measuring = common::measuring();
    let names = std::env::var("SHOPGYM_FLUID_NOISE").unwrap_or_else(|_| {
        if measuring {
            "mmc_validation,worldcup98_replay".into()
        } else {
            "mmc_validation".into()
        }
    });
    let n: u64 = std::env::var("SHOPGYM_FLUID_NOISE_SEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if measuring { 30 } else { 2 })
        .max(2);
    let agent = Agent::load("agents/static.yaml").expect("shipped agent loads");
    println!("## noise floor: per-interval latency error against the seed-1 DES episode (static, {n} DES seeds)\n");
    println!("| scenario | compared with DES seed 1 | latency pairs | mean lat err (within 5 %) | p99 err (within 15 %) |");
    println!("|---|---|---:|---:|---:|");
    for name in names.split(',').filter(|n| !n.is_empty()) {
        let s = at_scale(&format!("scenarios/{name}.yaml"), None);
        let pairs: Vec<(Run, Run)> = (1..=n)
            .map(|seed| run_pair(&s, &agent, seed).expect("static runs"))
            .collect();
        let des: Vec<Run> = pairs.iter().map(|(d, _)| d.clone()).collect();
        let mean = seed_mean(&des);
        // (label, the DES side, the other side); the last row compares the fluid model with
        // the seed mean instead of the seed-1 episode.
        let rows = [
            ("fluid model, seed 1", &des[0], &pairs[0].1),
            ("DES seed 2", &des[0], &des[1]),
            (
                "seed mean of the DES (a perfect mean model)",
                &des[0],
                &mean,
            ),
            ("(fluid vs the DES seed mean)", &mean, &pairs[0].1),
        ];
        for (label, reference, other) in rows {
            let c = compare(&s, "static", 1, reference, other);
            println!(
                "| {} | {label} | {} | {:.1} % ({:.0} %) | {:.1} % ({:.0} %) |",
                s.name(),
                c.latency_pairs,
                100.0 * c.mean_latency_error,
                100.0 * c.mean_latency_within,
                100.0 * c.p99_error,
                100.0 * c.p99_within
            );
        }
    }
    println!();
}

fn main() {
    if std::env::var("SHOPGYM_FLUID_SKIP_SPEED").is_err() {
        speed();
    }
    if std::env::var("SHOPGYM_FLUID_SKIP_CALIBRATION").is_err() {
        calibration();
    }
    if std::env::var("SHOPGYM_FLUID_SKIP_NOISE").is_err() {
        noise_floor();
    }
}
