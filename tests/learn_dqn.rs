//! DQN smoke trainings on the tiny scenario (with `--features tch`): it learns (beats its
//! untrained greedy policy and the static policy), the checkpoint acts exactly like the trained
//! network, a run repeats from its seed, and `--resume` continues with the saved replay buffer.
//! Without the feature, a DQN agent is a clear error.

mod common;

use std::path::Path;

use shopgym::agents::{Agent, AgentSpec};
use shopgym::learn::dqn::DqnConfig;
use shopgym::learn::TrainOptions;
use shopgym::scenario::Scenario;

fn tiny() -> Scenario {
    Scenario::from_yaml(common::TINY, Path::new("tiny.yaml")).expect("tiny parses")
}

fn agent_with(total: u64, edit: impl FnOnce(&mut DqnConfig)) -> Agent {
    let mut cfg = DqnConfig {
        step_size: 1,
        hidden: vec![64],
        num_envs: 2,
        total_steps: total,
        buffer_size: 5_000,
        learning_starts: 200,
        batch_size: 64,
        train_frequency: 2,
        target_update_interval: 200,
        learning_rate: 1e-3,
        exploration_fraction: 0.5,
        reward_scale: 1e-1,
        eval_every: total,
        eval_episodes: 2,
        checkpoint_every: total,
        ..DqnConfig::default()
    };
    edit(&mut cfg);
    Agent::new("dqn".into(), AgentSpec::Dqn(cfg), Path::new("dqn.yaml")).expect("valid")
}

fn agent(total: u64) -> Agent {
    agent_with(total, |_| {})
}

fn options(dir: &Path, resume: bool) -> TrainOptions {
    TrainOptions {
        steps: None,
        seed: 1,
        out: dir.to_path_buf(),
        resume,
        progress: false,
        ..Default::default()
    }
}

#[cfg(feature = "tch")]
#[test]
fn dqn_learns_and_checkpoint_round_trips() {
    use shopgym::evaluate::run_one;
    let scenario = tiny();
    let dir = tempfile::tempdir().expect("tmp");
    let untrained = agent(2)
        .train(&scenario, &options(&dir.path().join("u"), false))
        .expect("trains");
    let run = dir.path().join("run");
    let every_1000 = |c: &mut DqnConfig| c.eval_every = 1000;
    let s = agent_with(3000, every_1000)
        .train(&scenario, &options(&run, false))
        .expect("trains");
    for f in [
        "agent.yaml",
        "train.csv",
        "final/model.safetensors",
        "final/target.safetensors",
        "final/obs_norm.json",
        "checkpoints/latest/replay.bin",
    ] {
        assert!(run.join(f).is_file(), "{f} missing");
    }
    let csv = std::fs::read_to_string(run.join("train.csv")).expect("csv");
    for tag in ["losses/td_loss", "schedule/epsilon", "eval/episodic_return"] {
        assert!(csv.contains(tag), "{tag} not logged");
    }
    let a = agent(3000).with_checkpoint(&run);
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
    // best/: the checkpoint of the best periodic evaluation, which it reproduces.
    let evals: Vec<f64> = csv
        .lines()
        .filter(|l| l.contains(",eval/episodic_return,"))
        .map(|l| {
            l.rsplit(',')
                .next()
                .expect("value")
                .parse()
                .expect("number")
        })
        .collect();
    assert_eq!(evals.len(), 3, "evaluations at 1000, 2000, 3000 steps");
    let best = evals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let b = agent(3000).with_checkpoint(run.join("best"));
    let best_loaded = (run_one(&scenario, &b, 900)
        .expect("runs")
        .tally
        .episode_return
        + run_one(&scenario, &b, 901)
            .expect("runs")
            .tally
            .episode_return)
        / 2.0;
    assert!(
        (best_loaded - best).abs() < 1e-9,
        "best/ {best_loaded} vs best eval {best}"
    );
    let before = untrained.last_eval_return.expect("evaluated");
    eprintln!("dqn on tiny: untrained {before:.2}, trained {trained:.2}");
    assert!(trained > before, "trained {trained} vs untrained {before}");
    let stat = Agent::load(Path::new(env!("CARGO_MANIFEST_DIR")).join("agents/static.yaml"))
        .expect("static agent");
    let static_ret = (run_one(&scenario, &stat, 900)
        .expect("runs")
        .tally
        .episode_return
        + run_one(&scenario, &stat, 901)
            .expect("runs")
            .tally
            .episode_return)
        / 2.0;
    eprintln!("static on tiny: {static_ret:.2}");
    assert!(
        trained > static_ret,
        "trained {trained} vs static {static_ret}"
    );
}

#[cfg(feature = "tch")]
#[test]
fn dueling_n_step_run_repeats_from_its_seed_and_resumes() {
    let scenario = tiny();
    let dir = tempfile::tempdir().expect("tmp");
    let variant = |c: &mut DqnConfig| {
        c.dueling = true;
        c.n_step = 3;
        c.tau = 0.05;
        c.target_update_interval = 2;
        c.checkpoint_every = 400;
    };
    let a = agent_with(800, variant)
        .train(&scenario, &options(&dir.path().join("a"), false))
        .expect("trains");
    let b = agent_with(800, variant)
        .train(&scenario, &options(&dir.path().join("b"), false))
        .expect("trains");
    assert_eq!(
        a.last_eval_return, b.last_eval_return,
        "same seed, same run"
    );
    let model = |d: &str| std::fs::read(dir.path().join(d).join("final/model.safetensors"));
    assert_eq!(
        model("a").expect("a"),
        model("b").expect("b"),
        "same weights"
    );

    // Train 400 steps, resume to 800: the replay buffer and both networks come back.
    let run = dir.path().join("r");
    let half = agent_with(400, variant)
        .train(&scenario, &options(&run, false))
        .expect("trains");
    assert_eq!(half.steps, 400);
    let s = agent_with(800, variant)
        .train(&scenario, &options(&run, true))
        .expect("resumes");
    assert_eq!(s.steps, 800);
    let state: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(run.join("final/state.json")).expect("state"),
    )
    .expect("json");
    assert_eq!(state["global_step"], 800);
    assert!(s.last_eval_return.is_some_and(f64::is_finite));
}

#[test]
fn dqn_config_errors_name_the_field() {
    let err = Agent::new(
        "dqn".into(),
        AgentSpec::Dqn(DqnConfig {
            tau: 0.0,
            ..DqnConfig::default()
        }),
        Path::new("agents/bad.yaml"),
    )
    .expect_err("tau 0");
    let msg = err.to_string();
    assert!(
        msg.contains("agents/bad.yaml") && msg.contains("tau"),
        "{msg}"
    );
    let err = Agent::new(
        "dqn".into(),
        AgentSpec::Dqn(DqnConfig {
            batch_size: 0,
            ..DqnConfig::default()
        }),
        Path::new("agents/bad.yaml"),
    )
    .expect_err("batch 0");
    assert!(err.to_string().contains("batch_size"), "{err}");
    let err = Agent::new(
        "dqn".into(),
        AgentSpec::Dqn(DqnConfig {
            slo_weight: -1.0,
            ..DqnConfig::default()
        }),
        Path::new("agents/bad.yaml"),
    )
    .expect_err("negative slo_weight");
    assert!(err.to_string().contains("slo_weight"), "{err}");
}

#[cfg(not(feature = "tch"))]
#[test]
fn dqn_without_tch_is_a_clear_error() {
    let scenario = tiny();
    let dir = tempfile::tempdir().expect("tmp");
    let err = agent(40)
        .train(&scenario, &options(dir.path(), false))
        .expect_err("no tch");
    assert!(
        format!("{err}").contains("built without the tch feature"),
        "{err}"
    );
}
