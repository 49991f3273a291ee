//! Scenario families: draws are deterministic per seed and independent of threads, every declared
//! distribution matches its sample (Kolmogorov-Smirnov, chi-squared), an instance shown as a plain
//! file reproduces the family's episode byte for byte, the env draws a new instance per reset
//! (common random numbers kept), the calendar features never see the true future, and bad
//! distributions get one clear error naming file, field and value.

use std::path::{Path, PathBuf};
use std::process::Command;

use rayon::prelude::*;
use shopgym::env::{check_env, CheckOptions, Env, ScalingEnv};
use shopgym::scenario::Scenario;
use statrs::distribution::{ChiSquared, ContinuousCDF, Normal};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A small family with one field of each distribution kind (and everything else fixed).
const FAMILY: &str = r#"
name: tiny_family
horizon_s: 3600
decision_interval_s: 60
scale: 0.05
classes:
  - name: browse
    service: { dist: exponential, mean_ms: 20 }
    slo: { latency_ms: 300 }
pools:
  - { name: browse, concurrency: 4, initial: 4, min: 2, max: 100, cost_per_hour: 0.2,
      cold_start: { dist: lognormal, mean_s: { choice: [30, 60, 90] }, cv: 0.3 } }
traffic:
  mix: { browse: 1 }
  synthetic:
    base_rate: { normal: { mean: 1000, sd: 200, min: 700, max: 1500 } }
    trend_per_day: { uniform: [-0.1, 0.3] }
    promotions:
      - { name: sale, start_s: { uniform: [600, 2400] }, ramp_s: 120, peak: { log_uniform: [2, 20] },
          hold_s: 300, decay_s: 120, announced_s: 900 }
"#;

fn family() -> Scenario {
    Scenario::from_yaml(FAMILY, Path::new("tiny_family.yaml")).unwrap_or_else(|e| panic!("{e}"))
}

fn param(s: &Scenario, name: &str) -> f64 {
    s.params
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no drawn {name} in {:?}", s.params))
        .1
}

/// The Kolmogorov-Smirnov statistic of `xs` against `cdf`.
fn ks(mut xs: Vec<f64>, cdf: impl Fn(f64) -> f64) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len() as f64;
    xs.iter()
        .enumerate()
        .map(|(i, &x)| {
            let f = cdf(x);
            (f - i as f64 / n).abs().max(((i + 1) as f64 / n - f).abs())
        })
        .fold(0.0, f64::max)
}

#[test]
fn draws_are_deterministic_and_independent_of_threads() {
    let f = family();
    assert!(f.is_family());
    let seq: Vec<Vec<(String, f64)>> = (0..64).map(|s| f.draw_seed(s).unwrap().params).collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .unwrap();
    let par: Vec<Vec<(String, f64)>> = pool.install(|| {
        (0..64u64)
            .into_par_iter()
            .map(|s| f.draw_seed(s).unwrap().params)
            .collect()
    });
    assert_eq!(seq, par);
    assert_ne!(seq[0], seq[1], "two seeds drew the same instance");
    // The nominal instance is seed 0's.
    assert_eq!(f.params, seq[0]);
}

#[test]
fn every_declared_distribution_matches_2000_draws() {
    let f = family();
    let draws: Vec<Scenario> = (0..2000).map(|s| f.draw_seed(s).unwrap()).collect();
    let n = draws.len() as f64;
    // Kolmogorov-Smirnov at the 0.1 % level: D < 1.95 / sqrt(n).
    let crit = 1.95 / n.sqrt();
    let col = |name: &str| draws.iter().map(|s| param(s, name)).collect::<Vec<_>>();

    let d = ks(col("traffic.synthetic.trend_per_day"), |x| {
        ((x + 0.1) / 0.4).clamp(0.0, 1.0)
    });
    assert!(d < crit, "uniform: D = {d} >= {crit}");

    let d = ks(col("traffic.synthetic.promotions[0].peak"), |x| {
        ((x.ln() - 2f64.ln()) / (20f64.ln() - 2f64.ln())).clamp(0.0, 1.0)
    });
    assert!(d < crit, "log_uniform: D = {d} >= {crit}");

    let normal = Normal::new(1000.0, 200.0).unwrap();
    let (lo, hi) = (normal.cdf(700.0), normal.cdf(1500.0));
    let d = ks(col("traffic.synthetic.base_rate"), |x| {
        ((normal.cdf(x) - lo) / (hi - lo)).clamp(0.0, 1.0)
    });
    assert!(d < crit, "truncated normal: D = {d} >= {crit}");

    let starts = col("traffic.synthetic.promotions[0].start_s");
    assert!(starts.iter().all(|&s| (600.0..=2400.0).contains(&s)));

    // Choice: chi-squared with 2 degrees of freedom at the 0.1 % level.
    let cold = col("pools[0].cold_start.mean_s");
    let counts = [30.0, 60.0, 90.0].map(|v| cold.iter().filter(|&&x| x == v).count() as f64);
    assert_eq!(counts.iter().sum::<f64>(), n, "a draw outside the choices");
    let chi2: f64 = counts
        .iter()
        .map(|c| (c - n / 3.0).powi(2) / (n / 3.0))
        .sum();
    let limit = ChiSquared::new(2.0).unwrap().inverse_cdf(0.999);
    assert!(chi2 < limit, "choice: chi2 = {chi2} >= {limit}");
}

#[test]
fn a_family_of_one_is_its_file() {
    for name in ["flash_sale", "singles_day", "black_friday", "steady_day"] {
        let s = Scenario::load(root().join(format!("scenarios/{name}.yaml"))).unwrap();
        assert!(!s.is_family(), "{name} has nothing to draw");
        assert!(s.params.is_empty());
        let again = s.draw_seed(7).unwrap();
        assert_eq!(again.to_yaml(), s.to_yaml());
        assert_eq!(format!("{:?}", again.sim), format!("{:?}", s.sim));
    }
}

#[test]
fn the_env_draws_an_instance_per_reset_from_the_seed() {
    let f = family();
    let mut env = ScalingEnv::from_scenario(&f).unwrap();
    let (_, info) = env.reset(Some(5));
    assert_eq!(info.scenario_params, f.draw_seed(5).unwrap().params);
    let first = env.scenario_params().to_vec();
    // reset(None) continues the draw stream: another instance, reproducibly.
    let (_, info2) = env.reset(None);
    assert_ne!(info2.scenario_params, first);
    let mut again = ScalingEnv::from_scenario(&f).unwrap();
    again.reset(Some(5));
    let (_, info3) = again.reset(None);
    assert_eq!(info2.scenario_params, info3.scenario_params);
}

/// Runs `shopgym simulate` on `file` with `seed` into `out`; returns (summary.json without its
/// wall-clock `perf`, intervals.csv).
fn simulate(file: &Path, seed: u64, out: &Path) -> (String, String) {
    let res = Command::new(env!("CARGO_BIN_EXE_shopgym"))
        .args(["simulate", "--scenario"])
        .arg(file)
        .args(["--seed", &seed.to_string(), "--out"])
        .arg(out)
        .output()
        .unwrap();
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let mut summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    summary.as_object_mut().unwrap().remove("perf");
    (
        summary.to_string(),
        std::fs::read_to_string(out.join("intervals.csv")).unwrap(),
    )
}

#[test]
fn scenario_show_reproduces_the_family_episode_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let family_file = root().join("scenarios/flash_sale_family.yaml");
    for seed in [3, 11] {
        let shown = Command::new(env!("CARGO_BIN_EXE_shopgym"))
            .args(["scenario", "show"])
            .arg(&family_file)
            .args(["--seed", &seed.to_string()])
            .output()
            .unwrap();
        assert!(
            shown.status.success(),
            "{}",
            String::from_utf8_lossy(&shown.stderr)
        );
        let inst: PathBuf = dir.path().join(format!("inst{seed}.yaml"));
        std::fs::write(&inst, &shown.stdout).unwrap();
        let plain = Scenario::load(&inst).unwrap();
        assert!(!plain.is_family(), "a shown instance is a plain scenario");
        let a = simulate(&family_file, seed, &dir.path().join(format!("fam{seed}")));
        let b = simulate(&inst, seed, &dir.path().join(format!("inst{seed}")));
        assert_eq!(a.0, b.0, "summary.json differs for seed {seed}");
        assert_eq!(a.1, b.1, "intervals.csv differs for seed {seed}");
    }
}

#[test]
fn scenario_sample_writes_instances_and_their_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let res = Command::new(env!("CARGO_BIN_EXE_shopgym"))
        .args(["scenario", "sample"])
        .arg(root().join("scenarios/flash_sale_family.yaml"))
        .args(["--seeds", "10..14", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let csv = std::fs::read_to_string(dir.path().join("params.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 5, "{csv}");
    assert!(lines[0].starts_with("seed,"));
    assert!(lines[0].contains("traffic.synthetic.base_rate"));
    assert!(lines[1].starts_with("10,"));
    let family = Scenario::load(root().join("scenarios/flash_sale_family.yaml")).unwrap();
    for seed in 10..14 {
        let file = dir
            .path()
            .join(format!("flash_sale_family_seed{seed}.yaml"));
        let inst = Scenario::load(&file).unwrap();
        assert_eq!(inst.to_yaml(), family.draw_seed(seed).unwrap().to_yaml());
    }
}

/// The calendar features and a classical forecaster see what was announced and observed, never
/// the true future: two instances of one family that differ only in the true size of a
/// promotion (announced the same) give the same observations until it starts. (The observation's
/// reference rates are the family's nominal instance's, the same for every draw.)
#[test]
fn observations_never_see_the_true_future() {
    let text = |peak: &str, hold: &str| {
        format!(
            r#"
name: no_peeking
horizon_s: 5400
decision_interval_s: 60
scale: 0.05
classes:
  - {{ name: browse, service: {{ dist: exponential, mean_ms: 20 }}, slo: {{ latency_ms: 300 }} }}
pools:
  - {{ name: browse, concurrency: 4, initial: 4, min: 2, max: 200 }}
traffic:
  mix: {{ browse: 1 }}
  synthetic:
    base_rate: 1000
    promotions:
      - {{ start_s: 3000, ramp_s: 120, peak: {peak}, hold_s: {hold}, decay_s: 60,
          announced_s: 1800, announced_start_s: 2940, announced_peak: 8,
          announced_duration_s: 900 }}
  noise: {{ sigma: 0.1, phi: 0.9, step_s: 60 }}
env:
  calendar: {{ promotions: 2 }}
  forecast: {{ model: classical, horizon: 3, classical: {{ model: holt, damped: true }} }}
"#
        )
    };
    let family = Scenario::from_yaml(
        &text("{ uniform: [5, 50] }", "{ uniform: [300, 1500] }"),
        Path::new("no_peeking.yaml"),
    )
    .unwrap();
    assert!(family.is_family());
    let instance = |peak: f64, hold: f64| {
        Scenario::from_yaml(
            &text(&peak.to_string(), &hold.to_string()),
            Path::new("w.yaml"),
        )
        .unwrap()
    };
    let mut env = ScalingEnv::from_scenario(&family).unwrap();
    let mut run = |s: &Scenario| {
        let (obs, _) = env.reset_on(s, 9).unwrap();
        let mut all = vec![obs];
        let hold = shopgym::env::Action::MultiDiscrete(vec![0]);
        for _ in 0..60 {
            all.push(env.step(&hold).unwrap().obs);
        }
        all
    };
    let a = run(&instance(10.0, 600.0));
    let b = run(&instance(40.0, 1200.0));
    let names = env.obs_names().to_vec();
    let known = names.iter().position(|n| n == "calendar.1.known").unwrap();
    // Before the announcement (t < 1200 s) the slot is empty; after it, it holds the announced
    // start, peak and length.
    assert_eq!(a[10][known], 0.0);
    assert_eq!(a[25][known], 1.0);
    assert_eq!(
        a[25][known + 2],
        8.0,
        "the announced peak, not the true one"
    );
    // Observation k is taken at k minutes: the true futures differ from 3000 s = step 50 on.
    for k in 0..=50 {
        assert_eq!(a[k], b[k], "observation {k} saw the true future");
    }
    assert_ne!(a[55], b[55], "the sale itself is observed once it happens");
    // reset_on an instance is the family's reset for the seed that drew it.
    let drawn = family.draw_seed(4).unwrap();
    let (o1, i1) = env.reset_on(&drawn, 4).unwrap();
    let (o2, i2) = env.reset(Some(4));
    assert_eq!(o1, o2);
    assert_eq!(i1.scenario_params, i2.scenario_params);
}

#[test]
fn every_shipped_family_passes_check_env() {
    let dir = root().join("scenarios");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if !p.to_string_lossy().ends_with("_family.yaml") {
            continue;
        }
        let s = Scenario::load(&p).unwrap_or_else(|e| panic!("{e}"));
        assert!(s.is_family(), "{} draws nothing", p.display());
        let mut env = ScalingEnv::from_scenario(&s).unwrap();
        check_env(
            &mut env,
            &CheckOptions {
                seed: 4,
                max_steps: 30,
            },
        )
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        n += 1;
    }
    assert!(n >= 1, "no *_family.yaml in scenarios/");
}

/// One bad family: the message names the file, the field and the value.
fn refused(edit: (&str, &str), field: &str, value: &str) {
    let text = FAMILY.replace(edit.0, edit.1);
    assert_ne!(text, FAMILY, "the edit {edit:?} changed nothing");
    let err = Scenario::from_yaml(&text, Path::new("bad_family.yaml"))
        .expect_err("a bad family loads")
        .to_string();
    assert!(err.contains("bad_family.yaml"), "{err}");
    assert!(err.contains(field), "{err} does not name {field}");
    assert!(err.contains(value), "{err} does not show {value}");
}

#[test]
fn bad_distributions_get_a_clear_error() {
    refused(
        ("{ uniform: [-0.1, 0.3] }", "{ uniform: [0.3, -0.1] }"),
        "traffic.synthetic.trend_per_day",
        "min > max",
    );
    refused(
        ("{ choice: [30, 60, 90] }", "{ choice: [] }"),
        "pools[0].cold_start.mean_s",
        "empty choice",
    );
    refused(
        ("{ log_uniform: [2, 20] }", "{ triangular: [2, 20] }"),
        "traffic.synthetic.promotions[0].peak",
        "unknown distribution kind `triangular`",
    );
    refused(
        ("{ uniform: [600, 2400] }", "{ uniform: [600, 3600] }"),
        "traffic.synthetic.promotions[0].start_s",
        "past the horizon",
    );
    refused(
        (
            "{ normal: { mean: 1000, sd: 200, min: 700, max: 1500 } }",
            "{ uniform: [-100, 1500] }",
        ),
        "traffic.synthetic.base_rate",
        "range [-100, 1500]",
    );
    refused(
        ("concurrency: 4", "concurrency: { uniform: [2, 4] }"),
        "pools[0].concurrency",
        "cannot be drawn",
    );
    refused(
        ("{ log_uniform: [2, 20] }", "{ log_uniform: [0, 20] }"),
        "traffic.synthetic.promotions[0].peak",
        "0 < a",
    );
}
