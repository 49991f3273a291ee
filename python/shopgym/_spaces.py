"""Gymnasium spaces from the Rust space descriptions, and the action offset of
``zero_based_actions`` (shared by the single and the vector env)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from gymnasium import spaces


def observation_space(desc: dict) -> spaces.Box:
    """The float32 ``Box`` with the Rust env's per-feature bounds."""
    return spaces.Box(
        low=desc["low"], high=desc["high"], shape=tuple(desc["shape"]), dtype=np.float32
    )


def action_space(desc: dict, zero_based: bool) -> tuple[spaces.Space, Any]:
    """The Gymnasium action space and the offset added to an action before it goes to Rust.

    Native spaces keep the Rust values (``delta`` mode: ``-max_delta..max_delta`` per pool;
    ``target`` mode: ``min..max`` instances). ``zero_based`` shifts them to start at 0, which
    Stable-Baselines3 and RLlib require; the offset (the native ``start``) is added back.
    """
    if desc["kind"] == "discrete":
        start = int(desc["start"])
        n = int(desc["n"])
        space = spaces.Discrete(n, start=0 if zero_based else start)
        return space, (start if zero_based else 0)
    if desc["kind"] == "multi_discrete":
        nvec = np.asarray(desc["nvec"], dtype=np.int64)
        start = np.asarray(desc["start"], dtype=np.int64)
        if zero_based:
            return spaces.MultiDiscrete(nvec), start
        return spaces.MultiDiscrete(nvec, start=start), np.zeros_like(start)
    raise ValueError(f"unsupported action space {desc['kind']!r}")


def _jsonable(x: Any) -> Any:
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    raise TypeError(f"env option value {x!r} of type {type(x).__name__} is not JSON data")


def options_json(env_options: dict[str, Any]) -> str | None:
    """``env_options`` as the JSON the Rust side merges into the scenario's ``env:`` section.

    Shorthands: ``action="target"`` means ``action={"mode": "target"}`` and
    ``forecast="oracle"`` means ``forecast={"model": "oracle"}``.
    """
    if not env_options:
        return None
    opts = dict(env_options)
    if isinstance(opts.get("action"), str):
        opts["action"] = {"mode": opts["action"]}
    if isinstance(opts.get("forecast"), str):
        opts["forecast"] = {"model": opts["forecast"]}
    return json.dumps(opts, default=_jsonable)
