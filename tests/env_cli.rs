//! `shopgym simulate --policy random|static` end to end on the real binary.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// flash_sale shrunk 10x, written next to the outputs.
fn small_flash_sale(dir: &Path) -> std::path::PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/flash_sale.yaml");
    let text = std::fs::read_to_string(src).expect("readable");
    assert!(text.contains("scale: 0.05"));
    let path = dir.join("flash_small.yaml");
    std::fs::write(&path, text.replace("scale: 0.05", "scale: 0.005")).expect("writable");
    path
}

fn simulate(scenario: &Path, policy: &str, seed: u64, out: &Path) -> Value {
    let res = Command::new(env!("CARGO_BIN_EXE_shopgym"))
        .args(["simulate", "--scenario"])
        .arg(scenario)
        .args([
            "--policy",
            policy,
            "--seed",
            &seed.to_string(),
            "--json",
            "--out",
        ])
        .arg(out)
        .output()
        .expect("binary runs");
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let stdout: Value = serde_json::from_slice(&res.stdout).expect("JSON on stdout");
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).expect("summary"))
            .expect("JSON file");
    assert_eq!(stdout, file);
    stdout
}

#[test]
fn simulate_random_policy_end_to_end() {
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = small_flash_sale(dir.path());
    let a = simulate(&scenario, "random", 3, &dir.path().join("a"));
    for key in [
        "scenario",
        "seed",
        "policy",
        "sim_seconds",
        "classes",
        "totals",
        "perf",
        "return",
        "reward_terms",
        "steps",
    ] {
        assert!(a.get(key).is_some(), "summary lacks {key}: {a}");
    }
    assert_eq!(a["policy"], "random");
    assert_eq!(a["steps"], 120);
    let ret = a["return"].as_f64().expect("number");
    let terms: f64 = ["cost", "revenue_lost", "slo_penalty"]
        .iter()
        .map(|k| a["reward_terms"][k].as_f64().expect("number"))
        .sum();
    assert!(
        (ret - terms).abs() < 1e-6 * ret.abs().max(1.0),
        "{ret} vs {terms}"
    );
    let cost = a["totals"]["cost"].as_f64().expect("number");
    assert!((a["reward_terms"]["cost"].as_f64().expect("number") + cost).abs() < 1e-9);
    let csv = std::fs::read_to_string(dir.path().join("a/intervals.csv")).expect("csv");
    assert_eq!(csv.lines().count(), 121);
    assert!(dir.path().join("a/scenario.yaml").exists());

    // Same seed, same episode; another seed, another one.
    let b = simulate(&scenario, "random", 3, &dir.path().join("b"));
    assert_eq!(a["return"], b["return"]);
    assert_eq!(a["totals"], b["totals"]);
    let c = simulate(&scenario, "random", 4, &dir.path().join("c"));
    assert_ne!(a["return"], c["return"]);

    let s = simulate(&scenario, "static", 3, &dir.path().join("s"));
    assert_eq!(s["policy"], "static");
    // The random policy scales, the static one does not: their costs differ.
    assert_ne!(s["totals"]["cost"], a["totals"]["cost"]);
}

#[test]
fn simulate_rejects_an_unknown_policy() {
    let res = Command::new(env!("CARGO_BIN_EXE_shopgym"))
        .args([
            "simulate",
            "--scenario",
            "scenarios/flash_sale.yaml",
            "--policy",
            "oracle",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("binary runs");
    assert!(!res.status.success());
    assert!(String::from_utf8_lossy(&res.stderr).contains("random"));
}
