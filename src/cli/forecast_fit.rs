//! `shopgym forecast fit` and `shopgym forecast backtest`: fit the env's `fitted` forecaster on
//! draws of a scenario family, and score it against the env's other forecasters on held-out
//! draws (MAE and MASE by horizon, inside and outside the sales).

use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};

use super::output::parse_range;
use crate::env::config::classical_config;
use crate::env::forecast::{ArrivalForecaster, Classical, Fitted, Oracle, SeasonalNaive};
use crate::env::forecast_fit::{self, BacktestRow, Window};
use crate::forecast::direct::{DirectRidgeConfig, DirectRidgeModel};
use crate::io::atomic_write;
use crate::scenario::Scenario;

/// The damped Holt model the predictive and dp baselines ship with (agents/predictive.yaml).
pub const HOLT_DAMPED: &str = "{ model: holt, damped: true, refit_every: 10, window: 240 }";

#[derive(Debug, Subcommand)]
pub enum FitCommand {
    /// Fit the env's `fitted` forecaster (direct ridge on recent counts, time of day and the
    /// announced promotions) on the draws of seeds A..B of a scenario family; write it as JSON.
    Fit(FitArgs),
    /// Score forecasters on the draws of seeds A..B (use seeds the model was not fitted on):
    /// the fitted model, seasonal naive, damped Holt (as the baselines use it) and the oracle.
    Backtest(BacktestArgs),
}

#[derive(Debug, Args)]
pub struct FitArgs {
    /// The scenario (family) file.
    #[arg(long)]
    pub scenario: PathBuf,
    /// Fit seeds `A..B` (B excluded).
    #[arg(long, value_parser = parse_range)]
    pub seeds: (u64, u64),
    /// Model: `ridge` (the only one).
    #[arg(long, default_value = "ridge")]
    pub model: String,
    /// Intervals ahead fitted (the env's `forecast.horizon` may not exceed it).
    #[arg(long, default_value_t = 10)]
    pub horizon: usize,
    /// Lagged counts per class.
    #[arg(long, default_value_t = 3)]
    pub lags: usize,
    /// Ridge penalty on standardised coefficients.
    #[arg(long, default_value_t = 1.0)]
    pub lambda: f64,
    /// Model file to write (default `forecasts/<name>.json` beside the scenario file, where
    /// `forecast: { model: fitted }` looks).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// The scenario (family) file.
    #[arg(long)]
    pub scenario: PathBuf,
    /// Backtest seeds `A..B`.
    #[arg(long, value_parser = parse_range)]
    pub seeds: (u64, u64),
    /// The fitted model file (default: the scenario's, as `model: fitted` finds it).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Horizons scored, comma-separated.
    #[arg(long, default_value = "1,5,10", value_delimiter = ',')]
    pub horizons: Vec<usize>,
    /// CSV of every row (forecaster, horizon, window, n, mae, mase).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run(cmd: FitCommand) -> anyhow::Result<()> {
    match cmd {
        FitCommand::Fit(a) => fit(a),
        FitCommand::Backtest(a) => backtest(a),
    }
}

fn fit(a: FitArgs) -> anyhow::Result<()> {
    if a.model != "ridge" {
        bail!("--model {}: the fitted forecaster is `ridge`", a.model);
    }
    if a.seeds.0 == a.seeds.1 {
        bail!("--seeds {}..{}: no seeds to fit on", a.seeds.0, a.seeds.1);
    }
    let scenario = Scenario::load(&a.scenario)?;
    let cfg = DirectRidgeConfig {
        horizon: a.horizon,
        lags: a.lags,
        lambda: a.lambda,
    };
    let model = forecast_fit::fit_direct(&scenario, a.seeds.0..a.seeds.1, &cfg)
        .with_context(|| format!("fitting on {}", a.scenario.display()))?;
    let out = a
        .out
        .unwrap_or_else(|| crate::env::config::default_fitted_path(&scenario));
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::io::create_dir_all(dir)?;
    }
    atomic_write(&out, model.to_json().as_bytes())?;
    println!(
        "{}: ridge, {} horizons x {} classes, {:?} rows (far from / before the end of / after a known sale), fitted on seeds {}..{}",
        out.display(),
        model.config.horizon,
        model.classes.len(),
        model.rows,
        a.seeds.0,
        a.seeds.1
    );
    Ok(())
}

fn backtest(a: BacktestArgs) -> anyhow::Result<()> {
    if a.horizons.is_empty() || a.horizons.contains(&0) {
        bail!("--horizons {:?}: each must be >= 1", a.horizons);
    }
    let scenario = Scenario::load(&a.scenario)?;
    let path = a
        .model
        .clone()
        .unwrap_or_else(|| crate::env::config::default_fitted_path(&scenario));
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let model = std::sync::Arc::new(
        DirectRidgeModel::from_json(&text).with_context(|| format!("in {}", path.display()))?,
    );
    let hmax = *a.horizons.iter().max().expect("non-empty");
    if hmax > model.config.horizon {
        bail!(
            "--horizons: {hmax} is beyond the model's {} intervals ({})",
            model.config.horizon,
            path.display()
        );
    }
    let (s0, s1) = a.seeds;
    let [f0, f1] = model.fit_seeds;
    if s0 < f1 && f0 < s1 && model.scenario == scenario.name() {
        eprintln!(
            "warning: seeds {s0}..{s1} overlap the fit seeds {f0}..{f1}: the scores are in-sample"
        );
    }
    let episodes = forecast_fit::arrival_episodes(&scenario, s0..s1)?;
    let nc = scenario.sim.classes.len();
    let season = ((86_400.0 / scenario.sim.interval.as_secs_f64()).round() as u32).max(1);
    let holt_cfg = classical_config(&serde_yaml::from_str(HOLT_DAMPED)?)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let fitted = || Box::new(Fitted::new(model.clone())) as Box<dyn ArrivalForecaster>;
    let naive = || Box::new(SeasonalNaive::new(nc, season)) as Box<dyn ArrivalForecaster>;
    let holt = || Box::new(Classical::new(holt_cfg.clone(), nc)) as Box<dyn ArrivalForecaster>;
    let oracle = || Box::new(Oracle::new(0.0)) as Box<dyn ArrivalForecaster>;
    let rows = forecast_fit::backtest(
        &episodes,
        &[
            ("fitted", &fitted),
            ("seasonal_naive", &naive),
            ("holt_damped", &holt),
            ("oracle", &oracle),
        ],
        &a.horizons,
    );
    print!("{}", table(&rows, &a.horizons, scenario.name(), s0, s1));
    if let Some(out) = &a.out {
        let mut w = csv::Writer::from_writer(Vec::new());
        for r in &rows {
            w.serialize(r)?;
        }
        atomic_write(out, &w.into_inner()?)?;
    }
    Ok(())
}

/// A markdown table: one row per forecaster and window, MAE and MASE per horizon.
fn table(rows: &[BacktestRow], horizons: &[usize], name: &str, s0: u64, s1: u64) -> String {
    let mut s = format!(
        "Backtest on {name}, seeds {s0}..{s1} ({} episodes). MAE in arrivals per interval \
         (mean over classes); MASE: each class's MAE over its one-step naive MAE, averaged.\n\n",
        s1 - s0
    );
    s += "| forecaster | window | n |";
    for h in horizons {
        s += &format!(" MAE h={h} | MASE h={h} |");
    }
    s += "\n|---|---|--:|";
    s += &"--:|--:|".repeat(horizons.len());
    s += "\n";
    let mut names: Vec<&str> = rows.iter().map(|r| r.forecaster.as_str()).collect();
    names.dedup();
    for name in names {
        for window in [Window::All, Window::Sale, Window::Ordinary] {
            let cells: Vec<&BacktestRow> = horizons
                .iter()
                .filter_map(|&h| {
                    rows.iter()
                        .find(|r| r.forecaster == name && r.window == window && r.horizon == h)
                })
                .collect();
            if cells.len() != horizons.len() {
                continue;
            }
            let w = match window {
                Window::All => "all",
                Window::Sale => "sale",
                Window::Ordinary => "ordinary",
            };
            s += &format!("| {name} | {w} | {} |", cells[0].n);
            for r in cells {
                s += &format!(" {:.1} | {:.3} |", r.mae, r.mase);
            }
            s += "\n";
        }
    }
    s
}
