//! The vector env (identical at 1 and 2 threads, autoreset modes, seeding) and the observation
//! normalisation wrapper (save / load round trip).

mod common;

use common::{flash_sale, tiny_env};

use shopgym::env::{
    check_env, Action, AutoresetMode, CheckOptions, Env, NormalizeObservation, ScalingEnv, Space,
    TimeLimit, VecEnv,
};
use shopgym::sim::rng::stream;

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

/// Rendering a vector env: one frame per env, drawn as the single env draws it (env `i` of a
/// vector env reset with seed `s` runs the episode of `child_seed(s, "env", i)`), through an
/// episode end (the ended env shows its new episode).
#[test]
fn vec_env_renders_every_env_as_the_single_env_does() {
    use shopgym::env::{Frame, RenderMode};
    use shopgym::sim::rng::child_seed;

    let mut venv = VecEnv::new(
        vec![tiny_env(|_| {}), tiny_env(|_| {})],
        AutoresetMode::SameStep,
    )
    .expect("vec env");
    assert_eq!(venv.render(), vec![None, None]);
    venv.set_render_mode(Some(RenderMode::Ansi));
    let mut single = tiny_env(|_| {});
    single.set_render_mode(Some(RenderMode::Ansi));
    venv.reset(Some(9));
    single.reset(Some(child_seed(9, "env", 1)));
    let space = venv.single_action_space().clone();
    let actions = random_actions(&space, 2, 25);
    let n = single.sim().config().n_intervals() as usize;
    for (k, a) in actions.iter().enumerate() {
        venv.step(a).expect("steps");
        if k + 1 == n {
            // The episode ended: the vector env autoreset (reset(None)), so does the single one.
            single.step(&a[1]).expect("last step");
            single.reset(None);
        } else {
            single.step(&a[1]).expect("steps");
        }
        let frames = venv.render();
        assert_eq!(frames.len(), 2);
        assert_eq!(frames[1], single.render(), "step {k}");
        let Some(Frame::Ansi(text)) = &frames[1] else {
            panic!("an ansi frame");
        };
        let step = (k + 1) % n;
        assert!(text.contains(&format!("step {step}/{n}")), "{text}");
    }
    assert_ne!(venv.render()[0], venv.render()[1], "envs are seeded apart");
}
