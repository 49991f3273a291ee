//! Environment overhead and vector-env scaling on `scenarios/flash_sale.yaml` (prints figures; no
//! pass/fail). `cargo bench --bench env` (set `SHOPGYM_BENCH_EPISODES`, default 3).
//!
//! 1. bare: `Simulator::step_interval` to the horizon with the static counts set once;
//! 2. env: `ScalingEnv::step` (target mode, the static counts as a constant action) over the same
//!    episode (same seed, so the same simulated work); overhead = env time / bare time − 1;
//!    and the env's fixed cost per step, measured on the same scenario at 1/1000 of its traffic;
//! 3. `VecEnv` of 8 envs, one full episode each, under rayon pools of 1 and 2 threads.
//!
//! Runs alternate bare/env and the best of the repetitions is reported, to damp machine noise.

mod common;

use std::path::Path;
use std::time::Instant;

use shopgym::env::{Action, AutoresetMode, Env, EnvConfig, ScalingEnv, VecEnv};
use shopgym::scenario::env_spec::ActionModeSpec;
use shopgym::scenario::Scenario;
use shopgym::sim::Simulator;

fn bare(scenario: &Scenario, seed: u64) -> (f64, u64) {
    let t = Instant::now();
    let mut sim = Simulator::new(scenario.sim.clone(), seed);
    for (p, &n) in scenario.static_counts.iter().enumerate() {
        sim.set_target(p, i64::from(n));
    }
    let mut steps = 0;
    while !sim.is_done() {
        std::hint::black_box(sim.step_interval());
        steps += 1;
    }
    (t.elapsed().as_secs_f64(), steps)
}

fn env_config(scenario: &Scenario) -> EnvConfig {
    EnvConfig::from_scenario(scenario)
        .expect("valid env section")
        .with_action_mode(ActionModeSpec::Target)
        .expect("target mode")
}

fn static_action(scenario: &Scenario) -> Action {
    Action::MultiDiscrete(
        scenario
            .static_counts
            .iter()
            .map(|&n| i64::from(n))
            .collect(),
    )
}

fn through_env(scenario: &Scenario, seed: u64) -> (f64, u64) {
    let action = static_action(scenario);
    let t = Instant::now();
    let mut env = ScalingEnv::new(scenario, env_config(scenario)).expect("fits");
    env.reset(Some(seed));
    let mut steps = 0;
    loop {
        let s = env.step(&action).expect("valid action");
        steps += 1;
        if s.terminated || s.truncated {
            break;
        }
        std::hint::black_box(s);
    }
    (t.elapsed().as_secs_f64(), steps)
}

fn vec_env(scenario: &Scenario, threads: usize, n_envs: usize) -> (f64, u64) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    let action = static_action(scenario);
    pool.install(|| {
        let envs = (0..n_envs)
            .map(|_| ScalingEnv::new(scenario, env_config(scenario)).expect("fits"))
            .collect();
        let mut venv = VecEnv::new(envs, AutoresetMode::NextStep).expect("same spaces");
        let actions = vec![action; n_envs];
        let t = Instant::now();
        venv.reset(Some(1));
        let mut steps = 0;
        loop {
            let s = venv.step(&actions).expect("valid");
            steps += n_envs as u64;
            if s.truncated.iter().all(|&x| x) {
                break;
            }
        }
        (t.elapsed().as_secs_f64(), steps)
    })
}

fn main() {
    // From the working directory when run as a copied binary, else from the crate.
    let local = Path::new("scenarios/flash_sale.yaml");
    let path = if local.exists() {
        local.to_path_buf()
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/flash_sale.yaml")
    };
    let scenario = Scenario::load(&path).expect("flash_sale.yaml loads");
    let reps: usize = std::env::var("SHOPGYM_BENCH_EPISODES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if common::measuring() { 3 } else { 1 });
    println!(
        "flash_sale: {} intervals of {} s, best of {reps} episodes",
        scenario.sim.n_intervals(),
        scenario.sim.interval.as_secs_f64()
    );

    // warm-up, then alternate
    bare(&scenario, 0);
    let (mut t_bare, mut t_env, mut steps) = (f64::MAX, f64::MAX, 0);
    for r in 0..reps {
        let (tb, sb) = bare(&scenario, r as u64 + 1);
        let (te, se) = through_env(&scenario, r as u64 + 1);
        assert_eq!(sb, se, "same number of intervals");
        t_bare = t_bare.min(tb);
        t_env = t_env.min(te);
        steps = sb;
    }
    let overhead = (t_env / t_bare - 1.0) * 100.0;
    println!(
        "bare simulator  {:>9.1} steps/s  ({:.3} s per episode)",
        steps as f64 / t_bare,
        t_bare
    );
    println!(
        "ScalingEnv      {:>9.1} steps/s  ({:.3} s per episode)  overhead {overhead:+.1} % = {:+.0} µs/step  (goal <= 10 %)",
        steps as f64 / t_env,
        t_env,
        (t_env - t_bare) / steps as f64 * 1e6
    );

    // The env's own cost per step, seen without the simulation's: the same scenario at 1/1000 of
    // its traffic (instance counts shrink too, to 1 per pool), many episodes.
    let mut spec = scenario.spec.clone();
    spec.scale *= 1e-3;
    let quiet = Scenario::from_spec(spec, &path).expect("scaled scenario is valid");
    let (mut qb, mut qe, mut qs) = (0.0, 0.0, 0);
    for r in 0..if common::measuring() { 50 } else { 2 } {
        let (tb, sb) = bare(&quiet, r);
        let (te, _) = through_env(&quiet, r);
        qb += tb;
        qe += te;
        qs += sb;
    }
    println!(
        "near-empty traffic: bare {:.1} µs/step, env {:.1} µs/step -> env cost {:.1} µs/step = {:.2} % of a flash_sale step",
        qb / qs as f64 * 1e6,
        qe / qs as f64 * 1e6,
        (qe - qb) / qs as f64 * 1e6,
        (qe - qb) / qs as f64 / (t_bare / steps as f64) * 100.0
    );

    let n_envs = if common::measuring() { 8 } else { 2 };
    let mut rate = [0.0; 2];
    for (i, threads) in [1, 2].into_iter().enumerate() {
        let (t, s) = (0..reps.min(2))
            .map(|_| vec_env(&scenario, threads, n_envs))
            .fold((f64::MAX, 0), |(bt, _), (t, s)| (bt.min(t), s));
        rate[i] = s as f64 / t;
        println!(
            "VecEnv x{n_envs}, {threads} thread(s) {:>9.1} env-steps/s  ({t:.3} s for {s} env-steps)",
            rate[i]
        );
    }
    println!(
        "VecEnv speed-up 1 -> 2 threads: {:.2}x (on {} available cores)",
        rate[1] / rate[0],
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
}
