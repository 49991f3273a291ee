//! Environment behaviour: clipping and the action mask, action codecs, forecasts (oracle equals the
//! true expected arrivals, seasonal naive sees only the past), reward breakdown, termination,
//! vector env determinism at 1 and 2 threads, autoreset modes, wrappers, policies, and that the
//! static policy through the env reproduces the bare simulation.

use std::path::Path;

use shopgym::env::forecast::{ArrivalForecaster, SeasonalNaive};
use shopgym::env::{
    check_env, Action, AutoresetMode, CheckError, CheckOptions, Env, EnvConfig, EnvError,
    EpisodeStatistics, NormalizeObservation, ScalingEnv, Space, Step, StepInfo, TimeLimit, VecEnv,
};
use shopgym::policy::{run_episode, Policy, RandomPolicy, StaticPolicy};
use shopgym::scenario::env_spec::{ActionModeSpec, EnvSpec, ForecastModel};
use shopgym::scenario::Scenario;
use shopgym::sim::rng::stream;
use shopgym::sim::{SimTime, Simulator};

/// Two classes and pools, a budget of 12 instances, a 3x surge at 600 s.
const TINY: &str = r#"
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

fn tiny_with(env: impl FnOnce(&mut EnvSpec)) -> (Scenario, EnvConfig) {
    let scenario =
        Scenario::from_yaml(TINY, Path::new("tiny.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let mut spec = scenario.spec.env.clone();
    env(&mut spec);
    let config = EnvConfig::new(&spec, &scenario).unwrap_or_else(|e| panic!("{e}"));
    (scenario, config)
}

fn tiny_env(env: impl FnOnce(&mut EnvSpec)) -> ScalingEnv {
    let (s, c) = tiny_with(env);
    ScalingEnv::new(&s, c).expect("fits")
}

fn flash_sale() -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/flash_sale.yaml");
    let s = Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let mut spec = s.spec.clone();
    spec.scale = 0.01;
    Scenario::from_spec(spec, &path).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn mask_predicts_clipping_in_delta_mode() {
    let mut env = tiny_env(|s| s.action.max_delta = 3);
    let mut rng = stream(5, "test");
    let (_, mut info) = env.reset(Some(2));
    let Space::MultiDiscrete(m) = env.action_space().clone() else {
        panic!("delta mode is MultiDiscrete")
    };
    let offsets = env.action_space().mask_offsets();
    let (mut seen_clip, mut seen_ok) = (0, 0);
    for k in 0..18 {
        // Move one pool at a time, so the per-pool mask is exact even under the budget.
        let p = k % 2;
        let v: i64 = rand::Rng::random_range(&mut rng, -3..=3);
        let mut a = vec![0; 2];
        a[p] = v;
        let allowed = info.action_mask[offsets[p] + (v - m.start[p]) as usize];
        let s = env.step(&Action::MultiDiscrete(a)).expect("valid action");
        assert_eq!(
            s.info.scaling[p].clipped, !allowed,
            "step {k}: pool {p} value {v}"
        );
        assert_eq!(s.info.clipped, s.info.scaling.iter().any(|o| o.clipped));
        if allowed {
            seen_ok += 1
        } else {
            seen_clip += 1
        }
        info = s.info;
        if s.truncated {
            break;
        }
    }
    assert!(
        seen_clip > 0 && seen_ok > 0,
        "clip {seen_clip}, ok {seen_ok}"
    );
}

#[test]
fn budget_and_bounds_clip_targets_and_are_reported() {
    let mut env = tiny_env(|s| s.action.mode = ActionModeSpec::Target);
    let (_, info) = env.reset(Some(1));
    // 8 + 8 > budget 12: pool a gets 8, pool b what is left.
    let mask_b_8 = info.action_mask[8 + 7];
    assert!(mask_b_8, "alone, pool b may go to 8");
    let s = env.step(&Action::MultiDiscrete(vec![8, 8])).expect("valid");
    assert_eq!(s.info.scaling[0].target, 8);
    assert!(!s.info.scaling[0].clipped);
    assert!(s.info.scaling[1].clipped);
    assert!(s.info.scaling[1].target < 8);
    assert!(s.info.billed_instances <= 12);
    // Now the budget is used up: no pool may grow.
    let offsets = env.action_space().mask_offsets();
    for (p, pv) in s.info.pools.iter().enumerate() {
        for t in 1..=8u32 {
            let allowed = s.info.action_mask[offsets[p] + (t - 1) as usize];
            if t > pv.active {
                assert!(!allowed, "pool {p} to {t} with no budget left");
            } else {
                assert!(allowed, "pool {p} down to {t} is allowed");
            }
        }
    }
}

#[test]
fn joint_actions_decode_and_encode_round_trip() {
    let env = tiny_env(|s| s.action.mode = ActionModeSpec::Joint);
    let codec = env.codec();
    assert_eq!(env.action_space().flat_dim(), 9);
    let pools: Vec<_> = (0..2).map(|p| env.sim().pool_view(p)).collect();
    for i in 0..9 {
        let t = codec.targets(&Action::Discrete(i), &pools);
        let d: Vec<i64> = t
            .iter()
            .zip(&pools)
            .map(|(t, pv)| t - i64::from(pv.active))
            .collect();
        assert_eq!(d, vec![i % 3 - 1, i / 3 - 1], "index {i}");
        let t: Vec<u32> = t.iter().map(|&x| x as u32).collect();
        assert_eq!(codec.encode_targets(&t, &pools), Action::Discrete(i));
    }
    assert_eq!(codec.hold(&pools), Action::Discrete(4));
}

#[test]
fn oracle_forecast_is_the_true_expected_arrivals() {
    let mut env = tiny_env(|s| {
        s.forecast.model = ForecastModel::Oracle;
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
    let run = |text: &str, model: ForecastModel| -> Vec<(f64, Vec<f64>)> {
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
    let a = run(TINY, ForecastModel::SeasonalNaive);
    let b = run(&no_surge, ForecastModel::SeasonalNaive);
    assert_eq!(
        a, b,
        "seasonal naive forecasts before 600 s must not see the surge"
    );
    let a = run(TINY, ForecastModel::Oracle);
    let b = run(&no_surge, ForecastModel::Oracle);
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
    let collect = |model: ForecastModel| -> Vec<f64> {
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
    let truth = collect(ForecastModel::Oracle);
    let noisy = collect(ForecastModel::NoisyOracle);
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

#[test]
fn reward_terms_sum_to_the_reward_with_weights() {
    let mut env = tiny_env(|s| {
        s.reward.cost_weight = 2.0;
        s.reward.revenue_weight = 0.5;
        s.reward.slo_penalty = 3.0;
        s.reward.scale = 0.1;
    });
    env.reset(Some(8));
    let mut violations = 0;
    let last_step = loop {
        let a = Action::MultiDiscrete(vec![-1, 0]);
        let s = env.step(&a).expect("valid");
        let st = s.info.stats.as_ref().expect("a step has stats");
        let v = st.classes.iter().filter(|c| c.slo_violated).count() as f64;
        let expected = -0.1 * (2.0 * st.cost + 0.5 * st.revenue_lost + 3.0 * v);
        assert!(
            (s.reward - expected).abs() < 1e-12,
            "{} vs {expected}",
            s.reward
        );
        assert_eq!(s.reward, s.info.reward_terms.total());
        assert_eq!(s.info.slo_violations as f64, v);
        violations += s.info.slo_violations;
        if s.truncated {
            break s.info.step;
        }
    };
    assert!(violations > 0, "the test scenario should violate SLOs");
    assert_eq!(last_step, 20);
}

#[test]
fn error_rate_condition_terminates() {
    let mut env = tiny_env(|s| {
        s.termination.max_error_rate = Some(0.01);
        s.termination.patience_intervals = 2;
    });
    let (_, info) = env.reset(Some(1));
    // Shrink both pools to 1 instance: the surge then overloads them.
    let down = env.codec().encode_targets(&[1, 1], &info.pools);
    let mut last: Option<Step> = None;
    for _ in 0..20 {
        let s = env.step(&down).expect("valid");
        let end = s.terminated || s.truncated;
        last = Some(s);
        if end {
            break;
        }
    }
    let s = last.expect("stepped");
    assert!(
        s.terminated && !s.truncated,
        "should fail before the horizon"
    );
    assert!(s.info.time_s < 1200.0);
    assert_eq!(env.step(&down).unwrap_err(), EnvError::NeedsReset);
}

fn random_actions(space: &Space, n: usize, steps: usize) -> Vec<Vec<Action>> {
    let mut rng = stream(17, "test/actions");
    (0..steps)
        .map(|_| {
            (0..n)
                .map(|_| space.sample_action(&mut rng).expect("discrete"))
                .collect()
        })
        .collect()
}

type Trace = Vec<(
    Vec<u32>,
    Vec<u64>,
    Vec<bool>,
    Vec<bool>,
    Vec<Option<Vec<u32>>>,
)>;

fn run_vec(threads: usize, mode: AutoresetMode) -> Trace {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    pool.install(|| {
        let scenario = flash_sale();
        let envs: Vec<_> = (0..4)
            .map(|_| TimeLimit::new(ScalingEnv::from_scenario(&scenario).expect("valid"), 7))
            .collect();
        let mut venv = VecEnv::new(envs, mode).expect("same spaces");
        let (obs, _) = venv.reset(Some(42));
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let mut trace = vec![(bits(&obs), vec![], vec![], vec![], vec![])];
        for actions in random_actions(venv.single_action_space(), 4, 16) {
            let s = venv.step(&actions).expect("valid");
            trace.push((
                bits(&s.obs),
                s.rewards.iter().map(|r| r.to_bits()).collect(),
                s.terminated,
                s.truncated,
                s.infos
                    .iter()
                    .map(|i| i.final_obs.as_ref().map(|o| bits(o)))
                    .collect(),
            ));
        }
        trace
    })
}

#[test]
fn vec_env_is_identical_at_one_and_two_threads() {
    let one = run_vec(1, AutoresetMode::SameStep);
    let two = run_vec(2, AutoresetMode::SameStep);
    assert_eq!(one, two);
    // Episodes of 7 steps: steps 7 and 14 end one and carry its final observation.
    for (k, row) in one.iter().enumerate().skip(1) {
        let ended = k % 7 == 0;
        assert!(row.3.iter().all(|&t| t == ended), "step {k}");
        assert!(row.4.iter().all(|f| f.is_some() == ended), "step {k}");
    }
    // Different envs got different seeds.
    let obs_dim = one[0].0.len() / 4;
    assert_ne!(one[3].0[..obs_dim], one[3].0[obs_dim..2 * obs_dim]);
    assert_eq!(
        run_vec(2, AutoresetMode::NextStep),
        run_vec(1, AutoresetMode::NextStep)
    );
}

#[test]
fn next_step_autoreset_ignores_the_action_after_an_end() {
    let trace = run_vec(1, AutoresetMode::NextStep);
    // Step 7 ends (final obs returned as obs, no final_obs), step 8 is the reset: reward 0.
    assert!(trace[7].3.iter().all(|&t| t));
    assert!(trace[7].4.iter().all(Option::is_none));
    assert!(trace[8].1.iter().all(|&r| f64::from_bits(r) == 0.0));
    assert!(trace[8].3.iter().all(|&t| !t));
    // Then a fresh 7-step episode: it ends at step 15.
    assert!(trace[15].3.iter().all(|&t| t));
}

#[test]
fn normalisation_state_saves_and_loads() {
    let scenario = flash_sale();
    let mut env = NormalizeObservation::new(ScalingEnv::from_scenario(&scenario).expect("valid"));
    let (_, mut info) = env.reset(Some(5));
    for _ in 0..10 {
        let a = env.inner().codec().hold(&info.pools);
        info = env.step(&a).expect("valid").info;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("norm.json");
    env.save(&path).expect("saves");
    let mut other = NormalizeObservation::new(ScalingEnv::from_scenario(&scenario).expect("valid"));
    assert_ne!(other.state(), env.state());
    other.load(&path).expect("loads");
    assert_eq!(other.state(), env.state());
    // Frozen, both normalise the same episode identically and within the clip bounds.
    env.training = false;
    other.training = false;
    let (a, _) = env.reset(Some(6));
    let (b, _) = other.reset(Some(6));
    assert_eq!(a, b);
    assert!(env.observation_space().contains_obs(&a));
    assert!(a.iter().any(|&x| x != 0.0));
    assert_eq!(env.state().rms.count, other.state().rms.count);
    // A state for other features is refused.
    let mut tiny = NormalizeObservation::new(tiny_env(|_| {}));
    assert!(tiny.load(&path).is_err());
    // And the wrapper keeps the contract.
    let mut fresh = NormalizeObservation::new(ScalingEnv::from_scenario(&scenario).expect("valid"));
    fresh.training = false;
    check_env(
        &mut fresh,
        &CheckOptions {
            seed: 2,
            max_steps: 4,
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn time_limit_and_episode_statistics() {
    let mut env = EpisodeStatistics::new(TimeLimit::new(tiny_env(|_| {}), 5));
    let mut policy = RandomPolicy::new(env.action_space().clone(), 3);
    let mut seen = Vec::new();
    let r = run_episode(&mut env, &mut policy, Some(3), |s| seen.push(s.clone())).expect("runs");
    assert_eq!(r.steps, 5);
    assert!(r.truncated && !r.terminated);
    let last = seen.last().expect("steps");
    let ep = last
        .info
        .episode
        .as_ref()
        .expect("episode stats at the end");
    assert_eq!(ep.length, 5);
    assert!((ep.episode_return - r.episode_return).abs() < 1e-12);
    assert!((ep.terms.total() - ep.episode_return).abs() < 1e-9);
    assert!(seen[..4].iter().all(|s| s.info.episode.is_none()));
    assert_eq!(
        env.step(&Action::MultiDiscrete(vec![0, 0])).unwrap_err(),
        EnvError::NeedsReset
    );
}

#[test]
fn random_policy_respects_the_mask_and_is_seeded() {
    let run = |seed| {
        let mut env = tiny_env(|s| s.action.max_delta = 4);
        let mut policy = RandomPolicy::new(env.action_space().clone(), seed);
        let mut clipped = 0;
        let r = run_episode(&mut env, &mut policy, Some(1), |s| {
            // Pool-wise masks cannot see the joint budget; count only bound clips.
            clipped += s
                .info
                .scaling
                .iter()
                .filter(|o| o.clipped && (o.requested < 1 || o.requested > 8))
                .count();
        })
        .expect("runs");
        (r.episode_return, clipped)
    };
    let (a, clipped) = run(1);
    assert_eq!(clipped, 0);
    assert_eq!(a, run(1).0);
    assert_ne!(a, run(2).0);
}

#[test]
fn static_policy_in_delta_mode_walks_to_its_targets() {
    let mut env = tiny_env(|s| s.action.max_delta = 1);
    let mut policy = StaticPolicy::new(vec![6, 2], env.codec().clone());
    let (obs, mut info) = env.reset(Some(1));
    let mut obs = obs;
    for _ in 0..4 {
        let a = policy.act(&obs, &info);
        let s = env.step(&a).expect("valid");
        obs = s.obs;
        info = s.info;
    }
    let active: Vec<u32> = info.pools.iter().map(|p| p.active).collect();
    assert_eq!(active, vec![6, 2]);
}

#[test]
fn static_policy_through_the_env_matches_the_bare_simulation() {
    let scenario = flash_sale();
    let config = EnvConfig::from_scenario(&scenario)
        .expect("valid")
        .with_action_mode(ActionModeSpec::Target)
        .expect("target mode");
    let mut env = ScalingEnv::new(&scenario, config).expect("fits");
    let mut policy = StaticPolicy::for_env(&env);
    run_episode(&mut env, &mut policy, Some(12), |_| {}).expect("runs");

    let mut sim = Simulator::new(scenario.sim.clone(), 12);
    for (p, &n) in scenario.static_counts.iter().enumerate() {
        sim.set_target(p, i64::from(n));
    }
    sim.run_to_end(|_| {});
    assert_eq!(env.sim().totals(), sim.totals());
}

/// An env that forgets its seed: `check_env` must catch it.
struct Forgetful(ScalingEnv, u64);

impl Env for Forgetful {
    fn reset(&mut self, _seed: Option<u64>) -> (Vec<f32>, StepInfo) {
        self.1 += 1;
        self.0.reset(Some(self.1))
    }
    fn step(&mut self, a: &Action) -> Result<Step, EnvError> {
        self.0.step(a)
    }
    fn observation_space(&self) -> &Space {
        self.0.observation_space()
    }
    fn action_space(&self) -> &Space {
        self.0.action_space()
    }
    fn obs_names(&self) -> &[String] {
        self.0.obs_names()
    }
}

#[test]
fn check_env_catches_a_broken_seed() {
    let mut env = Forgetful(tiny_env(|_| {}), 0);
    let err = check_env(&mut env, &CheckOptions::default()).unwrap_err();
    assert!(
        matches!(err, CheckError::Failed { check, .. } if check.contains("reproducible")),
        "{err}"
    );
}

#[test]
fn observation_layout_is_the_documented_one() {
    let env = tiny_env(|s| {
        s.forecast.model = ForecastModel::SeasonalNaive;
        s.forecast.horizon = 2;
    });
    let names = env.obs_names();
    // 4 per pool, 3 per class, H per class, 5 time features.
    assert_eq!(names.len(), 4 * 2 + 3 * 2 + 2 * 2 + 5);
    assert_eq!(
        names[..6],
        [
            "pool.a.running",
            "pool.a.provisioning",
            "pool.a.utilisation",
            "pool.a.queue",
            "pool.b.running",
            "pool.b.provisioning"
        ]
    );
    assert_eq!(
        names[8..11],
        [
            "class.a.arrival_rate",
            "class.a.slo_latency",
            "class.a.drop_rate"
        ]
    );
    assert_eq!(
        names[14..16],
        ["class.a.forecast.h1", "class.a.forecast.h2"]
    );
    assert_eq!(
        names[18..],
        [
            "time.day_sin",
            "time.day_cos",
            "time.week_sin",
            "time.week_cos",
            "time.progress"
        ]
    );
    // Without a model there are no forecast features.
    assert_eq!(tiny_env(|_| {}).obs_names().len(), 4 * 2 + 3 * 2 + 5);
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
fn a_new_vec_env_reset_without_seed_gives_distinct_envs() {
    let scenario = flash_sale();
    let envs = (0..2)
        .map(|_| ScalingEnv::from_scenario(&scenario).expect("valid"))
        .collect();
    let mut venv = VecEnv::new(envs, AutoresetMode::SameStep).expect("same spaces");
    venv.reset(None);
    let hold: Vec<Action> = (0..2).map(|_| Action::MultiDiscrete(vec![0; 4])).collect();
    let s = venv.step(&hold).expect("valid");
    let d = venv.obs_dim();
    assert_ne!(s.obs[..d], s.obs[d..]);
}
