//! Environment behaviour: clipping and the action mask, action codecs, reward breakdown,
//! termination, policies, the observation layout, that `check_env` can fail, and that the static
//! policy through the env reproduces the bare simulation.

mod common;

use common::{flash_sale, tiny_env};

use shopgym::env::{
    check_env, Action, CheckError, CheckOptions, Env, EnvConfig, EnvError, EpisodeStatistics,
    ScalingEnv, Space, Step, StepInfo, TimeLimit,
};
use shopgym::policy::{run_episode, Policy, RandomPolicy, StaticPolicy};
use shopgym::scenario::env_spec::{ActionModeSpec, ObsForecastModel};
use shopgym::sim::rng::stream;
use shopgym::sim::Simulator;

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
    assert_eq!(ep.steps, 5);
    assert!((ep.episode_return - r.episode_return).abs() < 1e-12);
    assert!((ep.reward_terms.total() - ep.episode_return).abs() < 1e-9);
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
        s.forecast.model = ObsForecastModel::SeasonalNaive;
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
