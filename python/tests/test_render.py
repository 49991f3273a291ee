"""Rendering: ``render_mode="ansi"`` gives a text frame, ``"rgb_array"`` an ``H x W x 3`` uint8
image that changes as the episode goes, both drawn by Rust (``shopgym::env::render``); Gymnasium's
env checker (render checks included) passes with each, ``RecordVideo`` records an episode's frames
into a video file (moviepy, pinned in ``python/requirements-dev.txt``), and the vector env renders
every env."""

from __future__ import annotations

import warnings

import gymnasium as gym
import numpy as np
import pytest
import shopgym
from gymnasium.utils.env_checker import check_env as gym_check_env

#: A short scenario (20 decision intervals): two pools, a surge half way.
TINY = """
name: tiny
horizon_s: 1200
decision_interval_s: 60
budget: 12
classes:
  - { name: a, service: { dist: exponential, mean_ms: 100 }, slo: { latency_ms: 300 }, timeout_ms: 1000, value_per_failure: 0.1 }
  - { name: b, service: { dist: exponential, mean_ms: 200 }, slo: { latency_ms: 500 }, timeout_ms: 2000, value_per_failure: 1.0 }
pools:
  - { name: a, concurrency: 2, initial: 3, min: 1, max: 8, cost_per_hour: 0.2 }
  - { name: b, concurrency: 2, initial: 3, min: 1, max: 8, cost_per_hour: 0.4 }
traffic:
  mix: { a: 0.7, b: 0.3 }
  synthetic:
    base_rate: 40
    promotions: [ { start_s: 600, ramp_s: 60, peak: 3, hold_s: 300 } ]
"""


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
    # Latency against the SLO target, per class.
    for name in env.class_names:
        assert name in text, (name, text)
    assert "/ " in text.split("latency@SLO", 1)[1], text
    assert "cost so far $0.00" not in text, text


def test_rgb_frames_are_images_of_the_episode_so_far():
    env = shopgym.make("flash_sale", scale=0.2, render_mode="rgb_array")
    env.reset(seed=3)
    first = env.render()
    assert first.dtype == np.uint8 and first.ndim == 3 and first.shape[2] == 3
    for _ in range(10):
        env.step(env.action_space.sample())
    later = env.render()
    assert later.shape == first.shape and not np.array_equal(first, later)
    with pytest.raises(ValueError, match='render_mode "human"'):
        shopgym.make("flash_sale", render_mode="human")
    assert shopgym.make("flash_sale").render() is None


def test_record_video_writes_a_video_of_an_episode(tmp_path):
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(TINY)
    videos = tmp_path / "videos"
    env = gym.wrappers.RecordVideo(
        shopgym.make(str(scenario), render_mode="rgb_array"),
        str(videos),
        disable_logger=True,
    )
    env.reset(seed=1)
    env.action_space.seed(1)
    steps, done = 0, False
    while not done:
        _, _, terminated, truncated, _ = env.step(env.action_space.sample())
        steps, done = steps + 1, terminated or truncated
    env.close()
    assert steps == 20
    files = sorted(videos.glob("*.mp4"))
    assert [f.name for f in files] == ["rl-video-episode-0.mp4"], files
    assert files[0].stat().st_size > 1000


@pytest.mark.parametrize("mode", ["ansi", "rgb_array"])
def test_vector_env_renders_every_env(mode):
    envs = shopgym.make_vec("flash_sale", 3, scale=0.2, render_mode=mode)
    assert envs.render_mode == mode
    envs.reset(seed=3)
    first = envs.render()
    assert isinstance(first, tuple) and len(first) == 3
    for _ in range(4):
        envs.step(envs.action_space.sample())
    frames = envs.render()
    assert len(frames) == 3
    if mode == "ansi":
        assert all(isinstance(f, str) and "step 4/" in f for f in frames), frames
        # Each env shows its own episode (seeded apart).
        assert len(set(frames)) == 3, frames
    else:
        for f, f0 in zip(frames, first):
            assert f.dtype == np.uint8 and f.shape == f0.shape and f.shape[2] == 3
            assert not np.array_equal(f, f0)


def test_vector_env_frames_are_the_single_envs_frames():
    # One implementation: a vector env's env 1 and a single env on the same episode (the seed
    # the vector env gives env 1) draw the same frames.
    envs = shopgym.make_vec("flash_sale", 2, scale=0.2, render_mode="ansi")
    env = shopgym.make("flash_sale", scale=0.2, render_mode="ansi")
    envs.reset(seed=5)
    env.reset(seed=shopgym.child_seed(5, "env", 1))
    assert envs.render()[1] == env.render()
    envs.action_space.seed(2)
    for _ in range(3):
        a = envs.action_space.sample()
        env.step(a[1])
        envs.step(a)
    assert envs.render()[1] == env.render()
    assert shopgym.make_vec("flash_sale", 2).render() is None
    with pytest.raises(ValueError, match='render_mode "human"'):
        shopgym.make_vec("flash_sale", 2, render_mode="human")
