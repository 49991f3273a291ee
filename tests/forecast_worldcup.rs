//! Backtest on the real WorldCup98 per-minute trace (a one-week window in the tournament so it
//! runs in seconds): at 1, 15 and 60 minutes ahead, some non-naive model must beat seasonal naive
//! (daily season, 1,440 minutes) on MAE. The full table is in `docs/forecast_backtest.md`.
//!
//! Data: `$SHOPGYM_DATA_DIR` or `<project>/../shared/data`; the test is skipped with a notice
//! when the file is absent.

use shopgym::forecast::backtest::{rolling_origin, BacktestConfig};
use shopgym::forecast::io::{load_csv, CsvOptions};
use shopgym::forecast::{ForecasterSpec, Level};
use std::path::PathBuf;

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

#[test]
fn some_model_beats_seasonal_naive_at_1_15_60_minutes() {
    let Some(path) = data_file() else { return };
    let opts = CsvOptions {
        from: Some("1998-06-20 00:00:00".into()),
        to: Some("1998-06-27 00:00:00".into()),
        ..Default::default()
    };
    let series = load_csv(&path, &opts).unwrap().series;
    assert_eq!(series.len(), 7 * 1440);
    let cfg = BacktestConfig {
        horizon: 60,
        origins: 12,
        step: 150,
        train_window: Some(4 * 1440),
        refit_every: 1,
        level: Some(Level::new(0.95).unwrap()),
        mase_season: 1440,
    };
    let run = |yaml: &str| {
        let model = ForecasterSpec::from_yaml(yaml)
            .unwrap()
            .build()
            .unwrap()
            .model;
        rolling_origin(model.as_ref(), &series, &cfg).unwrap()
    };
    let snaive = run("model: seasonal_naive\nseason: 1440\n");
    let others = [
        ("ses", run("model: ses\n")),
        (
            "holt_winters_add",
            run("model: holt_winters_add\nseason: 1440\n"),
        ),
        ("ridge", run("model: ridge\nlags: [1, 2, 3, 1440]\n")),
    ];
    for h in [1, 15, 60] {
        let base = snaive.at(h).unwrap().mae;
        let (name, best) = others
            .iter()
            .map(|(n, r)| (*n, r.at(h).unwrap().mae))
            .fold(("", f64::INFINITY), |a, b| if b.1 < a.1 { b } else { a });
        eprintln!("h={h}: seasonal naive MAE {base:.1}, best {name} {best:.1}");
        assert!(
            best < base,
            "h={h}: no model beats seasonal naive ({best} >= {base})"
        );
    }
}
