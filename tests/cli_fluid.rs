//! End to end on the real binary: `--fidelity` on `simulate` and the shipped full-scale
//! scenarios, which run in the fluid model by default.

use std::process::Command;

fn shopgym() -> Command {
    Command::new(env!("CARGO_BIN_EXE_shopgym"))
}

fn simulate(args: &[&str]) -> serde_json::Value {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = shopgym()
        .arg("simulate")
        .args(args)
        .arg("--out")
        .arg(dir.path())
        .arg("--json")
        .output()
        .expect("binary runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("summary json")
}

#[test]
fn simulate_runs_both_fidelities_and_says_which() {
    let des = simulate(&["--scenario", "scenarios/flash_sale.yaml"]);
    assert!(
        des.get("fidelity").is_none(),
        "DES summaries keep their bytes"
    );
    let fluid = simulate(&[
        "--scenario",
        "scenarios/flash_sale.yaml",
        "--fidelity",
        "fluid",
    ]);
    assert_eq!(fluid["fidelity"], "fluid");
    let (d, f) = (&des["totals"], &fluid["totals"]);
    let rel = |k: &str| f[k].as_f64().unwrap() / d[k].as_f64().unwrap() - 1.0;
    assert!(rel("cost").abs() < 0.01, "{d} vs {f}");
    assert!(rel("completed").abs() < 0.01, "{d} vs {f}");

    let bad = shopgym()
        .args([
            "simulate",
            "--scenario",
            "scenarios/flash_sale.yaml",
            "--fidelity",
            "exact",
        ])
        .output()
        .expect("binary runs");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("exact"));
}

#[test]
fn full_scale_holidays_run_in_fluid_by_default() {
    for name in ["flash_sale_full", "singles_day_full", "black_friday_full"] {
        let s = simulate(&["--scenario", &format!("scenarios/{name}.yaml")]);
        assert_eq!(s["fidelity"], "fluid", "{name}");
        assert!(
            s["totals"]["arrivals"].as_u64().unwrap() > 10_000_000,
            "{name}: {s}"
        );
    }
}
