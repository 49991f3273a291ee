"""Ray RLlib PPO on shopgym (RLlib's new API stack), with env runners as Ray actors: the same
script runs on this machine (``ray.init()`` starts a local cluster) or on many machines.

    .venv/bin/python python/examples/rllib_ppo.py [--iterations 5] [--env-runners 2]

Scale out: start Ray on every machine (``ray start --head`` on one, ``ray start
--address=<head>:6379`` on the others), install the shopgym wheel on each, then run this script
on the head with ``--address auto --env-runners <total cores - 2>``. Each env runner steps
``--envs-per-runner`` shopgym envs (Rust, GIL released); the learner updates on the head.

The env is registered with ``ray.tune.registry.register_env`` as a creator function (pickled to
the workers, which import shopgym there); actions are zero-based (RLlib samples ``0..n-1``) and
``reward.scale`` keeps returns O(1). Prints the mean episode return per iteration in the
scenario's reward unit x ``reward_scale``, and the env steps sampled per second.
"""

from __future__ import annotations

import argparse
import time

import ray
from ray.rllib.algorithms.ppo import PPOConfig
from ray.tune.registry import register_env


def make_env(config: dict):
    import shopgym  # imported in each env runner process

    return shopgym.make(
        config.get("scenario", "flash_sale"),
        zero_based_actions=True,
        scale=config.get("scale"),
        reward={"scale": config.get("reward_scale", 1e-3)},
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scenario", default="flash_sale")
    p.add_argument("--iterations", type=int, default=5)
    p.add_argument("--env-runners", type=int, default=2)
    p.add_argument("--envs-per-runner", type=int, default=1)
    p.add_argument("--train-batch", type=int, default=960, help="env steps per iteration")
    p.add_argument("--scale", type=float, default=None, help="shrink the scenario (e.g. 0.2)")
    p.add_argument("--reward-scale", type=float, default=1e-3)
    p.add_argument("--address", default=None, help="Ray cluster address ('auto' on a cluster)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()

    t0 = time.perf_counter()
    ray.init(address=args.address, include_dashboard=False, log_to_driver=False)
    register_env("shopgym", make_env)
    config = (
        PPOConfig()
        .environment(
            "shopgym",
            env_config={
                "scenario": args.scenario,
                "scale": args.scale,
                "reward_scale": args.reward_scale,
            },
        )
        .env_runners(
            num_env_runners=args.env_runners,
            num_envs_per_env_runner=args.envs_per_runner,
            num_cpus_per_env_runner=1,
        )
        .learners(num_learners=0)
        .training(
            train_batch_size_per_learner=args.train_batch,
            minibatch_size=min(128, args.train_batch),
            num_epochs=4,
            lr=3e-4,
            entropy_coeff=0.01,
        )
        .debugging(seed=args.seed)
    )
    algo = config.build_algo()
    print(f"ray up and PPO built in {time.perf_counter() - t0:.1f} s")

    for it in range(1, args.iterations + 1):
        t = time.perf_counter()
        result = algo.train()
        runners = result.get("env_runners", {})
        ret = runners.get("episode_return_mean", float("nan"))
        steps = runners.get("num_env_steps_sampled_lifetime", 0)
        print(
            f"iteration {it}: env steps {steps}, episode return mean {ret:.3f}, "
            f"{time.perf_counter() - t:.1f} s"
        )
    algo.stop()
    ray.shutdown()
    print(f"total {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
