//! Fit-time figures for the forecasting models (plain `main`, no harness):
//! `cargo bench --bench forecast`. The headline figure is Holt-Winters on 10,000 points, which
//! the issue requires to be well under a second. Uses the WorldCup98 trace when present
//! (`$SHOPGYM_DATA_DIR` or `../shared/data`), and a synthetic daily-cycle series otherwise too.

mod common;

use shopgym::forecast::io::{load_csv, CsvOptions};
use shopgym::forecast::{ForecasterSpec, Series};
use std::path::PathBuf;
use std::time::Instant;

fn synthetic(n: usize, season: usize) -> Vec<f64> {
    // daily cycle + slow trend + deterministic pseudo-noise, strictly positive
    let mut state = 42u64;
    (0..n)
        .map(|t| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let noise = ((state >> 33) as f64 / (1u64 << 31) as f64) - 0.5;
            let ph = 2.0 * std::f64::consts::PI * (t % season) as f64 / season as f64;
            1000.0 + 0.01 * t as f64 + 300.0 * ph.sin() + 40.0 * noise
        })
        .collect()
}

fn time_fit(label: &str, yaml: &str, series: &Series, reps: usize) {
    let model = match ForecasterSpec::from_yaml(yaml).and_then(|s| s.build()) {
        Ok(c) => c.model,
        Err(e) => {
            println!("{label:<48} spec error: {e}");
            return;
        }
    };
    let mut best = f64::INFINITY;
    let mut desc = String::new();
    for _ in 0..reps {
        let t = Instant::now();
        match model.fit(series) {
            Ok(f) => desc = f.describe(),
            Err(e) => {
                println!("{label:<48} fit error: {e}");
                return;
            }
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!(
        "{label:<48} n={:<7} best of {reps}: {:>9.2} ms   ({desc})",
        series.len(),
        best * 1e3
    );
}

fn run_suite(name: &str, mut y: Vec<f64>, season: usize) {
    if !common::measuring() {
        // A smoke pass: three seasons are enough for every model to fit.
        y.truncate(3 * season);
    }
    println!("--- {name} (season {season}) ---");
    let s = Series::new(y).expect("finite series");
    time_fit(
        "holt_winters_add",
        &format!("model: holt_winters_add\nseason: {season}\n"),
        &s,
        5,
    );
    time_fit(
        "holt_winters_mul",
        &format!("model: holt_winters_mul\nseason: {season}\n"),
        &s,
        5,
    );
    time_fit(
        "holt_winters_add damped",
        &format!("model: holt_winters_add\nseason: {season}\ndamped: true\n"),
        &s,
        3,
    );
    time_fit("ses", "model: ses\n", &s, 5);
    time_fit("holt damped", "model: holt\ndamped: true\n", &s, 5);
    time_fit(
        "arima (2,1,1) css_ml",
        "model: arima\norder: [2, 1, 1]\n",
        &s,
        3,
    );
    time_fit(
        &format!("arima (1,0,1)(0,1,1)[{season}] css"),
        &format!(
            "model: arima\norder: [1, 0, 1]\nseasonal_order: [0, 1, 1, {season}]\nmethod: css\n"
        ),
        &s,
        3,
    );
    time_fit("auto_arima (non-seasonal)", "model: auto_arima\n", &s, 1);
    time_fit(
        &format!("ridge lags 1,2,3,{season} + calendar"),
        &format!("model: ridge\nlags: [1, 2, 3, {season}]\n"),
        &s,
        3,
    );
}

fn main() {
    run_suite("synthetic 10,000 points", synthetic(10_000, 144), 144);
    run_suite("synthetic 10,000 points", synthetic(10_000, 1440), 1440);
    let dir = std::env::var_os("SHOPGYM_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data"));
    let path = dir.join("worldcup98/wc98_requests_per_minute.csv");
    let opts = CsvOptions {
        from: Some("1998-06-10 00:00:00".into()),
        ..Default::default()
    };
    match load_csv(&path, &opts) {
        Ok(l) => {
            let y: Vec<f64> = l.series.values()[..10_000].to_vec();
            run_suite(
                "WorldCup98 per-minute, 10,000 points from 1998-06-10",
                y,
                1440,
            );
        }
        Err(e) => println!("WorldCup98 trace not used: {e}"),
    }
}
