//! Prints the trajectory of a scenario's env under given seeds and actions, as JSON: the reference
//! the Python package's determinism tests compare against (`python/tests/test_determinism.py`
//! runs it). Reads one JSON object on stdin:
//!
//! ```json
//! {"scenario": "scenarios/flash_sale.yaml",
//!  "episodes": [{"seed": 5, "actions": [[0, 1, -1, 2], ...]}, {"seed": null, "actions": [...]}],
//!  "vec": {"num_envs": 3, "seed": 1, "actions": [[[0, 0, 0, 0], [1, 1, 1, 1], [2, 2, 2, 2]], ...]}}
//! ```
//!
//! An action is an integer (`joint` mode) or a list with one value per pool; the scenario's own
//! `env:` section configures the env. Each episode resets (`seed` or `null` to continue the
//! streams) and steps its actions until they run out or the episode ends. `vec` (optional) steps a
//! `VecEnv` (autoreset `SameStep`). Output (stdout), floats exact (f32 observations, f64 rewards):
//!
//! ```json
//! {"episodes": [{"obs": [[...]], "rewards": [..], "reward_terms": [[cost, revenue_lost, slo]],
//!                "terminated": [..], "truncated": [..]}],
//!  "vec": {"reset_obs": [[...]], "steps": [{"obs": [[...]], "rewards": [..], "terminated": [..],
//!          "truncated": [..], "final_obs": [null or [...]]}]}}
//! ```
//!
//! ```text
//! echo '{"scenario": "scenarios/flash_sale.yaml", "episodes": [{"seed": 1, "actions": [[1,0,0,0]]}]}' \
//!     | cargo run --release --example trajectory
//! ```

use std::io::Read;

use anyhow::{bail, Context};
use serde_json::{json, Value};
use shopgym::env::{Action, AutoresetMode, Env, ScalingEnv, VecEnv};
use shopgym::scenario::Scenario;

fn action(v: &Value) -> anyhow::Result<Action> {
    match v {
        Value::Number(n) => Ok(Action::Discrete(n.as_i64().context("integer action")?)),
        Value::Array(xs) => Ok(Action::MultiDiscrete(
            xs.iter()
                .map(|x| x.as_i64().context("integer action value"))
                .collect::<anyhow::Result<_>>()?,
        )),
        other => bail!("action {other} is neither an integer nor a list"),
    }
}

fn seed(v: &Value) -> anyhow::Result<Option<u64>> {
    match v {
        Value::Null => Ok(None),
        other => Ok(Some(other.as_u64().context("seed: u64 or null")?)),
    }
}

fn list<'a>(v: &'a Value, field: &str) -> anyhow::Result<&'a Vec<Value>> {
    v.get(field)
        .and_then(Value::as_array)
        .with_context(|| format!("`{field}` must be a list"))
}

fn main() -> anyhow::Result<()> {
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input)?;
    let req: Value = serde_json::from_str(&input).context("stdin is not JSON")?;
    let path = req["scenario"].as_str().context("`scenario` (a path)")?;
    let scenario = Scenario::load(path)?;

    let mut env = ScalingEnv::from_scenario(&scenario)?;
    let mut episodes = Vec::new();
    for ep in list(&req, "episodes")? {
        let (obs0, _) = env.reset(seed(&ep["seed"])?);
        let (mut obs, mut rewards, mut terms) = (vec![obs0], vec![], vec![]);
        let (mut terminated, mut truncated) = (vec![], vec![]);
        for a in list(ep, "actions")? {
            let s = env.step(&action(a)?)?;
            obs.push(s.obs);
            rewards.push(s.reward);
            let t = s.info.reward_terms;
            terms.push([t.cost, t.revenue_lost, t.slo_penalty]);
            terminated.push(s.terminated);
            truncated.push(s.truncated);
            if s.terminated || s.truncated {
                break;
            }
        }
        episodes.push(
            json!({"obs": obs, "rewards": rewards, "reward_terms": terms,
                             "terminated": terminated, "truncated": truncated}),
        );
    }

    let mut out = json!({ "episodes": episodes });
    if let Some(v) = req.get("vec") {
        let n = v["num_envs"].as_u64().context("vec.num_envs")? as usize;
        let envs = (0..n)
            .map(|_| ScalingEnv::from_scenario(&scenario))
            .collect::<Result<Vec<_>, _>>()?;
        let mut venv = VecEnv::new(envs, AutoresetMode::SameStep)?;
        let dim = venv.obs_dim();
        let (obs0, _) = venv.reset(seed(&v["seed"])?);
        let mut steps = Vec::new();
        for row in list(v, "actions")? {
            let actions = row
                .as_array()
                .context("vec.actions: one list of actions per step")?
                .iter()
                .map(action)
                .collect::<anyhow::Result<Vec<_>>>()?;
            let s = venv.step(&actions)?;
            let final_obs: Vec<Option<Vec<f32>>> =
                s.infos.iter().map(|i| i.final_obs.clone()).collect();
            let obs: Vec<&[f32]> = s.obs.chunks(dim).collect();
            steps.push(
                json!({"obs": obs, "rewards": s.rewards, "terminated": s.terminated,
                              "truncated": s.truncated, "final_obs": final_obs}),
            );
        }
        let reset_obs: Vec<&[f32]> = obs0.chunks(dim).collect();
        out["vec"] = json!({"reset_obs": reset_obs, "steps": steps});
    }
    println!("{out}");
    Ok(())
}
