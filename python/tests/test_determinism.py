"""Same seed, same actions, same trajectory: within Python, and bit for bit against the Rust env
itself (``examples/trajectory.rs``): float32 observations equal, float64 rewards equal, flags
equal, including ``reset(seed=None)`` continuations and the vector env's autoreset."""

from __future__ import annotations

import numpy as np
import pytest
import shopgym

from conftest import write_scenario


def rollout(env, seed, actions):
    obs, _ = env.reset(seed=seed)
    out = {"obs": [obs], "rewards": [], "terms": [], "flags": []}
    for a in actions:
        obs, reward, terminated, truncated, info = env.step(a)
        t = info["reward_terms"]
        out["obs"].append(obs)
        out["rewards"].append(reward)
        out["terms"].append([t["cost"], t["revenue_lost"], t["slo_penalty"]])
        out["flags"].append((terminated, truncated))
        if terminated or truncated:
            break
    return out


def random_actions(space, n, seed):
    space.seed(seed)
    return [space.sample() for _ in range(n)]


def as_json_action(a):
    return int(a) if np.ndim(a) == 0 else [int(x) for x in a]


def assert_same_as_rust(py, rust):
    assert len(py["obs"]) == len(rust["obs"])
    rust_obs = np.array(rust["obs"], dtype=np.float32)
    assert np.array_equal(np.stack(py["obs"]), rust_obs)
    # bit-identical, not just equal (no -0.0 vs 0.0 surprises)
    assert np.stack(py["obs"]).tobytes() == rust_obs.tobytes()
    assert py["rewards"] == rust["rewards"]
    assert py["terms"] == rust["reward_terms"]
    assert [f[0] for f in py["flags"]] == rust["terminated"]
    assert [f[1] for f in py["flags"]] == rust["truncated"]


def test_same_seed_same_actions_same_trajectory():
    env = shopgym.make("flash_sale")
    actions = random_actions(env.action_space, 50, seed=1)
    a = rollout(env, 11, actions)
    b = rollout(env, 11, actions)
    assert all(np.array_equal(x, y) for x, y in zip(a["obs"], b["obs"]))
    assert a["rewards"] == b["rewards"]
    c = rollout(env, 12, actions)
    assert a["rewards"] != c["rewards"]


VARIANTS = {
    "delta": {},
    "joint+noisy_oracle": {"action": {"mode": "joint"}, "forecast": {"model": "noisy_oracle"}},
    "target+seasonal_naive+reward": {
        "action": {"mode": "target"},
        "forecast": {"model": "seasonal_naive", "horizon": 2},
        "reward": {"cost_weight": 3.0, "scale": 0.01},
    },
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_matches_rust_bit_for_bit(variant, tmp_path, rust_trajectory):
    options = VARIANTS[variant]
    # The Rust side reads the env options from the file's env: section; the Python side gets
    # the same options once through that file and once as keyword overrides of the shipped one.
    # Both shrink the scenario 5x (fast steps): the file by its scale (0.05 * 0.2, the same f64
    # as Rust's 0.05 *= 0.2), the shipped one by make's scale argument.
    path = write_scenario(tmp_path, "flash_sale", env=options, scale=0.05 * 0.2)
    from_file = shopgym.make(str(path))
    from_kwargs = shopgym.make("flash_sale", scale=0.2, **options)
    assert from_file.action_space == from_kwargs.action_space
    actions_1 = random_actions(from_file.action_space, 130, seed=5)  # past the 120-step horizon
    actions_2 = random_actions(from_file.action_space, 25, seed=6)
    episodes = [(21, actions_1), (None, actions_2), (21, actions_2)]

    rust = rust_trajectory(
        {
            "scenario": str(path),
            "episodes": [
                {"seed": s, "actions": [as_json_action(a) for a in acts]} for s, acts in episodes
            ],
        }
    )["episodes"]
    assert len(rust) == len(episodes)
    for env in (from_file, from_kwargs):
        for (seed, acts), r in zip(episodes, rust):
            assert_same_as_rust(rollout(env, seed, acts), r)
    assert rust[0]["truncated"][-1] and len(rust[0]["rewards"]) == 120


def test_vector_env_matches_rust_vec_env(tmp_path, rust_trajectory):
    # 10-step episodes, so 25 steps cross two autoresets in every env.
    path = write_scenario(tmp_path, "flash_sale", horizon_s=600, scale=0.01)
    n = 3
    venv = shopgym.make_vec(str(path), n)
    venv.action_space.seed(3)
    actions = [venv.action_space.sample() for _ in range(25)]
    rust = rust_trajectory(
        {
            "scenario": str(path),
            "episodes": [],
            "vec": {
                "num_envs": n,
                "seed": 8,
                "actions": [[as_json_action(a) for a in row] for row in actions],
            },
        }
    )["vec"]
    assert len(rust["steps"]) == len(actions)
    obs, _ = venv.reset(seed=8)
    assert np.array_equal(obs, np.array(rust["reset_obs"], dtype=np.float32))
    ended = 0
    for row, r in zip(actions, rust["steps"]):
        obs, rewards, terminated, truncated, infos = venv.step(row)
        assert np.array_equal(obs, np.array(r["obs"], dtype=np.float32))
        assert rewards.tolist() == r["rewards"]
        assert terminated.tolist() == r["terminated"]
        assert truncated.tolist() == r["truncated"]
        for i in range(n):
            if r["final_obs"][i] is None:
                assert "_final_obs" not in infos or not infos["_final_obs"][i]
            else:
                ended += 1
                assert infos["_final_obs"][i]
                final = np.array(r["final_obs"][i], dtype=np.float32)
                assert np.array_equal(infos["final_obs"][i], final)
    assert ended == 2 * n
