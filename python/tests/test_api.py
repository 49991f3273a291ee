"""The Python API around the Rust env: scenario lookup, spaces, env_options, info, errors."""

from __future__ import annotations

import shutil

import gymnasium as gym
import numpy as np
import pytest
import shopgym

from conftest import write_scenario


def test_every_scenario_file_is_shipped_and_registered(repo):
    on_disk = sorted(p.stem for p in (repo / "scenarios").glob("*.yaml"))
    assert shopgym.shipped_scenarios() == on_disk
    assert len(on_disk) >= 7
    ids = shopgym.env_ids()
    assert ids["shopgym/FlashSale-v0"] == "flash_sale"
    assert ids["shopgym/SinglesDay-v0"] == "singles_day"
    for gid in ids:
        assert gid in gym.registry


def test_name_and_path_give_the_same_env(repo):
    by_name = shopgym.make("flash_sale")
    by_path = shopgym.make(str(repo / "scenarios" / "flash_sale.yaml"))
    assert by_name.obs_names == by_path.obs_names
    o1, _ = by_name.reset(seed=4)
    o2, _ = by_path.reset(seed=4)
    assert o1.dtype == np.float32 and np.array_equal(o1, o2)
    a = np.array([1, 0, -1, 2])
    assert by_name.step(a)[1] == by_path.step(a)[1]


def test_spaces_follow_the_action_mode():
    delta = shopgym.make("flash_sale")
    assert isinstance(delta.action_space, gym.spaces.MultiDiscrete)
    assert delta.action_space.nvec.tolist() == [5, 5, 5, 5]
    assert delta.action_space.start.tolist() == [-2, -2, -2, -2]
    assert isinstance(delta.observation_space, gym.spaces.Box)
    assert delta.observation_space.dtype == np.float32
    assert delta.observation_space.shape == (len(delta.obs_names),)

    target = shopgym.make("flash_sale", action="target")
    mins = target.action_space.start
    assert (mins >= 1).all() and (target.action_space.nvec > 1).all()

    # options merge field by field: max_delta changes, the mode stays the file's (delta)
    wider = shopgym.make("flash_sale", action={"max_delta": 3})
    assert wider.action_space == gym.spaces.MultiDiscrete([7] * 4, start=[-3] * 4)
    assert "mode: delta" in wider.env_config and "max_delta: 3" in wider.env_config

    joint = shopgym.make("flash_sale", action={"mode": "joint"})
    assert joint.action_space == gym.spaces.Discrete(81)

    zero = shopgym.make("flash_sale", zero_based_actions=True)
    assert zero.action_space == gym.spaces.MultiDiscrete([5, 5, 5, 5])
    # zero-based action 2 is delta 0: the same step as the native 0
    zero.reset(seed=1)
    delta.reset(seed=1)
    o1, r1, *_ = zero.step(np.full(4, 2))
    o2, r2, *_ = delta.step(np.zeros(4, dtype=np.int64))
    assert np.array_equal(o1, o2) and r1 == r2


def test_info_carries_reward_terms_and_pools():
    env = shopgym.make("flash_sale", forecast={"model": "oracle", "horizon": 2})
    _, info = env.reset(seed=3)
    assert info["reward_terms"] == {"cost": 0.0, "revenue_lost": 0.0, "slo_penalty": 0.0}
    assert info["action_mask"].dtype == np.bool_
    assert info["action_mask"].shape == (20,)
    assert info["pools"]["active"].shape == (4,)
    assert info["forecast"].shape == (2, 4)
    assert any(n.endswith("forecast.h2") for n in env.obs_names)
    total = 0.0
    for _ in range(40):
        obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
        terms = info["reward_terms"]
        assert reward == terms["cost"] + terms["revenue_lost"] + terms["slo_penalty"]
        assert terms["cost"] == -info["cost"]  # default weights
        assert terms["slo_penalty"] == -float(info["slo_violations"])
        assert info["classes"]["arrivals"].shape == (4,)
        assert info["scaling"]["target"].shape == (4,)
        assert env.observation_space.contains(obs)
        total += reward
    assert total < 0


def test_reward_options_are_applied():
    base = shopgym.make("flash_sale")
    doubled = shopgym.make("flash_sale", reward={"scale": 2.0})
    cost_only = shopgym.make("flash_sale", reward={"revenue_weight": 0.0, "slo_penalty": 0.0})
    for env in (base, doubled, cost_only):
        env.reset(seed=9)
    a = np.array([-2, -2, -2, -2])
    for _ in range(35):  # into the surge: revenue is lost
        r0 = base.step(a)[1]
        r2 = doubled.step(a)[1]
        _, rc, _, _, info = cost_only.step(a)
        assert r2 == 2.0 * r0
        assert rc == -info["cost"]
    assert r0 < rc


def test_bad_env_options_raise_the_rust_message():
    with pytest.raises(ValueError) as e:
        shopgym.make("flash_sale", action={"mode": "sideways"})
    msg = str(e.value)
    assert "flash_sale.yaml [env_options]" in msg and "env.action.mode" in msg
    assert "sideways" in msg

    with pytest.raises(ValueError, match=r"field `env.reward.cost_weight` = -1: must be"):
        shopgym.make("flash_sale", reward={"cost_weight": -1})

    with pytest.raises(ValueError, match="unknown field `acton`"):
        shopgym.make("flash_sale", acton={"mode": "target"})

    with pytest.raises(ValueError, match="env.action.max_delta"):
        shopgym.make("flash_sale", action={"max_delta": 0})

    with pytest.raises(ValueError, match="scale"):
        shopgym.make("flash_sale", scale=-1.0)


def test_bad_scenario_files_raise(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a shipped scenario"):
        shopgym.make("no_such_sale")
    bad = write_scenario(tmp_path, "flash_sale", decision_interval_s="soon")
    with pytest.raises(ValueError) as e:
        shopgym.make(str(bad))
    assert str(bad) in str(e.value) and "decision_interval_s" in str(e.value)


def test_step_contract_errors():
    env = shopgym.make("mmc_validation", action="target")
    with pytest.raises(RuntimeError, match="reset"):
        env._rust.step(np.array([10]))  # before any reset (the gymnasium class would pass it on)
    env.reset(seed=0)
    with pytest.raises(ValueError, match="not in the action space"):
        env.step(np.array([11]))  # max is 10
    with pytest.raises(ValueError, match="not in the action space"):
        env.step(np.array([10, 10]))  # one pool
    steps = 0
    while True:
        _, _, terminated, truncated, _ = env.step(np.array([10]))
        steps += 1
        if terminated or truncated:
            break
    assert truncated and not terminated and steps == env.n_intervals == 120
    with pytest.raises(RuntimeError, match="reset"):
        env.step(np.array([10]))
    with pytest.raises(ValueError, match="reset options"):
        env.reset(options={"warm": True})


def test_termination_option_ends_the_episode():
    env = shopgym.make(
        "flash_sale", termination={"max_error_rate": 0.01, "patience_intervals": 1}
    )
    env.reset(seed=2)
    hold = np.zeros(4, dtype=np.int64)
    for step in range(env.n_intervals):
        _, _, terminated, truncated, _ = env.step(hold)
        if terminated or truncated:
            break
    # the static sizing fails during the surge (30-53 min): far before the 120-step horizon
    assert terminated and not truncated and step < 60


def test_trace_scenario_by_name_and_missing_trace(repo, tmp_path):
    trace = repo.parent / "shared" / "data" / "worldcup98" / "wc98_requests_per_minute.csv"
    if trace.exists():
        env = shopgym.make("worldcup98_replay")
        obs, _ = env.reset(seed=1)
        assert env.observation_space.contains(obs)
    copy = tmp_path / "worldcup98_replay.yaml"
    shutil.copy(repo / "scenarios" / "worldcup98_replay.yaml", copy)
    with pytest.raises(FileNotFoundError, match="wc98_requests_per_minute.csv: cannot read"):
        shopgym.make(str(copy))


def test_resolved_config_and_meta():
    env = shopgym.make("singles_day", action="joint", reward={"scale": 0.001})
    assert "mode: joint" in env.env_config and "scale: 0.001" in env.env_config
    assert env.pool_names == ["browse", "search", "order", "pay"]
    assert env.n_intervals == 360 and env.interval_s == 60.0
    assert env.scenario_name == "singles_day"


def test_step_releases_the_gil():
    # One bench_4class step simulates ~600,000 requests (~0.1 s). While another thread is inside
    # it, this thread keeps running Python; with the GIL held it would stall for the whole step.
    import threading
    import time

    env = shopgym.make("bench_4class")
    env.reset(seed=0)
    hold = np.zeros(4, dtype=np.int64)
    inside = {}

    def step():
        t = time.perf_counter()
        env.step(hold)
        inside["s"] = time.perf_counter() - t

    worker = threading.Thread(target=step)
    last, gap = time.perf_counter(), 0.0
    worker.start()
    while worker.is_alive():
        now = time.perf_counter()
        gap, last = max(gap, now - last), now
    worker.join()
    assert inside["s"] > 0.02, "the step is too short to tell"
    assert gap < inside["s"] / 2, f"this thread stalled {gap:.3f} s of a {inside['s']:.3f} s step"
