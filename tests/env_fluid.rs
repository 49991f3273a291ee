//! The env in fluid fidelity: `check_env` over every shipped scenario (shipped and full scale, in
//! every action mode), the scenario fields `fidelity` and `fluid` (defaults, errors naming the
//! field and value), and the override used by `--fidelity`.

use std::path::{Path, PathBuf};

use shopgym::env::{check_env, CheckOptions, Env, EnvConfig, ScalingEnv};
use shopgym::scenario::env_spec::ActionModeSpec;
use shopgym::scenario::Scenario;
use shopgym::sim::{ClusterSim, Fidelity, FluidArrivals};

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

#[test]
fn every_scenario_passes_check_env_in_fluid_mode_at_any_scale() {
    let files = scenario_files();
    assert!(files.len() >= 7, "{files:?}");
    for path in &files {
        let shipped = Scenario::load(path).unwrap_or_else(|e| panic!("{e}"));
        let mut spec = shipped.spec.clone();
        spec.scale = 1.0;
        let full = Scenario::from_spec(spec, path).unwrap_or_else(|e| panic!("{e}"));
        for scenario in [shipped, full] {
            for arrivals in [FluidArrivals::Mean, FluidArrivals::Poisson] {
                let mut scenario = scenario.clone().with_fidelity(Some(Fidelity::Fluid));
                std::sync::Arc::make_mut(&mut scenario.sim).fluid.arrivals = arrivals;
                for mode in [
                    ActionModeSpec::Delta,
                    ActionModeSpec::Target,
                    ActionModeSpec::Joint,
                ] {
                    check(&scenario, mode, path);
                }
            }
        }
    }
}

fn check(scenario: &Scenario, mode: ActionModeSpec, path: &Path) {
    let mut env_spec = scenario.spec.env.clone();
    env_spec.action.mode = mode;
    let config = EnvConfig::new(&env_spec, scenario).unwrap_or_else(|e| panic!("{e}"));
    let mut env = ScalingEnv::new(scenario, config).expect("config fits");
    assert_eq!(env.sim().fidelity(), Fidelity::Fluid);
    let opts = CheckOptions {
        seed: 3,
        max_steps: 300,
    };
    match check_env(&mut env, &opts) {
        Ok(report) => assert_eq!(report.obs_dim, env.obs_names().len()),
        // With expected arrival counts and no traffic noise, nothing in the episode is random
        // but cold starts and failures; when the checked actions draw none differently, the
        // next episode is the same one, which is right for this mode.
        Err(e)
            if scenario.sim.fluid.arrivals == FluidArrivals::Mean
                && scenario.sim.traffic.noise.is_none()
                && e.to_string()
                    .contains("the next episode repeated the seeded one") => {}
        Err(e) => panic!(
            "{} scale {} {:?} {mode:?}: {e}",
            path.display(),
            scenario.spec.scale,
            scenario.sim.fluid.arrivals
        ),
    }
}

const MINI: &str = "name: t\nhorizon_s: 600\n\
    classes: [{ name: browse, service: { dist: exponential, mean_ms: 100 }, slo: { latency_ms: 300 } }]\n\
    pools: [{ name: browse, concurrency: 1, initial: 10, min: 1, max: 20 }]\n\
    traffic: { mix: { browse: 1 }, synthetic: { base_rate: 50 } }\n";

#[test]
fn fidelity_field_defaults_to_des_and_is_validated() {
    let s = Scenario::from_yaml(MINI, Path::new("t.yaml")).expect("valid");
    assert_eq!(s.sim.fidelity, Fidelity::Des);
    assert!(
        !s.to_yaml().contains("fidelity"),
        "a DES scenario resolves to the same YAML as before"
    );
    assert!(matches!(
        ClusterSim::new(s.sim.clone(), 0),
        ClusterSim::Des(_)
    ));

    let yaml = format!("{MINI}fidelity: fluid\nfluid: {{ step_ms: 100, arrivals: poisson }}\n");
    let s = Scenario::from_yaml(&yaml, Path::new("t.yaml")).expect("valid");
    assert_eq!(s.sim.fidelity, Fidelity::Fluid);
    assert_eq!(s.sim.fluid.arrivals, FluidArrivals::Poisson);
    assert_eq!(s.sim.fluid.step.as_micros(), 100_000);
    assert!(s.to_yaml().contains("fidelity: fluid"));
    // --fidelity des overrides the file.
    let back = s.with_fidelity(Some(Fidelity::Des));
    assert_eq!(back.sim.fidelity, Fidelity::Des);

    let bad = Scenario::from_yaml(&format!("{MINI}fidelity: exact\n"), Path::new("t.yaml"))
        .expect_err("unknown fidelity");
    let msg = bad.to_string();
    assert!(msg.contains("t.yaml") && msg.contains("exact"), "{msg}");
    let bad = Scenario::from_yaml(
        &format!("{MINI}fluid: {{ step_ms: 0 }}\n"),
        Path::new("t.yaml"),
    )
    .expect_err("zero step");
    let msg = bad.to_string();
    assert!(msg.contains("fluid.step_ms") && msg.contains('0'), "{msg}");
}

#[test]
fn fluid_env_trajectories_are_reproducible() {
    let s = Scenario::load("scenarios/flash_sale.yaml")
        .expect("loads")
        .with_fidelity(Some(Fidelity::Fluid));
    let run = |seed| {
        let mut env = ScalingEnv::from_scenario(&s).expect("valid env");
        let (mut obs, _) = env.reset(Some(seed));
        let n = env.action_space().clone();
        let mut out = Vec::new();
        for k in 0..120u64 {
            let a = match &n {
                shopgym::env::Space::Discrete(d) => {
                    shopgym::env::Action::Discrete(d.start + (k % d.n) as i64)
                }
                shopgym::env::Space::MultiDiscrete(m) => shopgym::env::Action::MultiDiscrete(
                    m.nvec
                        .iter()
                        .zip(&m.start)
                        .map(|(&v, &s)| s + (k % v) as i64)
                        .collect(),
                ),
                other => panic!("unexpected action space {other:?}"),
            };
            let st = env.step(&a).expect("valid");
            out.push((st.reward.to_bits(), obs.clone()));
            obs = st.obs;
            if st.truncated || st.terminated {
                break;
            }
        }
        out
    };
    assert_eq!(run(4), run(4));
    assert_ne!(run(4), run(5));
}
