"""Steps per second of the Python env against the Rust env on the same protocol
(``examples/env_speed.rs``): episodes on seeds 1..N, each timed from ``reset(seed)`` to its end,
every pool held every step, so both simulate exactly the same requests. Rounds alternate Rust and
Python to share machine noise; the best round of each is reported.

    .venv/bin/python python/bench/bench_env.py [--scenario flash_sale] [--episodes 3] [--rounds 3]

Needs a release build of the example (``cargo build --release --example env_speed``) and of the
extension (``maturin develop --release``). Prints a table and a JSON line.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
from pathlib import Path

import numpy as np
import shopgym
from gymnasium.spaces import Discrete

REPO = Path(__file__).resolve().parents[2]


def hold_action(space):
    """Every pool stays: delta 0 (native spaces), or the joint index whose digits are all 1."""
    if isinstance(space, Discrete):
        return (space.n - 1) // 2 + int(space.start)
    return np.zeros(space.shape, dtype=np.int64)


def python_env(path: str, episodes: int) -> tuple[float, float]:
    """(best per-episode steps/s, overall steps/s) of ``ShopgymEnv``."""
    env = shopgym.make(path)
    action = hold_action(env.action_space)
    best, total, steps = float("inf"), 0.0, 0
    for seed in range(1, episodes + 1):
        t = time.perf_counter()
        env.reset(seed=seed)
        n = 0
        while True:
            _, _, terminated, truncated, _ = env.step(action)
            n += 1
            if terminated or truncated:
                break
        dt = time.perf_counter() - t
        best = min(best, dt / n)
        total += dt
        steps += n
    return 1.0 / best, steps / total


def python_vec_env(path: str, n_envs: int) -> float:
    """env-steps/s of ``ShopgymVectorEnv`` over one episode of every env."""
    venv = shopgym.make_vec(path, n_envs)
    action = np.stack([hold_action(venv.single_action_space)] * n_envs)
    t = time.perf_counter()
    venv.reset(seed=1)
    steps = 0
    while True:
        _, _, terminated, truncated, _ = venv.step(action)
        steps += n_envs
        if terminated.any() or truncated.any():
            break
    return steps / (time.perf_counter() - t)


def rust_env(binary: Path, path: str, episodes: int, n_envs: int) -> dict:
    out = subprocess.run(
        [str(binary), path, str(episodes), str(n_envs)], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scenario", default="flash_sale")
    p.add_argument("--episodes", type=int, default=3)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--vec-envs", type=int, default=4)
    p.add_argument("--binary", default=str(REPO / "target" / "release" / "examples" / "env_speed"))
    args = p.parse_args()
    path = args.scenario
    if not path.endswith(".yaml"):
        path = str(REPO / "scenarios" / f"{path}.yaml")

    rust = {"best": 0.0, "mean": 0.0, "vec": 0.0}
    py = {"best": 0.0, "mean": 0.0, "vec": 0.0}
    steps = 0
    for _ in range(args.rounds):
        r = rust_env(Path(args.binary), path, args.episodes, args.vec_envs)
        steps = r["steps"] // args.episodes
        rust["best"] = max(rust["best"], r["env_steps_per_s_best"])
        rust["mean"] = max(rust["mean"], r["env_steps_per_s_mean"])
        rust["vec"] = max(rust["vec"], r["vec_env_steps_per_s"])
        best, mean = python_env(path, args.episodes)
        py["best"] = max(py["best"], best)
        py["mean"] = max(py["mean"], mean)
        py["vec"] = max(py["vec"], python_vec_env(path, args.vec_envs))

    name = Path(path).stem
    print(f"{name}: {steps} steps per episode, {args.episodes} episodes x {args.rounds} rounds")
    print(f"{'':32} {'Rust':>10} {'Python':>10} {'Python/Rust':>12}")
    rows = [
        ("env, best episode [steps/s]", "best"),
        ("env, all episodes [steps/s]", "mean"),
        (f"vector env x{args.vec_envs} [env-steps/s]", "vec"),
    ]
    for label, key in rows:
        print(f"{label:32} {rust[key]:>10.1f} {py[key]:>10.1f} {py[key] / rust[key]:>11.1%}")
    print(json.dumps({"scenario": name, "rust": rust, "python": py}))


if __name__ == "__main__":
    main()
