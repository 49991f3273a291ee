"""``ShopgymVectorEnv``: N envs of one scenario in a Rust ``VecEnv``, as a
``gymnasium.vector.VectorEnv``.

The N envs are stepped in parallel by Rust threads (rayon) with the GIL released: no Python
subprocesses. Autoreset is the Rust ``VecEnv``'s ``SameStep`` mode, declared as
``metadata["autoreset_mode"] = AutoresetMode.SAME_STEP``: the step that ends an episode already
returns the next episode's first observation; the ended episode's last observation and info are in
``infos["final_obs"]`` / ``infos["final_info"]`` (masked by ``infos["_final_obs"]``), exactly as
Gymnasium's ``SyncVectorEnv`` lays them out in that mode.

Seeding: ``reset(seed=s)`` seeds env ``i`` with Rust's ``child_seed(s, "env", i)`` (a list of
per-env seeds is not supported); ``reset()`` continues every env's streams.

Rendering: with ``render_mode="ansi"`` or ``"rgb_array"``, ``render()`` returns a tuple of every
env's current frame (what ``ShopgymEnv.render`` gives, drawn by the same Rust code), as
Gymnasium's ``SyncVectorEnv`` does; an env that autoreset shows its new episode.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium.spaces import Discrete
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from . import _spaces
from ._shopgym import RustVecEnv


class ShopgymVectorEnv(VectorEnv):
    """``num_envs`` copies of one scenario's env (arguments as ``ShopgymEnv``), plus
    ``num_threads``: Rust threads stepping them (default: one per core)."""

    metadata = {
        "autoreset_mode": AutoresetMode.SAME_STEP,
        "render_modes": ["ansi", "rgb_array"],
        "render_fps": 4,
    }

    def __init__(
        self,
        scenario: str = "flash_sale",
        num_envs: int = 1,
        *,
        scale: float | None = None,
        fidelity: str | None = None,
        zero_based_actions: bool = False,
        num_threads: int | None = None,
        render_mode: str | None = None,
        **env_options: Any,
    ) -> None:
        self._rust = RustVecEnv(
            str(scenario),
            int(num_envs),
            _spaces.options_json(env_options),
            scale,
            num_threads,
            fidelity,
        )
        # Rust validates the mode (ValueError naming it) and records every env's frames.
        self._rust.set_render_mode(render_mode)
        self.render_mode = render_mode
        meta = self._rust.meta()
        self.scenario_name: str = meta["scenario_name"]
        self.obs_names: list[str] = meta["obs_names"]
        self.pool_names: list[str] = meta["pool_names"]
        self.class_names: list[str] = meta["class_names"]
        self.n_intervals: int = meta["n_intervals"]
        self.env_config: str = meta["env_yaml"]
        self.num_envs = int(num_envs)
        self.single_observation_space = _spaces.observation_space(self._rust.observation_space())
        self.single_action_space, self._offset = _spaces.action_space(
            self._rust.action_space(), zero_based_actions
        )
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self._discrete = isinstance(self.single_action_space, Discrete)
        self._masks: np.ndarray | None = None

    def reset(
        self,
        *,
        seed: int | list[int | None] | None = None,
        options: dict[str, Any] | None = None,
    ) -> tuple[np.ndarray, dict[str, Any]]:
        if seed is not None and not isinstance(seed, (int, np.integer)):
            raise ValueError(
                "ShopgymVectorEnv takes one int seed (env i gets child_seed(seed, 'env', i)) or "
                f"None, not {seed!r}"
            )
        if options:
            raise ValueError(f"shopgym takes no reset options, got {sorted(options)}")
        super().reset(seed=None if seed is None else int(seed))
        obs, env_infos = self._rust.reset(None if seed is None else int(seed))
        infos: dict[str, Any] = {}
        for i, info in enumerate(env_infos):
            infos = self._add_info(infos, info, i)
        self._masks = infos["action_mask"]
        return obs, infos

    def step(
        self, actions: Any
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        rust_actions = np.ascontiguousarray(np.asarray(actions, dtype=np.int64) + self._offset)
        obs, rewards, terminated, truncated, env_infos, final_obs, final_infos = self._rust.step(
            rust_actions
        )
        infos: dict[str, Any] = {}
        for i, info in enumerate(env_infos):
            if final_obs[i] is not None:
                infos = self._add_info(
                    infos, {"final_obs": final_obs[i], "final_info": final_infos[i]}, i
                )
            infos = self._add_info(infos, info, i)
        self._masks = infos["action_mask"]
        return obs, rewards, terminated, truncated, infos

    def action_masks(self) -> np.ndarray:
        """``[num_envs, flat_dim]`` action masks of the next actions."""
        if self._masks is None:
            raise RuntimeError("call reset first")
        return self._masks

    def render(self) -> tuple[str | np.ndarray, ...] | None:
        """Every env's current frame (see the module docs), or ``None`` without a render mode."""
        if self.render_mode is None:
            return None
        return tuple(self._rust.render())


def make_vec(scenario: str = "flash_sale", num_envs: int = 1, **kwargs: Any) -> ShopgymVectorEnv:
    """``ShopgymVectorEnv(scenario, num_envs, **kwargs)``."""
    return ShopgymVectorEnv(scenario, num_envs, **kwargs)
