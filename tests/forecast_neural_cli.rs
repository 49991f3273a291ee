//! `shopgym forecast --model lstm|transformer` end to end. With `--features tch` the models fit
//! and print a JSON forecast; without it the command fails with a clear "built without the tch
//! feature" message (never a panic), for flags and YAML specs alike.

use std::io::Write;
use std::process::Command;

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

fn hourly_csv(days: usize) -> tempfile::NamedTempFile {
    let mut s = String::from("period,count\n");
    for i in 0..days * 24 {
        let v = 100.0 + 30.0 * ((i % 24) as f64 / 24.0 * std::f64::consts::TAU).sin();
        s += &format!("2024-01-{:02} {:02}:00:00,{v}\n", 1 + i / 24, i % 24);
    }
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(s.as_bytes()).unwrap();
    f
}

#[test]
fn neural_models_from_flags_and_spec() {
    let f = hourly_csv(20);
    let input = f.path().to_str().unwrap();
    let mut spec = tempfile::NamedTempFile::new().unwrap();
    spec.write_all(
        b"model: transformer\nlookback: 24\nhorizon: 6\nd_model: 16\nheads: 2\nepochs: 2\n",
    )
    .unwrap();
    let spec_path = spec.path().to_str().unwrap();
    for args in [
        vec![
            "--input",
            input,
            "--model",
            "lstm",
            "--lookback",
            "24",
            "--epochs",
            "2",
            "--horizon",
            "6",
            "--json",
        ],
        vec![
            "--input",
            input,
            "--spec",
            spec_path,
            "--horizon",
            "6",
            "--json",
        ],
    ] {
        let (ok, out, err) = run(&args);
        assert!(!err.contains("panicked"), "{err}");
        if cfg!(feature = "tch") {
            assert!(ok, "{args:?}: {err}");
            let v: serde_json::Value = serde_json::from_str(&out).unwrap();
            assert_eq!(v["forecast"].as_array().unwrap().len(), 6, "{out}");
            assert_eq!(v["lower"].as_array().unwrap().len(), 6, "{out}");
        } else {
            assert!(!ok);
            assert!(
                err.contains("built without the tch feature"),
                "{args:?}: {err}"
            );
        }
    }
}

#[test]
fn neural_flags_are_checked() {
    let f = hourly_csv(3);
    let input = f.path().to_str().unwrap();
    let (ok, _, err) = run(&["--input", input, "--model", "naive", "--lookback", "24"]);
    assert!(!ok && err.contains("--lookback does not apply"), "{err}");
    let (ok, _, err) = run(&["--input", input, "--model", "lstm", "--lookback", "1"]);
    assert!(!ok && err.contains("lookback"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
