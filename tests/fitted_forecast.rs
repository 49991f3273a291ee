//! The forecaster fitted offline on a family (`forecast: { model: fitted }`): it anticipates an
//! announced sale without ever seeing the true future, beats seasonal naive and damped Holt
//! around the sales of held-out draws, the shipped model file is what `shopgym forecast fit`
//! makes, and a missing or mismatched model file gets a clear error.

use std::path::Path;
use std::process::Command;

use shopgym::env::forecast::{ArrivalForecaster, Classical, Fitted, SeasonalNaive};
use shopgym::env::forecast_fit::{self, Window};
use shopgym::env::{check_env, CheckOptions, Env, ScalingEnv};
use shopgym::forecast::direct::{DirectRidgeConfig, DirectRidgeModel};
use shopgym::scenario::Scenario;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A one-class family whose sale's true size varies while its announcement does not.
fn no_peeking(peak: &str, hold: &str, forecast: &str) -> String {
    format!(
        r#"
name: no_peeking
horizon_s: 5400
decision_interval_s: 60
scale: 0.05
classes:
  - {{ name: browse, service: {{ dist: exponential, mean_ms: 20 }}, slo: {{ latency_ms: 300 }} }}
pools:
  - {{ name: browse, concurrency: 4, initial: 4, min: 2, max: 400 }}
traffic:
  mix: {{ browse: 1 }}
  synthetic:
    base_rate: 1000
    promotions:
      - {{ start_s: {{ uniform: [2400, 3600] }}, ramp_s: 120, peak: {peak}, hold_s: {hold},
          decay_s: 60, announced_s: 1800, announce_error: {{ start_sd_s: 60, peak_rel_sd: 0.1 }} }}
  noise: {{ sigma: 0.05, phi: 0.9, step_s: 60 }}
env:
  forecast: {forecast}
"#
    )
}

/// Fitted on the family's draws, the forecast rises before an announced sale starts, and two
/// instances that differ only in the true sale (announced the same) get the same observations
/// until it starts.
#[test]
fn the_fitted_forecast_anticipates_announced_sales_without_peeking() {
    let dir = tempfile::tempdir().unwrap();
    let family = Scenario::from_yaml(
        &no_peeking("{ uniform: [5, 15] }", "600", "{ model: none }"),
        &dir.path().join("no_peeking.yaml"),
    )
    .unwrap();
    let cfg = DirectRidgeConfig {
        horizon: 5,
        ..Default::default()
    };
    let model = forecast_fit::fit_direct(&family, 0..30, &cfg).unwrap();
    let file = dir.path().join("model.json");
    std::fs::write(&file, model.to_json()).unwrap();
    let forecast = format!("{{ model: fitted, horizon: 5, path: {} }}", file.display());

    // An instance: its true start and peak fixed, announced at start 3000 s, peak 10.
    let instance = |peak: f64, hold: f64| {
        let text = no_peeking(&peak.to_string(), &hold.to_string(), &forecast)
            .replace("{ uniform: [2400, 3600] }", "3000")
            .replace(
                "announce_error: { start_sd_s: 60, peak_rel_sd: 0.1 }",
                "announced_peak: 10, announced_duration_s: 720",
            );
        Scenario::from_yaml(&text, &dir.path().join("i.yaml")).unwrap()
    };
    let base = instance(10.0, 600.0);
    let mut env = ScalingEnv::from_scenario(&base).unwrap();
    assert_eq!(env.forecaster_name(), "fitted");
    let mut run = |s: &Scenario| {
        let (_, info) = env.reset_on(s, 7).unwrap();
        let mut all = vec![(Vec::new(), info.forecast.values)];
        let hold = shopgym::env::Action::MultiDiscrete(vec![0]);
        for _ in 0..60 {
            let st = env.step(&hold).unwrap();
            all.push((st.obs, st.info.forecast.values));
        }
        all
    };
    let a = run(&base);
    let b = run(&instance(30.0, 1200.0));
    // The sale starts at 3000 s = step 50: every observation and forecast before is the same.
    for k in 1..=50 {
        assert_eq!(a[k], b[k], "step {k} saw the true future");
    }
    assert_ne!(a[55].0, b[55].0, "the sale is observed once it happens");
    // At step 46 (4 min before the announced start) the 5-ahead forecast already sees the sale.
    let (now, ahead) = (a[46].1[0], a[46].1[4]);
    assert!(
        ahead > 3.0 * now,
        "5 ahead {ahead:.0} vs next {now:.0}: no anticipation"
    );
    // Announced later than the forecast is made, the same sale is not anticipated.
    let late = no_peeking("10", "600", &forecast)
        .replace("{ uniform: [2400, 3600] }", "3000")
        .replace("announced_s: 1800", "announced_s: 60")
        .replace(
            "announce_error: { start_sd_s: 60, peak_rel_sd: 0.1 }",
            "announced_peak: 10, announced_duration_s: 720",
        );
    let late = Scenario::from_yaml(&late, &dir.path().join("late.yaml")).unwrap();
    let c = run(&late);
    assert!(
        c[46].1[4] < 1.5 * c[46].1[0],
        "unannounced at step 46, yet forecast {:.0} vs {:.0}",
        c[46].1[4],
        c[46].1[0]
    );
}

/// On held-out draws of every shipped family (the models are fitted on seeds 0..40), the shipped
/// model beats seasonal naive and damped Holt inside the sales at 1, 5 and 10 intervals ahead
/// (MASE; docs/forecast.md has the full table, on 20 draws).
#[test]
fn the_shipped_models_beat_naive_and_holt_around_sales() {
    for name in [
        "flash_sale_family",
        "singles_day_family",
        "black_friday_family",
        "microservices_family",
    ] {
        let scenario = Scenario::load(root().join(format!("scenarios/{name}.yaml"))).unwrap();
        let text = std::fs::read_to_string(root().join(format!("scenarios/forecasts/{name}.json")))
            .unwrap();
        let model = std::sync::Arc::new(DirectRidgeModel::from_json(&text).unwrap());
        assert_eq!(model.fit_seeds, [0, 40]);
        let episodes = forecast_fit::arrival_episodes(&scenario, 4000..4010).unwrap();
        let nc = scenario.sim.classes.len();
        let holt_cfg = shopgym::forecast::ForecasterSpec::from_yaml(
            "{ model: holt, damped: true, refit_every: 10, window: 240 }",
        )
        .unwrap()
        .build()
        .unwrap();
        let fitted = || Box::new(Fitted::new(model.clone())) as Box<dyn ArrivalForecaster>;
        let naive = || Box::new(SeasonalNaive::new(nc, 1440)) as Box<dyn ArrivalForecaster>;
        let holt = || Box::new(Classical::new(holt_cfg.clone(), nc)) as Box<dyn ArrivalForecaster>;
        let rows = forecast_fit::backtest(
            &episodes,
            &[
                ("fitted", &fitted),
                ("seasonal_naive", &naive),
                ("holt_damped", &holt),
            ],
            &[1, 5, 10],
        );
        let mase = |f: &str, h: usize| {
            rows.iter()
                .find(|r| r.forecaster == f && r.horizon == h && r.window == Window::Sale)
                .unwrap()
                .mase
        };
        for h in [1, 5, 10] {
            let (f, n, m) = (
                mase("fitted", h),
                mase("seasonal_naive", h),
                mase("holt_damped", h),
            );
            assert!(
                f < n && f < m,
                "{name} h={h}: fitted {f:.3}, naive {n:.3}, holt {m:.3}"
            );
        }
    }
}

/// `shopgym forecast fit` with the shipped seeds writes the shipped file byte for byte, and the
/// backtest prints its table; every shipped family runs `check_env` with the fitted forecast.
#[test]
fn forecast_fit_reproduces_the_shipped_model_and_every_family_runs_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.json");
    let bin = env!("CARGO_BIN_EXE_shopgym");
    let scenario = root().join("scenarios/microservices_family.yaml");
    let o = Command::new(bin)
        .args(["forecast", "fit", "--scenario"])
        .arg(&scenario)
        .args(["--seeds", "0..40", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        std::fs::read(&out).unwrap()
            == std::fs::read(root().join("scenarios/forecasts/microservices_family.json")).unwrap(),
        "scenarios/forecasts/microservices_family.json is stale: refit it (docs/forecast_fitted.md)"
    );
    let o = Command::new(bin)
        .args(["forecast", "backtest", "--scenario"])
        .arg(&scenario)
        .args(["--seeds", "4000..4003", "--model"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let table = String::from_utf8(o.stdout).unwrap();
    assert!(table.contains("| fitted | sale |") && table.contains("| holt_damped | sale |"));
    // The fixed holiday scenarios' models too (in process: the library is what the CLI calls).
    for name in ["flash_sale", "singles_day"] {
        let s = Scenario::load(root().join(format!("scenarios/{name}.yaml"))).unwrap();
        let m = forecast_fit::fit_direct(&s, 0..40, &DirectRidgeConfig::default()).unwrap();
        let shipped =
            std::fs::read_to_string(root().join(format!("scenarios/forecasts/{name}.json")))
                .unwrap();
        assert!(
            m.to_json() == shipped,
            "scenarios/forecasts/{name}.json is stale"
        );
    }

    for name in [
        "flash_sale_family",
        "singles_day_family",
        "black_friday_family",
        "microservices_family",
    ] {
        let s = Scenario::load(root().join(format!("scenarios/{name}.yaml"))).unwrap();
        let mut spec = s.spec.env.clone();
        spec.forecast.model = shopgym::scenario::env_spec::ObsForecastModel::Fitted;
        spec.forecast.horizon = 5;
        spec.calendar.promotions = 2;
        let cfg = shopgym::env::EnvConfig::new(&spec, &s).unwrap_or_else(|e| panic!("{e}"));
        let mut env = ScalingEnv::new(&s, cfg).unwrap();
        check_env(
            &mut env,
            &CheckOptions {
                seed: 4,
                max_steps: 20,
            },
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let (_, info) = env.reset(Some(4));
        assert_eq!(info.forecast.horizon, 5);
    }
}

/// A missing model names the field, the file and the command that makes it; a model of other
/// classes or a horizon beyond it is refused.
#[test]
fn a_missing_or_mismatched_model_gets_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let text = no_peeking("10", "600", "{ model: fitted }");
    let err = Scenario::from_yaml(&text, &dir.path().join("s.yaml"))
        .and_then(|s| shopgym::env::EnvConfig::from_scenario(&s))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("env.forecast.path")
            && err.contains("forecasts/no_peeking.json")
            && err.contains("shopgym forecast fit"),
        "{err}"
    );
    // The flash-sale family's model (4 classes) on this 1-class scenario.
    let other = root().join("scenarios/forecasts/flash_sale_family.json");
    let text = no_peeking(
        "10",
        "600",
        &format!("{{ model: fitted, path: {} }}", other.display()),
    );
    let err = Scenario::from_yaml(&text, &dir.path().join("s.yaml"))
        .and_then(|s| shopgym::env::EnvConfig::from_scenario(&s))
        .unwrap_err()
        .to_string();
    assert!(err.contains("classes"), "{err}");
    let s = Scenario::load(root().join("scenarios/flash_sale_family.yaml")).unwrap();
    let mut spec = s.spec.env.clone();
    spec.forecast.model = shopgym::scenario::env_spec::ObsForecastModel::Fitted;
    spec.forecast.horizon = 11;
    let err = shopgym::env::EnvConfig::new(&spec, &s)
        .unwrap_err()
        .to_string();
    assert!(err.contains("env.forecast.horizon"), "{err}");
}
