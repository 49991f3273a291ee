#![cfg(feature = "tch")]
//! The table of `docs/forecast_neural.md`: rolling-origin backtest of the LSTM and the Transformer
//! against naive, seasonal naive, damped multiplicative Holt-Winters and ARIMA(2,1,1) on the
//! WorldCup98 per-minute trace, with the window and origins of `docs/forecast_backtest.md`
//! (tournament 1998-06-10 .. 1998-07-13, 48 origins 240 minutes apart, 14-day training window,
//! h = 1, 15, 60). Minutes of CPU, so ignored by default:
//!
//! ```sh
//! cargo test --features tch --test forecast_neural_backtest -- --ignored --nocapture
//! ```
//!
//! Environment: `SHOPGYM_DATA_DIR` (default `<project>/../shared/data`; skipped when the file is
//! absent), `NEURAL_BT_REFIT` (neural models refit at every N-th origin and `update` in between;
//! default 4), `NEURAL_BT_ORIGINS` (default 48), `NEURAL_BT_CLASSICAL=0` to skip the classical rows.

use shopgym::forecast::backtest::{rolling_origin, BacktestConfig};
use shopgym::forecast::io::{load_csv, CsvOptions};
use shopgym::forecast::{ForecasterSpec, Level};
use std::path::PathBuf;
use std::time::Instant;

fn data_file() -> Option<PathBuf> {
    let dir = std::env::var_os("SHOPGYM_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data"));
    let f = dir.join("worldcup98/wc98_requests_per_minute.csv");
    if f.exists() {
        Some(f)
    } else {
        eprintln!("SKIPPED: {} not found (set SHOPGYM_DATA_DIR)", f.display());
        None
    }
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The LSTM and Transformer specs of the table.
pub const LSTM: &str = "model: lstm\nlookback: 60\nhorizon: 60\nhidden: 32\nlayers: 1\nepochs: 30\nlr: 0.003\nbatch: 64\nmax_samples: 4096\nseed: 0\n";
/// See [`LSTM`].
pub const TRANSFORMER: &str = "model: transformer\nlookback: 60\nhorizon: 60\nd_model: 32\nheads: 4\nlayers: 1\nepochs: 30\nlr: 0.003\nbatch: 64\nmax_samples: 4096\nseed: 0\n";

#[test]
#[ignore = "minutes of CPU: regenerates the table of docs/forecast_neural.md"]
fn worldcup_neural_vs_classical() {
    let Some(path) = data_file() else { return };
    let opts = CsvOptions {
        from: Some("1998-06-10".into()),
        to: Some("1998-07-13".into()),
        ..Default::default()
    };
    let series = load_csv(&path, &opts).unwrap().series;
    assert_eq!(series.len(), 33 * 1440);
    let base = BacktestConfig {
        horizon: 60,
        origins: env_usize("NEURAL_BT_ORIGINS", 48),
        step: 240,
        train_window: Some(20_160),
        refit_every: 1,
        level: Some(Level::new(0.95).unwrap()),
        mase_season: 1440,
    };
    let neural_refit = env_usize("NEURAL_BT_REFIT", 4);
    let mut rows: Vec<(String, &str, usize)> = vec![
        ("lstm".into(), LSTM, neural_refit),
        ("transformer".into(), TRANSFORMER, neural_refit),
    ];
    if env_usize("NEURAL_BT_CLASSICAL", 1) != 0 {
        rows.extend([
            ("naive".into(), "model: naive\n", 1),
            (
                "seasonal_naive (1440)".into(),
                "model: seasonal_naive\nseason: 1440\n",
                1,
            ),
            (
                "holt_winters_mul damped (1440)".into(),
                "model: holt_winters_mul\nseason: 1440\ndamped: true\n",
                1,
            ),
            (
                "arima (2,1,1)".into(),
                "model: arima\norder: [2, 1, 1]\n",
                1,
            ),
        ]);
    }
    println!(
        "| model | refit every | h (min) | MAE | RMSE | MAPE % | sMAPE % | MASE | 95% coverage |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let mut timing = Vec::new();
    for (label, yaml, refit) in rows {
        let model = ForecasterSpec::from_yaml(yaml)
            .unwrap()
            .build()
            .unwrap()
            .model;
        // One fit on the last training window, timed on its own (the backtest runs fits in parallel).
        let n = series.len();
        let t = Instant::now();
        let fitted = model
            .fit(&series.window(n - 60 - 20_160, n - 60).unwrap())
            .unwrap();
        let fit_secs = t.elapsed().as_secs_f64();
        let cfg = BacktestConfig {
            refit_every: refit,
            ..base.clone()
        };
        let t = Instant::now();
        let r = rolling_origin(model.as_ref(), &series, &cfg).unwrap();
        let wall = t.elapsed().as_secs_f64();
        timing.push(format!(
            "{label}: one fit {fit_secs:.1} s ({}); backtest {} fits, {wall:.0} s wall",
            fitted.describe(),
            r.fits
        ));
        let f = |v: Option<f64>, p: usize| v.map_or("-".to_string(), |x| format!("{x:.p$}"));
        for h in [1, 15, 60] {
            let m = r.at(h).unwrap();
            println!(
                "| {label} | {refit} | {h} | {:.1} | {:.1} | {} | {:.2} | {} | {} |",
                m.mae,
                m.rmse,
                f(m.mape, 2),
                m.smape,
                f(m.mase, 3),
                f(m.coverage, 2)
            );
        }
    }
    for t in timing {
        println!("{t}");
    }
}
