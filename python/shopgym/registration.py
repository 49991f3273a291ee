"""Gymnasium ids for the shipped scenarios: ``shopgym/<CamelCaseName>-v0`` (``flash_sale`` ->
``shopgym/FlashSale-v0``), registered when ``shopgym`` is imported. ``gymnasium.make(id,
**kwargs)`` passes ``kwargs`` to ``ShopgymEnv``; ``gymnasium.make_vec(id, num_envs,
vectorization_mode="vector_entry_point")`` builds the Rust-backed ``ShopgymVectorEnv``."""

from __future__ import annotations

import gymnasium as gym

from ._shopgym import shipped_scenarios


def env_id(scenario: str) -> str:
    """The Gymnasium id of a shipped scenario."""
    return "shopgym/" + "".join(part.capitalize() for part in scenario.split("_")) + "-v0"


def env_ids() -> dict[str, str]:
    """``{gymnasium id: scenario name}`` of every shipped scenario."""
    return {env_id(name): name for name in shipped_scenarios()}


def register_envs() -> None:
    """Registers every shipped scenario (idempotent)."""
    for gid, name in env_ids().items():
        if gid in gym.registry:
            continue
        gym.register(
            id=gid,
            entry_point="shopgym.env:ShopgymEnv",
            vector_entry_point="shopgym.vector:ShopgymVectorEnv",
            kwargs={"scenario": name},
        )
