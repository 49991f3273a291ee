//! Every shipped agent and experiment file loads and validates, so a typo in a YAML file fails the
//! test suite instead of a user's run (scenario files are covered by `cli_scenario` and
//! `env_contract`).

use std::path::{Path, PathBuf};

use shopgym::agents::Agent;
use shopgym::experiment::Experiment;

fn yaml_files(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_agent_file_loads() {
    let files = yaml_files("agents");
    assert!(files.len() >= 10, "{files:?}");
    let mut kinds: Vec<&str> = Vec::new();
    for f in &files {
        let a = Agent::load(f).unwrap_or_else(|e| panic!("{e}"));
        kinds.push(a.spec.kind());
    }
    for k in ["q_learning", "dqn", "ppo", "threshold", "dp_oracle"] {
        assert!(kinds.contains(&k), "no agents/*.yaml of kind {k}");
    }
}

#[test]
fn every_experiment_file_loads_with_the_learners() {
    let files = yaml_files("experiments");
    assert!(!files.is_empty());
    for f in &files {
        Experiment::load(f).unwrap_or_else(|e| panic!("{e}"));
    }
    let holiday = Experiment::load(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/holiday_benchmark.yaml"),
    )
    .expect("loads");
    let names: Vec<&str> = holiday.agents.iter().map(|(a, _)| a.spec.kind()).collect();
    for k in [
        "static",
        "threshold",
        "predictive",
        "dp",
        "dp_oracle",
        "q_learning",
        "dqn",
        "ppo",
    ] {
        assert!(names.contains(&k), "holiday_benchmark lacks {k}: {names:?}");
    }
}
