"""Gymnasium's and Stable-Baselines3's env checkers over every shipped scenario, in every action
mode (scenarios shrunk 5x with ``scale=0.2`` so a few steps of each stay fast, like the Rust
contract tests)."""

from __future__ import annotations

import warnings

import gymnasium as gym
import pytest
import shopgym
from gymnasium.utils.env_checker import check_env as gym_check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env

SCENARIOS = shopgym.shipped_scenarios()
MODES = ["delta", "target", "joint"]


def _needs_trace(name: str) -> bool:
    try:
        shopgym.make(name, scale=0.2)
    except FileNotFoundError:
        return True
    return False


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", SCENARIOS)
def test_gymnasium_check_env(name, mode):
    if _needs_trace(name):
        pytest.skip(f"{name}: trace data not found next to the repository")
    env = shopgym.make(name, scale=0.2, action=mode, forecast="seasonal_naive")
    with warnings.catch_warnings():
        # gymnasium warns that an env built without gymnasium.make has no spec to test
        # render modes with; there are none.
        warnings.filterwarnings("ignore", message=".*not having a spec.*")
        warnings.simplefilter("error")
        gym_check_env(env, skip_render_check=True)


@pytest.mark.parametrize("name", SCENARIOS)
def test_sb3_check_env_zero_based(name):
    if _needs_trace(name):
        pytest.skip(f"{name}: trace data not found next to the repository")
    for mode in MODES:
        env = shopgym.make(name, scale=0.2, action=mode, zero_based_actions=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no "non-zero start" or any other warning
            sb3_check_env(env, warn=True)


def test_sb3_warns_about_native_non_zero_start():
    env = shopgym.make("flash_sale", scale=0.2)
    with pytest.warns(UserWarning, match="non-zero start"):
        sb3_check_env(env, warn=True)


@pytest.mark.parametrize("gid", sorted(shopgym.env_ids()))
def test_registered_ids_make_checked_envs(gid):
    name = shopgym.env_ids()[gid]
    if _needs_trace(name):
        pytest.skip(f"{name}: trace data not found next to the repository")
    env = gym.make(gid, scale=0.2)
    assert env.spec.id == gid
    assert env.unwrapped.scenario_name == name
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gym_check_env(env.unwrapped, skip_render_check=True)
    obs, _ = env.reset(seed=0)
    assert env.observation_space.contains(obs)
    env.close()


@pytest.mark.parametrize("name", SCENARIOS)
def test_gymnasium_check_env_in_fluid_mode(name):
    if _needs_trace(name):
        pytest.skip(f"{name}: trace data not found next to the repository")
    env = shopgym.make(name, fidelity="fluid", action="target")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*not having a spec.*")
        warnings.simplefilter("error")
        gym_check_env(env, skip_render_check=True)
    # Same seed, same actions: the same trajectory, as with the DES.
    def rollout():
        obs, _ = env.reset(seed=3)
        env.action_space.seed(0)
        rewards = []
        for _ in range(20):  # or to the episode's end (bench_4class has 10 intervals)
            _, reward, terminated, truncated, _ = env.step(env.action_space.sample())
            rewards.append(reward)
            if terminated or truncated:
                break
        return obs, rewards

    (o1, r1), (o2, r2) = rollout(), rollout()
    assert (o1 == o2).all() and r1 == r2


def test_bad_fidelity_is_a_value_error():
    with pytest.raises(ValueError, match="fidelity"):
        shopgym.make("flash_sale", fidelity="exact")
