"""Stable-Baselines3 on shopgym: the Rust-backed SB3 ``VecEnv`` and the PPO example."""

from __future__ import annotations

import runpy
import sys

import numpy as np
import pytest
import shopgym
from shopgym.sb3 import ShopgymSB3VecEnv
from stable_baselines3 import PPO
from stable_baselines3.common.vec_env import VecMonitor

from conftest import write_scenario


def test_sb3_vec_env_autoreset_conventions(tmp_path):
    path = str(write_scenario(tmp_path, "flash_sale", horizon_s=180, scale=0.01))
    venv = ShopgymSB3VecEnv(path, 2)
    venv.seed(7)
    obs = venv.reset()
    assert obs.shape == (2, 33)
    hold = np.full((2, 4), 2)  # zero-based: delta 0
    for step in range(3):
        obs, rewards, dones, infos = venv.step(hold)
        assert rewards.dtype == np.float32
    assert dones.all()
    for info in infos:
        assert info["TimeLimit.truncated"] is True
        assert info["step"] == 3  # the ended episode's info
        assert venv.observation_space.contains(info["terminal_observation"])
    assert [m.shape for m in venv.env_method("action_masks")] == [(20,), (20,)]
    assert venv.get_attr("pool_names")[0] == ["browse", "search", "order", "pay"]
    with pytest.raises(AttributeError):
        venv.set_attr("scale", 2)
    # seed(7) again repeats the episode
    venv.seed(7)
    again = venv.reset()
    venv.seed(7)
    assert np.array_equal(again, venv.reset())


def test_ppo_learns_on_the_rust_vec_env():
    env = VecMonitor(ShopgymSB3VecEnv("flash_sale", 2, scale=0.2, reward={"scale": 1e-3}))
    model = PPO("MlpPolicy", env, n_steps=64, batch_size=64, n_epochs=1, seed=0, device="cpu")
    model.learn(total_timesteps=256)
    assert model.num_timesteps == 256
    action, _ = model.predict(env.reset(), deterministic=True)
    assert action.shape == (2, 4) and env.action_space.contains(action[0])


def test_sb3_example_runs(repo, monkeypatch, capsys):
    script = repo / "python" / "examples" / "sb3_ppo_flash_sale.py"
    argv = [str(script), "--timesteps", "960", "--eval-episodes", "1", "--scale", "0.2"]
    monkeypatch.setattr(sys, "argv", argv)
    runpy.run_path(str(script), run_name="__main__")
    out = capsys.readouterr().out
    assert "PPO after" in out and "static sizing" in out
