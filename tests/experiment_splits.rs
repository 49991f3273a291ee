//! The benchmark protocol with splits: disjoint train / validation / test seed ranges, refused
//! when they overlap; learners' episodes drawn from the train split only; OOD sets evaluated with
//! the family's learners; a report with n, bootstrap intervals, the overlap of instances between
//! splits and the generalisation gap.

use std::path::Path;
use std::process::Command;

use shopgym::env::{AutoresetMode, Env, EnvConfig, ScalingEnv, VecEnv};
use shopgym::learn::episodes::Episodes;
use shopgym::scenario::Scenario;
use shopgym::sim::rng::SeedRange;

fn shopgym() -> Command {
    Command::new(env!("CARGO_BIN_EXE_shopgym"))
}

/// A 30-minute two-class shop; `family` draws the sale's start and the base rate per episode.
fn scenario(name: &str, family: bool) -> String {
    let (rate, start) = if family {
        ("{ uniform: [15, 25] }", "{ uniform: [300, 900] }")
    } else {
        ("20", "600")
    };
    format!(
        "name: {name}\nhorizon_s: 1800\ndecision_interval_s: 60\n\
    classes:\n  - {{ name: browse, service: {{ dist: exponential, mean_ms: 50 }}, slo: {{ latency_ms: 300 }}, timeout_ms: 2000, value_per_failure: 0.01 }}\n  \
      - {{ name: order, service: {{ dist: exponential, mean_ms: 100 }}, slo: {{ quantile: 0.99, latency_ms: 1000 }}, timeout_ms: 5000, value_per_failure: 1 }}\n\
    pools:\n  - {{ name: browse, concurrency: 2, initial: 2, min: 1, max: 40, cost_per_hour: 0.2, cold_start: {{ dist: deterministic, mean_s: 60 }} }}\n  \
      - {{ name: order, concurrency: 2, initial: 2, min: 1, max: 40, cost_per_hour: 0.3, cold_start: {{ dist: deterministic, mean_s: 60 }} }}\n\
    traffic:\n  mix: {{ browse: 0.8, order: 0.2 }}\n  synthetic:\n    base_rate: {rate}\n    \
      promotions: [ {{ start_s: {start}, ramp_s: 60, peak: 5, hold_s: 300, decay_s: 120, mix_boost: {{ order: 2 }} }} ]\n"
    )
}

/// Writes the two scenarios and an experiment with `splits` (YAML text) into `dir`.
fn setup(dir: &Path, splits: &str) -> std::path::PathBuf {
    std::fs::write(dir.join("tiny_family.yaml"), scenario("tiny_family", true)).expect("write");
    std::fs::write(dir.join("tiny_fixed.yaml"), scenario("tiny_fixed", false)).expect("write");
    let agents = Path::new(env!("CARGO_MANIFEST_DIR")).join("agents");
    let exp = format!(
        "name: tiny\nscenarios: [ tiny_family.yaml ]\nreference: threshold\nagents:\n  - {{ file: {a}/threshold.yaml }}\n  - {{ file: {a}/dp_oracle.yaml }}\n  - {{ file: {a}/q_learning.yaml, train_steps: 120, training_runs: 2 }}\n\
         {splits}\nood:\n  - {{ file: tiny_fixed.yaml, trained_on: tiny_family, seeds: {{ start: 7000, count: 3 }} }}\n",
        a = agents.display()
    );
    let p = dir.join("tiny.yaml");
    std::fs::write(&p, exp).expect("write experiment");
    p
}

const SPLITS: &str = "splits:\n  train: { start: 0, count: 50 }\n  validation: { start: 50, count: 4 }\n  test: { start: 5000, count: 3 }";

#[test]
fn overlapping_splits_are_refused_naming_field_and_value() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (splits, field, value) in [
        (
            "splits:\n  train: { start: 0, count: 50 }\n  validation: { start: 40, count: 4 }\n  test: { start: 5000, count: 3 }",
            "splits.validation",
            "40..44",
        ),
        (
            "splits:\n  train: { start: 0, count: 50 }\n  validation: { start: 50, count: 4 }\n  test: { start: 10, count: 3 }",
            "splits.test",
            "10..13",
        ),
        (
            "splits:\n  train: { start: 0, count: 50 }\n  validation: { start: 50, count: 4 }\n  test: { start: 5000, count: 3 }\nfull: { seeds: 100 }\nseeds_unused: 1",
            "seeds_unused",
            "",
        ),
        (
            "splits:\n  train: { start: 0, count: 50 }\n  validation: { start: 50, count: 4 }\n  test: { start: 5000, count: 3 }\nfull: { seeds: 0 }",
            "full.seeds",
            "0",
        ),
    ] {
        let (ok, err) = check(&setup(dir.path(), splits));
        assert!(!ok, "accepted:\n{splits}");
        assert!(err.contains(field) && err.contains(value), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    // A --full test range that reaches into the train split is refused too.
    let (ok, err) = check(&setup(
        dir.path(),
        "splits:\n  train: { start: 100, count: 50 }\n  validation: { start: 50, count: 4 }\n  test: { start: 90, count: 3 }\nfull: { seeds: 20 }",
    ));
    assert!(!ok && err.contains("--full"), "{err}");
}

/// `shopgym experiment --check EXP`: whether it passed, and its stderr.
fn check(exp: &Path) -> (bool, String) {
    let o = shopgym()
        .args(["experiment", "--check"])
        .arg(exp)
        .output()
        .expect("runs");
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn split_protocol_reports_n_intervals_overlap_and_generalisation_gap() {
    let dir = tempfile::tempdir().expect("temp dir");
    let exp = setup(dir.path(), SPLITS);
    let out = dir.path().join("out");
    let o = shopgym()
        .arg("experiment")
        .arg(&exp)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report = std::fs::read_to_string(out.join("report.md")).expect("report");
    for needle in [
        "Protocol:",
        "| tiny_family | family | 0..50 (50) | 50..54 (4) | 5000..=5002 (3) | 0 of 3 | 0 of 3 |",
        // A fixed scenario's draws are all one instance: every one was "seen in training".
        "| tiny_fixed | OOD (trained on tiny_family) | 0..50 (50) | 50..54 (4) | 7000..=7002 (3) |",
        "test draws: seeds 5000..=5002, n = 3 episodes per agent.",
        "out-of-distribution set (learners and fitted forecasts from `tiny_family`)",
        "| agent | n | return | IQM return |",
        "Generalisation gap of the learners",
        // Two training runs x 3 draws, pooled (stratified by run).
        "| q_learning | 6 / 6 |",
        "| q_learning | 6 | ",
        "Not dominated on (mean cost, mean SLO-violation minutes):",
    ] {
        assert!(report.contains(needle), "missing {needle:?} in:\n{report}");
    }
    // A capacity plan per scenario (test draws and the OOD set), the learner's runs pooled.
    let plan_header = "| agent | n | browse: max (mean) | order: max (mean) | $ / 1,000 orders |";
    assert_eq!(report.matches(plan_header).count(), 2, "{report}");
    let plan_rows = report
        .lines()
        .filter(|l| l.starts_with("| q_learning | 6 | ") && l.matches('|').count() == 6)
        .count();
    assert_eq!(plan_rows, 2, "{report}");
    // The learner was trained twice (seeds 0 and 1), on the family only, and both runs were
    // evaluated on its training draws, its test draws and the OOD set.
    assert!(out.join("train/tiny_family__q_learning/final").is_dir());
    assert!(out.join("train/tiny_family__q_learning.t1/final").is_dir());
    assert!(!out.join("train/tiny_family__q_learning.t2").exists());
    assert!(!out.join("train/tiny_fixed__q_learning").exists());
    for seed in [0, 1, 2, 5000, 7000] {
        let scenario = if seed == 7000 {
            "tiny_fixed"
        } else {
            "tiny_family"
        };
        for name in ["q_learning", "q_learning.t1"] {
            let f = out.join(format!("runs/{scenario}__{name}__{seed}.json"));
            assert!(f.is_file(), "{}", f.display());
        }
    }
    // The two runs are different trainings, not one run reported twice.
    let read = |n: &str| {
        std::fs::read_to_string(out.join(format!("train/tiny_family__{n}/train.csv")))
            .expect("train.csv")
    };
    assert_ne!(read("q_learning"), read("q_learning.t1"));
    assert!(!out.join("runs/tiny_family__threshold__0.json").exists());
}

#[test]
fn training_episodes_start_from_train_split_seeds_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path().join("tiny_family.yaml");
    std::fs::write(&p, scenario("tiny_family", true)).expect("write");
    let s = Scenario::load(&p).expect("loads");
    let cfg = EnvConfig::new(&s.spec.env, &s).expect("config");
    let envs: Vec<ScalingEnv> = (0..3)
        .map(|_| ScalingEnv::new(&s, cfg.clone()).expect("env"))
        .collect();
    let split = SeedRange {
        start: 40,
        count: 5,
    };
    let mut eps = Episodes::new(
        VecEnv::new(envs, AutoresetMode::SameStep).expect("venv"),
        7,
        Some(split),
    );
    let (obs, _) = eps.reset();
    // Every env's first observation is that of a fresh env reset on one of the split's seeds.
    let mut fresh = ScalingEnv::new(&s, cfg.clone()).expect("env");
    let dim = fresh.obs_names().len();
    let starts: Vec<Vec<f32>> = (40..45).map(|seed| fresh.reset(Some(seed)).0).collect();
    for i in 0..3 {
        let o = &obs[i * dim..(i + 1) * dim];
        assert!(
            starts.iter().any(|x| x == o),
            "env {i} did not start on a split seed"
        );
    }
    // And the seeds the cursor would use for later episodes stay in the split.
    for e in 0..200 {
        let h = shopgym::learn::episodes::episode_seed(7, 1, e);
        assert!((40..45).contains(&split.pick(h)));
    }
    assert_eq!(eps.cursor().split, Some(split));
}
