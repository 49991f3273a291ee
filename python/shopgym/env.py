"""``ShopgymEnv``: one Rust ``ScalingEnv`` as a ``gymnasium.Env``.

Everything is computed in Rust (``shopgym._shopgym.RustEnv``); this class gives it Gymnasium's
interface: spaces, ``reset(seed=..., options=...)`` (a seed re-seeds every random stream,
``None`` continues them, the first ``reset()`` of a fresh env is ``reset(seed=0)``), ``step`` with
separate ``terminated`` (the scenario's failure condition) and ``truncated`` (its horizon), and the
``info`` dict documented in ``python/src/convert.rs`` (reward terms, pools, interval statistics,
action mask, forecast). The GIL is released while Rust simulates.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

from . import _spaces
from ._shopgym import RustEnv


class ShopgymEnv(gym.Env):
    """The autoscaling environment over one scenario.

    Args:
        scenario: a shipped scenario name (``"flash_sale"``, see ``shopgym.shipped_scenarios()``)
            or the path of a scenario YAML file.
        scale: multiplies the scenario's ``scale`` (traffic rates and instance counts together).
        fidelity: ``"des"`` (discrete events, the ground truth) or ``"fluid"`` (the fast mean-field
            model, ``docs/fluid.md``); default: the scenario's ``fidelity`` field.
        zero_based_actions: shift the action space to start at 0 (for SB3 and RLlib).
        render_mode: ``None``, ``"ansi"`` (a text frame: pools, queues, latency against the SLO,
            cost so far) or ``"rgb_array"`` (an image of traffic and instances so far, for
            ``gymnasium.wrappers.RecordVideo``); both drawn by Rust (``shopgym::env::render``,
            the same frames as ``ScalingEnv::render``).
        **env_options: override the scenario's ``env:`` section, e.g.
            ``action={"mode": "target"}`` (or ``action="target"``), ``forecast="oracle"``,
            ``reward={"cost_weight": 2.0, "scale": 1e-3}``, ``termination={"max_error_rate": 0.2}``.
            Validated by Rust: a bad value raises ``ValueError`` naming the field and the value.
    """

    metadata = {"render_modes": ["ansi", "rgb_array"], "render_fps": 4}

    def __init__(
        self,
        scenario: str = "flash_sale",
        *,
        scale: float | None = None,
        fidelity: str | None = None,
        zero_based_actions: bool = False,
        render_mode: str | None = None,
        **env_options: Any,
    ) -> None:
        self._rust = RustEnv(str(scenario), _spaces.options_json(env_options), scale, fidelity)
        # Rust validates the mode (ValueError naming it) and records the frames.
        self._rust.set_render_mode(render_mode)
        self.render_mode = render_mode
        meta = self._rust.meta()
        self.scenario_name: str = meta["scenario_name"]
        self.scenario_path: str = meta["scenario_path"]
        self.obs_names: list[str] = meta["obs_names"]
        self.pool_names: list[str] = meta["pool_names"]
        self.class_names: list[str] = meta["class_names"]
        self.n_intervals: int = meta["n_intervals"]
        self.interval_s: float = meta["interval_s"]
        self.forecaster: str = meta["forecaster"]
        #: The resolved ``env:`` section (YAML), after ``env_options``.
        self.env_config: str = meta["env_yaml"]
        self.observation_space = _spaces.observation_space(self._rust.observation_space())
        self.action_space, self._offset = _spaces.action_space(
            self._rust.action_space(), zero_based_actions
        )
        self._discrete = isinstance(self.action_space, gym.spaces.Discrete)
        self._mask: np.ndarray | None = None

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)
        if options:
            raise ValueError(f"shopgym takes no reset options, got {sorted(options)}")
        obs, info = self._rust.reset(seed)
        self._mask = info["action_mask"]
        return obs, info

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        if self._discrete:
            rust_action = int(action) + self._offset
        else:
            rust_action = np.asarray(action, dtype=np.int64) + self._offset
        obs, reward, terminated, truncated, info = self._rust.step(rust_action)
        self._mask = info["action_mask"]
        return obs, reward, terminated, truncated, info

    def action_masks(self) -> np.ndarray:
        """The action mask of the next action (as ``info["action_mask"]``; sb3-contrib's
        ``MaskablePPO`` calls this)."""
        if self._mask is None:
            raise RuntimeError("call reset first")
        return self._mask

    def render(self) -> str | np.ndarray | None:
        """The current frame: text (``"ansi"``), an ``H x W x 3`` ``uint8`` image
        (``"rgb_array"``), or ``None`` without a render mode."""
        return self._rust.render()


def make(scenario: str = "flash_sale", **kwargs: Any) -> ShopgymEnv:
    """``ShopgymEnv(scenario, **kwargs)``: the Gymnasium env of a shipped scenario or a file."""
    return ShopgymEnv(scenario, **kwargs)
