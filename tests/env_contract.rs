//! The env contract (`check_env`) over every scenario file in `scenarios/`, in every action mode
//! and with each shipped forecaster; and the errors a bad `env:` section gives.

use std::path::{Path, PathBuf};

use shopgym::env::{check_env, CheckOptions, Env, EnvConfig, EnvError, ScalingEnv};
use shopgym::io::ConfigError;
use shopgym::scenario::env_spec::{ActionModeSpec, ObsForecastModel};
use shopgym::scenario::Scenario;

fn scenario_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("scenarios/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    files
}

/// The scenario with rates and instances shrunk 5x, so a few steps of each run fast.
fn shrunk(path: &Path) -> Scenario {
    let s = Scenario::load(path).unwrap_or_else(|e| panic!("{e}"));
    // A family stays a family (each episode draws its instance).
    s.rescaled(0.2).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_scenario_passes_check_env_in_every_mode() {
    let files = scenario_files();
    assert!(
        files.len() >= 7,
        "expected the shipped scenarios, got {files:?}"
    );
    let variants = [
        (ActionModeSpec::Delta, ObsForecastModel::None),
        (ActionModeSpec::Target, ObsForecastModel::SeasonalNaive),
        (ActionModeSpec::Joint, ObsForecastModel::NoisyOracle),
        (ActionModeSpec::Delta, ObsForecastModel::Oracle),
    ];
    for path in &files {
        let scenario = shrunk(path);
        for (mode, model) in variants {
            let mut spec = scenario.spec.env.clone();
            spec.action.mode = mode;
            spec.forecast.model = model;
            let config = EnvConfig::new(&spec, &scenario).unwrap_or_else(|e| panic!("{e}"));
            let mut env = ScalingEnv::new(&scenario, config).expect("config fits");
            let opts = CheckOptions {
                seed: 11,
                max_steps: 5,
            };
            let report = check_env(&mut env, &opts)
                .unwrap_or_else(|e| panic!("{} {mode:?} {model:?}: {e}", path.display()));
            assert_eq!(report.obs_dim, env.obs_names().len());
            assert!(report.steps >= 1);
        }
    }
}

#[test]
fn check_env_runs_a_whole_episode_and_sees_its_end() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/bench_4class.yaml");
    let scenario = shrunk(&path);
    let mut env = ScalingEnv::from_scenario(&scenario).expect("valid env");
    let report = check_env(
        &mut env,
        &CheckOptions {
            seed: 3,
            max_steps: 1000,
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(report.episode_ended);
    assert_eq!(report.steps, scenario.sim.n_intervals());
}

#[test]
fn step_before_reset_is_refused() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/mmc_validation.yaml");
    let scenario = Scenario::load(&path).expect("loads");
    let mut env = ScalingEnv::from_scenario(&scenario).expect("valid env");
    let hold = shopgym::env::Action::MultiDiscrete(vec![0]);
    assert_eq!(env.step(&hold).unwrap_err(), EnvError::NeedsReset);
    env.reset(Some(1));
    assert!(env.step(&hold).is_ok());
    // Not an element of the action space.
    let bad = shopgym::env::Action::MultiDiscrete(vec![3]);
    assert!(matches!(
        env.step(&bad),
        Err(EnvError::InvalidAction { .. })
    ));
}

fn with_env_section(section: &str) -> Result<Scenario, ConfigError> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/mmc_validation.yaml");
    let text = std::fs::read_to_string(&path).expect("readable") + section;
    Scenario::from_yaml(&text, &path)
}

#[test]
fn bad_env_sections_name_field_and_value() {
    let s = with_env_section("env:\n  action: { max_delta: 0 }\n").expect("parses");
    let e = EnvConfig::from_scenario(&s).unwrap_err().to_string();
    assert!(
        e.contains("mmc_validation.yaml")
            && e.contains("env.action.max_delta")
            && e.contains("= 0"),
        "{e}"
    );
    let s = with_env_section("env:\n  reward: { scale: -1 }\n").expect("parses");
    let e = EnvConfig::from_scenario(&s).unwrap_err().to_string();
    assert!(e.contains("env.reward.scale") && e.contains("-1"), "{e}");
    let s = with_env_section("env:\n  termination: { max_error_rate: 1.5 }\n").expect("parses");
    let e = EnvConfig::from_scenario(&s).unwrap_err().to_string();
    assert!(e.contains("env.termination.max_error_rate"), "{e}");
    // Unknown fields and unknown models fail at load, naming the path.
    let e = with_env_section("env:\n  action: { mdoe: delta }\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("env.action") && e.contains("mdoe"), "{e}");
    let e = with_env_section("env:\n  forecast: { model: crystal_ball }\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("env.forecast.model"), "{e}");
    // A valid section round-trips and is used.
    let s = with_env_section(
        "env:\n  action: { mode: joint }\n  forecast: { model: oracle, horizon: 2 }\n",
    )
    .expect("parses");
    let env = ScalingEnv::from_scenario(&s).expect("valid");
    assert!(env
        .obs_names()
        .contains(&"class.browse.forecast.h2".to_string()));
    assert_eq!(env.action_space().flat_dim(), 3);
}
