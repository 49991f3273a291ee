//! End to end on the real binary: an experiment grid resumes, re-runs with --force, gives the same
//! tables and trained learners at any --jobs (two trainings at once with 2), and writes its report
//! and plots; a stress test finds breaking points.

use std::path::Path;
use std::process::Command;

fn shopgym() -> Command {
    Command::new(env!("CARGO_BIN_EXE_shopgym"))
}

const SCENARIO: &str = "name: tiny_sale\nhorizon_s: 1800\ndecision_interval_s: 60\n\
    classes:\n  - { name: browse, service: { dist: exponential, mean_ms: 50 }, slo: { latency_ms: 300 }, timeout_ms: 2000, value_per_failure: 0.01 }\n  \
      - { name: order, service: { dist: exponential, mean_ms: 100 }, slo: { quantile: 0.99, latency_ms: 1000 }, timeout_ms: 5000, value_per_failure: 1 }\n\
    pools:\n  - { name: browse, concurrency: 2, initial: 2, min: 1, max: 40, cost_per_hour: 0.2, cold_start: { dist: deterministic, mean_s: 60 } }\n  \
      - { name: order, concurrency: 2, initial: 2, min: 1, max: 40, cost_per_hour: 0.3, cold_start: { dist: deterministic, mean_s: 60 } }\n\
    traffic:\n  mix: { browse: 0.8, order: 0.2 }\n  synthetic:\n    base_rate: 20\n    \
      promotions: [ { start_s: 600, ramp_s: 60, peak: 5, hold_s: 300, decay_s: 120, mix_boost: { order: 2 } } ]\n";

fn setup(dir: &Path) -> std::path::PathBuf {
    std::fs::write(dir.join("tiny_sale.yaml"), SCENARIO).expect("write scenario");
    let agents = Path::new(env!("CARGO_MANIFEST_DIR")).join("agents");
    let exp = format!(
        "name: tiny\nscenarios: [ tiny_sale.yaml ]\nreference: threshold\nagents:\n  - {{ file: {a}/threshold.yaml }}\n  - {{ file: {a}/dp_oracle.yaml }}\n  - {{ file: {a}/q_learning.yaml, train_steps: 120, training_runs: 2 }}\n\
         seeds: {{ start: 1000, count: 3 }}\n",
        a = agents.display()
    );
    let p = dir.join("tiny.yaml");
    std::fs::write(&p, exp).expect("write experiment");
    p
}

/// Rewrites the experiment file `exp` with `edit`.
fn rewrite(exp: &Path, edit: impl Fn(String) -> String) {
    let text = std::fs::read_to_string(exp).expect("read");
    std::fs::write(exp, edit(text)).expect("write");
}

fn run(exp: &Path, out: &Path, extra: &[&str]) {
    let o = shopgym()
        .arg("experiment")
        .arg(exp)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn experiment_resumes_and_is_independent_of_jobs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let exp = setup(dir.path());
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    run(&exp, &a, &["--jobs", "1"]);
    run(&exp, &b, &["--jobs", "2"]);
    let read = |p: &Path| std::fs::read_to_string(p).expect("file exists");
    assert_eq!(
        read(&a.join("runs.csv")),
        read(&b.join("runs.csv")),
        "same results at 1 and 2 jobs"
    );
    assert_eq!(read(&a.join("summary.csv")), read(&b.join("summary.csv")));
    let report = read(&a.join("report.md"));
    for needle in [
        "## tiny_sale",
        "| threshold |",
        "| dp_oracle |",
        "Paired differences",
        "plots/traffic_capacity_tiny_sale.png",
    ] {
        assert!(report.contains(needle), "report lacks {needle}:\n{report}");
    }
    for f in [
        "traffic_capacity_tiny_sale",
        "latency_tiny_sale",
        "cost_slo_tiny_sale",
    ] {
        for ext in ["png", "svg"] {
            let p = a.join("plots").join(format!("{f}.{ext}"));
            assert!(
                std::fs::metadata(&p)
                    .map(|m| m.len() > 1000)
                    .unwrap_or(false),
                "{}",
                p.display()
            );
        }
    }
    // Both training runs of the learner have their rows, the second under its own name, and
    // the report pools them.
    let runs_csv = read(&a.join("runs.csv"));
    assert_eq!(runs_csv.lines().count(), 1 + 4 * 3);
    for seed in 1000..1003 {
        assert!(
            runs_csv.contains(&format!("tiny_sale,q_learning.t1,{seed},")),
            "{runs_csv}"
        );
    }
    assert!(
        report.contains("pool the episodes of all their training runs (n = runs × episodes")
            && report.contains("q_learning (2 runs)"),
        "{report}"
    );
    assert!(a.join("runs/tiny_sale__q_learning.t1__1002.json").exists());
    // The two training runs, trained one after the other at 1 job and at once at 2, wrote the
    // same files.
    for run in ["tiny_sale__q_learning", "tiny_sale__q_learning.t1"] {
        assert_same_training(&a, &b, run);
    }
    assert!(
        report.contains("| q_learning |"),
        "the learner was trained and evaluated"
    );
    assert!(
        a.join("train/tiny_sale__q_learning/final/state.json")
            .exists(),
        "training run kept"
    );
    // Resume: finished runs are not redone; --force redoes them (same results).
    let run_file = a.join("runs/tiny_sale__threshold__1000.json");
    let before = std::fs::metadata(&run_file)
        .and_then(|m| m.modified())
        .expect("mtime");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    run(&exp, &a, &[]);
    assert_eq!(
        before,
        std::fs::metadata(&run_file)
            .and_then(|m| m.modified())
            .expect("mtime"),
        "resumed, not re-run"
    );
    std::fs::remove_file(a.join("runs/tiny_sale__dp_oracle__1002.json")).expect("remove one run");
    run(&exp, &a, &[]);
    assert!(
        a.join("runs/tiny_sale__dp_oracle__1002.json").exists(),
        "the missing run is redone"
    );
    run(&exp, &a, &["--force"]);
    assert!(
        before
            < std::fs::metadata(&run_file)
                .and_then(|m| m.modified())
                .expect("mtime"),
        "--force re-runs"
    );
    assert_eq!(read(&a.join("runs.csv")), read(&b.join("runs.csv")));
}

/// The files a training run `run` left in `final/` under experiment outputs `a` and `b` are the
/// same bytes (`state.json` but for the wall clock it records).
fn assert_same_training(a: &Path, b: &Path, run: &str) {
    let final_dir = |root: &Path| root.join("train").join(run).join("final");
    let mut files: Vec<_> = std::fs::read_dir(final_dir(a))
        .expect("final/ of the training")
        .map(|e| e.expect("entry").file_name())
        .collect();
    files.sort();
    assert!(files.iter().any(|f| f == "state.json"), "{files:?}");
    for f in files {
        let bytes = |root: &Path| {
            let b = std::fs::read(final_dir(root).join(&f)).expect("readable");
            if f != "state.json" {
                return b;
            }
            let mut v: serde_json::Value = serde_json::from_slice(&b).expect("json");
            let o = v.as_object_mut().expect("object");
            o.remove("wall_seconds");
            // The size of train.csv, whose steps/s column is wall clock too.
            if let Some(log) = o.get_mut("log").and_then(|l| l.as_object_mut()) {
                log.remove("csv_bytes");
            }
            v.to_string().into_bytes()
        };
        assert!(
            bytes(a) == bytes(b),
            "{run}/final/{f:?} differs between 1 and 2 jobs"
        );
    }
}

/// PPO draws from libtorch's process-wide generator; two PPO trainings at once (`--jobs 2`) still
/// write what each writes alone, and evaluate to the same results.
#[cfg(feature = "tch")]
#[test]
fn ppo_trainings_side_by_side_match_ones_run_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let exp = setup(dir.path());
    rewrite(&exp, |text| {
        text.replace(
            "q_learning.yaml, train_steps: 120",
            "ppo.yaml, train_steps: 1920",
        )
        .replace("count: 3", "count: 1")
    });
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    run(&exp, &a, &["--jobs", "1"]);
    run(&exp, &b, &["--jobs", "2"]);
    for run in ["tiny_sale__ppo", "tiny_sale__ppo.t1"] {
        assert_same_training(&a, &b, run);
    }
    let read = |p: &Path| std::fs::read_to_string(p).expect("file exists");
    assert_eq!(read(&a.join("runs.csv")), read(&b.join("runs.csv")));
}

#[test]
fn a_training_of_another_budget_is_not_reused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let exp = setup(dir.path());
    rewrite(&exp, |text| {
        text.replace(
            "train_steps: 120, training_runs: 2 }",
            "train_steps: 120, training_runs: 2, full_train_steps: 240 }",
        )
    });
    let out = dir.path().join("out");
    run(&exp, &out, &["--jobs", "2"]);
    let o = shopgym()
        .arg("experiment")
        .arg(&exp)
        .arg("--out")
        .arg(&out)
        .arg("--full")
        .output()
        .expect("runs");
    assert!(
        !o.status.success(),
        "the default-budget training was reused"
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("trained for 120 steps") && err.contains("asks for 240"),
        "{err}"
    );
    run(&exp, &out, &["--full", "--force", "--jobs", "2"]);
    let state = std::fs::read_to_string(out.join("train/tiny_sale__q_learning/final/state.json"))
        .expect("state");
    let state: serde_json::Value = serde_json::from_str(&state).expect("json");
    assert_eq!(state["global_step"], 240);
}

#[test]
fn bad_experiment_files_get_clear_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let exp = setup(dir.path());
    rewrite(&exp, |text| {
        text.replace("reference: threshold", "reference: nobody")
    });
    let o = shopgym()
        .arg("experiment")
        .arg(&exp)
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(
        err.contains("tiny.yaml") && err.contains("reference") && err.contains("nobody"),
        "{err}"
    );
}

#[test]
fn stress_finds_the_reactive_policy_breaking_first() {
    let dir = tempfile::tempdir().expect("temp dir");
    setup(dir.path());
    let agents = Path::new(env!("CARGO_MANIFEST_DIR")).join("agents");
    let o = shopgym()
        .args(["stress", "--scenario"])
        .arg(dir.path().join("tiny_sale.yaml"))
        .arg("--agent")
        .arg(agents.join("threshold.yaml"))
        .arg(agents.join("dp_oracle.yaml"))
        .args(["--peaks", "2,10,40", "--episodes", "2", "--json", "--out"])
        .arg(dir.path().join("stress"))
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let agents = v["agents"].as_array().expect("agents");
    let bp = |i: usize| {
        agents[i]["breaking_point"]
            .as_f64()
            .unwrap_or(f64::INFINITY)
    };
    assert_eq!(agents[0]["agent"], "threshold");
    assert!(
        bp(0) <= bp(1),
        "threshold breaks no later than dp_oracle: {} vs {}",
        bp(0),
        bp(1)
    );
    assert!(
        bp(0).is_finite(),
        "a 40x surge with 60 s cold starts breaks the reactive policy"
    );
    assert_eq!(agents[0]["points"].as_array().expect("points").len(), 3);
    assert!(dir.path().join("stress/stress.csv").exists());
}

#[test]
fn a_second_experiment_on_the_same_out_refuses_and_a_killed_one_leaves_no_stale_lock() {
    let dir = tempfile::tempdir().expect("temp dir");
    let exp = setup(dir.path());
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).expect("mkdir");
    // Another experiment holds the directory: this one refuses and writes nothing.
    let held = shopgym::experiment::lock::OutLock::acquire(&out).expect("locks");
    let o = shopgym()
        .arg("experiment")
        .arg(&exp)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "ran beside a held lock");
    assert!(
        err.contains("in use by another `shopgym experiment`")
            && err.contains(&out.display().to_string())
            && err.contains(&format!("pid {}", std::process::id())),
        "{err}"
    );
    assert!(!out.join("runs").exists(), "the refused run wrote results");
    drop(held);
    // A run killed with SIGKILL while it holds the lock does not block the next one.
    let mut child = shopgym()
        .arg("experiment")
        .arg(&exp)
        .arg("--out")
        .arg(&out)
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawns");
    let lock = out.join(shopgym::experiment::lock::LOCK_FILE);
    let pid = format!("pid {}", child.id());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::fs::read_to_string(&lock).unwrap_or_default() != pid
        && child.try_wait().expect("polls").is_none()
    {
        assert!(std::time::Instant::now() < deadline, "no lock within 60 s");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().expect("kills");
    child.wait().expect("waits");
    run(&exp, &out, &[]);
    assert!(out.join("report.md").is_file());
}
