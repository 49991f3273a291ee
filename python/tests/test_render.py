"""Rendering: ``render_mode="ansi"`` gives a text frame, ``"rgb_array"`` an ``H x W x 3`` uint8
image that changes as the episode goes; Gymnasium's env checker (render checks included) passes
with each, and ``RecordVideo`` can record the frames (when moviepy is installed)."""

from __future__ import annotations

import warnings

import gymnasium as gym
import numpy as np
import pytest
import shopgym
from gymnasium.utils.env_checker import check_env as gym_check_env


@pytest.mark.parametrize("mode", ["ansi", "rgb_array"])
def test_check_env_passes_with_each_render_mode(mode):
    env = shopgym.make("flash_sale", scale=0.2, render_mode=mode)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # Built without gymnasium.make, the env has no spec to re-make in the other render mode
        # (each mode has its own test here).
        warnings.filterwarnings("ignore", message=".*not having a spec.*")
        gym_check_env(env)


def test_ansi_frame_shows_pools_latency_and_cost():
    env = shopgym.make("flash_sale", scale=0.2, render_mode="ansi")
    env.reset(seed=3)
    for _ in range(3):
        env.step(env.action_space.sample())
    text = env.render()
    assert isinstance(text, str)
    for needle in ["step 3/", "queue", "latency@SLO", "cost so far $", *env.pool_names]:
        assert needle in text, (needle, text)


def test_rgb_frames_are_images_of_the_episode_so_far():
    env = shopgym.make("flash_sale", scale=0.2, render_mode="rgb_array")
    env.reset(seed=3)
    first = env.render()
    assert first.dtype == np.uint8 and first.ndim == 3 and first.shape[2] == 3
    for _ in range(10):
        env.step(env.action_space.sample())
    later = env.render()
    assert later.shape == first.shape and not np.array_equal(first, later)
    with pytest.raises(ValueError, match="render_mode 'human'"):
        shopgym.make("flash_sale", render_mode="human")
    assert shopgym.make("flash_sale").render() is None


def test_record_video_records_the_frames(tmp_path):
    pytest.importorskip("moviepy")
    env = gym.wrappers.RecordVideo(
        shopgym.make("flash_sale", scale=0.2, render_mode="rgb_array"), str(tmp_path)
    )
    env.reset(seed=1)
    for _ in range(5):
        env.step(env.action_space.sample())
    env.close()
    assert list(tmp_path.glob("*.mp4"))
