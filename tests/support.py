"""Shared helpers for the harness's own tests (imported as `support`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

PAGOCONF = [sys.executable, "-m", "pagoconf.cli"]


def pagoconf(*args: str, timeout: float = 300, input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a subprocess (no proxy settings leak in)."""
    env = {k: v for k, v in __import__("os").environ.items() if "proxy" not in k.lower()}
    return subprocess.run(
        [*PAGOCONF, *args], capture_output=True, text=True, timeout=timeout, env=env, input=input, check=False
    )


def conformance(reports: Path) -> dict[str, Any]:
    """The conformance.json a run wrote."""
    return json.loads((reports / "conformance.json").read_text(encoding="utf-8"))


def rules_with(doc: dict[str, Any], status: str) -> set[str]:
    """Ids of the rules with this status."""
    return {r["id"] for r in doc["rules"] if r["status"] == status}
