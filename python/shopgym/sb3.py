"""``ShopgymSB3VecEnv``: the Rust ``VecEnv`` as a Stable-Baselines3 ``VecEnv`` (no subprocesses;
Rust threads step the envs with the GIL released). Needs ``stable-baselines3``.

SB3 conventions: actions are zero-based (always, SB3 samples ``0..n-1``); ``step_wait`` returns
``dones = terminated | truncated``; for an env whose episode ended, the returned observation is
already the next episode's first (autoreset, as SB3's own vec envs do), and its ``info`` is the
ended episode's last info plus ``terminal_observation`` and ``TimeLimit.truncated``. ``seed(s)``
then ``reset()`` seeds the Rust ``VecEnv`` with ``s`` (env ``i`` gets ``child_seed(s, "env",
i)``; SB3's per-env ``s + i`` is not used). Wrap it in ``VecMonitor`` for episode statistics and
``VecNormalize`` for normalised observations and rewards.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from stable_baselines3.common.vec_env.base_vec_env import VecEnv, VecEnvIndices

from .vector import ShopgymVectorEnv


class ShopgymSB3VecEnv(VecEnv):
    """``num_envs`` envs of ``scenario`` (other arguments as ``ShopgymEnv`` plus ``num_threads``)."""

    def __init__(
        self,
        scenario: str = "flash_sale",
        num_envs: int = 1,
        *,
        scale: float | None = None,
        num_threads: int | None = None,
        **env_options: Any,
    ) -> None:
        self.venv = ShopgymVectorEnv(
            scenario,
            num_envs,
            scale=scale,
            zero_based_actions=True,
            num_threads=num_threads,
            **env_options,
        )
        super().__init__(
            num_envs, self.venv.single_observation_space, self.venv.single_action_space
        )
        self._actions: np.ndarray | None = None
        self._masks: np.ndarray | None = None

    def reset(self) -> np.ndarray:
        seed = self._seeds[0]
        obs, infos = self.venv.reset(seed=seed)
        self._masks = infos["action_mask"]
        self._reset_seeds()
        self._reset_options()
        return obs

    def step_async(self, actions: np.ndarray) -> None:
        self._actions = np.asarray(actions)

    def step_wait(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[dict[str, Any]]]:
        if self._actions is None:
            raise RuntimeError("step_wait without step_async")
        rust = self.venv._rust
        actions = np.ascontiguousarray(
            np.asarray(self._actions, dtype=np.int64) + self.venv._offset
        )
        self._actions = None
        obs, rewards, terminated, truncated, infos, final_obs, final_infos = rust.step(actions)
        dones = terminated | truncated
        out: list[dict[str, Any]] = []
        for i in range(self.num_envs):
            if dones[i]:
                info = final_infos[i]
                info["terminal_observation"] = final_obs[i]
                info["TimeLimit.truncated"] = bool(truncated[i] and not terminated[i])
            else:
                info = infos[i]
            out.append(info)
        self._masks = np.stack([info["action_mask"] for info in infos])
        return obs, rewards.astype(np.float32), dones, out

    def close(self) -> None:
        self.venv.close()

    def get_attr(self, attr_name: str, indices: VecEnvIndices = None) -> list[Any]:
        """Attributes shared by every env (``render_mode``, ``obs_names``, ``pool_names``, ...)."""
        value = getattr(self.venv, attr_name)
        return [value for _ in self._get_indices(indices)]

    def set_attr(self, attr_name: str, value: Any, indices: VecEnvIndices = None) -> None:
        raise AttributeError(
            f"cannot set {attr_name!r}: the envs live in Rust; configure them through the "
            "constructor's env_options"
        )

    def env_method(
        self, method_name: str, *method_args: Any, indices: VecEnvIndices = None, **method_kwargs: Any
    ) -> list[Any]:
        """Only ``action_masks`` (for sb3-contrib's ``MaskablePPO``): each env's next mask."""
        if method_name != "action_masks":
            raise AttributeError(f"shopgym envs have no method {method_name!r} callable from SB3")
        if self._masks is None:
            raise RuntimeError("call reset first")
        masks = self._masks
        return [masks[i] for i in self._get_indices(indices)]

    def env_is_wrapped(self, wrapper_class: type, indices: VecEnvIndices = None) -> list[bool]:
        return [False for _ in self._get_indices(indices)]
