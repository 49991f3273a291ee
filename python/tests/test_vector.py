"""``ShopgymVectorEnv``: Gymnasium's vector API over the Rust ``VecEnv`` (autoreset SAME_STEP)."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
import shopgym
from gymnasium.vector import AutoresetMode

from conftest import write_scenario


@pytest.fixture
def short_sale(tmp_path):
    """flash_sale cut to 5 decision intervals and shrunk 5x."""
    return str(write_scenario(tmp_path, "flash_sale", horizon_s=300, scale=0.01))


def test_spaces_and_metadata():
    venv = shopgym.make_vec("flash_sale", 4, scale=0.2)
    assert venv.metadata["autoreset_mode"] == AutoresetMode.SAME_STEP
    assert venv.num_envs == 4
    assert venv.single_action_space == gym.spaces.MultiDiscrete([5] * 4, start=[-2] * 4)
    assert venv.action_space.shape == (4, 4)
    assert venv.observation_space.shape == (4, len(venv.obs_names))
    obs, infos = venv.reset(seed=1)
    assert obs.dtype == np.float32 and obs.shape == (4, len(venv.obs_names))
    assert venv.observation_space.contains(obs)
    assert infos["reward_terms"]["cost"].shape == (4,) and infos["_step"].all()
    # the envs are seeded apart: different first-interval arrivals
    obs, rewards, *_ = venv.step(np.zeros((4, 4), dtype=np.int64))
    assert len({tuple(o) for o in obs}) == 4
    assert rewards.dtype == np.float64


def test_same_step_autoreset(short_sale):
    venv = shopgym.make_vec(short_sale, 2, action="target")
    single = shopgym.make(short_sale, action="target")
    obs, _ = venv.reset(seed=5)
    hold = np.tile(venv.single_action_space.start, (2, 1))
    for step in range(1, 6):
        obs, rewards, terminated, truncated, infos = venv.step(hold)
        assert not terminated.any()
        if step < 5:
            assert not truncated.any() and "final_obs" not in infos
    # step 5 ended both episodes: the returned obs are the next episodes' first observations
    assert truncated.all() and infos["_final_obs"].all()
    for i in range(2):
        assert single.observation_space.contains(infos["final_obs"][i])
        assert infos["final_info"]["step"][i] == 5
        assert infos["step"][i] == 0  # the new episode's reset info
        assert not np.array_equal(obs[i], infos["final_obs"][i])
    # and stepping goes on without a reset call
    obs, rewards, terminated, truncated, infos = venv.step(hold)
    assert (infos["step"] == 1).all() and not truncated.any()


def test_results_do_not_depend_on_threads():
    runs = []
    for threads in (1, 2):
        venv = shopgym.make_vec("flash_sale", 3, scale=0.2, num_threads=threads)
        venv.action_space.seed(0)
        obs, _ = venv.reset(seed=4)
        trace = [obs]
        for _ in range(10):
            obs, rewards, *_ = venv.step(venv.action_space.sample())
            trace += [obs, rewards]
        runs.append(trace)
    assert all(np.array_equal(a, b) for a, b in zip(*runs))


def test_reset_none_continues_and_seed_repeats():
    venv = shopgym.make_vec("flash_sale", 2, scale=0.2)
    a, _ = venv.reset(seed=3)
    b, _ = venv.reset(seed=3)
    assert np.array_equal(a, b)
    acts = np.zeros((2, 4), dtype=np.int64)
    first = venv.step(acts)[0]  # observations carry the interval's random arrivals
    venv.reset()
    assert not np.array_equal(venv.step(acts)[0], first)


def test_gymnasium_make_vec_uses_the_rust_vector_env():
    venv = gym.make_vec(
        "shopgym/FlashSale-v0", num_envs=2, vectorization_mode="vector_entry_point", scale=0.2
    )
    assert isinstance(venv.unwrapped, shopgym.ShopgymVectorEnv)
    obs, _ = venv.reset(seed=0)
    assert obs.shape == (2, 33)


def test_bad_vector_calls():
    venv = shopgym.make_vec("flash_sale", 2, scale=0.2, zero_based_actions=True)
    venv.reset(seed=0)
    with pytest.raises(ValueError, match="shape"):
        venv.step(np.zeros((3, 4), dtype=np.int64))
    with pytest.raises(ValueError, match="not in the action space"):
        venv.step(np.full((2, 4), 5))
    with pytest.raises(ValueError, match="one int seed"):
        venv.reset(seed=[1, 2])
    with pytest.raises(ValueError, match="num_envs"):
        shopgym.make_vec("flash_sale", 0)
    with pytest.raises(ValueError, match="env.forecast.horizon"):
        shopgym.make_vec("flash_sale", 2, forecast={"model": "oracle", "horizon": 100000})
