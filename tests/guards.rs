//! Runaway guards: a scenario whose episode would simulate too many requests is refused before
//! running, with the estimate and the flag that allows it; an overloaded episode stops at the
//! simulator's cap on requests in the system with a clear error (never an out-of-memory kill);
//! long runs print progress lines to stderr when it is not a terminal.

mod common;

use std::process::Command;

use shopgym::env::{Action, Env, EnvError};

fn shopgym() -> Command {
    Command::new(env!("CARGO_BIN_EXE_shopgym"))
}

#[test]
fn a_mistyped_rate_is_refused_with_the_estimate_and_the_flag() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("typo.yaml");
    std::fs::write(
        &path,
        common::TINY.replace("base_rate: 40", "base_rate: 1e9"),
    )
    .expect("w");
    let name = path.display().to_string();
    let agent = concat!(env!("CARGO_MANIFEST_DIR"), "/agents/static.yaml");
    for args in [
        vec!["simulate", "--scenario", &name],
        vec![
            "evaluate",
            "--scenario",
            &name,
            "--agent",
            agent,
            "--episodes",
            "1",
        ],
    ] {
        let started = std::time::Instant::now();
        let o = shopgym()
            .args(&args)
            .args(["--out", &dir.path().join("out").display().to_string()])
            .output()
            .expect("runs");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{args:?} ran");
        assert!(
            started.elapsed().as_secs() < 30,
            "{args:?} ran before refusing"
        );
        // 1e9 req/s at peak 3x over 1200 s: about 2e12 requests.
        assert!(
            err.contains(&name)
                && err.contains("requests per episode")
                && err.contains("--max-requests"),
            "{args:?}: {err}"
        );
        let estimate: f64 = err
            .split("= ")
            .nth(1)
            .and_then(|r| r.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no estimate in {err}"));
        assert!((1.2e12..4e12).contains(&estimate), "{estimate}");
    }
    // The shipped scenarios simulated request by request are all under the default limit (the
    // full-scale ones run at the fluid fidelity, which the guard does not apply to).
    for f in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios")).expect("dir") {
        let path = f.expect("entry").path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue; // scenarios/forecasts/
        }
        let s = shopgym::scenario::Scenario::load(&path).expect("loads");
        if s.sim.fidelity == shopgym::sim::Fidelity::Fluid {
            continue;
        }
        s.check_size(shopgym::scenario::size::DEFAULT_MAX_REQUESTS)
            .unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn an_overloaded_episode_stops_at_the_cap_with_a_clear_error() {
    let mut env = common::tiny_env(|_| {});
    env.set_max_in_system(50);
    env.reset(Some(1));
    // Scale every pool down to one instance: the queues back up past 50 requests.
    let down = Action::MultiDiscrete(vec![-1, -1]);
    let mut err = None;
    for _ in 0..30 {
        match env.step(&down) {
            Ok(s) if s.terminated || s.truncated => break,
            Ok(_) => {}
            Err(e) => {
                err = Some(e);
                break;
            }
        }
    }
    let err = err.expect("the cap was hit");
    assert!(
        matches!(err, EnvError::Overloaded { in_system: 50, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("overloaded"), "{err}");
    let EnvError::Overloaded { t_s, .. } = err else {
        unreachable!()
    };
    // When it overflowed, not the end of that interval.
    assert!(t_s > 0.0 && t_s % 60.0 != 0.0, "{t_s}");
    // The env refuses further steps until reset, and the cap survives the reset.
    assert_eq!(env.step(&down).unwrap_err(), EnvError::NeedsReset);
    env.reset(Some(1));
    assert_eq!(env.sim().max_in_system(), 50);
}

#[test]
fn long_runs_print_progress_lines_when_stderr_is_not_a_terminal() {
    let dir = tempfile::tempdir().expect("tmp");
    let scenario = dir.path().join("tiny.yaml");
    std::fs::write(&scenario, common::TINY).expect("w");
    let o = shopgym()
        .env("SHOPGYM_PROGRESS_S", "0.1")
        .args(["train", "--scenario", &scenario.display().to_string()])
        .args([
            "--agent",
            concat!(env!("CARGO_MANIFEST_DIR"), "/agents/q_learning.yaml"),
        ])
        .args([
            "--steps",
            "1500",
            "--out",
            &dir.path().join("run").display().to_string(),
        ])
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("progress: "))
        .collect();
    assert!(!lines.is_empty(), "no progress lines: {err}");
    assert!(
        lines
            .iter()
            .all(|l| l.contains("/1500 steps (") && l.contains("s elapsed")),
        "{lines:?}"
    );
}
