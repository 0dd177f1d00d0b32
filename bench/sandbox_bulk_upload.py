"""Time a bulk upload through the GPD sandbox: accept a ZIP of N debt positions, process it, query them all.

Starts a Sandbox on 127.0.0.1 in this process (SQLite in a temporary file), builds a real ZIP of one JSON
file with N positions (100,000 by default), POSTs it as multipart/form-data to the bulk-upload API, then
polls the status URL the 202 gives (honouring Retry-After) until every position is processed. Prints the
time to accept (the 202), the time to process (the 202 until processedItem = submittedItem), the report's
outcomes, and whether every position is queryable (the list API's page count, and a sample read one by one).
Every loop is bounded in count and in time (--budget)."""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import urllib3
from bench_support import due_in, position

from pagoconf.platform.sandbox import Sandbox

KEY = "bench-key-0123456789"
ORG = "77777777777"
BROKER = "15376371009"
PAGE = 50
SAMPLE = 200


def positions(n: int) -> list[dict[str, Any]]:
    """N payable positions, one option and one transfer each, unique IUPD, IUV and notice number."""
    due = due_in(60)
    return [
        position(f"BENCH-{i:07d}", f"01{i:015d}", amount=1000 + i % 9000, due=due, label=f" {i}")
        for i in range(n)
    ]


def zipped(document: dict[str, Any]) -> bytes:
    """A ZIP archive holding the document as positions.json."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("positions.json", json.dumps(document))
    return buffer.getvalue()


def db(args: argparse.Namespace, folder: str) -> Path | None:
    """Where the sandbox keeps its state: a SQLite file in `folder` with --file, else memory."""
    return Path(folder) / "sandbox.db" if args.file else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=100_000, help="positions in the file (default 100000)")
    parser.add_argument("--budget", type=float, default=300.0, help="give up after this many seconds")
    parser.add_argument("--sanp", default="3.8.0", choices=("3.8.0", "3.13.0"))
    parser.add_argument(
        "--file", action="store_true", help="keep the state in a SQLite file (default: memory)"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    built = positions(args.n)
    archive = zipped({"paymentPositions": built})
    body, content_type = urllib3.encode_multipart_formdata(
        {"file": ("positions.zip", archive, "application/zip")}
    )
    built_in = time.perf_counter() - started
    print(f"file: {args.n} positions, {len(archive) / 1e6:.2f} MB zipped ({built_in:.1f} s to build)")
    http = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(connect=5, read=120))
    headers = {"Ocp-Apim-Subscription-Key": KEY}
    with (
        tempfile.TemporaryDirectory() as folder,
        Sandbox(sanp=args.sanp, keys=[KEY], db=db(args, folder)) as sb,
    ):
        url = f"{sb.base_urls['gpd_massive']}/brokers/{BROKER}/organizations/{ORG}/debtpositions/file"
        t0, cpu0 = time.perf_counter(), time.process_time()
        answer = http.request("POST", url, body=body, headers={**headers, "Content-Type": content_type})
        accepted = time.perf_counter() - t0
        if answer.status != 202:
            print(f"refused: HTTP {answer.status} {answer.data[:300]!r}")
            return 1
        status_url = answer.headers["Location"]
        wait = float(answer.headers.get("Retry-After", "1"))
        status: dict[str, Any] = {}
        polls = 0
        while time.perf_counter() - t0 < args.budget and polls < 10_000:
            time.sleep(wait)
            polls += 1
            status = json.loads(http.request("GET", status_url, headers=headers).data)
            if status.get("processedItem") == status.get("submittedItem"):
                break
        processed = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
        done = status.get("processedItem") == status.get("submittedItem") == args.n
        print(f"accept (202): {accepted:.2f} s")
        state = "done" if done else "NOT DONE"
        print(f"process (202 → all processed, {polls} polls): {processed:.2f} s  {state}")
        report = json.loads(
            http.request("GET", status_url.replace("/status", "/report"), headers=headers).data
        )
        for entry in report.get("responses", []):
            message, count = entry["statusMessage"][:60], len(entry["requestIDs"])
            print(f"  report: {entry['statusCode']} {message!r} × {count}")
        positions_url = f"{sb.base_urls['gpd']}/organizations/{ORG}/debtpositions"
        first = json.loads(http.request("GET", f"{positions_url}?page=0&limit={PAGE}", headers=headers).data)
        pages = first["page_info"]["total_pages"]
        last = json.loads(
            http.request("GET", f"{positions_url}?page={pages - 1}&limit={PAGE}", headers=headers).data
        )
        listed = (pages - 1) * PAGE + len(last["payment_position_list"])
        sample = random.Random(0).sample(range(args.n), min(SAMPLE, args.n))
        found = sum(
            http.request("GET", f"{positions_url}/BENCH-{i:07d}", headers=headers).status == 200
            for i in sample
        )
        print(
            f"queryable: {listed} listed ({pages} pages of {PAGE}); sample {found}/{len(sample)} read by IUPD"
        )
        ok = done and listed == args.n and found == len(sample)
        more = processed - accepted
        print(f"total: {accepted:.1f} s to accept + {more:.1f} s more to process = {processed:.1f} s")
        print(f"CPU of this process (sandbox and client) from POST to done: {cpu:.1f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
