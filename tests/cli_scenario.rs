//! End to end on the real binary: `scenario validate|show` error messages and `simulate` output.

use std::path::Path;
use std::process::Command;

fn shopgym() -> Command {
    Command::new(env!("CARGO_BIN_EXE_shopgym"))
}

const GOOD: &str = "name: t\nhorizon_s: 600\n\
    classes: [ { name: browse, service: { dist: exponential, mean_ms: 50 }, slo: { latency_ms: 300 } } ]\n\
    pools: [ { name: browse, concurrency: 2, initial: 2, min: 1, max: 4 } ]\n\
    traffic: { mix: { browse: 1 }, synthetic: { base_rate: 20 } }\n";

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("temp file");
    p
}

/// Runs `scenario validate` on `text`; returns (success, stderr).
fn validate(text: &str) -> (bool, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = write(dir.path(), "bad.yaml", text);
    let out = shopgym()
        .args(["scenario", "validate"])
        .arg(&p)
        .output()
        .expect("binary runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_shipped_scenario_validates() {
    for entry in std::fs::read_dir("scenarios").expect("scenarios/ exists") {
        let path = entry.expect("dir entry").path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let out = shopgym()
                .args(["scenario", "validate"])
                .arg(&path)
                .output()
                .expect("binary runs");
            assert!(
                out.status.success(),
                "{}: {}",
                path.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

#[test]
fn bad_scenarios_get_one_clear_message_naming_file_field_and_value() {
    let (ok, err) = validate(GOOD);
    assert!(ok, "{err}");
    let cases = [
        (
            GOOD.replace("horizon_s: 600", "horizon_s: 600\nhorizn: 3"),
            "horizn",
        ),
        (
            GOOD.replace("base_rate: 20", "base_rate: fast"),
            "traffic.synthetic.base_rate",
        ),
        (
            GOOD.replace("base_rate: 20", "base_rate: -5"),
            "traffic.synthetic.base_rate` = -5",
        ),
        (GOOD.replace("max: 4", "max: 0"), "pools[0].max` = 0"),
        (
            GOOD.replace("min: 1", "min: 3")
                .replace("initial: 2", "initial: 3")
                .replace("max: 4", "max: 2"),
            "pools[0].min` = 3",
        ),
        (
            GOOD.replace("mean_ms: 50", "mean_ms: 0"),
            "classes[0].service.mean",
        ),
        (
            GOOD.replace("latency_ms: 300 }", "latency_ms: 300, quantile: 95 }"),
            "classes[0].slo.quantile` = 95",
        ),
        (
            GOOD.replace("mix: { browse: 1 }", "mix: { browze: 1 }"),
            "traffic.mix.browze",
        ),
        (
            GOOD.replace(
                "horizon_s: 600",
                "horizon_s: 600\nroutes: { browse: [ { pool: nope } ] }",
            ),
            "routes.browse[0].pool` = nope",
        ),
        ("name: [unclosed".to_string(), "bad.yaml"),
    ];
    for (text, needle) in cases {
        let (ok, err) = validate(&text);
        assert!(!ok, "accepted a bad scenario expecting {needle:?}");
        assert!(
            err.contains("bad.yaml"),
            "message does not name the file: {err}"
        );
        assert!(
            err.contains(needle),
            "message does not name {needle:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
        assert_eq!(err.trim().lines().count(), 1, "one message: {err}");
    }
}

#[test]
fn missing_trace_file_is_a_clear_error() {
    let text = GOOD.replace(
        "synthetic: { base_rate: 20 }",
        "trace: { file: no_such_trace.csv }",
    );
    let (ok, err) = validate(&text);
    assert!(!ok);
    assert!(err.contains("no_such_trace.csv"), "{err}");
}

#[test]
fn show_prints_the_resolved_scenario_with_defaults() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = write(dir.path(), "s.yaml", GOOD);
    let out = shopgym()
        .args(["scenario", "show"])
        .arg(&p)
        .output()
        .expect("binary runs");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for field in [
        "decision_interval_s: 60",
        "scale: 1",
        "rate_step_s: 5",
        "max_error_rate: 0.01",
        "quantile: 0.95",
    ] {
        assert!(text.contains(field), "missing default {field}: {text}");
    }
    // What `show` prints is itself a valid scenario.
    let again = write(dir.path(), "again.yaml", &text);
    assert!(shopgym()
        .args(["scenario", "validate"])
        .arg(&again)
        .output()
        .expect("runs")
        .status
        .success());
}

#[test]
fn simulate_writes_deterministic_results_and_the_documented_json() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = write(dir.path(), "s.yaml", GOOD);
    let run = |out: &str| {
        let o = shopgym()
            .args(["simulate", "--scenario"])
            .arg(&p)
            .args(["--seed", "7", "--json", "--out"])
            .arg(dir.path().join(out))
            .output()
            .expect("binary runs");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice::<serde_json::Value>(&o.stdout).expect("stdout is JSON")
    };
    let a = run("a");
    let b = run("b");
    let csv_a = std::fs::read(dir.path().join("a/intervals.csv")).expect("intervals.csv written");
    let csv_b = std::fs::read(dir.path().join("b/intervals.csv")).expect("intervals.csv written");
    assert_eq!(csv_a, csv_b, "same seed, same bytes");
    let strip = |mut v: serde_json::Value| {
        v.as_object_mut().expect("object").remove("perf");
        v
    };
    assert_eq!(strip(a.clone()), strip(b), "summary equal except perf");
    for key in [
        "scenario",
        "seed",
        "sim_seconds",
        "classes",
        "totals",
        "perf",
    ] {
        assert!(a.get(key).is_some(), "missing {key}");
    }
    let browse = &a["classes"]["browse"];
    for key in [
        "arrivals",
        "completed",
        "rejected",
        "timed_out",
        "slo_violation_intervals",
    ] {
        assert!(browse[key].is_u64(), "classes.browse.{key}");
    }
    for key in ["mean", "p50", "p95", "p99"] {
        assert!(browse["latency_ms"][key].is_f64(), "latency_ms.{key}");
    }
    assert!(browse["wait_ms"]["mean"].is_f64());
    for key in [
        "arrivals",
        "completed",
        "cost",
        "revenue_lost",
        "instance_seconds",
    ] {
        assert!(a["totals"].get(key).is_some(), "totals.{key}");
    }
    for key in [
        "wall_seconds",
        "events",
        "events_per_second",
        "requests_per_second",
    ] {
        assert!(a["perf"].get(key).is_some(), "perf.{key}");
    }
    assert_eq!(a["seed"], 7);
    assert_eq!(a["sim_seconds"], 600.0);
    let arrivals = browse["arrivals"].as_u64().expect("u64") as f64;
    assert!(
        (arrivals - 12_000.0).abs() < 5.0 * 12_000f64.sqrt(),
        "Poisson 20/s for 600 s: {arrivals}"
    );
}
