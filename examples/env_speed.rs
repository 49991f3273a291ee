//! Steps per second of `ScalingEnv` and of a `VecEnv`, on the protocol that
//! `python/bench/bench_env.py` times the Python env with (it runs this example and prints both):
//! episodes on seeds 1..=N, each timed from `reset(Some(seed))` to the end of the episode, every
//! pool held (`delta` 0, or the `joint` hold index) every step, so both sides simulate exactly the
//! same requests. Prints one JSON object.
//!
//! ```text
//! cargo run --release --example env_speed -- [SCENARIO.yaml] [EPISODES] [VEC_ENVS]
//! ```

use std::time::Instant;

use anyhow::Context;
use serde_json::json;
use shopgym::env::{Action, AutoresetMode, Env, ScalingEnv, Space, VecEnv};
use shopgym::scenario::Scenario;

fn hold(space: &Space) -> Action {
    match space {
        // pool 0 least significant base-3 digit; digit 1 = stay
        Space::Discrete(d) => Action::Discrete((d.n as i64 - 1) / 2),
        Space::MultiDiscrete(m) => Action::MultiDiscrete(vec![0; m.nvec.len()]),
        Space::Box(_) => unreachable!("action spaces are discrete"),
    }
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/flash_sale.yaml").into()
    });
    let episodes: u64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(3);
    let n_vec: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(4);
    let scenario = Scenario::load(&path)?;

    // one env, episode by episode
    let mut env = ScalingEnv::from_scenario(&scenario)?;
    let action = hold(env.action_space());
    let (mut best, mut total, mut steps) = (f64::MAX, 0.0, 0u64);
    for seed in 1..=episodes {
        let t = Instant::now();
        env.reset(Some(seed));
        let mut n = 0;
        loop {
            let s = env.step(&action)?;
            n += 1;
            if s.terminated || s.truncated {
                break;
            }
        }
        let dt = t.elapsed().as_secs_f64();
        best = best.min(dt / n as f64);
        total += dt;
        steps += n;
    }

    // a VecEnv of n_vec envs for one episode each (all end on the same step)
    let envs = (0..n_vec)
        .map(|_| ScalingEnv::from_scenario(&scenario))
        .collect::<Result<Vec<_>, _>>()?;
    let mut venv = VecEnv::new(envs, AutoresetMode::SameStep)?;
    let actions = vec![action; n_vec];
    let t = Instant::now();
    venv.reset(Some(1));
    let mut vec_steps = 0u64;
    loop {
        let s = venv.step(&actions)?;
        vec_steps += n_vec as u64;
        if s.truncated.iter().chain(&s.terminated).any(|&x| x) {
            break;
        }
    }
    let vec_dt = t.elapsed().as_secs_f64();

    let out = json!({
        "scenario": scenario.name(),
        "episodes": episodes,
        "steps": steps,
        "env_steps_per_s_best": 1.0 / best,
        "env_steps_per_s_mean": steps as f64 / total,
        "vec_envs": n_vec,
        "vec_threads": rayon::current_num_threads(),
        "vec_env_steps_per_s": vec_steps as f64 / vec_dt,
    });
    println!("{}", serde_json::to_string(&out).context("json")?);
    Ok(())
}
