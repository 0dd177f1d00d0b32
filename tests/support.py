"""Shared helpers for the harness's own tests (imported as `support`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

PAGOCONF = [sys.executable, "-m", "pagoconf.cli"]


def pagoconf(*args: str, timeout: float = 300, input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a subprocess (no proxy settings leak in)."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    return subprocess.run(
        [*PAGOCONF, *args], capture_output=True, text=True, timeout=timeout, env=env, input=input, check=False
    )


class ManyRuns:
    """One interpreter that runs many `pagoconf …` command lines (tests/run_many.py): the meta-tests' runs
    cost their work, not Python's start-up and imports each time."""

    def __init__(self) -> None:
        env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        script = Path(__file__).with_name("run_many.py")
        self.proc = subprocess.Popen(
            [sys.executable, str(script)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
        )

    def __call__(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """Run one command line; the answer looks like subprocess.run's."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(list(args)) + "\n")
        self.proc.stdin.flush()
        timer = threading.Timer(timeout, self.proc.kill)
        timer.start()
        try:
            line = self.proc.stdout.readline()
        finally:
            timer.cancel()
        if not line:
            raise RuntimeError(f"the runner died running {args}")
        done = json.loads(line)
        return subprocess.CompletedProcess(list(args), done["code"], done["stdout"], done["stderr"])

    def close(self) -> None:
        """Stop the runner."""
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)


def conformance(reports: Path) -> dict[str, Any]:
    """The conformance.json a run wrote."""
    return json.loads((reports / "conformance.json").read_text(encoding="utf-8"))


def rules_with(doc: dict[str, Any], status: str) -> set[str]:
    """Ids of the rules with this status."""
    return {r["id"] for r in doc["rules"] if r["status"] == status}


def caught_alone(doc: dict[str, Any], stdout: str, rule: str, also: Iterable[str]) -> dict[str, Any]:
    """Assert that a defect's run is NOT_CONFORMANT on `rule`, with no rule failed but it and the ones it
    necessarily breaks too (`also`), nothing broken, the terminal summary naming the rule; return the rule's
    first violation (it says what was expected and what came)."""
    assert doc["verdict"] == "NOT_CONFORMANT"
    failed = rules_with(doc, "failed")
    assert rule in failed
    assert failed <= {rule, *also}, f"unrelated rules failed: {failed - {rule}}"
    assert rules_with(doc, "broken") == set() and doc["scenarios"]["broken"] == 0
    (found,) = [r for r in doc["rules"] if r["id"] == rule]
    first: dict[str, Any] = found["violations"][0]
    assert first["expected"] and first["actual"]
    assert rule in stdout  # the terminal summary names the rule
    return first
