"""Frames of a running episode for ``render_mode="ansi"`` and ``"rgb_array"``.

``Renderer`` records the ``info`` of every ``reset`` and ``step`` (what Rust returns; nothing is
recomputed here) and draws:

- ``ansi``: a text frame: time and step, each pool's active/running instances, queue and busy
  slots, each class's latency at its SLO quantile (and whether the SLO was violated), the cost
  and lost revenue of the episode so far;
- ``rgb_array``: an ``H x W x 3`` ``uint8`` image of the episode so far: total arrivals per
  interval (grey bars, top half) and each pool's active instances (one coloured line per pool,
  bottom half), one column per interval across the episode's ``n_intervals``; what
  ``gymnasium.wrappers.RecordVideo`` records.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: Frame size of ``rgb_array`` [pixels].
HEIGHT, WIDTH = 240, 360
_COLOURS = np.array(
    [[31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189], [140, 86, 75]],
    dtype=np.uint8,
)


class Renderer:
    """What an episode showed so far, as text or an image."""

    def __init__(self, pool_names: list[str], class_names: list[str], n_intervals: int) -> None:
        self.pool_names = pool_names
        self.class_names = class_names
        self.n_intervals = max(int(n_intervals), 1)
        self.reset()

    def reset(self) -> None:
        self.arrivals: list[float] = []
        self.active: list[np.ndarray] = []
        self.cost = 0.0
        self.revenue_lost = 0.0
        self.info: dict[str, Any] | None = None

    def record(self, info: dict[str, Any]) -> None:
        """Adds one ``reset`` or ``step`` info."""
        self.info = info
        self.active.append(np.asarray(info["pools"]["active"], dtype=np.float64))
        classes = info.get("classes")
        if classes is not None:
            self.arrivals.append(float(np.sum(classes["arrivals"])))
            self.cost += float(info.get("cost", 0.0))
            self.revenue_lost += float(info.get("revenue_lost", 0.0))

    def ansi(self) -> str:
        if self.info is None:
            return "(no episode yet: call reset)\n"
        info = self.info
        pools = info["pools"]
        lines = [f"t = {info['time_s']:.0f} s  step {info['step']}/{self.n_intervals}"]
        lines.append(f"{'pool':<12}{'active':>8}{'running':>9}{'queue':>8}{'busy':>7}")
        for i, name in enumerate(self.pool_names):
            lines.append(
                f"{name:<12}{int(pools['active'][i]):>8}{int(pools['running'][i]):>9}"
                f"{int(pools['queue_len'][i]):>8}{int(pools['busy_slots'][i]):>7}"
            )
        classes = info.get("classes")
        if classes is not None:
            lines.append(f"{'class':<12}{'latency@SLO [ms]':>18}{'SLO':>6}{'arrivals':>10}")
            for i, name in enumerate(self.class_names):
                lat = float(classes["slo_latency_ms"][i])
                lat_s = "-" if np.isnan(lat) else f"{lat:.0f}"
                ok = "MISS" if bool(classes["slo_violated"][i]) else "ok"
                lines.append(f"{name:<12}{lat_s:>18}{ok:>6}{int(classes['arrivals'][i]):>10}")
        lines.append(f"cost so far ${self.cost:.2f}, revenue lost ${self.revenue_lost:.2f}")
        return "\n".join(lines) + "\n"

    def rgb(self) -> np.ndarray:
        frame = np.full((HEIGHT, WIDTH, 3), 255, dtype=np.uint8)
        half = HEIGHT // 2
        frame[half, :, :] = 200
        col = lambda k: min(int(k * WIDTH / self.n_intervals), WIDTH - 1)  # noqa: E731
        if self.arrivals:
            top = max(max(self.arrivals), 1.0)
            for k, a in enumerate(self.arrivals):
                h = int((half - 4) * a / top)
                x0, x1 = col(k), max(col(k + 1), col(k) + 1)
                frame[half - h : half, x0:x1, :] = 150
        if self.active:
            act = np.stack(self.active)  # [steps, pools]
            top = max(float(act.max()), 1.0)
            for p in range(act.shape[1]):
                colour = _COLOURS[p % len(_COLOURS)]
                for k in range(act.shape[0]):
                    y = HEIGHT - 3 - int((half - 6) * act[k, p] / top)
                    x0, x1 = col(k), max(col(k + 1), col(k) + 1)
                    frame[max(y - 1, half + 1) : y + 2, x0:x1, :] = colour
        return frame
