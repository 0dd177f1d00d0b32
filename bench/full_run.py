"""Wall time of the full default `pagoconf run` (embedded reference station, every scenario).

Runs `/work/main/.venv/bin/pagoconf run --reports <tmpdir>/run-<i>` R times (default 3) as a subprocess
(working directory: the temporary folder, so nothing lands in the project), printing each wall time,
its exit code, the verdict in conformance.json and pytest's own session time (the "N passed in X s"
line), then the median. The gap between wall time and pytest's session time is
interpreter start-up, imports and pytest plugin loading, plus what happens after the session ends.

    /work/main/.venv/bin/python bench/full_run.py [-r 3] [--budget 50] [--timeout 120]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SUMMARY = re.compile(r"^=*\s*(?P<counts>\d+ \w+.*?) in (?P<secs>[\d.]+)s", re.M)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-r", type=int, default=3, help="repetitions (default 3)")
    ap.add_argument("--budget", type=float, default=50.0, help="start no new run after this many seconds")
    ap.add_argument("--timeout", type=float, default=120.0, help="kill a run after this many seconds")
    args = ap.parse_args()

    cli = Path(sys.executable).parent / "pagoconf"
    walls: list[float] = []
    codes: list[int] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="pagoconf-bench-run-") as tmp:
        for i in range(1, args.r + 1):
            spent = time.perf_counter() - started
            if walls and spent + max(walls) > args.budget:
                print(f"  (stopping: a further run would pass the {args.budget:g} s budget)")
                break
            reports = Path(tmp) / f"run-{i}"
            t0 = time.perf_counter()
            try:
                proc = subprocess.run(
                    [str(cli), "run", "--reports", str(reports)],
                    capture_output=True,
                    text=True,
                    timeout=args.timeout,
                    check=False,
                    cwd=tmp,
                )
                code, out = proc.returncode, proc.stdout + proc.stderr
            except subprocess.TimeoutExpired:
                code, out = -1, f"killed after {args.timeout:g} s"
            wall = time.perf_counter() - t0
            walls.append(wall)
            codes.append(code)
            m = SUMMARY.search(out)
            session = f"pytest: {m['counts']} in {m['secs']} s" if m else "pytest summary not found"
            verdict_file = reports / "conformance.json"
            verdict = json.loads(verdict_file.read_text())["verdict"] if verdict_file.exists() else "(none)"
            print(f"run {i}: {wall:6.2f} s wall, exit {code}, verdict {verdict}; {session}")
    print(
        f"full_run: {len(walls)} run(s) of `pagoconf run --reports <tmp>`: "
        f"median {statistics.median(walls):.2f} s "
        f"(min {min(walls):.2f}, max {max(walls):.2f}); exit codes {codes}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
