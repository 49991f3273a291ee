"""Stable-Baselines3 PPO on the flash sale, with the envs stepped by the Rust ``VecEnv``.

    .venv/bin/python python/examples/sb3_ppo_flash_sale.py [--timesteps 4096] [--envs 4]

Trains PPO for a few thousand steps (``reward.scale = 1e-3`` and ``VecNormalize`` keep the
returns O(1); actions are zero-based as SB3 needs), then evaluates on held-out seeds (1000..)
with the unscaled reward ($): the untrained policy, the trained one (greedy), the scenario's
static sizing (hold every pool) and a uniformly random policy. A few thousand steps are a
smoke-sized budget (the Rust PPO needs ~57,600 steps to beat the HPA baseline on this scenario).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import shopgym
from shopgym.sb3 import ShopgymSB3VecEnv
from stable_baselines3 import PPO
from stable_baselines3.common.vec_env import VecMonitor, VecNormalize


def evaluate(act, episodes: int, seed0: int, scale: float | None) -> float:
    """Mean return [$, the scenario's own reward] of ``act(obs) -> action`` over seeds
    ``seed0..seed0 + episodes - 1``."""
    env = shopgym.make("flash_sale", zero_based_actions=True, scale=scale)
    returns = []
    for k in range(episodes):
        obs, _ = env.reset(seed=seed0 + k)
        total, done = 0.0, False
        while not done:
            obs, reward, terminated, truncated, _ = env.step(act(obs))
            total += reward
            done = terminated or truncated
        returns.append(total)
    return float(np.mean(returns))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--timesteps", type=int, default=4096)
    p.add_argument("--envs", type=int, default=4)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--eval-episodes", type=int, default=3)
    p.add_argument("--scale", type=float, default=None, help="shrink the scenario (e.g. 0.2)")
    args = p.parse_args()

    venv = ShopgymSB3VecEnv("flash_sale", args.envs, scale=args.scale, reward={"scale": 1e-3})
    venv.seed(args.seed)
    env = VecNormalize(VecMonitor(venv), norm_obs=False, norm_reward=True)
    model = PPO(
        "MlpPolicy",
        env,
        n_steps=max(64, min(256, args.timesteps // args.envs)),
        batch_size=64,
        learning_rate=3e-4,
        ent_coef=0.01,
        seed=args.seed,
        device="cpu",
        verbose=0,
    )

    def greedy(obs):
        return model.predict(obs, deterministic=True)[0]

    n_eval, seed0 = args.eval_episodes, 1000
    before = evaluate(greedy, n_eval, seed0, args.scale)
    t0 = time.perf_counter()
    model.learn(total_timesteps=args.timesteps)
    train_s = time.perf_counter() - t0
    after = evaluate(greedy, n_eval, seed0, args.scale)
    hold = np.full(4, 2)  # zero-based delta 0 in every pool: keep the static sizing
    static = evaluate(lambda _obs: hold, n_eval, seed0, args.scale)
    space = shopgym.make("flash_sale", zero_based_actions=True).action_space
    space.seed(args.seed)
    rand = evaluate(lambda _obs: space.sample(), n_eval, seed0, args.scale)

    print(
        f"flash_sale, PPO {model.num_timesteps} steps on {args.envs} Rust envs in {train_s:.1f} s "
        f"({model.num_timesteps / train_s:.0f} steps/s incl. updates)"
    )
    print(f"mean return over {n_eval} held-out episodes (seeds {seed0}..), $:")
    print(f"  PPO before training   {before:>14,.1f}")
    print(f"  PPO after             {after:>14,.1f}")
    print(f"  static sizing (hold)  {static:>14,.1f}")
    print(f"  random                {rand:>14,.1f}")


if __name__ == "__main__":
    main()
