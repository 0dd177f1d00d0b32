"""The whole harness exchange against a bare urllib3 round trip to the same station, side by side.

Starts the reference station (uvicorn, keep-alive) in a subprocess, `pagoconf station`, so that its work
does not share the harness's interpreter. Then, N rounds (default 1000, after 50 warm-up rounds), each
round alternating:

  harness  one `Node.describe(notice)` as a scenario does it: build the paVerifyPaymentNotice envelope,
           send it through the harness's client (deadline watchdog, size bound, kept-alive connection),
           record the exchange in the run (evidence numbered), parse the answer safely and judge it with
           every always-on rule of the operation (XSD included), entering each judgement in the ledger
  bare     `urllib3.PoolManager().request("POST", url, body=<the same envelope, built once>)`, the body
           read: the round trip alone

Prints median, p95 and mean (ms) of each, and the harness's own cost (harness − bare). The last line is
`ratio X`: the median harness exchange divided by the median bare round trip, measured in the same run.
`--in-process` serves the station from this process instead (as an embedded `pagoconf run` does).

    .venv/bin/python bench/exchange_cost.py [-n 1000] [--warmup 50] [--budget 60] [--in-process]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import urllib3
from bench_support import free_port

from pagoconf.engine.config import RunConfig
from pagoconf.engine.run import RunState
from pagoconf.engine.verdict import ScenarioVerdict
from pagoconf.sync.answer import subject
from pagoconf.sync.checks import judge
from pagoconf.sync.client import SoapClient
from pagoconf.sync.config import parse
from pagoconf.sync.node import Node, NodeState
from pagoconf.sync.notices import Notice
from pagoconf.sync.reference import IDENTITY, ReferenceStation, seed_notices
from pagoconf.sync.reference.config import render_config
from pagoconf.sync.requests.primitives import verify_request
from pagoconf.sync.schema import pa_for_node_schema
from pagoconf.sync.soap import CONTENT_TYPE

SCENARIO = "bench › describing a payable notice"
CAPABILITIES = frozenset({"multi", "postal", "bollo", "spontaneous", "v2"})


def station_process(port: int) -> subprocess.Popen[bytes]:
    cli = Path(sys.executable).parent / "pagoconf"
    proc = subprocess.Popen([str(cli), "station", "--port", str(port)], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("the station did not start")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=1000, help="measured rounds (default 1000)")
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--budget", type=float, default=60.0, help="stop measuring after this many seconds")
    ap.add_argument("--in-process", action="store_true", help="serve the station from this process")
    args = ap.parse_args()

    embedded = ReferenceStation().start() if args.in_process else None
    port = embedded.port if embedded else free_port()
    proc = None if embedded else station_process(port)
    url = f"http://127.0.0.1:{port}/paForNode"
    try:
        measure(url, args)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=10)
        if embedded is not None:
            embedded.stop()


def measure(url: str, args: argparse.Namespace) -> None:
    schema = pa_for_node_schema("3.8.0")
    number = seed_notices()["payable"][0].nav
    notice = Notice(IDENTITY.id_pa, number, "payable")
    target = parse(RunConfig(raw=tomllib.loads(render_config(url))))
    client = SoapClient(url)
    run = RunState("3.8.0", "certification", ("sync",), CAPABILITIES)
    run.subjects["sync"] = subject
    state = NodeState()
    body = verify_request(IDENTITY, IDENTITY.id_pa, number)
    headers = {"Content-Type": CONTENT_TYPE, "SOAPAction": "paVerifyPaymentNotice"}
    pool = urllib3.PoolManager()

    def harness() -> None:
        verdict = ScenarioVerdict(
            run, SCENARIO, ("VERIFY-001",), rule_block=None,
            judge=lambda a: judge(a, capabilities=CAPABILITIES), subject=subject,
        )  # fmt: skip
        answer = Node(target, client, verdict, schema, state).describe(notice)
        assert answer.outcome == "OK", answer.exchange.summary()

    def bare() -> None:
        r = pool.request("POST", url, body=body, headers=headers, retries=False)
        assert r.status == 200 and r.data

    for _ in range(args.warmup):
        harness()
        bare()
    run.exchanges.clear()
    times: dict[str, list[float]] = {"harness": [], "bare": []}
    started = time.perf_counter()
    for i in range(args.n):
        if time.perf_counter() - started > args.budget:
            break
        for name, fn in (
            (("harness", harness), ("bare", bare)) if i % 2 else (("bare", bare), ("harness", harness))
        ):
            t = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - t) * 1000)
        if len(run.exchanges) > 10_000:  # keep memory flat on long runs
            run.exchanges.clear()
    client.close()
    n = len(times["bare"])
    print(f"station: {url} ({'in this process' if args.in_process else 'a separate process'}); n={n} rounds")
    print(f"  {'':<10} {'median':>8} {'p95':>8} {'mean':>8}   (ms)")
    for name, values in times.items():
        p95 = statistics.quantiles(values, n=100)[94]
        print(f"  {name:<10} {statistics.median(values):8.3f} {p95:8.3f} {statistics.fmean(values):8.3f}")
    own = statistics.median(times["harness"]) - statistics.median(times["bare"])
    print(f"  harness's own cost per exchange (median difference): {own:.3f} ms")
    print(f"ratio {statistics.median(times['harness']) / statistics.median(times['bare']):.2f}")


if __name__ == "__main__":
    main()
