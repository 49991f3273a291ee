//! A random policy over `scenarios/flash_sale.yaml`: one episode through the RL environment,
//! printing the episode return and its cost / lost revenue / SLO breakdown.
//!
//! ```text
//! cargo run --release --example random_flash_sale [-- SEED]
//! ```

use shopgym::env::{Env, EpisodeStatistics, ScalingEnv};
use shopgym::policy::{run_episode, RandomPolicy};
use shopgym::scenario::Scenario;

fn main() -> anyhow::Result<()> {
    let seed: u64 = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(0);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/flash_sale.yaml");
    let scenario = Scenario::load(path)?;
    let mut env = EpisodeStatistics::new(ScalingEnv::from_scenario(&scenario)?);
    let mut policy = RandomPolicy::new(env.action_space().clone(), seed);
    println!(
        "{}: {} observation features, action space {:?}",
        scenario.name(),
        env.obs_names().len(),
        env.action_space().shape()
    );

    let mut episode = None;
    let result = run_episode(&mut env, &mut policy, Some(seed), |step| {
        if let Some(e) = &step.info.episode {
            episode = Some(e.clone());
        }
    })?;
    let e = episode.expect("EpisodeStatistics reports the last step");

    println!("steps            {}", result.steps);
    println!("return           {:>14.2}", result.episode_return);
    println!(
        "  cost           {:>14.2}  (instances: ${:.2})",
        result.reward_terms.cost, e.cost
    );
    println!(
        "  revenue lost   {:>14.2}  (failed requests: ${:.2})",
        result.reward_terms.revenue_lost, e.revenue_lost
    );
    println!(
        "  SLO penalty    {:>14.2}  ({} violating class-intervals)",
        result.reward_terms.slo_penalty, e.slo_violation_intervals
    );

    // The example is also a check: the breakdown adds up and matches the wrapper's totals.
    let sum = result.reward_terms.total();
    assert!((sum - result.episode_return).abs() <= 1e-9 * sum.abs().max(1.0));
    assert!((e.episode_return - result.episode_return).abs() <= 1e-9 * sum.abs().max(1.0));
    assert_eq!(result.steps, scenario.sim.n_intervals());
    assert!(result.truncated && !result.terminated);
    Ok(())
}
