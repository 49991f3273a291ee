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

/// Building a DQN network draws default weights from libtorch's process-wide generator (and
/// replaces them). Evaluations of a DQN checkpoint running beside a PPO training, as in
/// `shopgym experiment`, must not change what the PPO run draws: its model is the same as when
/// it trains alone.
#[cfg(feature = "tch")]
#[test]
fn ppo_draws_what_its_seed_implies_beside_dqn_evaluations() {
    use shopgym::evaluate::run_one;
    use shopgym::learn::dqn::DqnConfig;
    use std::sync::atomic::{AtomicBool, Ordering};
    let scenario = tiny();
    let dir = tempfile::tempdir().expect("tmp");
    let dqn_run = dir.path().join("dqn");
    let cfg = DqnConfig {
        hidden: vec![16],
        num_envs: 1,
        total_steps: 8,
        learning_starts: 4,
        batch_size: 4,
        eval_every: 8,
        eval_episodes: 1,
        checkpoint_every: 8,
        ..DqnConfig::default()
    };
    let dqn = Agent::new("dqn".into(), AgentSpec::Dqn(cfg), Path::new("dqn.yaml")).expect("valid");
    dqn.train(&scenario, &options(&dqn_run)).expect("trains");
    let dqn = dqn.with_checkpoint(&dqn_run);
    let (alone, beside) = (dir.path().join("alone"), dir.path().join("beside"));
    agent(400)
        .train(&scenario, &options(&alone))
        .expect("trains");
    let done = AtomicBool::new(false);
    let loads = std::thread::scope(|s| {
        let evaluations = s.spawn(|| {
            let mut n = 0u64;
            while !done.load(Ordering::Relaxed) {
                run_one(&scenario, &dqn, 900).expect("runs");
                n += 1;
            }
            n
        });
        agent(400)
            .train(&scenario, &options(&beside))
            .expect("trains");
        done.store(true, Ordering::Relaxed);
        evaluations.join().expect("evaluations ran")
    });
    assert!(loads > 0, "no DQN evaluation ran beside the training");
    let read = |p: &Path| std::fs::read(p.join("final/model.safetensors")).expect("model");
    assert!(
        read(&alone) == read(&beside),
        "PPO's model changed with {loads} DQN evaluations beside it"
    );
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
