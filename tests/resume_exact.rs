//! Exact resume on the real binary: a training killed (SIGKILL, or stopped with SIGINT as Ctrl-C
//! does) at random points after its first checkpoint and continued with `--resume` until it
//! finishes ends with the same files as a straight run: the final and best checkpoints, every
//! `train.csv` row and every TensorBoard scalar. Only wall-clock values may differ (`wall_s`,
//! `charts/steps_per_second`, `state.json`'s `wall_seconds` and the log lengths it records, which
//! depend on how wide `wall_s` was printed).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use shopgym::learn::tensorboard::{read_scalars, EVENTS_FILE};

const STEPS: u64 = 1200;

/// A Q-learning agent that checkpoints often, so kills land between many checkpoints.
const Q_AGENT: &str = "agent: q_learning
step_size: 1
bins: { time: 4, load: 3, instances: 3, utilisation: 2, trend: 1 }
reward_scale: 1.0e-2
double_q: true
num_envs: 2
total_steps: 1200
eval_every: 300
eval_episodes: 1
checkpoint_every: 50
";

struct Setup {
    _dir: tempfile::TempDir,
    root: PathBuf,
    scenario: String,
    agent: String,
}

fn setup(agent_yaml: &str) -> Setup {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path().to_path_buf();
    std::fs::write(root.join("tiny.yaml"), common::TINY).expect("write");
    std::fs::write(root.join("agent.yaml"), agent_yaml).expect("write");
    Setup {
        scenario: root.join("tiny.yaml").display().to_string(),
        agent: root.join("agent.yaml").display().to_string(),
        root,
        _dir: dir,
    }
}

fn train(s: &Setup, run: &Path, resume: bool) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shopgym"));
    cmd.args(["train", "--scenario", &s.scenario, "--agent", &s.agent])
        .args(["--steps", &STEPS.to_string(), "--seed", "7"])
        .arg(if resume { "--resume" } else { "--out" })
        .arg(run)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd.spawn().expect("spawns")
}

fn wait_ok(child: Child) {
    let out = child.wait_with_output().expect("waits");
    assert!(
        out.status.success(),
        "training failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn checkpoint_step(run: &Path) -> Option<u64> {
    let text = std::fs::read_to_string(run.join("checkpoints/latest/state.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["global_step"].as_u64()
}

/// Runs the training in `run` to the end, stopping it with `signal` (`None`: SIGKILL) a random
/// moment after each of its first `stops` new checkpoints and resuming; returns how many stops
/// landed before the run had finished.
fn interrupted_run(s: &Setup, run: &Path, signal: Option<&str>, stops: usize, seed: u64) -> usize {
    let mut rng = seed;
    let mut next_delay_ms = || {
        rng = rng
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (rng >> 33) % 120
    };
    let mut landed = 0;
    let mut resume = false;
    for _ in 0..stops {
        let before = checkpoint_step(run);
        let mut child = train(s, run, resume);
        resume = true;
        let deadline = Instant::now() + Duration::from_secs(120);
        // wait for a new checkpoint (or the end)
        while checkpoint_step(run) == before && child.try_wait().expect("polls").is_none() {
            assert!(Instant::now() < deadline, "no checkpoint within 120 s");
            std::thread::sleep(Duration::from_millis(2));
        }
        std::thread::sleep(Duration::from_millis(next_delay_ms()));
        if child.try_wait().expect("polls").is_some() {
            wait_ok(child);
            break;
        }
        match signal {
            None => child.kill().expect("kills"),
            Some(sig) => {
                let ok = Command::new("kill")
                    .args([sig, &child.id().to_string()])
                    .status()
                    .expect("kill runs")
                    .success();
                assert!(ok, "kill {sig} failed");
            }
        }
        let out = child.wait_with_output().expect("waits");
        if signal.is_some() && out.status.success() {
            // A clean stop says where it stopped.
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                err.contains("interrupted") || !run.join("final").exists(),
                "{err}"
            );
        }
        if !run.join("final").exists() {
            landed += 1;
        }
    }
    if !run.join("final/state.json").is_file() {
        wait_ok(train(s, run, true));
    }
    landed
}

/// `train.csv` without the wall-clock column and the steps-per-second rows.
fn csv_rows(run: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(run.join("train.csv")).expect("train.csv");
    text.lines()
        .filter(|l| !l.contains("charts/steps_per_second"))
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            assert_eq!(f.len(), 4, "ragged row {l:?}");
            format!("{},{},{}", f[0], f[2], f[3])
        })
        .collect()
}

fn tb_scalars(run: &Path) -> Vec<(u64, String, u32)> {
    let files: Vec<_> = std::fs::read_dir(run.join("tb"))
        .expect("tb")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(files, vec![std::ffi::OsString::from(EVENTS_FILE)]);
    read_scalars(&run.join("tb").join(EVENTS_FILE))
        .expect("reads")
        .expect("whole records")
        .into_iter()
        .filter(|e| e.tag != "charts/steps_per_second")
        .map(|e| (e.step, e.tag, e.value.to_bits()))
        .collect()
}

fn state_without_wall_clock(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut v: serde_json::Value = serde_json::from_str(&text).expect("json");
    let o = v.as_object_mut().expect("object");
    o.remove("wall_seconds");
    o.remove("log");
    v
}

/// Byte-identical, or for safetensors the same tensors under the same names (the header's key
/// order is not fixed).
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(feature = "tch")]
    if a.extension().is_some_and(|e| e == "safetensors") {
        let read = |p: &Path| {
            let mut v =
                tch::Tensor::read_safetensors(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            v.sort_by(|x, y| x.0.cmp(&y.0));
            v
        };
        let (x, y) = (read(a), read(b));
        return x.len() == y.len()
            && x.iter()
                .zip(&y)
                .all(|((kx, tx), (ky, ty))| kx == ky && tx.equal(ty));
    }
    let read = |p: &Path| std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    read(a) == read(b)
}

fn assert_same_run(straight: &Path, resumed: &Path, model_files: &[&str]) {
    for dir in ["final", "best", "checkpoints/latest"] {
        for f in model_files {
            let (a, b) = (straight.join(dir).join(f), resumed.join(dir).join(f));
            assert!(same_file(&a, &b), "{dir}/{f} differs");
        }
        assert_eq!(
            state_without_wall_clock(&straight.join(dir).join("state.json")),
            state_without_wall_clock(&resumed.join(dir).join("state.json")),
            "{dir}/state.json"
        );
    }
    let (a, b) = (csv_rows(straight), csv_rows(resumed));
    assert!(a.len() > 100, "only {} rows", a.len());
    assert_eq!(a.len(), b.len(), "train.csv row count");
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        assert_eq!(x, y, "train.csv row {i}");
    }
    assert_eq!(tb_scalars(straight), tb_scalars(resumed), "tb scalars");
    for leftover in [".latest.next", ".latest.prev"] {
        assert!(!resumed.join("checkpoints").join(leftover).exists());
    }
}

const Q_FILES: &[&str] = &["q_table.json", "rng.json", "agent.yaml"];

#[test]
fn q_learning_killed_at_random_points_and_resumed_equals_a_straight_run() {
    let s = setup(Q_AGENT);
    let straight = s.root.join("straight");
    wait_ok(train(&s, &straight, false));
    let resumed = s.root.join("killed");
    let landed = interrupted_run(&s, &resumed, None, 4, 11);
    assert!(landed >= 1, "no kill landed mid-run");
    assert_same_run(&straight, &resumed, Q_FILES);
}

#[test]
fn q_learning_stopped_by_sigint_and_resumed_equals_a_straight_run() {
    let s = setup(Q_AGENT);
    let straight = s.root.join("straight");
    wait_ok(train(&s, &straight, false));
    let resumed = s.root.join("stopped");
    let landed = interrupted_run(&s, &resumed, Some("-INT"), 2, 5);
    assert!(landed >= 1, "no stop landed mid-run");
    assert_same_run(&straight, &resumed, Q_FILES);
}

#[cfg(feature = "tch")]
const PPO_AGENT: &str = "agent: ppo
hidden: [16, 16]
num_envs: 2
num_steps: 30
total_steps: 1200
num_minibatches: 2
update_epochs: 2
reward_scale: 1.0e-2
eval_every: 300
eval_episodes: 1
checkpoint_every: 60
";

#[cfg(feature = "tch")]
#[test]
fn ppo_killed_at_random_points_and_resumed_equals_a_straight_run_with_adam_state() {
    let s = setup(PPO_AGENT);
    let straight = s.root.join("straight");
    wait_ok(train(&s, &straight, false));
    let resumed = s.root.join("killed");
    let landed = interrupted_run(&s, &resumed, None, 4, 23);
    assert!(landed >= 1, "no kill landed mid-run");
    assert_same_run(
        &straight,
        &resumed,
        &[
            "model.safetensors",
            "adam.safetensors",
            "obs_norm.json",
            "agent.yaml",
        ],
    );
}

/// A DQN agent small enough to train 1,200 steps in seconds, with what makes resuming hard: 3-step
/// transitions pending at every checkpoint, a replay buffer that wraps, updates every 3 steps of 2
/// envs (due between checkpoints) and loss averages that span checkpoints.
#[cfg(feature = "tch")]
const DQN_AGENT: &str = "agent: dqn
hidden: [16, 16]
dueling: true
n_step: 3
num_envs: 2
total_steps: 1200
buffer_size: 500
learning_starts: 100
batch_size: 16
train_frequency: 3
target_update_interval: 100
reward_scale: 1.0e-2
eval_every: 300
eval_episodes: 1
checkpoint_every: 50
";

#[cfg(feature = "tch")]
const DQN_FILES: &[&str] = &[
    "model.safetensors",
    "target.safetensors",
    "adam.safetensors",
    "obs_norm.json",
    "rng.json",
    "loop.json",
    "agent.yaml",
];

#[cfg(feature = "tch")]
#[test]
fn dqn_killed_or_stopped_and_resumed_equals_a_straight_run_with_adam_and_replay_state() {
    let s = setup(DQN_AGENT);
    let straight = s.root.join("straight");
    wait_ok(train(&s, &straight, false));
    let replay = |run: &Path| run.join("checkpoints/latest/replay.bin");
    assert!(replay(&straight).is_file(), "no replay buffer saved");
    for (name, signal, stops, seed) in [("killed", None, 4, 31), ("stopped", Some("-INT"), 2, 37)] {
        let resumed = s.root.join(name);
        let landed = interrupted_run(&s, &resumed, signal, stops, seed);
        assert!(landed >= 1, "{name}: no stop landed mid-run");
        assert_same_run(&straight, &resumed, DQN_FILES);
        assert!(
            same_file(&replay(&straight), &replay(&resumed)),
            "{name}: checkpoints/latest/replay.bin differs"
        );
    }
}
