"""The suite ships in the wheel: `pip install .` (not editable) into a clean virtual environment, then
`pagoconf run` from an empty directory finds its own features, steps and manifests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
SHARED = PROJECT.parent / "shared" / "contracts" / "pagopa-api"

pytestmark = pytest.mark.slow


def _run(
    args: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if "proxy" not in k.lower() and k != "VIRTUAL_ENV"}
    return subprocess.run(
        args, capture_output=True, text=True, timeout=600, env=clean | (env or {}), cwd=cwd, check=False
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel built from this checkout installed in it."""
    root = tmp_path_factory.mktemp("wheel")
    uv = shutil.which("uv")
    wheels = root / "dist"
    if uv:  # a uv-made environment has no pip
        build = [uv, "build", "-q", "--wheel", "--out-dir", str(wheels), str(PROJECT)]
    else:
        build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(PROJECT)]
    built = _run(build)
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = wheels.glob("pagoconf-*.whl")
    venv = root / "venv"
    lock = ["-c", str(PROJECT / "requirements.lock")]
    if uv:
        steps = [[uv, "venv", "-q", "-p", sys.executable, str(venv)],
                 [uv, "pip", "install", "-q", "-p", str(venv), *lock, str(wheel)]]  # fmt: skip
    else:
        steps = [[sys.executable, "-m", "venv", str(venv)],
                 [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", *lock, str(wheel)]]  # fmt: skip
    for step in steps:
        done = _run(step)
        assert done.returncode == 0, done.stderr[-3000:]
    return venv


def test_the_wheel_carries_the_features_steps_conftest_and_manifests(installed: Path) -> None:
    site = next((installed / "lib").glob("python*/site-packages")) / "pagoconf"
    assert (site / "conftest.py").exists() and (site / "py.typed").exists()
    assert list((site / "features").rglob("*.feature")) and (site / "steps" / "sync" / "stations.py").exists()
    assert (site / "contracts" / "sanp-3.8.0.toml").exists() and (site / "sync" / "rules.toml").exists()
    assert not (site / "contracts" / "vendor").exists()


def test_an_installed_pagoconf_runs_from_an_empty_directory(installed: Path, tmp_path: Path) -> None:
    empty = tmp_path / "anywhere"
    empty.mkdir()
    proc = _run(
        [str(installed / "bin" / "pagoconf"), "run", "-m", "verify or states", "--reports", "out"],
        cwd=empty,
        env={"PAGOCONF_CONTRACTS": str(SHARED)},
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    doc = json.loads((empty / "out" / "conformance.json").read_text(encoding="utf-8"))
    assert doc["verdict"] == "CONFORMANT" and doc["scenarios"]["passed"] >= 10
    assert sorted(p.name for p in empty.iterdir()) == ["out"]  # nothing else written where the user stands


def test_an_installed_pagoconf_says_where_to_get_the_contracts(installed: Path, tmp_path: Path) -> None:
    proc = _run([str(installed / "bin" / "pagoconf"), "run", "--reports", "out"], cwd=tmp_path,
                env={"XDG_DATA_HOME": str(tmp_path / "data")})  # fmt: skip
    assert proc.returncode == 2 and "pagoconf contracts fetch" in proc.stderr, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
