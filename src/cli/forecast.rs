//! `shopgym forecast`: fit a model to a CSV column (or a scenario's generated traffic), forecast
//! H steps with prediction intervals, optionally run a rolling-origin backtest, and write CSVs
//! and/or one JSON object. Flags become a [`ForecasterSpec`] and go through the same validation as
//! YAML specs; the library's typed errors get file/flag context here.

use crate::forecast::backtest::{rolling_origin, BacktestConfig, BacktestResult};
use crate::forecast::io::{self, CsvOptions, GapPolicy, LoadedSeries};
use crate::forecast::neural::NeuralSpec;
use crate::forecast::spec::{default_lags, HwSpec, MethodSpec, ModelSpec, TransformSpec};
use crate::forecast::{Calendar, FitStats, Forecast, ForecasterSpec, Level, Series};
use anyhow::{bail, Context};
use clap::{Args, ValueEnum};
use serde_json::{json, Map, Value};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Transform flag values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TransformArg {
    /// No transform.
    None,
    /// Natural log (values must be positive).
    Log,
    /// Box-Cox (lambda from --lambda or estimated).
    Boxcox,
}

/// `shopgym forecast`: a series forecast (the flags below), or `fit` / `backtest` of the env's
/// fitted forecaster on a scenario family.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ForecastCmd {
    #[command(subcommand)]
    pub command: Option<super::forecast_fit::FitCommand>,
    #[command(flatten)]
    pub args: ForecastArgs,
}

/// Runs `shopgym forecast` or one of its subcommands.
pub fn run_cmd(cmd: ForecastCmd) -> anyhow::Result<()> {
    match cmd.command {
        Some(c) => super::forecast_fit::run(c),
        None => run(cmd.args),
    }
}

/// Arguments of `shopgym forecast`.
#[derive(Debug, Args)]
pub struct ForecastArgs {
    /// CSV file with a header row holding the series (and optionally a timestamp column).
    #[arg(
        long,
        required_unless_present = "scenario",
        conflicts_with = "scenario"
    )]
    pub input: Option<PathBuf>,
    /// Value column of the CSV (default: first numeric non-time column).
    #[arg(long)]
    pub column: Option<String>,
    /// Time column of the CSV (default: first column that parses as a timestamp).
    #[arg(long)]
    pub time_column: Option<String>,
    /// Forecast the traffic a scenario file generates instead of a CSV.
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// Seed of the scenario's traffic (with --scenario).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Model: naive, seasonal_naive, moving_average, drift, ses, holt, holt_winters_add,
    /// holt_winters_mul, arima, auto_arima, ridge, lstm, transformer (the last two need a build
    /// with `--features tch`; the network predicts --horizon steps at once).
    #[arg(long, required_unless_present = "spec")]
    pub model: Option<String>,
    /// YAML forecaster spec instead of --model and model flags.
    #[arg(long, conflicts_with = "model")]
    pub spec: Option<PathBuf>,
    /// Season length in steps (seasonal models; MASE scale in backtests).
    #[arg(long)]
    pub season: Option<usize>,
    /// Window in steps for moving_average.
    #[arg(long)]
    pub window: Option<usize>,
    /// Forecast horizon in steps.
    #[arg(long, default_value_t = 12)]
    pub horizon: usize,
    /// Variance-stabilising transform.
    #[arg(long, value_enum)]
    pub transform: Option<TransformArg>,
    /// Box-Cox lambda (estimated when absent).
    #[arg(long)]
    pub lambda: Option<f64>,
    /// ARIMA order `p,d,q`.
    #[arg(long)]
    pub order: Option<String>,
    /// Seasonal ARIMA order `P,D,Q,s`.
    #[arg(long)]
    pub seasonal_order: Option<String>,
    /// ARIMA estimation method.
    #[arg(long, value_parser = ["css", "ml", "css_ml"])]
    pub method: Option<String>,
    /// Damped trend (holt, holt_winters_*).
    #[arg(long)]
    pub damped: bool,
    /// Ridge lags, comma-separated steps (default 1,2,3 plus the season).
    #[arg(long)]
    pub lags: Option<String>,
    /// Ridge penalty.
    #[arg(long)]
    pub ridge_lambda: Option<f64>,
    /// Ridge without hour/weekday features.
    #[arg(long)]
    pub no_calendar: bool,
    /// Input window in steps of lstm / transformer (default 60; other settings via --spec).
    #[arg(long)]
    pub lookback: Option<usize>,
    /// Most training epochs of lstm / transformer (default 30).
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Prediction-interval level.
    #[arg(long, default_value_t = 0.95)]
    pub level: f64,
    /// Run a rolling-origin backtest.
    #[arg(long)]
    pub backtest: bool,
    /// Backtest origins.
    #[arg(long, default_value_t = 10)]
    pub origins: usize,
    /// Steps between backtest origins (default: the horizon).
    #[arg(long)]
    pub origin_step: Option<usize>,
    /// Training window per origin in steps (default: all history).
    #[arg(long)]
    pub train_window: Option<usize>,
    /// Season of the seasonal-naive MASE scale (default: --season, else 1).
    #[arg(long)]
    pub mase_season: Option<usize>,
    /// Refit at every N-th origin and update in between.
    #[arg(long, default_value_t = 1)]
    pub refit_every: usize,
    /// Keep CSV rows at or after this timestamp.
    #[arg(long)]
    pub from: Option<String>,
    /// Keep CSV rows before this timestamp.
    #[arg(long)]
    pub to: Option<String>,
    /// Reject CSVs with missing time steps instead of filling them with 0.
    #[arg(long)]
    pub strict_gaps: bool,
    /// Directory for forecast.csv, params.csv and (with --backtest) metrics.csv.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Runs the command.
pub fn run(args: ForecastArgs) -> anyhow::Result<()> {
    let level = Level::new(args.level).context("--level")?;
    if args.horizon == 0 {
        bail!("--horizon must be at least 1");
    }
    let spec = match &args.spec {
        Some(p) => {
            let text =
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            ForecasterSpec::from_yaml(&text).with_context(|| format!("in {}", p.display()))?
        }
        None => spec_from_flags(&args)?,
    };
    let config = spec.build().context("invalid forecaster settings")?;
    let loaded = load_series(&args)?;
    if loaded.filled > 0 && !args.json {
        eprintln!("note: filled {} missing time steps with 0", loaded.filled);
    }
    let series = &loaded.series;
    let fitted = config
        .model
        .fit(series)
        .with_context(|| format!("fitting {}", config.model.name()))?;
    let fc = fitted.predict(args.horizon, Some(level));
    let bt = if args.backtest {
        let cfg = BacktestConfig {
            horizon: args.horizon,
            origins: args.origins,
            step: args.origin_step.unwrap_or(args.horizon),
            train_window: args.train_window,
            refit_every: args.refit_every,
            level: Some(level),
            mase_season: args.mase_season.or(args.season).unwrap_or(1),
        };
        Some(rolling_origin(config.model.as_ref(), series, &cfg).context("backtest")?)
    } else {
        None
    };
    let params = fitted.params();
    let stats = fitted.fit_stats();
    if let Some(dir) = &args.out {
        write_outputs(dir, series, &fc, &params, bt.as_ref())?;
    }
    if args.json {
        let mut obj = json_summary(config.model.name(), &params, &stats, &fc, bt.as_ref());
        obj["description"] = Value::from(fitted.describe());
        println!("{}", serde_json::to_string(&obj)?);
    } else {
        print_text(
            &fitted.describe(),
            &params,
            &stats,
            &fc,
            bt.as_ref(),
            series,
        );
    }
    Ok(())
}

/// Loads the series named by the arguments: a CSV column (`--input`) or a scenario's traffic.
pub fn load_series(args: &ForecastArgs) -> anyhow::Result<LoadedSeries> {
    if let Some(path) = &args.scenario {
        let (series, column) = scenario_series(path, args.column.as_deref(), args.seed)?;
        return Ok(LoadedSeries {
            series,
            column,
            time_column: None,
            filled: 0,
        });
    }
    let Some(path) = &args.input else {
        bail!("give --input FILE.csv or --scenario FILE");
    };
    let opts = CsvOptions {
        column: args.column.clone(),
        time_column: args.time_column.clone(),
        from: args.from.clone(),
        to: args.to.clone(),
        gaps: if args.strict_gaps {
            GapPolicy::Error
        } else {
            GapPolicy::Zero
        },
    };
    Ok(io::load_csv(path, &opts)?)
}

/// The arrivals per decision interval that a scenario generates for `seed` (all classes, or the
/// class named by `--column`), with the scenario's calendar. Arrivals do not depend on the
/// scaling policy (common random numbers), so the scenario's static policy is run.
fn scenario_series(
    path: &Path,
    class: Option<&str>,
    seed: u64,
) -> anyhow::Result<(Series, String)> {
    let scenario = crate::scenario::Scenario::load(path)?;
    let cfg = scenario.sim.clone();
    let pick = match class {
        Some(name) => Some(cfg.class_index(name).with_context(|| {
            let names: Vec<&str> = cfg.classes.iter().map(|c| c.name.as_str()).collect();
            format!(
                "--column {name}: no such class in {} (classes: {names:?})",
                path.display()
            )
        })?),
        None => None,
    };
    let mut sim = crate::sim::Simulator::new(cfg.clone(), seed);
    let mut values = Vec::with_capacity(cfg.n_intervals() as usize);
    sim.run_to_end(|s| {
        values.push(match pick {
            Some(c) => s.classes[c].arrivals as f64,
            None => s.classes.iter().map(|c| c.arrivals as f64).sum(),
        })
    });
    let start = cfg.traffic.calendar_start_unix_s();
    let step = cfg.interval.as_secs_f64().round() as i64;
    let series = Series::new(values)?.with_calendar(Calendar::new(start, step.max(1))?);
    Ok((series, class.unwrap_or("traffic").to_string()))
}

fn parse_list(flag: &str, s: &str, n: Option<usize>) -> anyhow::Result<Vec<usize>> {
    let v: Vec<usize> = s
        .split(',')
        .map(|x| x.trim().parse::<usize>())
        .collect::<Result<_, _>>()
        .with_context(|| {
            format!("--{flag} `{s}`: expected non-negative integers separated by commas")
        })?;
    if let Some(n) = n {
        if v.len() != n {
            bail!("--{flag} `{s}`: expected {n} comma-separated integers");
        }
    }
    Ok(v)
}

fn spec_from_flags(a: &ForecastArgs) -> anyhow::Result<ForecasterSpec> {
    let model = a.model.as_deref().unwrap_or_default();
    let need_season = |m: &str| {
        a.season
            .with_context(|| format!("--model {m} needs --season N (steps per season)"))
    };
    let not_for = |flag: &str, set: bool, models: &[&str]| -> anyhow::Result<()> {
        if set && !models.contains(&model) {
            bail!(
                "--{flag} does not apply to --model {model} (only {})",
                models.join(", ")
            );
        }
        Ok(())
    };
    not_for("order", a.order.is_some(), &["arima"])?;
    not_for("seasonal-order", a.seasonal_order.is_some(), &["arima"])?;
    not_for("method", a.method.is_some(), &["arima"])?;
    not_for(
        "damped",
        a.damped,
        &["holt", "holt_winters_add", "holt_winters_mul"],
    )?;
    not_for("lags", a.lags.is_some(), &["ridge"])?;
    not_for("ridge-lambda", a.ridge_lambda.is_some(), &["ridge"])?;
    not_for("no-calendar", a.no_calendar, &["ridge"])?;
    not_for("window", a.window.is_some(), &["moving_average"])?;
    not_for("lookback", a.lookback.is_some(), &["lstm", "transformer"])?;
    not_for("epochs", a.epochs.is_some(), &["lstm", "transformer"])?;
    let neural = || {
        let d = NeuralSpec::default();
        NeuralSpec {
            horizon: a.horizon,
            lookback: a.lookback.unwrap_or(d.lookback),
            epochs: a.epochs.unwrap_or(d.epochs),
            ..d
        }
    };
    let hw = |m: &str| -> anyhow::Result<HwSpec> {
        Ok(HwSpec {
            season: need_season(m)?,
            damped: a.damped,
            alpha: None,
            beta: None,
            gamma: None,
            phi: None,
        })
    };
    let ms = match model {
        "naive" => ModelSpec::Naive {},
        "seasonal_naive" => ModelSpec::SeasonalNaive {
            season: need_season(model)?,
        },
        "moving_average" => ModelSpec::MovingAverage {
            window: a
                .window
                .context("--model moving_average needs --window N")?,
        },
        "drift" => ModelSpec::Drift {},
        "ses" => ModelSpec::Ses { alpha: None },
        "holt" => ModelSpec::Holt {
            damped: a.damped,
            alpha: None,
            beta: None,
            phi: None,
        },
        "holt_winters_add" => ModelSpec::HoltWintersAdd(hw(model)?),
        "holt_winters_mul" => ModelSpec::HoltWintersMul(hw(model)?),
        "arima" => {
            let o = parse_list(
                "order",
                a.order
                    .as_deref()
                    .context("--model arima needs --order p,d,q")?,
                Some(3),
            )?;
            let so = a
                .seasonal_order
                .as_deref()
                .map(|s| parse_list("seasonal-order", s, Some(4)))
                .transpose()?;
            ModelSpec::Arima {
                order: [o[0], o[1], o[2]],
                seasonal_order: so.map(|v| [v[0], v[1], v[2], v[3]]),
                method: match a.method.as_deref() {
                    Some("css") => MethodSpec::Css,
                    Some("ml") => MethodSpec::Ml,
                    _ => MethodSpec::CssMl,
                },
                include_mean: None,
            }
        }
        "auto_arima" => ModelSpec::AutoArima {
            season: a.season.unwrap_or(1),
            max_p: 2,
            max_q: 2,
            max_seasonal_p: 1,
            max_seasonal_q: 1,
            max_d: 2,
        },
        "ridge" => ModelSpec::Ridge {
            lags: Some(match &a.lags {
                Some(l) => parse_list("lags", l, None)?,
                None => default_lags(a.season),
            }),
            season: a.season,
            calendar: !a.no_calendar,
            lambda: a.ridge_lambda.unwrap_or(1.0),
        },
        "lstm" => ModelSpec::Lstm(neural()),
        "transformer" => ModelSpec::Transformer(neural()),
        other => bail!(
            "unknown --model `{other}` (naive, seasonal_naive, moving_average, drift, ses, holt, \
             holt_winters_add, holt_winters_mul, arima, auto_arima, ridge, lstm, transformer)"
        ),
    };
    let mut spec = ForecasterSpec::new(ms);
    spec.transform = match a.transform {
        None | Some(TransformArg::None) => TransformSpec::None,
        Some(TransformArg::Log) => TransformSpec::Log,
        Some(TransformArg::Boxcox) => TransformSpec::Boxcox,
    };
    spec.boxcox_lambda = a.lambda;
    Ok(spec)
}

fn opt(v: Option<f64>) -> Value {
    v.filter(|x| x.is_finite()).map_or(Value::Null, Value::from)
}

fn json_summary(
    model: &str,
    params: &[(String, f64)],
    stats: &FitStats,
    fc: &Forecast,
    bt: Option<&BacktestResult>,
) -> Value {
    let mut p = Map::new();
    for (k, v) in params {
        p.insert(k.clone(), opt(Some(*v)));
    }
    let backtest = bt.map_or(Value::Null, |b| {
        let mut m = Map::new();
        for (i, x) in b.per_horizon.iter().enumerate() {
            m.insert(
                format!("h{}", i + 1),
                json!({"mae": opt(Some(x.mae)), "rmse": opt(Some(x.rmse)), "mape": opt(x.mape),
                       "smape": opt(Some(x.smape)), "mase": opt(x.mase), "coverage": opt(x.coverage)}),
            );
        }
        Value::Object(m)
    });
    let (lower, upper) = fc
        .intervals
        .as_ref()
        .map_or((Value::Null, Value::Null), |i| {
            (json!(i.lower), json!(i.upper))
        });
    json!({
        "model": model,
        "params": p,
        "fit": {"sse": opt(stats.sse), "loglik": opt(stats.loglik), "aic": opt(stats.aic)},
        "forecast": fc.mean,
        "lower": lower,
        "upper": upper,
        "backtest": backtest,
    })
}

fn fmt_opt(v: Option<f64>) -> String {
    v.map_or(String::new(), |x| format!("{x}"))
}

fn write_outputs(
    dir: &Path,
    series: &Series,
    fc: &Forecast,
    params: &[(String, f64)],
    bt: Option<&BacktestResult>,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join("forecast.csv");
    let mut w =
        csv::Writer::from_path(&path).with_context(|| format!("writing {}", path.display()))?;
    w.write_record(["step", "timestamp", "forecast", "lower", "upper"])?;
    for (k, m) in fc.mean.iter().enumerate() {
        let ts = series
            .calendar()
            .map(|c| io::format_timestamp(c.timestamp(series.len() + k)))
            .unwrap_or_default();
        let (lo, hi) = fc
            .intervals
            .as_ref()
            .map_or((String::new(), String::new()), |i| {
                (i.lower[k].to_string(), i.upper[k].to_string())
            });
        w.write_record([(k + 1).to_string(), ts, m.to_string(), lo, hi])?;
    }
    w.flush()?;
    let path = dir.join("params.csv");
    let mut w =
        csv::Writer::from_path(&path).with_context(|| format!("writing {}", path.display()))?;
    w.write_record(["name", "value"])?;
    for (k, v) in params {
        w.write_record([k.clone(), v.to_string()])?;
    }
    w.flush()?;
    if let Some(b) = bt {
        let path = dir.join("metrics.csv");
        let mut w =
            csv::Writer::from_path(&path).with_context(|| format!("writing {}", path.display()))?;
        w.write_record([
            "horizon", "n", "mae", "rmse", "mape", "smape", "mase", "coverage",
        ])?;
        for (i, m) in b.per_horizon.iter().enumerate() {
            w.write_record([
                (i + 1).to_string(),
                m.n.to_string(),
                m.mae.to_string(),
                m.rmse.to_string(),
                fmt_opt(m.mape),
                m.smape.to_string(),
                fmt_opt(m.mase),
                fmt_opt(m.coverage),
            ])?;
        }
        w.flush()?;
    }
    Ok(())
}

fn print_text(
    desc: &str,
    params: &[(String, f64)],
    stats: &FitStats,
    fc: &Forecast,
    bt: Option<&BacktestResult>,
    series: &Series,
) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "model: {desc} ({} observations)", series.len());
    for (k, v) in params {
        let _ = writeln!(out, "  {k:<20} {v:.6}");
    }
    let _ = writeln!(
        out,
        "fit: sse {}  loglik {}  aic {}",
        fmt_opt(stats.sse),
        fmt_opt(stats.loglik),
        fmt_opt(stats.aic)
    );
    let _ = writeln!(
        out,
        "{:>5} {:>14} {:>14} {:>14}",
        "h", "forecast", "lower", "upper"
    );
    for (k, m) in fc.mean.iter().enumerate() {
        let (lo, hi) = fc
            .intervals
            .as_ref()
            .map_or((f64::NAN, f64::NAN), |i| (i.lower[k], i.upper[k]));
        let _ = writeln!(out, "{:>5} {m:>14.4} {lo:>14.4} {hi:>14.4}", k + 1);
    }
    if let Some(b) = bt {
        let _ = writeln!(
            out,
            "backtest: {} origins, {} fits",
            b.origins.len(),
            b.fits
        );
        let _ = writeln!(
            out,
            "{:>5} {:>12} {:>12} {:>9} {:>9} {:>8} {:>8}",
            "h", "mae", "rmse", "mape%", "smape%", "mase", "cover"
        );
        for (i, m) in b.per_horizon.iter().enumerate() {
            let _ = writeln!(
                out,
                "{:>5} {:>12.3} {:>12.3} {:>9.3} {:>9.3} {:>8.4} {:>8.3}",
                i + 1,
                m.mae,
                m.rmse,
                m.mape.unwrap_or(f64::NAN),
                m.smape,
                m.mase.unwrap_or(f64::NAN),
                m.coverage.unwrap_or(f64::NAN)
            );
        }
    }
}
