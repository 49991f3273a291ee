//! Forecasts in the observation: the oracle equals the true expected arrivals, seasonal naive sees
//! only the past, the noisy oracle has the configured error, and a forecaster from outside plugs in.

mod common;

use common::{tiny_env, TINY};

use std::path::Path;

use shopgym::env::forecast::{ArrivalForecaster, SeasonalNaive};
use shopgym::env::{check_env, CheckOptions, Env, EnvConfig, ScalingEnv};
use shopgym::scenario::env_spec::ObsForecastModel;
use shopgym::scenario::Scenario;
use shopgym::sim::{SimTime, Simulator};

#[test]
fn oracle_forecast_is_the_true_expected_arrivals() {
    let mut env = tiny_env(|s| {
        s.forecast.model = ObsForecastModel::Oracle;
        s.forecast.horizon = 3;
    });
    let (_, mut info) = env.reset(Some(4));
    let interval = env.sim().config().interval;
    let hold = env.codec().hold(&info.pools);
    let mut checked = 0;
    loop {
        let now = env.sim().now();
        let mut truth = vec![0.0; 2];
        for h in 0..3u64 {
            let t0 = SimTime(now.as_micros() + h * interval.as_micros());
            env.sim()
                .traffic()
                .expected_arrivals(t0, t0 + interval, &mut truth);
            for (c, &e) in truth.iter().enumerate() {
                assert_eq!(
                    info.forecast.get(c, h as usize),
                    e,
                    "t {now} h {h} class {c}"
                );
                checked += 1;
            }
        }
        let s = env.step(&hold).expect("valid");
        info = s.info;
        if s.truncated {
            break;
        }
    }
    assert!(checked >= 100);
    // The surge appears in the forecast before it arrives.
    let names = env.obs_names();
    assert!(names.iter().any(|n| n == "class.a.forecast.h3"));
}

#[test]
fn seasonal_naive_uses_only_the_past() {
    // Same seed, same actions; the scenarios differ only after 600 s (the surge).
    let no_surge = TINY.replace(
        "promotions: [ { start_s: 600, ramp_s: 60, peak: 3, hold_s: 300 } ]",
        "promotions: []",
    );
    let run = |text: &str, model: ObsForecastModel| -> Vec<(f64, Vec<f64>)> {
        let s = Scenario::from_yaml(text, Path::new("tiny.yaml")).expect("valid");
        let mut spec = s.spec.env.clone();
        spec.forecast.model = model;
        spec.forecast.season_intervals = Some(4);
        let mut env = ScalingEnv::new(&s, EnvConfig::new(&spec, &s).expect("valid")).expect("fits");
        let (_, mut info) = env.reset(Some(9));
        let mut out = vec![(info.time_s, info.forecast.values.clone())];
        while info.time_s < 600.0 {
            let a = env.codec().hold(&info.pools);
            info = env.step(&a).expect("valid").info;
            out.push((info.time_s, info.forecast.values.clone()));
        }
        out
    };
    let a = run(TINY, ObsForecastModel::SeasonalNaive);
    let b = run(&no_surge, ObsForecastModel::SeasonalNaive);
    assert_eq!(
        a, b,
        "seasonal naive forecasts before 600 s must not see the surge"
    );
    let a = run(TINY, ObsForecastModel::Oracle);
    let b = run(&no_surge, ObsForecastModel::Oracle);
    assert_ne!(a, b, "the oracle does see it (the test can tell)");
}

#[test]
fn seasonal_naive_repeats_the_season_then_the_last_value() {
    let traffic_cfg = Scenario::from_yaml(TINY, Path::new("tiny.yaml")).expect("valid");
    let sim = Simulator::new(traffic_cfg.sim.clone(), 0);
    let mut f = SeasonalNaive::new(2, 3);
    f.reset(sim.traffic(), SimTime::from_secs(60), Some(0));
    let mut out = vec![0.0; 4 * 2];
    f.predict(SimTime::ZERO, 4, &mut out);
    assert!(out.iter().all(|&x| x == 0.0));
    for i in 0..4 {
        f.observe(&[f64::from(i), 10.0 * f64::from(i)]);
    }
    // Observed 0,1,2,3; next intervals 4,5,6,7 repeat 1,2,3 then (4 not seen) the last, 3.
    f.predict(SimTime::ZERO, 4, &mut out);
    assert_eq!(out, vec![1.0, 10.0, 2.0, 20.0, 3.0, 30.0, 3.0, 30.0]);
}

#[test]
fn noisy_oracle_has_the_configured_relative_error() {
    let collect = |model: ObsForecastModel| -> Vec<f64> {
        let mut env = tiny_env(|s| {
            s.forecast.model = model;
            s.forecast.horizon = 5;
            s.forecast.rel_error = 0.2;
        });
        let (_, mut info) = env.reset(Some(3));
        let mut v = info.forecast.values.clone();
        loop {
            let a = env.codec().hold(&info.pools);
            let s = env.step(&a).expect("valid");
            v.extend(&s.info.forecast.values);
            info = s.info;
            if s.truncated {
                return v;
            }
        }
    };
    let truth = collect(ObsForecastModel::Oracle);
    let noisy = collect(ObsForecastModel::NoisyOracle);
    let rel: Vec<f64> = truth
        .iter()
        .zip(&noisy)
        .filter(|(t, _)| **t > 0.0)
        .map(|(t, n)| n / t - 1.0)
        .collect();
    let n = rel.len() as f64;
    let mean = rel.iter().sum::<f64>() / n;
    let sd = (rel.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / n).sqrt();
    assert!(n > 100.0);
    assert!(mean.abs() < 0.05, "mean relative error {mean}");
    assert!((sd - 0.2).abs() < 0.04, "relative error sd {sd}");
}

/// A forecaster from outside the crate (as the forecasting module's adapter will be).
struct Constant(f64);

impl ArrivalForecaster for Constant {
    fn name(&self) -> &str {
        "constant"
    }
    fn reset(&mut self, _: &shopgym::sim::Traffic, _: SimTime, _: Option<u64>) {}
    fn observe(&mut self, _: &[f64]) {}
    fn predict(&mut self, _: SimTime, _: usize, out: &mut [f64]) {
        out.iter_mut().for_each(|o| *o = self.0);
    }
}

#[test]
fn a_custom_forecaster_plugs_in() {
    let mut env = tiny_env(|s| s.forecast.horizon = 2).with_forecaster(Box::new(Constant(7.0)));
    assert_eq!(env.forecaster_name(), "constant");
    let (obs, info) = env.reset(Some(1));
    assert_eq!(info.forecast.values, vec![7.0; 4]);
    let i = env
        .obs_names()
        .iter()
        .position(|n| n == "class.b.forecast.h2")
        .expect("forecast features present");
    assert!(obs[i] > 0.0);
    check_env(&mut env, &CheckOptions::default()).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn classical_forecaster_sees_only_the_past_and_matches_the_forecast_module() {
    let holt: serde_yaml::Value =
        serde_yaml::from_str("{ model: holt, damped: true }").expect("yaml");
    let mut env = tiny_env(|s| {
        s.forecast.model = ObsForecastModel::Classical;
        s.forecast.horizon = 2;
        s.forecast.classical = Some(holt.clone());
    });
    let (_, mut info) = env.reset(Some(3));
    // The same model, fed the same counts by hand.
    let spec: shopgym::forecast::ForecasterSpec = serde_yaml::from_value(holt).expect("spec");
    let cfg = spec.build().expect("builds");
    let mut by_hand: Vec<_> = (0..2).map(|_| cfg.online(None, None)).collect();
    let hold = env.codec().hold(&info.pools);
    let mut fitted_steps = 0;
    for _ in 0..15 {
        let s = env.step(&hold).expect("valid");
        info = s.info;
        let stats = info.stats.as_ref().expect("stats after a step");
        for (c, f) in by_hand.iter_mut().enumerate() {
            f.observe(stats.classes[c].arrivals as f64)
                .expect("finite count");
            let expect = f.predict(2, None).mean;
            for (h, e) in expect.iter().enumerate() {
                assert!((info.forecast.get(c, h) - e.max(0.0)).abs() < 1e-9);
            }
            fitted_steps += usize::from(f.is_fitted());
        }
    }
    assert!(fitted_steps > 0, "the model got fitted during the episode");
    // A bad classical spec is a clear error naming the field.
    let s = Scenario::from_yaml(TINY, Path::new("tiny.yaml")).expect("valid");
    let mut spec = s.spec.env.clone();
    spec.forecast.model = ObsForecastModel::Classical;
    spec.forecast.classical =
        Some(serde_yaml::from_str("{ model: holt_winters_add, season: 0 }").expect("yaml"));
    let err = EnvConfig::new(&spec, &s)
        .expect_err("season 0 is invalid")
        .to_string();
    assert!(err.contains("env.forecast.classical"), "{err}");
}
