//! Shared test fixtures: a tiny two-pool scenario and a shrunk flash sale.

#![allow(dead_code)] // each test binary uses a different subset

use std::path::Path;

use shopgym::env::{EnvConfig, ScalingEnv};
use shopgym::scenario::env_spec::EnvSpec;
use shopgym::scenario::Scenario;

/// Two classes and pools, a budget of 12 instances, a 3x surge at 600 s.
pub const TINY: &str = r#"
name: tiny
horizon_s: 1200
decision_interval_s: 60
budget: 12
classes:
  - { name: a, service: { dist: exponential, mean_ms: 100 }, slo: { latency_ms: 300 }, timeout_ms: 1000, value_per_failure: 0.1 }
  - { name: b, service: { dist: exponential, mean_ms: 200 }, slo: { latency_ms: 500 }, timeout_ms: 2000, value_per_failure: 1.0 }
pools:
  - { name: a, concurrency: 2, initial: 3, min: 1, max: 8, cost_per_hour: 0.2, cold_start: { dist: deterministic, mean_s: 30 } }
  - { name: b, concurrency: 2, initial: 3, min: 1, max: 8, cost_per_hour: 0.4 }
traffic:
  mix: { a: 0.7, b: 0.3 }
  synthetic:
    base_rate: 40
    promotions: [ { start_s: 600, ramp_s: 60, peak: 3, hold_s: 300 } ]
"#;

pub fn tiny_with(env: impl FnOnce(&mut EnvSpec)) -> (Scenario, EnvConfig) {
    let scenario =
        Scenario::from_yaml(TINY, Path::new("tiny.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let mut spec = scenario.spec.env.clone();
    env(&mut spec);
    let config = EnvConfig::new(&spec, &scenario).unwrap_or_else(|e| panic!("{e}"));
    (scenario, config)
}

pub fn tiny_env(env: impl FnOnce(&mut EnvSpec)) -> ScalingEnv {
    let (s, c) = tiny_with(env);
    ScalingEnv::new(&s, c).expect("fits")
}

pub fn flash_sale() -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/flash_sale.yaml");
    let s = Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let mut spec = s.spec.clone();
    spec.scale = 0.01;
    Scenario::from_spec(spec, &path).unwrap_or_else(|e| panic!("{e}"))
}
