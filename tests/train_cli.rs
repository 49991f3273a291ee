//! End to end on the real binary: `shopgym train` writes a run directory that
//! `shopgym evaluate --checkpoint` acts from, `--resume` continues it, and mistakes (a baseline to
//! train, a learner without a checkpoint) are clear errors. Q-learning always; DQN and PPO with
//! `--features tch`.

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn shopgym(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shopgym"))
        .args(args)
        .output()
        .expect("runs")
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "failed: {}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn agent(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("agents")
        .join(name)
        .display()
        .to_string()
}

/// Trains `agent_file` for `steps` on the tiny scenario, resumes to `2 * steps`, then evaluates
/// the checkpoint on 2 seeds; returns the evaluation JSON.
fn train_resume_evaluate(agent_file: &str, steps: u64) -> serde_json::Value {
    let dir = tempfile::tempdir().expect("tmp");
    let scenario = dir.path().join("tiny.yaml");
    std::fs::write(&scenario, common::TINY).expect("write");
    let (scenario, run) = (
        scenario.display().to_string(),
        dir.path().join("run").display().to_string(),
    );
    let agent = agent(agent_file);
    let half = steps.to_string();
    let full = (2 * steps).to_string();
    let out = ok(&shopgym(&[
        "train",
        "--scenario",
        &scenario,
        "--agent",
        &agent,
        "--steps",
        &half,
        "--seed",
        "3",
        "--out",
        &run,
    ]));
    let summary: serde_json::Value = serde_json::from_str(&out).expect("summary json");
    assert_eq!(summary["steps"], steps);
    assert_eq!(summary["interrupted"], false);
    let out = ok(&shopgym(&[
        "train",
        "--scenario",
        &scenario,
        "--agent",
        &agent,
        "--steps",
        &full,
        "--seed",
        "3",
        "--resume",
        &run,
    ]));
    let summary: serde_json::Value = serde_json::from_str(&out).expect("summary json");
    assert_eq!(summary["steps"], 2 * steps);
    for f in [
        "agent.yaml",
        "run.json",
        "run_resume.json",
        "train.csv",
        "final/state.json",
    ] {
        assert!(Path::new(&run).join(f).is_file(), "{f} missing");
    }
    let out = ok(&shopgym(&[
        "evaluate",
        "--scenario",
        &scenario,
        "--agent",
        &agent,
        "--checkpoint",
        &run,
        "--episodes",
        "2",
        "--json",
    ]));
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// The mean return of an `evaluate --json` result, checked against its episodes.
fn mean_return(v: &serde_json::Value, agent: &str) -> f64 {
    assert_eq!(v["agent"], agent);
    let eps = v["episodes"].as_array().expect("episodes");
    assert_eq!(eps.len(), 2);
    let mean = v["mean"]["return"].as_f64().expect("mean.return");
    let by_hand = eps
        .iter()
        .map(|e| e["return"].as_f64().expect("return"))
        .sum::<f64>()
        / 2.0;
    assert!((mean - by_hand).abs() < 1e-9, "{mean} vs {by_hand}");
    mean
}

#[test]
fn q_learning_trains_resumes_and_evaluates_from_its_checkpoint() {
    let v = train_resume_evaluate("q_learning.yaml", 200);
    assert!(mean_return(&v, "q_learning").is_finite());
}

#[cfg(feature = "tch")]
#[test]
fn dqn_trains_resumes_and_evaluates_from_its_checkpoint() {
    let v = train_resume_evaluate("dqn.yaml", 400);
    assert!(mean_return(&v, "dqn").is_finite());
}

#[cfg(feature = "tch")]
#[test]
fn ppo_trains_resumes_and_evaluates_from_its_checkpoint() {
    let v = train_resume_evaluate("ppo.yaml", 960);
    assert!(mean_return(&v, "ppo").is_finite());
}

#[test]
fn training_a_baseline_or_evaluating_a_learner_without_checkpoint_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tmp");
    let scenario = dir.path().join("tiny.yaml");
    std::fs::write(&scenario, common::TINY).expect("write");
    let scenario = scenario.display().to_string();
    let o = shopgym(&[
        "train",
        "--scenario",
        &scenario,
        "--agent",
        &agent("threshold.yaml"),
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("not a learner"), "{err}");
    let o = shopgym(&[
        "evaluate",
        "--scenario",
        &scenario,
        "--agent",
        &agent("dqn.yaml"),
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--checkpoint") || err.contains("tch feature"),
        "{err}"
    );
}
