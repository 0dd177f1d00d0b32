"""createPosition under concurrent clients: the GPD sandbox against Prism's mock of the same gpd.json.

Both servers run as their own processes on 127.0.0.1, one at a time, and get the same load from this
process: C client threads (8 by default), each with its own keep-alive connection (urllib3), each POSTing
distinct valid debt positions (unique IUPD and IUV) to createPosition of SANP 3.8.0 for a fixed time or up
to a request cap. The sandbox (`pagoconf sandbox`, SQLite in memory, or a file with --db) validates every
request, judges it by its rules, stores the position and journals the exchange; Prism (`prism mock`, its
defaults, logs discarded) validates the request and answers the document's example, keeping nothing.

Prints, per server and round: requests, errors, throughput (201s per second), latency p50 / p99 / max; then
the ratios against the targets (sandbox ≥ 2× Prism's throughput, p99 no worse) and what the sandbox kept.

Prism is installed with npm into a cache folder outside the repository (--prism-dir, default
$PAGOCONF_BENCH_CACHE/prism or ~/.cache/pagoconf-bench/prism) the first time; without npm it is skipped.
--profile N then sends N createPosition straight into SandboxService.handle in this process under cProfile
and prints where the sandbox's own time goes. --ceiling first loads a trivial uvicorn app (a fixed 201, no
work) the same way: the most this load generator can send on this machine, which bounds both figures.

Run: .venv/bin/python bench/sandbox_vs_prism.py [--clients 8] [--seconds 10] [--max-requests 50000]
     [--rounds 1] [--db] [--profile N] [--ceiling] [--prism-dir DIR] [--no-prism]"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import json
import os
import pstats
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import urllib3
from bench_support import due_in, free_port, position

from pagoconf.engine.contracts import contract_path

KEY = "bench-key-0123456789"
ORG = "77777777777"
SANP = "3.8.0"
GPD_BASE = "/gpd/debt-positions-service/v1"
PRISM_PACKAGE = "@stoplight/prism-cli@5.16.0"
START_TIMEOUT = 60.0
INSTALL_TIMEOUT = 600.0
WARMUP_SECONDS = 1.5
VENV_BIN = Path(sys.executable).parent


def body_template() -> str:
    """A valid createPosition body with %(iupd)s and %(iuv)s to fill in."""
    text = json.dumps(position("IUPD", "IUV", due=due_in(60)))
    return text.replace('"IUPD"', '"%(iupd)s"').replace('"IUV"', '"%(iuv)s"')


# --- the servers -------------------------------------------------------------------------------------------


@dataclass
class Server:
    """A server process on 127.0.0.1 and the path createPosition has on it."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    create_path: str
    log: Path

    def stop(self) -> None:
        """Interrupt the process, then make sure it is gone."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def wait_until_up(server: Server, probe: str, headers: dict[str, str]) -> None:
    """Poll `probe` until the server answers (bounded by START_TIMEOUT)."""
    pool = urllib3.HTTPConnectionPool("127.0.0.1", server.port, retries=False, timeout=2.0)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"{server.name} exited at start-up; see {server.log}")
        try:
            pool.request("GET", probe, headers=headers)
            return
        except urllib3.exceptions.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"{server.name} did not answer within {START_TIMEOUT:.0f} s; see {server.log}")


def start_sandbox(work: Path, *, db: bool) -> Server:
    """`pagoconf sandbox` on a free port."""
    port = free_port()
    args = ["sandbox", "--host", "127.0.0.1", "--port", str(port), "--key", KEY, "--sanp", SANP]
    if db:
        args += ["--db", str(work / "sandbox.sqlite")]
    command = [str(VENV_BIN / "pagoconf"), *args]
    log = work / "sandbox.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=work)
    server = Server("sandbox", process, port, f"{GPD_BASE}/organizations/{ORG}/debtpositions", log)
    wait_until_up(server, f"{GPD_BASE}/info", {"Ocp-Apim-Subscription-Key": KEY})
    return server


TRIVIAL_APP = """
import sys, uvicorn
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    headers = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": 201, "headers": headers})
    await send({"type": "http.response.body", "body": b'{"status":"DRAFT"}'})
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), http="httptools", log_level="warning")
"""


def start_trivial(work: Path) -> Server:
    """A uvicorn app that answers every request 201 at once: the load generator's ceiling."""
    port = free_port()
    log = work / "trivial.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", TRIVIAL_APP, str(port)], stdout=out, stderr=subprocess.STDOUT, cwd=work
        )
    server = Server("trivial", process, port, "/", log)
    wait_until_up(server, "/", {})
    return server


def prism_binary(folder: Path) -> Path | None:
    """Prism's CLI in `folder`, installed there with npm if it is not yet (None: no npm, or it failed)."""
    binary = folder / "node_modules" / ".bin" / "prism"
    if binary.exists():
        return binary
    npm = shutil.which("npm")
    if npm is None:
        print("npm not found: Prism skipped")
        return None
    folder.mkdir(parents=True, exist_ok=True)
    print(f"installing {PRISM_PACKAGE} into {folder} (once) …", flush=True)
    done = subprocess.run(
        [
            npm,
            "install",
            "--prefix",
            str(folder),
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            PRISM_PACKAGE,
        ],
        capture_output=True,
        timeout=INSTALL_TIMEOUT,
        check=False,
    )
    if done.returncode != 0 or not binary.exists():
        print(f"npm install failed: Prism skipped\n{done.stderr.decode(errors='replace')[-2000:]}")
        return None
    return binary


def start_prism(binary: Path, document: Path, work: Path) -> Server:
    """`prism mock` of `document` on a free port (its defaults; its log discarded)."""
    port = free_port()
    log = work / "prism.log"
    process = subprocess.Popen(
        [str(binary), "mock", "-h", "127.0.0.1", "-p", str(port), str(document)],
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
        cwd=work,
    )
    # Prism serves the document's paths at the root (it ignores the servers' base path)
    server = Server("prism", process, port, f"/organizations/{ORG}/debtpositions", log)
    wait_until_up(server, "/info", {"Ocp-Apim-Subscription-Key": KEY})
    return server


# --- the load ----------------------------------------------------------------------------------------------


@dataclass
class Result:
    """What one timed load on one server gave."""

    server: str
    seconds: float
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    failures: int = 0

    @property
    def created(self) -> int:
        return self.statuses.get(201, 0)

    @property
    def throughput(self) -> float:
        return self.created / self.seconds if self.seconds else 0.0

    def quantile(self, q: float) -> float:
        """The q-quantile of the latencies, in ms."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    def line(self) -> str:
        errors = sum(n for status, n in self.statuses.items() if status != 201) + self.failures
        return (
            f"{self.server:8} {len(self.latencies):7d} req  {errors:5d} err  "
            f"{self.throughput:8.1f} created/s  "
            f"p50 {self.quantile(0.50):7.2f} ms  p99 {self.quantile(0.99):7.2f} ms  "
            f"max {max(self.latencies, default=0) * 1000:7.1f} ms"
        )


def load(
    server: Server, *, clients: int, seconds: float, max_requests: int, numbers: itertools.count[int]
) -> Result:
    """`clients` threads POST distinct positions to `server` for `seconds` or `max_requests` in all."""
    template = body_template()
    headers = {"Ocp-Apim-Subscription-Key": KEY, "Content-Type": "application/json"}
    result = Result(server.name, seconds)
    lock = threading.Lock()
    budget = itertools.count()
    start = threading.Barrier(clients + 1)
    deadline = [0.0]

    def client() -> None:
        pool = urllib3.HTTPConnectionPool(
            "127.0.0.1", server.port, maxsize=1, retries=False, timeout=urllib3.Timeout(connect=5, read=30)
        )
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        failures = 0
        start.wait()
        while time.perf_counter() < deadline[0] and next(budget) < max_requests:
            n = next(numbers)
            data = (template % {"iupd": f"BENCH-{n:09d}", "iuv": f"01{n:015d}"}).encode()
            sent = time.perf_counter()
            try:
                answer = pool.urlopen("POST", server.create_path, body=data, headers=headers)
            except urllib3.exceptions.HTTPError:
                failures += 1
                continue
            latencies.append(time.perf_counter() - sent)
            statuses[answer.status] = statuses.get(answer.status, 0) + 1
        with lock:
            result.latencies += latencies
            result.failures += failures
            for status, count in statuses.items():
                result.statuses[status] = result.statuses.get(status, 0) + count

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + seconds
    start.wait()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    result.seconds = time.perf_counter() - began
    return result


def sandbox_state(server: Server) -> str:
    """How many positions the sandbox holds and how many exchanges it journaled."""
    pool = urllib3.HTTPConnectionPool("127.0.0.1", server.port, retries=False, timeout=30.0)
    listed = pool.request(
        "GET",
        f"{GPD_BASE}/organizations/{ORG}/debtpositions?page=0&limit=1",
        headers={"Ocp-Apim-Subscription-Key": KEY},
    )
    # a page of one: its total_pages is the number of positions
    found = json.loads(listed.data)["page_info"]["total_pages"] if listed.status == 200 else "?"
    journal = json.loads(pool.request("GET", "/_sandbox/journal?limit=1").data)
    return f"sandbox holds {found} positions; its journal holds {journal['total']} exchanges"


def profile_service(n: int, top: int = 25) -> None:
    """Where the sandbox's own time goes on createPosition: n requests straight into SandboxService.handle in
    this process, one thread, under cProfile (the HTTP server, the ASGI hop and the threads are not in it)."""
    from pagoconf.platform.sandbox.keys import KeyRing, cli_keys
    from pagoconf.platform.sandbox.request import SandboxRequest
    from pagoconf.platform.sandbox.server import open_store
    from pagoconf.platform.sandbox.service import SandboxService

    store, _ = open_store(None, sanp=SANP)
    service = SandboxService(store, KeyRing(cli_keys([KEY])), sanp=SANP)
    template = body_template()
    path = f"{GPD_BASE}/organizations/{ORG}/debtpositions"
    headers = {"ocp-apim-subscription-key": KEY, "content-type": "application/json"}

    def request(i: int) -> SandboxRequest:
        body = (template % {"iupd": f"PROF-{i:09d}", "iuv": f"03{i:015d}"}).encode()
        return SandboxRequest(
            "POST",
            path,
            "",
            headers,
            body,
            len(body),
            "gpd",
            "createPosition",
            {"organizationfiscalcode": ORG},
        )

    for i in range(50):  # warm the caches
        service.handle(request(i), None, time.perf_counter())
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for i in range(50, 50 + n):
        service.handle(request(i), None, time.perf_counter())
    profiler.disable()
    took = time.perf_counter() - started
    service.close()
    store.close()
    print(f"\nSandboxService.handle, createPosition, one thread, under cProfile: {n / took:.0f} req/s")
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def main() -> None:
    """Measure, print, compare."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time per server and round")
    parser.add_argument("--max-requests", type=int, default=50_000, help="cap per server and round")
    parser.add_argument("--rounds", type=int, default=1, help="rounds, alternating the servers' order")
    parser.add_argument("--db", action="store_true", help="the sandbox keeps its state in a SQLite file")
    parser.add_argument(
        "--profile", type=int, metavar="N", help="then profile N createPosition in SandboxService.handle"
    )
    parser.add_argument("--ceiling", action="store_true", help="first measure a trivial server (no work)")
    parser.add_argument("--prism-dir", type=Path, default=None)
    parser.add_argument("--no-prism", action="store_true")
    args = parser.parse_args()
    cache = Path(os.environ.get("PAGOCONF_BENCH_CACHE", Path.home() / ".cache" / "pagoconf-bench"))
    document = contract_path(SANP, "openapi/gpd.json")
    binary = None if args.no_prism else prism_binary(args.prism_dir or cache / "prism")
    numbers = itertools.count(1)
    results: dict[str, list[Result]] = {"sandbox": [], "prism": []}
    print(
        f"createPosition, SANP {SANP}, {args.clients} clients, {args.seconds:.0f} s per server and round, "
        f"{args.rounds} round(s); sandbox store: {'SQLite file' if args.db else 'SQLite in memory'}"
    )
    with tempfile.TemporaryDirectory(prefix="pagoconf-bench-") as tmp:
        work = Path(tmp)
        if args.ceiling:
            trivial = start_trivial(work)
            try:
                for seconds, cap in ((WARMUP_SECONDS, 10_000), (args.seconds, args.max_requests)):
                    ceiling = load(
                        trivial, clients=args.clients, seconds=seconds, max_requests=cap, numbers=numbers
                    )
                print(f"ceiling  {ceiling.line()}", flush=True)
            finally:
                trivial.stop()
        sandbox = start_sandbox(work, db=args.db)
        prism = start_prism(binary, document, work) if binary is not None else None
        try:
            servers = [s for s in (sandbox, prism) if s is not None]
            for server in servers:  # warm-up, not counted
                load(
                    server, clients=args.clients, seconds=WARMUP_SECONDS, max_requests=10_000, numbers=numbers
                )
            for n in range(args.rounds):
                for server in servers if n % 2 == 0 else servers[::-1]:
                    result = load(
                        server,
                        clients=args.clients,
                        seconds=args.seconds,
                        max_requests=args.max_requests,
                        numbers=numbers,
                    )
                    results[server.name].append(result)
                    print(f"round {n + 1}  {result.line()}", flush=True)
            print(sandbox_state(sandbox))
        finally:
            sandbox.stop()
            if prism is not None:
                prism.stop()
    summarise(results)
    if args.profile:
        profile_service(args.profile)


def summarise(results: dict[str, list[Result]]) -> None:
    """The median round of each server, and the ratios against the targets."""
    best = {name: _median(runs) for name, runs in results.items() if runs}
    for result in best.values():
        print(f"median   {result.line()}")
    if "sandbox" in best and "prism" in best:
        sandbox, prism = best["sandbox"], best["prism"]
        ratio = sandbox.throughput / prism.throughput if prism.throughput else float("inf")
        p99 = sandbox.quantile(0.99) / prism.quantile(0.99)
        print(
            f"sandbox / prism: throughput {ratio:.2f}× (target ≥ 2×: {'met' if ratio >= 2 else 'NOT met'}), "
            f"p99 {p99:.2f}× (target ≤ 1×: {'met' if p99 <= 1 else 'NOT met'})"
        )


def _median(runs: list[Result]) -> Result:
    ordered = sorted(runs, key=lambda r: r.throughput)
    return ordered[(len(ordered) - 1) // 2]


if __name__ == "__main__":
    main()
