"""shopgym: an autoscaling e-commerce cluster simulator (Rust) as Gymnasium environments.

- ``shopgym.make(scenario, **options)`` -> ``ShopgymEnv`` (a ``gymnasium.Env``);
- ``shopgym.make_vec(scenario, num_envs, **options)`` -> ``ShopgymVectorEnv`` (a
  ``gymnasium.vector.VectorEnv`` backed by the Rust ``VecEnv``, autoreset ``SAME_STEP``);
- ``gymnasium.make("shopgym/FlashSale-v0")`` etc. for every shipped scenario (registered on import);
- ``shopgym.sb3.ShopgymSB3VecEnv``: the Rust ``VecEnv`` as a Stable-Baselines3 ``VecEnv``.

A scenario is a shipped name (``shopgym.shipped_scenarios()``) or a YAML file path. The
simulation, spaces, validation and seeding are the Rust crate's; see the README's Python section.
"""

from ._shopgym import SCENARIO_DIR, child_seed, scenario_yaml, shipped_scenarios
from .env import ShopgymEnv, make
from .registration import env_id, env_ids, register_envs
from .vector import ShopgymVectorEnv, make_vec

register_envs()

__all__ = [
    "SCENARIO_DIR",
    "ShopgymEnv",
    "ShopgymVectorEnv",
    "child_seed",
    "env_id",
    "env_ids",
    "make",
    "make_vec",
    "register_envs",
    "scenario_yaml",
    "shipped_scenarios",
]
