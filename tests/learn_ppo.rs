//! PPO smoke training on the tiny scenario (with `--features tch`): it improves on its untrained
//! greedy policy, the checkpoint acts exactly like the trained network, and the run directory
//! holds what `evaluate --checkpoint` needs. Without the feature, a PPO agent is a clear error.

mod common;

use std::path::Path;

use shopgym::agents::{Agent, AgentSpec};
use shopgym::learn::ppo::PpoConfig;
use shopgym::learn::TrainOptions;
use shopgym::scenario::Scenario;

fn tiny() -> Scenario {
    Scenario::from_yaml(common::TINY, Path::new("tiny.yaml")).expect("tiny parses")
}

fn agent(total: u64) -> Agent {
    let cfg = PpoConfig {
        num_envs: 2,
        num_steps: 20,
        total_steps: total,
        learning_rate: 3e-3,
        hidden: vec![32],
        reward_scale: 1e-1,
        eval_every: total,
        eval_episodes: 2,
        checkpoint_every: total,
        ..PpoConfig::default()
    };
    Agent::new("ppo".into(), AgentSpec::Ppo(cfg), Path::new("ppo.yaml")).expect("valid")
}

fn options(dir: &Path) -> TrainOptions {
    TrainOptions {
        steps: None,
        seed: 1,
        out: dir.to_path_buf(),
        resume: false,
        progress: false,
        ..Default::default()
    }
}

#[cfg(feature = "tch")]
#[test]
fn ppo_learns_and_checkpoint_round_trips() {
    use shopgym::evaluate::run_one;
    let scenario = tiny();
    let dir = tempfile::tempdir().expect("tmp");
    let untrained = agent(40)
        .train(&scenario, &options(&dir.path().join("u")))
        .expect("trains");
    let run = dir.path().join("run");
    let s = agent(4000)
        .train(&scenario, &options(&run))
        .expect("trains");
    for f in [
        "agent.yaml",
        "train.csv",
        "final/model.safetensors",
        "final/obs_norm.json",
    ] {
        assert!(run.join(f).is_file(), "{f} missing");
    }
    let a = agent(4000).with_checkpoint(&run);
    let r900 = run_one(&scenario, &a, 900)
        .expect("runs")
        .tally
        .episode_return;
    let r901 = run_one(&scenario, &a, 901)
        .expect("runs")
        .tally
        .episode_return;
    let loaded = (r900 + r901) / 2.0;
    let trained = s.last_eval_return.expect("evaluated");
    assert!(
        (loaded - trained).abs() < 1e-9,
        "checkpoint {loaded} vs in-memory {trained}"
    );
    let before = untrained.last_eval_return.expect("evaluated");
    assert!(trained > before, "trained {trained} vs untrained {before}");
}

#[cfg(not(feature = "tch"))]
#[test]
fn ppo_without_tch_is_a_clear_error() {
    let scenario = tiny();
    let dir = tempfile::tempdir().expect("tmp");
    let err = agent(40)
        .train(&scenario, &options(dir.path()))
        .expect_err("no tch");
    assert!(
        format!("{err}").contains("built without the tch feature"),
        "{err}"
    );
}
