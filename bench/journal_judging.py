"""Re-judging a recorded sandbox journal: `judge(case_from_entry(entry, sanp=…))` over every partner request.

First records a journal: `pagoconf sandbox --db FILE` on 127.0.0.1, driven by C client threads (8 by default)
with a mixed workload until it holds N partner exchanges (20,000 by default) or the recording budget runs
out: positions created (DRAFT, published, with `validityDate: null` and `toPublish=True`), read, listed,
published, paid through the control API, their receipts read, updated and deleted after payment (409),
invalidated, deleted; invalid bodies (amounts that do not add up, a missing field), an unknown position,
a missing key, a list over the platform's page limit, the receipts list, ACA paCreatePosition and Checkout
carts. Then reads it back (`read_journal`) and times, over every partner request (control calls and
injected faults left out, as `pagoconf run --journal` does):

- `case_from_entry` alone, and `judge(case_from_entry(…))`: exchanges per second (wall, and per CPU second
  of this process, which a busy machine does not dilute), best of R rounds;
- the cost by operation (µs per exchange, median round);
- how many re-judged verdicts differ from the findings journaled live (should be none).

--keep FILE records into (or reuses) FILE instead of a temporary one; --profile prints where judging's
time goes (cProfile, one round).

Run: .venv/bin/python bench/journal_judging.py [-n 20000] [--clients 8] [--record-budget 150] [--rounds 3]
     [--sanp 3.8.0] [--keep FILE] [--profile]"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import json
import pstats
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import urllib3
from bench_support import due_in, free_port
from bench_support import position as valid_position

from pagoconf.platform.calls import is_partners
from pagoconf.platform.sandbox.checks import judge
from pagoconf.platform.sandbox.journal import JournalEntry, read_journal
from pagoconf.platform.sandbox.request import case_from_entry

KEY = "bench-key-0123456789"
ORG = "77777777777"
GPD = "/gpd/debt-positions-service/v1"
PAYMENTS = "/gpd/payments-receipts-service/v1"
START_TIMEOUT = 60.0
TARGET = 5000.0
VENV_BIN = Path(sys.executable).parent


# --- recording ---------------------------------------------------------------------------------------------


def position(n: int, **extra: Any) -> dict[str, Any]:
    """A valid debt position numbered n (unique IUPD and IUV), one option, one transfer."""
    body = valid_position(f"JB-{n:09d}", f"01{n:015d}", due=due_in(60))
    body.update(extra)
    return body


class Driver:
    """One client thread's connection to the sandbox."""

    def __init__(self, port: int) -> None:
        self.pool = urllib3.HTTPConnectionPool(
            "127.0.0.1", port, maxsize=1, retries=False, timeout=urllib3.Timeout(connect=5, read=30)
        )

    def send(self, method: str, path: str, body: Any = None, *, key: bool = True) -> int:
        headers = {"Ocp-Apim-Subscription-Key": KEY} if key else {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        return self.pool.urlopen(
            "POST" if method == "PAY" else method, path, body=data, headers=headers
        ).status


def scenario(driver: Driver, n: int) -> int:
    """One round of the mixed workload on positions n..n+3; how many partner requests it sent."""
    d, positions = driver, f"{GPD}/organizations/{ORG}/debtpositions"
    draft, published, lenient, spare = position(n), position(n + 1), position(n + 2), position(n + 3)
    iuv = published["paymentOption"][0]["iuv"]
    steps: list[tuple[str, str, Any]] = [
        ("POST", positions, draft),
        ("POST", positions + "?toPublish=true", published),
        ("POST", positions + "?toPublish=True", {**lenient, "validityDate": None}),
        ("POST", positions, spare),
        ("GET", f"{positions}/{draft['iupd']}", None),
        ("GET", positions + "?page=0&limit=10", None),
        ("POST", f"{positions}/{draft['iupd']}/publish", None),
        ("PUT", f"{positions}/{spare['iupd']}", spare),
        ("POST", f"{positions}/{lenient['iupd']}/invalidate", None),
        ("DELETE", f"{positions}/{spare['iupd']}", None),
        ("GET", f"{PAYMENTS}/payments/{ORG}/receipts/{iuv}", None),  # 404: not paid yet
        ("PAY", f"/_sandbox/organizations/{ORG}/paymentoptions/{iuv}/pay", None),
        ("GET", f"{PAYMENTS}/payments/{ORG}/receipts/{iuv}", None),
        ("PUT", f"{positions}/{published['iupd']}", published),  # 409: paid
        ("DELETE", f"{positions}/{published['iupd']}", None),  # 409: paid
        ("GET", f"{PAYMENTS}/payments/{ORG}/receipts?pageNum=0&pageSize=20", None),
        ("POST", positions, position(n + 4, paymentOption=[{**draft["paymentOption"][0], "amount": 1}])),
        ("POST", positions, {k: v for k, v in position(n + 5).items() if k != "fullName"}),
        ("GET", f"{positions}/NO-SUCH-IUPD", None),
        ("GET", positions + "?page=0&limit=100", None),
        ("POST", "/aca/v1/paCreatePosition", aca_request(n + 6)),
        ("POST", "/checkout/ec/v1/carts", cart(n + 7)),
    ]
    sent = 0
    for method, path, body in steps:
        d.send(method, path, body)
        sent += method != "PAY"
    d.send("GET", f"{positions}/{draft['iupd']}", key=False)  # 401
    return sent + 1


def aca_request(n: int) -> dict[str, Any]:
    """A valid ACA paCreatePosition body."""
    return {
        "paFiscalCode": ORG,
        "entityType": "F",
        "entityFiscalCode": "RSSMRA80A01H501U",
        "entityFullName": "Mario Rossi",
        "iuv": f"02{n:015d}",
        "amount": 5000,
        "description": "Canone",
        "expirationDate": due_in(30),
        "iban": "IT60X0542811101000000123456",
    }


def cart(n: int) -> dict[str, Any]:
    """A valid Checkout cart of one notice."""
    return {
        "paymentNotices": [
            {
                "noticeNumber": f"3{n:017d}",
                "fiscalCode": ORG,
                "amount": 10000,
                "companyName": "Comune di Prova",
                "description": "Tassa rifiuti",
            }
        ],
        "returnUrls": {
            "returnOkUrl": "https://ec.example.org/ok",
            "returnCancelUrl": "https://ec.example.org/cancel",
            "returnErrorUrl": "https://ec.example.org/error",
        },
    }


def record(path: Path, *, sanp: str, want: int, clients: int, budget: float) -> float:
    """Drive a `pagoconf sandbox --db path` until its journal holds `want` partner exchanges (or `budget`
    seconds pass); the seconds it took."""
    port = free_port()
    command = [str(VENV_BIN / "pagoconf"), "sandbox", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--key", KEY, "--sanp", sanp, "--db", str(path)]
    log = path.with_suffix(".log")
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        probe = urllib3.HTTPConnectionPool("127.0.0.1", port, retries=False, timeout=2.0)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                probe.request("GET", f"{GPD}/info", headers={"Ocp-Apim-Subscription-Key": KEY})
                break
            except urllib3.exceptions.HTTPError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"the sandbox did not start; see {log}") from None
                time.sleep(0.2)
        numbers = itertools.count(0, 10)
        sent = itertools.count()
        counted = [0]
        lock = threading.Lock()
        began = time.monotonic()
        stop_at = began + budget

        def client() -> None:
            driver = Driver(port)
            while time.monotonic() < stop_at:
                with lock:
                    if counted[0] >= want:
                        return
                done = scenario(driver, next(numbers))
                with lock:
                    counted[0] += done
                next(sent)

        threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=budget + 120)
        return time.monotonic() - began
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


# --- judging -----------------------------------------------------------------------------------------------


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    """Record (or reuse), then judge and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20_000, help="partner exchanges to record")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--record-budget", type=float, default=150.0, help="seconds, at most")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sanp", default="3.8.0")
    parser.add_argument("--keep", type=Path, help="record into (or reuse) this SQLite file")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pagoconf-bench-") as tmp:
        path = args.keep or Path(tmp) / "journal.sqlite"
        if path.exists():
            print(f"reusing {path}")
        else:
            took = record(path, sanp=args.sanp, want=args.n, clients=args.clients, budget=args.record_budget)
            print(f"recorded {path.name} in {took:.1f} s ({args.clients} clients over HTTP)")
        entries = read_journal(path, sanp=args.sanp)
    judged = [e for e in entries if is_partners(e) and not e.injected and e.snapshot]
    print(
        f"journal: {len(entries)} entries, {len(judged)} partner exchanges judged "
        f"({len(entries) - len(judged)} control calls, injected faults or snapshot-less left out)"
    )
    by_status: dict[int, int] = defaultdict(int)
    for e in judged:
        by_status[e.status] += 1
    print("  answers: " + ", ".join(f"{s}×{n}" for s, n in sorted(by_status.items())))
    measure(judged, sanp=args.sanp, rounds=args.rounds)
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for e in judged:
            judge(case_from_entry(e, sanp=args.sanp))
        profiler.disable()
        stats = pstats.Stats(profiler).strip_dirs()
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(25)


def measure(judged: list[JournalEntry], *, sanp: str, rounds: int) -> None:
    """Throughput of case_from_entry and of judging, by operation, and agreement with the live findings."""
    for e in judged[:200]:  # warm the caches (compiled validators, rule plans) before timing
        judge(case_from_entry(e, sanp=sanp))
    build = min(timed(lambda: [case_from_entry(e, sanp=sanp) for e in judged]) for _ in range(rounds))
    rates, cpu_rates, per_op = [], [], defaultdict(list)
    for _ in range(rounds):
        costs: dict[str, float] = defaultdict(float)
        start, cpu = time.perf_counter(), time.process_time()
        for e in judged:
            t = time.perf_counter()
            judge(case_from_entry(e, sanp=sanp))
            costs[e.operation or "(none)"] += time.perf_counter() - t
        rates.append(len(judged) / (time.perf_counter() - start))
        cpu_rates.append(len(judged) / (time.process_time() - cpu))
        for op, cost in costs.items():
            per_op[op].append(cost)
    counts: dict[str, int] = defaultdict(int)
    for e in judged:
        counts[e.operation or "(none)"] += 1
    differ = sum(1 for e in judged if judge(case_from_entry(e, sanp=sanp)).findings != e.findings)
    best = max(rates)
    print(f"case_from_entry alone: {len(judged) / build:9.0f} exchanges/s")
    print(
        f"judge(case_from_entry(…)): {best:9.0f} exchanges/s best of {rounds} "
        f"(rounds: {', '.join(f'{r:.0f}' for r in rates)}); target ≥ {TARGET:.0f}/s: "
        f"{'met' if best >= TARGET else 'NOT met'}"
    )
    print(f"  per CPU second (what a core of its own would give on a busy machine): {max(cpu_rates):.0f}/s")
    print(f"re-judged findings that differ from the journaled ones: {differ} of {len(judged)}")
    print("by operation (µs per exchange, median round; share of the time):")
    total = sum(sorted(c)[len(c) // 2] for c in per_op.values())
    for op, cost in sorted(per_op.items(), key=lambda kv: -sorted(kv[1])[len(kv[1]) // 2]):
        median = sorted(cost)[len(cost) // 2]
        print(f"  {op:38} {counts[op]:6d} × {median / counts[op] * 1e6:7.1f} µs  {median / total:6.1%}")


if __name__ == "__main__":
    main()
