"""Shared fixtures: the repository root, the shipped scenario names, and the Rust reference binary
(``examples/trajectory.rs``) that the determinism tests compare against.

``SHOPGYM_TRAJECTORY_BIN`` names a prebuilt binary (``make python-test`` sets it); otherwise the
fixture builds it with ``cargo build --release --example trajectory``.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import shopgym

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def trajectory_bin() -> Path:
    given = os.environ.get("SHOPGYM_TRAJECTORY_BIN")
    if given:
        path = Path(given)
        assert path.is_file(), f"SHOPGYM_TRAJECTORY_BIN={given} is not a file"
        return path
    out = subprocess.run(
        ["cargo", "build", "--release", "--example", "trajectory", "--message-format=json"],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for line in out.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg["target"]["name"] == "trajectory":
            return Path(msg["executable"])
    raise RuntimeError("cargo built no trajectory example")


@pytest.fixture(scope="session")
def rust_trajectory(trajectory_bin):
    """Runs the Rust reference on a request dict and returns its parsed JSON answer."""

    def run(request: dict) -> dict:
        done = subprocess.run(
            [str(trajectory_bin)],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    return run


def write_scenario(tmp_path: Path, name: str, **top_level) -> Path:
    """A copy of a shipped scenario in ``tmp_path`` with top-level fields replaced (e.g.
    ``horizon_s=600`` or ``env={...}``)."""
    import yaml  # pyyaml comes with ray; tests only

    spec = yaml.safe_load(shopgym.scenario_yaml(name))
    spec.update(top_level)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path
