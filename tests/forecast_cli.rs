//! `shopgym forecast` end to end: the JSON shape, CSV outputs, and clear errors (never a panic)
//! on bad input: empty series, NaN, non-numeric cell, too short for the season, missing column.

use std::io::Write;
use std::process::Command;

fn csv(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f
}

fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_shopgym"))
        .arg("forecast")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn hourly(n: usize) -> String {
    let mut s = String::from("period,count\n");
    for i in 0..n {
        let v =
            100.0 + 30.0 * ((i % 24) as f64 / 24.0 * std::f64::consts::TAU).sin() + (i % 7) as f64;
        s += &format!("2024-01-{:02} {:02}:00:00,{v}\n", 1 + i / 24, i % 24);
    }
    s
}

#[test]
fn json_output_has_the_documented_shape() {
    let f = csv(&hourly(24 * 10));
    let dir = tempfile::tempdir().unwrap();
    let p = f.path().to_str().unwrap();
    let (ok, out, err) = run(&[
        "--input",
        p,
        "--model",
        "holt_winters_add",
        "--season",
        "24",
        "--horizon",
        "6",
        "--backtest",
        "--origins",
        "3",
        "--json",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["model"], "holt_winters_add");
    assert!(v["params"]["smoothing_level"].is_number());
    assert!(v["fit"]["sse"].is_number() && v["fit"]["aic"].is_number());
    assert_eq!(v["forecast"].as_array().unwrap().len(), 6);
    assert_eq!(v["lower"].as_array().unwrap().len(), 6);
    for k in ["mae", "rmse", "mape", "smape", "mase", "coverage"] {
        assert!(v["backtest"]["h6"][k].is_number(), "{k}");
    }
    for f in ["forecast.csv", "params.csv", "metrics.csv"] {
        assert!(dir.path().join(f).exists(), "{f}");
    }
    // without --backtest, backtest is null; naive has no aic
    let (ok, out, _) = run(&["--input", p, "--model", "naive", "--horizon", "2", "--json"]);
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert!(v["backtest"].is_null() && v["fit"]["aic"].is_null());
}

#[test]
fn bad_input_gives_clear_errors() {
    let cases: Vec<(String, Vec<&str>, &str)> = vec![
        ("t,v\n".into(), vec!["--model", "naive"], "empty"),
        (
            "v\n1\nNaN\n".into(),
            vec!["--model", "naive"],
            "not a finite number",
        ),
        (
            "v\n1\nabc\n".into(),
            vec!["--model", "naive"],
            "`abc` is not a number",
        ),
        (
            "v\n1\n2\n".into(),
            vec!["--model", "naive", "--column", "x"],
            "no column named `x`",
        ),
        (
            "v\n1\n2\n3\n4\n5\n".into(),
            vec!["--model", "holt_winters_add", "--season", "12"],
            "two full seasons",
        ),
        (
            "v\n1\n2\n".into(),
            vec!["--model", "holt_winters_add"],
            "needs --season",
        ),
        (
            "v\n1\n2\n".into(),
            vec!["--model", "prophet"],
            "unknown --model",
        ),
        (
            "v\n1\n0\n".into(),
            vec!["--model", "naive", "--transform", "log"],
            "positive values",
        ),
    ];
    for (text, args, want) in cases {
        let f = csv(&text);
        let mut a = vec!["--input", f.path().to_str().unwrap()];
        a.extend(args.iter());
        let (ok, _, err) = run(&a);
        assert!(!ok, "{args:?} should fail");
        assert!(err.contains(want), "{args:?}: `{err}` lacks `{want}`");
        assert!(!err.contains("panicked"), "{err}");
    }
    let (ok, _, err) = run(&["--scenario", "x.yaml", "--model", "naive"]);
    assert!(!ok && err.contains("x.yaml: cannot read"), "{err}");
    assert_eq!(
        err.matches("os error 2").count(),
        1,
        "cause printed once: {err}"
    );
}
