#![cfg(feature = "tch")]
//! The neural forecasters (`--features tch`): on a synthetic daily-seasonal series (period 24,
//! sine plus noise) the LSTM and the Transformer beat the naive forecast on a held-out tail;
//! fitting is deterministic for a seed; `update(y)` advances the forecast without refitting;
//! intervals are ordered; bad settings give errors naming the field. Small networks and few
//! epochs so the whole file runs in seconds.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use shopgym::forecast::online::RefitPolicy;
use shopgym::forecast::{Calendar, Forecaster, ForecasterSpec, Level, Series};

const PERIOD: usize = 24;

/// `100 + 30 sin(2 pi t / 24) + N(0, 3)`, hourly from a Monday 00:00.
fn seasonal(n: usize, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let noise = Normal::new(0.0, 3.0).unwrap();
    (0..n)
        .map(|t| {
            let phase = std::f64::consts::TAU * t as f64 / PERIOD as f64;
            100.0 + 30.0 * phase.sin() + noise.sample(&mut rng)
        })
        .collect()
}

fn model(yaml: &str) -> std::sync::Arc<dyn Forecaster> {
    ForecasterSpec::from_yaml(yaml)
        .unwrap_or_else(|e| panic!("{yaml}: {e}"))
        .build()
        .unwrap_or_else(|e| panic!("{yaml}: {e}"))
        .model
}

const LSTM: &str = "model: lstm\nlookback: 48\nhorizon: 12\nhidden: 32\nepochs: 40\nlr: 0.01\nbatch: 32\nseed: 1\n";
const TRANSFORMER: &str = "model: transformer\nlookback: 48\nhorizon: 12\nd_model: 32\nheads: 4\nepochs: 40\nlr: 0.003\nbatch: 32\nseed: 1\n";

/// Mean absolute error of the model and of naive over `origins` origins in the last 10 days,
/// forecasting 12 steps from each, fitted once and advanced with `update`.
fn held_out_mae(yaml: &str) -> (f64, f64) {
    let y = seasonal(60 * PERIOD, 7);
    let train = 50 * PERIOD;
    let cal = Calendar::new(4 * 86_400, 3600).unwrap();
    let series = Series::from_slice(&y[..train]).unwrap().with_calendar(cal);
    let t0 = std::time::Instant::now();
    let mut fitted = model(yaml).fit(&series).unwrap();
    eprintln!(
        "{}: fit in {:.2} s",
        fitted.describe(),
        t0.elapsed().as_secs_f64()
    );
    let (mut err, mut naive, mut count) = (0.0, 0.0, 0);
    for o in train..y.len() - 12 {
        if (o - train).is_multiple_of(6) {
            let f = fitted.predict(12, None).mean;
            for k in 0..12 {
                err += (y[o + k] - f[k]).abs();
                naive += (y[o + k] - y[o - 1]).abs();
                count += 1;
            }
        }
        fitted.update(y[o]).unwrap();
    }
    (err / count as f64, naive / count as f64)
}

#[test]
fn lstm_beats_naive_on_a_seasonal_series() {
    let (mae, naive) = held_out_mae(LSTM);
    eprintln!("lstm held-out MAE {mae:.2} vs naive {naive:.2}");
    assert!(mae < 0.5 * naive, "lstm MAE {mae} vs naive {naive}");
}

#[test]
fn transformer_beats_naive_on_a_seasonal_series() {
    let (mae, naive) = held_out_mae(TRANSFORMER);
    eprintln!("transformer held-out MAE {mae:.2} vs naive {naive:.2}");
    assert!(mae < 0.5 * naive, "transformer MAE {mae} vs naive {naive}");
}

fn small(arch: &str, seed: u64) -> String {
    let width = if arch == "lstm" { "hidden" } else { "d_model" };
    format!("model: {arch}\nlookback: 24\nhorizon: 6\n{width}: 16\nepochs: 3\nseed: {seed}\n")
}

#[test]
fn same_seed_same_forecasts_other_seed_different() {
    let series = Series::new(seasonal(20 * PERIOD, 3)).unwrap();
    for arch in ["lstm", "transformer"] {
        let a = model(&small(arch, 5))
            .fit(&series)
            .unwrap()
            .predict(6, None);
        let b = model(&small(arch, 5))
            .fit(&series)
            .unwrap()
            .predict(6, None);
        let c = model(&small(arch, 6))
            .fit(&series)
            .unwrap()
            .predict(6, None);
        assert_eq!(a, b, "{arch}: same seed, different forecasts");
        assert_ne!(a, c, "{arch}: another seed gave identical forecasts");
    }
}

#[test]
fn parallel_fits_are_deterministic_too() {
    use rayon::prelude::*;
    let series = Series::new(seasonal(20 * PERIOD, 3)).unwrap();
    let serial = model(&small("lstm", 9))
        .fit(&series)
        .unwrap()
        .predict(6, None);
    let parallel: Vec<_> = (0..4)
        .into_par_iter()
        .map(|_| {
            model(&small("lstm", 9))
                .fit(&series)
                .unwrap()
                .predict(6, None)
        })
        .collect();
    for p in parallel {
        assert_eq!(p, serial);
    }
}

#[test]
fn update_advances_the_forecast_and_intervals_are_ordered() {
    let y = seasonal(20 * PERIOD, 4);
    let series = Series::from_slice(&y[..19 * PERIOD]).unwrap();
    for arch in ["lstm", "transformer"] {
        let level = Some(Level::new(0.9).unwrap());
        let mut f = model(&small(arch, 0)).fit(&series).unwrap();
        let before = f.predict(8, level);
        assert_eq!(before.mean.len(), 8, "{arch}: recursive past the horizon");
        let iv = before.intervals.as_ref().unwrap();
        for k in 0..8 {
            assert!(iv.lower[k] <= iv.upper[k], "{arch} step {k}: {iv:?}");
            assert!(before.mean[k].is_finite());
        }
        // Absorbing one observation shifts the input window (weights unchanged): the forecast
        // now starts one step later and must change.
        f.update(y[19 * PERIOD]).unwrap();
        let after = f.predict(8, None);
        assert_ne!(before.mean, after.mean, "{arch}: update changed nothing");
        assert!(f.update(f64::NAN).is_err());
    }
}

#[test]
fn online_forecaster_refits_neural_models() {
    let y = seasonal(12 * PERIOD, 5);
    let spec =
        ForecasterSpec::from_yaml(&format!("{}refit_every: 24\n", small("lstm", 0))).unwrap();
    let cfg = spec.build().unwrap();
    assert_eq!(
        cfg.policy,
        RefitPolicy {
            refit_every: Some(24),
            window: None
        }
    );
    let min = cfg.model.min_len();
    let mut online = cfg.online(None, None);
    for &v in &y {
        online.observe(v).unwrap();
    }
    assert!(online.is_fitted(), "{:?}", online.last_error());
    assert!(y.len() >= min);
    assert_eq!(online.predict(6, None).mean.len(), 6);
}

#[test]
fn too_short_and_bad_settings_are_clear_errors() {
    let m = model(&small("lstm", 0));
    let e = m
        .fit(&Series::new(seasonal(40, 0)).unwrap())
        .unwrap_err()
        .to_string();
    assert!(e.contains("lstm needs at least"), "{e}");
    let err = |yaml: &str| match ForecasterSpec::from_yaml(yaml) {
        Err(e) => e.to_string(),
        Ok(s) => s.build().map(|_| ()).unwrap_err().to_string(),
    };
    for (yaml, field) in [
        ("model: lstm\nhidden: 0\n", "hidden"),
        ("model: lstm\nlookback: 1\n", "lookback"),
        ("model: lstm\nlr: -1\n", "lr"),
        ("model: lstm\nepochs: 0\n", "epochs"),
        ("model: lstm\nbatch: 0\n", "batch"),
        ("model: lstm\nheads: 2\n", "heads"),
        ("model: lstm\nhiden: 32\n", "hiden"),
        ("model: transformer\nd_model: 30\nheads: 4\n", "heads"),
        ("model: transformer\nhidden: 32\n", "hidden"),
        ("model: transformer\nval_frac: 0.0\n", "val_frac"),
        ("model: lstm\nscale: sqrt\n", "sqrt"),
        ("model: lstm\nwindow: 60\n", "lookback"),
    ] {
        let e = err(yaml);
        assert!(e.contains(field), "{yaml:?}: {e}");
    }
    // Negative values with scale: log1p.
    let neg: Vec<f64> = seasonal(20 * PERIOD, 0).iter().map(|v| v - 200.0).collect();
    let e = model("model: lstm\nlookback: 24\nhorizon: 6\nepochs: 1\nscale: log1p\n")
        .fit(&Series::new(neg.clone()).unwrap())
        .unwrap_err()
        .to_string();
    assert!(e.contains("log1p"), "{e}");
    // ... but `auto` standardises them.
    assert!(model(&small("lstm", 0))
        .fit(&Series::new(neg).unwrap())
        .is_ok());
}
