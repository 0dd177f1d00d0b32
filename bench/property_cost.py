"""Generated requests against the reference station: generate → send → judge per second, and what the
default property budget costs in a full run. Prints figures; asserts nothing. Loopback only, bounded.

    .venv/bin/python bench/property_cost.py [-n 300] [--budget 30]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings

from pagoconf.sync.answer import Answer
from pagoconf.sync.checks import judge
from pagoconf.sync.client import SoapClient
from pagoconf.sync.reference import ReferenceStation
from pagoconf.sync.schema import pa_for_node_schema
from pagoconf.sync.soap import envelope
from pagoconf.sync.strategies import from_xsd

ROOT = Path(__file__).resolve().parents[1]


def generate_send_judge(n: int, budget: float) -> None:
    schema = pa_for_node_schema("3.8.0")
    xs = schema.xmlschema
    times = {"generate": 0.0, "send": 0.0, "judge": 0.0}
    count = 0
    deadline = time.monotonic() + budget
    with ReferenceStation() as station:
        client = SoapClient(station.url)
        strategy = from_xsd(xs, "paVerifyPaymentNoticeReq")
        mark = [time.perf_counter()]

        @settings(
            max_examples=n,
            database=None,
            derandomize=True,
            phases=[Phase.generate],
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(strategy)
        def one(el):  # type: ignore[no-untyped-def]
            nonlocal count
            if time.monotonic() > deadline:
                return
            t0 = time.perf_counter()
            times["generate"] += t0 - mark[0]
            ex = client.call("paVerifyPaymentNotice", envelope(el))
            t1 = time.perf_counter()
            judge(Answer.of(ex, schema))
            t2 = time.perf_counter()
            times["send"] += t1 - t0
            times["judge"] += t2 - t1
            count += 1
            mark[0] = time.perf_counter()

        start = time.perf_counter()
        one()
        wall = time.perf_counter() - start
        client.close()
    print(
        f"generate → send → judge, paVerifyPaymentNoticeReq, {count} examples in {wall:.2f} s "
        f"= {count / wall:.0f} examples/s"
    )
    for k, v in times.items():
        print(f"  {k:<8} {1000 * v / max(count, 1):7.2f} ms per example")


def property_budget_in_a_run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for label, args in (
            ("property scenarios only (-m property)", ["-m", "property"]),
            ("full default run", []),
        ):
            t0 = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-m", "pagoconf.cli", "run", "--reports", tmp, *args],
                capture_output=True,
                text=True,
                timeout=300,
                cwd=tmp,
                check=False,
            )
            wall = time.perf_counter() - t0
            doc = json.loads((Path(tmp) / "conformance.json").read_text())
            print(
                f"{label:<40} wall {wall:6.2f} s, in-run {doc['duration_s']:6.2f} s, "
                f"{doc['exchanges']} exchanges, exit {proc.returncode}"
            )


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("-n", type=int, default=300)
    p.add_argument("--budget", type=float, default=30.0)
    a = p.parse_args()
    generate_send_judge(a.n, a.budget)
    property_budget_in_a_run()


if __name__ == "__main__":
    main()
