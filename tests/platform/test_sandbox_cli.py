"""`pagoconf sandbox` as the command line runs it: start-up lines, a real port, a clean stop on Ctrl-C."""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import urllib3

from pagoconf.engine.config import ConfigError
from pagoconf.platform.sandbox.cli import add_arguments, run_sandbox
from pagoconf.platform.sandbox.server import Sandbox

SCRIPT = (
    "import argparse, sys\n"
    "from pagoconf.platform.sandbox.cli import add_arguments, run_sandbox\n"
    "parser = argparse.ArgumentParser()\n"
    "add_arguments(parser)\n"
    "sys.exit(run_sandbox(parser.parse_args(sys.argv[1:])))\n"
)


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(list(argv))


def test_the_arguments_are_the_documented_ones() -> None:
    args = _parse(
        "--port", "9000", "--sanp", "3.13.0", "--db", "x.db", "--key", "a", "--key", "b", "--strict"
    )
    assert (args.host, args.port, args.sanp, args.db, args.key, args.strict) == (
        "127.0.0.1",
        9000,
        "3.13.0",
        "x.db",
        ["a", "b"],
        True,
    )
    assert _parse().key == [] and _parse().sanp is None and _parse().config is None


def test_it_prints_its_urls_and_keys_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, "--port", "0", "--db", str(tmp_path / "s.db")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline()]
        while not lines[-1].startswith("  state:") and len(lines) < 20:
            lines.append(proc.stdout.readline())
        assert lines[0].startswith("pagoconf GPD sandbox, SANP 3.8.0 (faithful")
        gpd = re.search(r"gpd\s+(\S+)", lines[1])
        key = re.search(r"key generated: (\w+)", "".join(lines))
        assert gpd and key, lines
        answer = urllib3.request(
            "GET", gpd.group(1) + "/organizations/77777777777/debtpositions?page=0",
            headers={"Ocp-Apim-Subscription-Key": key.group(1)},
        )  # fmt: skip
        assert answer.status == 200
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=15) == 0
        assert "Traceback" not in (proc.stderr.read() if proc.stderr else "")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_operator_mistakes_are_one_line_config_errors(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with Sandbox(db=path):
        pass
    with pytest.raises(ConfigError, match="not 3.13.0"):
        run_sandbox(_parse("--db", str(path), "--sanp", "3.13.0"))
    busy = Sandbox()
    try:
        with pytest.raises(ConfigError, match="cannot listen"):
            Sandbox(port=busy.port)
    finally:
        busy.stop()
    with pytest.raises(ConfigError, match="does not exist"):
        run_sandbox(_parse("--config", str(tmp_path / "missing.toml")))
