//! End to end on the real binary: `shopgym tune` writes a tuned agent file that holds the best
//! row of its CSV and loads as an agent; `shopgym evaluate` of that file on the same seeds
//! reproduces the objective the CSV reports; the outputs are byte-identical at 1 and 2 jobs; bad
//! search spaces fail with one line naming the file and the field, writing nothing; the shipped
//! search spaces validate.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use shopgym::agents::Agent;

fn shopgym() -> Command {
    Command::new(env!("CARGO_BIN_EXE_shopgym"))
}

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// A 30-minute two-pool family (its base rate and sale peak drawn per seed).
const FAMILY: &str = "name: tiny_family\nhorizon_s: 1800\ndecision_interval_s: 60\n\
    classes:\n  - { name: browse, service: { dist: exponential, mean_ms: 50 }, slo: { latency_ms: 300 }, timeout_ms: 2000, value_per_failure: 0.01 }\n  \
      - { name: order, service: { dist: exponential, mean_ms: 100 }, slo: { quantile: 0.99, latency_ms: 1000 }, timeout_ms: 5000, value_per_failure: 1 }\n\
    pools:\n  - { name: browse, concurrency: 2, initial: 2, min: 1, max: 40, cost_per_hour: 0.2, cold_start: { dist: deterministic, mean_s: 60 } }\n  \
      - { name: order, concurrency: 2, initial: 2, min: 1, max: 40, cost_per_hour: 0.3, cold_start: { dist: deterministic, mean_s: 60 } }\n\
    traffic:\n  mix: { browse: 0.8, order: 0.2 }\n  synthetic:\n    base_rate: { uniform: [15, 25] }\n    \
      promotions: [ { start_s: 600, ramp_s: 60, peak: { uniform: [3, 6] }, hold_s: 300, decay_s: 120, mix_boost: { order: 2 } } ]\n";

const SEEDS: (u64, u64) = (100, 102);

/// Two scenarios (the family and a steadier fixed one) and a 2 x 2 threshold space.
fn setup(dir: &Path) -> (PathBuf, Vec<PathBuf>) {
    let family = dir.join("tiny_family.yaml");
    std::fs::write(&family, FAMILY).expect("write family");
    let steady = dir.join("tiny_steady.yaml");
    let fixed = FAMILY
        .replace("tiny_family", "tiny_steady")
        .replace("{ uniform: [15, 25] }", "30")
        .replace("peak: { uniform: [3, 6] }", "peak: 2");
    std::fs::write(&steady, fixed).expect("write steady");
    let space = dir.join("space.yaml");
    let text = format!(
        "agent: {}/agents/threshold.yaml\ngrid:\n  target_utilisation: [0.5, 0.8]\n  down_window_s: [60, 300]\n",
        ROOT
    );
    std::fs::write(&space, text).expect("write space");
    (space, vec![family, steady])
}

fn tune(space: &Path, scenarios: &[PathBuf], out: &Path, jobs: &str) -> Output {
    let mut cmd = shopgym();
    cmd.arg("tune").arg(space);
    for s in scenarios {
        cmd.arg("--scenario").arg(s);
    }
    cmd.args([
        "--seeds",
        &format!("{}..{}", SEEDS.0, SEEDS.1),
        "--jobs",
        jobs,
    ])
    .arg("--out")
    .arg(out)
    .output()
    .expect("runs")
}

fn tune_ok(space: &Path, scenarios: &[PathBuf], out: &Path, jobs: &str) {
    let o = tune(space, scenarios, out, jobs);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// The CSV as (header, rows of cells).
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).expect("CSV exists");
    let header = r
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    let rows = r
        .records()
        .map(|rec| rec.expect("row").iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn tuned_file_holds_the_best_row_and_evaluate_reproduces_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (space, scenarios) = setup(dir.path());
    let out = dir.path().join("agents/threshold_tuned.yaml");
    tune_ok(&space, &scenarios, &out, "2");

    // (a) the row marked best has the largest objective (the first such grid row on a tie)
    let (header, rows) = read_csv(&out.with_extension("csv"));
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    assert_eq!(rows.len(), 5, "the base and 4 candidates");
    assert_eq!(rows[0][col("candidate")], "base");
    let objective = |r: &Vec<String>| r[col("objective")].parse::<f64>().expect("a number");
    let best: Vec<&Vec<String>> = rows.iter().filter(|r| r[col("best")] == "true").collect();
    assert_eq!(best.len(), 1, "one best row");
    let best = best[0];
    let max = rows.iter().map(objective).fold(f64::NEG_INFINITY, f64::max);
    assert_eq!(objective(best), max);
    let first_max = rows[1..]
        .iter()
        .position(|r| objective(r) == max)
        .map_or("base".to_string(), |i| (i + 1).to_string());
    assert_eq!(
        best[col("candidate")],
        first_max,
        "ties go to the first grid point"
    );

    // the tuned file loads as an agent named by its stem, and holds the best row's values
    let agent = Agent::load(&out).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(agent.name, "threshold_tuned");
    assert_eq!(agent.spec.kind(), "threshold");
    let text = std::fs::read_to_string(&out).expect("tuned file");
    assert!(text.starts_with("# Made by `shopgym tune`"), "{text}");
    assert!(text.contains("VALIDATION SPLIT: seeds 100..102"), "{text}");
    assert!(text.contains("--seeds 100..102"), "{text}");
    let yaml: serde_yaml::Value = serde_yaml::from_str(&text).expect("YAML");
    for p in ["target_utilisation", "down_window_s"] {
        let want: f64 = best[col(p)].parse().expect("a number");
        assert_eq!(yaml[p].as_f64(), Some(want), "{p}");
    }

    // (d) `evaluate` of the tuned file on the same seeds gives the CSV's figures
    let mut means = Vec::new();
    for s in &scenarios {
        let eval_dir = dir.path().join(format!(
            "eval_{}",
            s.file_stem().expect("stem").to_string_lossy()
        ));
        let o = shopgym()
            .arg("evaluate")
            .arg("--scenario")
            .arg(s)
            .arg("--agent")
            .arg(&out)
            .args(["--episodes", "2", "--seed", &SEEDS.0.to_string()])
            .arg("--out")
            .arg(&eval_dir)
            .output()
            .expect("runs");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let summary: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(eval_dir.join("summary.json")).expect("summary"),
        )
        .expect("JSON");
        let name = s.file_stem().expect("stem").to_string_lossy().into_owned();
        for m in ["return", "cost", "slo_violation_minutes"] {
            let got = summary["mean"][m].as_f64().expect(m);
            let want: f64 = best[col(&format!("{name}.{m}"))].parse().expect("a number");
            assert!(close(got, want), "{name}.{m}: evaluate {got}, tune {want}");
        }
        means.push(summary["mean"]["return"].as_f64().expect("return"));
    }
    let mean = means.iter().sum::<f64>() / means.len() as f64;
    assert!(
        close(mean, objective(best)),
        "{mean} vs {}",
        objective(best)
    );
}

#[test]
fn same_bytes_at_one_and_two_jobs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (space, scenarios) = setup(dir.path());
    let (a, b) = (
        dir.path().join("a/tuned.yaml"),
        dir.path().join("b/tuned.yaml"),
    );
    tune_ok(&space, &scenarios, &a, "1");
    tune_ok(&space, &scenarios, &b, "2");
    let read = |p: &Path| std::fs::read(p).expect("file exists");
    assert_eq!(read(&a), read(&b), "tuned file");
    assert_eq!(
        read(&a.with_extension("csv")),
        read(&b.with_extension("csv")),
        "CSV"
    );
}

#[test]
fn bad_spaces_fail_with_one_line_and_write_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_, scenarios) = setup(dir.path());
    let base = format!("agent: {ROOT}/agents/threshold.yaml\n");
    let cases = [
        (
            "unknown",
            "grid:\n  target_utilisaton: [0.5]\n",
            "grid.target_utilisaton",
        ),
        ("empty", "grid:\n  tolerance: []\n", "grid.tolerance"),
        (
            "range",
            "grid:\n  tolerance: [0.1, 2.5]\n",
            "grid.tolerance` = 2.5",
        ),
        ("none", "grid: {}\n", "grid"),
        (
            "objective",
            "objective: profit\ngrid:\n  tolerance: [0.1]\n",
            "objective",
        ),
        ("nested", "grid:\n  tolerance.x: [1]\n", "grid.tolerance.x"),
    ];
    for (name, body, field) in cases {
        let space = dir.path().join(format!("{name}.yaml"));
        std::fs::write(&space, format!("{base}{body}")).expect("write space");
        let out = dir.path().join(format!("{name}_tuned.yaml"));
        let o = tune(&space, &scenarios, &out, "1");
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{name}: accepted");
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{name}: one line:\n{stderr}");
        assert!(
            lines[0].contains(&format!("{name}.yaml")) && lines[0].contains(&format!("`{field}")),
            "{name}: {stderr}"
        );
        assert!(
            !out.exists() && !out.with_extension("csv").exists(),
            "{name}"
        );
    }
}

#[test]
fn shipped_spaces_validate() {
    let dir = Path::new(ROOT).join("agents/tune");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("agents/tune")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 3, "{files:?}");
    let family = Path::new(ROOT).join("scenarios/flash_sale_family.yaml");
    for f in &files {
        let o = shopgym()
            .arg("tune")
            .arg(f)
            .arg("--scenario")
            .arg(&family)
            .arg("--check")
            .output()
            .expect("runs");
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert!(
            o.status.success(),
            "{}: {}",
            f.display(),
            String::from_utf8_lossy(&o.stderr)
        );
        let n: usize = stdout
            .split_once(": ")
            .and_then(|(_, rest)| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{stdout}"));
        assert!((1..=60).contains(&n), "{}: {n} candidates", f.display());
    }
}
