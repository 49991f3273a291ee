//! Capacity plans on the real binary: the experiment report and `runs.csv` state each agent's
//! peak instances per pool in real instances at any `scale`, and the instance cost per 1,000
//! completed orders; `shopgym stress` states the same figures; an experiment directory written
//! before runs stored their peak instances resumes by running those runs again.

use std::path::Path;
use std::process::Command;

fn shopgym() -> Command {
    Command::new(env!("CARGO_BIN_EXE_shopgym"))
}

/// A 30-minute two-class shop at scale 0.05: real pools of 40 and 60 instances (2 and 3
/// simulated), 400 real req/s (20 simulated).
const SCENARIO: &str = "name: tiny_scaled\nhorizon_s: 1800\ndecision_interval_s: 60\nscale: 0.05\n\
    classes:\n  - { name: browse, service: { dist: exponential, mean_ms: 50 }, slo: { latency_ms: 300 }, timeout_ms: 2000, value_per_failure: 0.01 }\n  \
      - { name: order, service: { dist: exponential, mean_ms: 100 }, slo: { quantile: 0.99, latency_ms: 1000 }, timeout_ms: 5000, value_per_failure: 1 }\n\
    pools:\n  - { name: browse, concurrency: 2, initial: 40, min: 20, max: 800, cost_per_hour: 0.2, cold_start: { dist: deterministic, mean_s: 60 } }\n  \
      - { name: order, concurrency: 2, initial: 60, min: 20, max: 800, cost_per_hour: 0.3, cold_start: { dist: deterministic, mean_s: 60 } }\n\
    traffic:\n  mix: { browse: 0.8, order: 0.2 }\n  synthetic:\n    base_rate: 400\n    \
      promotions: [ { start_s: 600, ramp_s: 60, peak: 5, hold_s: 300, decay_s: 120, mix_boost: { order: 2 } } ]\n";

fn setup(dir: &Path) -> std::path::PathBuf {
    std::fs::write(dir.join("tiny_scaled.yaml"), SCENARIO).expect("write scenario");
    let agents = Path::new(env!("CARGO_MANIFEST_DIR")).join("agents");
    let exp = format!(
        "name: tiny\nscenarios: [ tiny_scaled.yaml ]\nreference: threshold\nagents:\n  - {{ file: {a}/threshold.yaml }}\n  - {{ file: {a}/static.yaml }}\n\
         seeds: {{ start: 1000, count: 2 }}\n",
        a = agents.display()
    );
    let p = dir.join("tiny.yaml");
    std::fs::write(&p, exp).expect("write experiment");
    p
}

/// Runs the experiment; returns its stderr.
fn run(exp: &Path, out: &Path) -> String {
    let o = shopgym()
        .arg("experiment")
        .arg(exp)
        .arg("--out")
        .arg(out)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(o.status.success(), "{stderr}");
    stderr
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// `runs.csv` as one map (column -> cell) per row.
fn runs_csv(out: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(out.join("runs.csv")).expect("runs.csv");
    let header = r.headers().expect("header").clone();
    r.records()
        .map(|rec| {
            let rec = rec.expect("row");
            header
                .iter()
                .zip(rec.iter())
                .map(|(h, c)| (h.to_string(), c.to_string()))
                .collect()
        })
        .collect()
}

/// `browse=2;order=3` -> [2, 3] (pools in scenario order).
fn counts(cell: &str) -> Vec<u32> {
    cell.split(';')
        .map(|kv| {
            kv.split_once('=')
                .expect("pool=n")
                .1
                .parse()
                .expect("count")
        })
        .collect()
}

#[test]
fn the_report_states_plans_in_real_instances_and_cost_per_1000_orders() {
    let dir = tempfile::tempdir().expect("temp dir");
    let exp = setup(dir.path());
    let out = dir.path().join("out");
    run(&exp, &out);
    let rows = runs_csv(&out);
    assert_eq!(rows.len(), 4, "2 agents x 2 seeds");
    let (mut cost, mut orders) = (0.0, 0u64);
    let mut threshold_max = [0u32; 2];
    for row in &rows {
        let (sim, real) = (
            counts(&row["peak_instances"]),
            counts(&row["peak_instances_real"]),
        );
        // Real instances are the simulated ones at scale 0.05 times 20.
        assert_eq!(
            real,
            sim.iter().map(|n| n * 20).collect::<Vec<_>>(),
            "{row:?}"
        );
        assert!(row["peak_instances"].starts_with("browse="), "{row:?}");
        if row["agent"] == "static" {
            // The static agent holds the scenario's instances: the scale-1 counts 40 and 60.
            assert_eq!(sim, vec![2, 3], "{row:?}");
            assert_eq!(real, vec![40, 60], "{row:?}");
        } else {
            cost += row["cost"].parse::<f64>().expect("cost");
            orders += row["orders_completed"].parse::<u64>().expect("orders");
            for (m, r) in threshold_max.iter_mut().zip(&real) {
                *m = (*m).max(*r);
            }
            assert!(
                real[1] > 60,
                "threshold scales the order pool up for the sale: {row:?}"
            );
        }
        // Orders are the `order` class's completions, and cost is per 1,000 of them.
        let stored: serde_json::Value = serde_json::from_str(&read(&out.join(format!(
            "runs/tiny_scaled__{}__{}.json",
            row["agent"], row["seed"]
        ))))
        .expect("run json");
        let completed = stored["metrics"]["classes"]["order"]["completed"]
            .as_u64()
            .expect("completed orders");
        assert_eq!(row["orders_completed"], completed.to_string());
        assert!(completed > 1000, "a sale's worth of orders: {completed}");
        let per_1000: f64 = row["cost_per_1000_orders"].parse().expect("$/1k orders");
        let c: f64 = row["cost"].parse().expect("cost");
        let want = c / completed as f64 * 1000.0;
        assert!(
            (per_1000 - want).abs() <= 1e-12 * want,
            "{per_1000} vs {want}"
        );
    }
    let report = read(&out.join("report.md"));
    assert!(
        report
            .contains("| agent | n | browse: max (mean) | order: max (mean) | $ / 1,000 orders |"),
        "{report}"
    );
    assert!(report.contains("scale 0.05"), "{report}");
    // The report's threshold row: the largest real peaks of its episodes, and its total cost
    // over its total orders, per 1,000.
    let row = report
        .lines()
        .find(|l| l.starts_with("| threshold | 2 | ") && l.matches('|').count() == 6)
        .unwrap_or_else(|| panic!("no plan row for threshold:\n{report}"));
    let cells: Vec<&str> = row.split('|').map(str::trim).collect();
    for (p, max) in threshold_max.iter().enumerate() {
        assert!(
            cells[3 + p].starts_with(&format!("{max} (")),
            "pool {p}: {row} (want max {max})"
        );
    }
    let stated: f64 = cells[5].parse().expect("$/1k orders cell");
    let want = cost / orders as f64 * 1000.0;
    assert!(
        (stated - want).abs() <= 0.5e-4,
        "report says {stated}, runs give {want}"
    );
    assert!(
        report.contains("| static | 2 | 40 (40) | 60 (60) | "),
        "static's plan is its real instances:\n{report}"
    );
}

#[test]
fn runs_stored_without_peak_instances_are_run_again_on_resume() {
    let dir = tempfile::tempdir().expect("temp dir");
    let exp = setup(dir.path());
    let out = dir.path().join("out");
    run(&exp, &out);
    let (csv_before, report_before) = (read(&out.join("runs.csv")), read(&out.join("report.md")));
    // What a shopgym from before per-episode plans stored: the same runs without the field.
    let runs: Vec<_> = std::fs::read_dir(out.join("runs"))
        .expect("runs/")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(runs.len(), 4);
    for f in &runs {
        let mut v: serde_json::Value = serde_json::from_str(&read(f)).expect("json");
        v["metrics"]
            .as_object_mut()
            .expect("metrics")
            .remove("peak_instances")
            .expect("stored by this shopgym");
        std::fs::write(f, serde_json::to_string_pretty(&v).expect("json")).expect("write");
    }
    let stderr = run(&exp, &out);
    assert!(
        stderr.contains("4 stored runs are unreadable or predate per-episode peak instances"),
        "{stderr}"
    );
    for f in &runs {
        let v: serde_json::Value = serde_json::from_str(&read(f)).expect("json");
        assert!(
            v["metrics"]["peak_instances"].is_object(),
            "{}",
            f.display()
        );
    }
    assert_eq!(
        read(&out.join("runs.csv")),
        csv_before,
        "the same runs again"
    );
    assert_eq!(read(&out.join("report.md")), report_before);
}

#[test]
fn stress_states_the_same_real_plan_and_cost_per_1000_orders() {
    let dir = tempfile::tempdir().expect("temp dir");
    setup(dir.path());
    let agents = Path::new(env!("CARGO_MANIFEST_DIR")).join("agents");
    let o = shopgym()
        .args(["stress", "--scenario"])
        .arg(dir.path().join("tiny_scaled.yaml"))
        .arg("--agent")
        .arg(agents.join("static.yaml"))
        .args(["--peaks", "2", "--episodes", "2", "--json", "--out"])
        .arg(dir.path().join("stress"))
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let p = &v["agents"][0]["points"][0];
    assert_eq!(p["capacity_plan"], serde_json::json!([2, 3]));
    assert_eq!(p["capacity_plan_real"], serde_json::json!([40, 60]));
    let (per_order, per_1000) = (
        p["cost_per_order"].as_f64().expect("f64"),
        p["cost_per_1000_orders"].as_f64().expect("f64"),
    );
    assert!(per_order > 0.0);
    assert!((per_1000 - 1000.0 * per_order).abs() <= 1e-12 * per_1000);
}
