"""Scenario families from Python: each reset(seed=...) draws the episode's instance, reported in
info["scenario_params"]; the same seed gives the same instance; families have gymnasium ids."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import shopgym


def test_a_family_draws_a_new_instance_per_reset():
    env = shopgym.make("flash_sale_family")
    _, a = env.reset(seed=1)
    _, b = env.reset(seed=2)
    _, a2 = env.reset(seed=1)
    pa, pb = a["scenario_params"], b["scenario_params"]
    assert "traffic.synthetic.base_rate" in pa
    assert pa != pb
    assert pa == a2["scenario_params"]
    # reset() without a seed continues the draw stream: yet another instance
    _, c = env.reset()
    assert c["scenario_params"] != a2["scenario_params"]


def test_same_seed_same_episode_on_a_family():
    e1, e2 = shopgym.make("flash_sale_family"), shopgym.make("flash_sale_family")
    o1, _ = e1.reset(seed=7)
    o2, _ = e2.reset(seed=7)
    assert np.array_equal(o1, o2)
    action = np.zeros(4, dtype=np.int64)
    for _ in range(5):
        r1 = e1.step(action)
        r2 = e2.step(action)
        assert np.array_equal(r1[0], r2[0]) and r1[1] == r2[1]


def test_families_have_gymnasium_ids():
    ids = shopgym.env_ids()
    assert ids["shopgym/FlashSaleFamily-v0"] == "flash_sale_family"
    env = gym.make("shopgym/FlashSaleFamily-v0")
    _, info = env.reset(seed=3)
    assert "scenario_params" in info


def test_the_fitted_forecast_and_the_calendar_reach_the_observation():
    env = shopgym.make(
        "flash_sale_family",
        forecast={"model": "fitted", "horizon": 5},
        calendar={"promotions": 2},
    )
    names = env.obs_names
    assert "class.pay.forecast.h5" in names and "calendar.1.until_start_h" in names
    obs, info = env.reset(seed=3)
    obs, _, _, _, info = env.step(np.zeros(4, dtype=np.int64))
    fc = np.asarray(info["forecast"])
    assert fc.shape == (5, 4) and np.all(fc >= 0) and fc.sum() > 0
