"""Harness cost per exchange against the reference station on loopback.

For N rounds (default 500), each one paVerifyPaymentNotice + one paGetPaymentV2 exchange on a payable
notice, measures per exchange:

  total      wall time: build + SoapClient.call + Answer.of + judge
  station    time spent inside the station's WSGI app (server-side timing middleware)
  build      building the request envelope (messages.verify_request / get_payment_request)
  judge      Answer.of + judge(capabilities=...) — what Verdict.observe does, minus the ledger
  transport  total - station - build - judge: requests/urllib3 client, loopback TCP (one new
             connection per exchange: wsgiref speaks HTTP/1.0) and wsgiref's own request handling
             outside the app (thread per request, header parsing, writing the answer); split as
    to_app     from SoapClient.call entry until the station's app is entered (client send, connect,
               server accept + thread start + request parsing)
    from_app   from the app's return until SoapClient.call returns (server writes, client reads the
               body and builds the Exchange)
             (station and client share one process and one clock, as in `pagoconf run`)

Prints median and p95 (ms) per component, per operation and overall, and the harness cost
(build + judge + transport) per exchange. No assertions on time.

    /work/main/.venv/bin/python bench/exchange_cost.py [-n 500] [--warmup 25] [--budget 45]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from pagoconf.sync.answer import Answer
from pagoconf.sync.checks import judge
from pagoconf.sync.config import Identity
from pagoconf.engine.contracts import DEFAULT_SANP
from pagoconf.sync.schema import pa_for_node_schema
from pagoconf.sync.requests.primitives import get_payment_request, verify_request
from pagoconf.sync.reference import IDENTITY, ReferenceStation, seed_notices
from pagoconf.sync.client import SoapClient, TransportSettings

COMPONENTS = ("total", "station", "build", "judge", "transport", "  to_app", "  from_app", "harness")
CAPABILITIES = frozenset({"multi", "postal", "bollo", "v2"})  # what the reference station declares (v2)


class TimedApp:
    """WSGI middleware: accumulates the time spent inside the wrapped app, one entry per request."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.times: list[tuple[float, float]] = []  # (entered, left), perf_counter
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        start = time.perf_counter()
        try:
            # the reference app returns a list: the whole answer is computed inside this call
            return list(self.app(environ, start_response))
        finally:
            left = time.perf_counter()
            with self._lock:
                self.times.append((start, left))

    def __getattr__(self, name: str) -> Any:  # ReferenceStation.defects etc. read through to the app
        return getattr(self.app, name)


def pct(values: list[float], q: int) -> float:
    """The q-th percentile (inclusive method)."""
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def table(title: str, samples: dict[str, list[float]]) -> None:
    n = len(samples["total"])
    print(f"\n{title}  (n={n}, ms)")
    print(f"  {'component':<10} {'median':>8} {'p95':>8} {'mean':>8}")
    for name in COMPONENTS:
        v = [x * 1000 for x in samples[name]]
        print(f"  {name:<10} {statistics.median(v):8.3f} {pct(v, 95):8.3f} {statistics.fmean(v):8.3f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=500, help="rounds of verify + getPaymentV2 (default 500)")
    ap.add_argument("--warmup", type=int, default=25, help="unmeasured rounds first (default 25)")
    ap.add_argument("--budget", type=float, default=45.0, help="stop measuring after this many seconds")
    args = ap.parse_args()

    schema = pa_for_node_schema(DEFAULT_SANP)
    identity = Identity(IDENTITY.id_pa, IDENTITY.id_broker_pa, IDENTITY.id_station)
    seeded = seed_notices()
    payable = [n for kind in ("payable", "multi_beneficiary", "postal", "bollo") for n in seeded[kind]]

    station = ReferenceStation(port=0, sanp=DEFAULT_SANP)
    timed = TimedApp(station.app)
    station.app = timed  # _bind() hands self.app to the WSGI server
    station.start()
    client = SoapClient(station.url, TransportSettings())
    ops: list[tuple[str, Callable[[Any], bytes]]] = [
        ("paVerifyPaymentNotice", lambda n: verify_request(identity, identity.id_pa, n.nav)),
        ("paGetPaymentV2", lambda n: get_payment_request(identity, identity.id_pa, n.nav, version=2)),
    ]
    per_op: dict[str, dict[str, list[float]]] = {op: {c: [] for c in COMPONENTS} for op, _ in ops}
    problems = 0
    rounds = 0
    started = time.perf_counter()
    try:
        for i in range(args.warmup + args.n):
            if time.perf_counter() - started > args.budget:
                print(
                    f"time budget of {args.budget:g} s reached after {rounds} measured rounds",
                    file=sys.stderr,
                )
                break
            notice = payable[i % len(payable)]
            for op, build in ops:
                before = len(timed.times)
                t0 = time.perf_counter()
                body = build(notice)
                t1 = time.perf_counter()
                exchange = client.call(op, body)
                t2 = time.perf_counter()
                answer = Answer.of(exchange, schema)
                judgements = judge(answer, capabilities=CAPABILITIES)
                t3 = time.perf_counter()
                if exchange.error or exchange.status != 200 or any(j.violations for j in judgements):
                    problems += 1
                if i < args.warmup:
                    continue
                if len(timed.times) != before + 1:
                    raise RuntimeError("station timing out of step with the client")
                entered, left = timed.times[-1]
                station_t = left - entered
                build_t, judge_t, total = t1 - t0, t3 - t2, t3 - t0
                transport = total - station_t - build_t - judge_t
                s = per_op[op]
                for name, value in (
                    ("total", total),
                    ("station", station_t),
                    ("build", build_t),
                    ("judge", judge_t),
                    ("transport", transport),
                    ("  to_app", entered - t1),
                    ("  from_app", t2 - left),
                    ("harness", build_t + judge_t + transport),
                ):
                    s[name].append(value)
            if i >= args.warmup:
                rounds += 1
    finally:
        client.close()
        station.stop()

    wall = time.perf_counter() - started
    allx = {c: [x for s in per_op.values() for x in s[c]] for c in COMPONENTS}
    print(
        f"exchange_cost: {rounds} rounds x 2 exchanges measured (+{args.warmup} warm-up rounds), "
        f"SANP {DEFAULT_SANP}, {wall:.1f} s wall"
    )
    print(
        f"  exchanges not 200/conformant: {problems}; station and client share this process "
        f"(as in `pagoconf run`); wsgiref answers one request per TCP connection"
    )
    for op, s in per_op.items():
        table(op, s)
    table("all exchanges", allx)
    h = statistics.median(allx["harness"]) * 1000
    t = statistics.median(allx["total"]) * 1000
    print(
        f"\nharness cost per exchange (build + judge + transport): median {h:.3f} ms, "
        f"p95 {pct([x * 1000 for x in allx['harness']], 95):.3f} ms, "
        f"mean {statistics.fmean(allx['harness']) * 1000:.3f} ms "
        f"({100 * statistics.fmean(allx['harness']) / statistics.fmean(allx['total']):.0f}% of total time; "
        f"median total {t:.3f} ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
