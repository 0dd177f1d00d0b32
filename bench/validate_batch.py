"""`pagoconf validate --batch` throughput, lxml (the real code) vs an xmlschema-only variant.

1. Generates a JSONL of M (default 5000) captured exchanges from the reference model (StationModel.answer,
   no HTTP): paVerifyPaymentNotice / paGetPayment / paGetPaymentV2 answers, OK and KO (payable, expired,
   annulled, paid, unknown notices, wrong institution/station), plus ~10% broken by mutation (schema
   errors, wrong namespace, SOAP 1.2, SOAP Fault, truncated XML).
2. Pins the process to one core and measures messages/s of offline.judge_batch over the file:
   - lxml path: judge_batch(pa_for_node_schema(...), file) — exactly what the CLI calls;
   - xmlschema-only path: the same judge_batch, but the SCHEMA-001 validation goes through
     schema.xmlschema.iter_errors(element) (an adaptor defined here; src/ is untouched).
   Also times schema validation alone on the same response elements, both ways.
3. Runs `pagoconf validate --batch FILE` as a subprocess (same core), end to end including start-up,
   and an empty batch to show the start-up cost alone.

    /work/main/.venv/bin/python bench/validate_batch.py [-m 5000] [--budget 20] [--no-pin]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from lxml import etree

from pagoconf.engine.contracts import DEFAULT_SANP
from pagoconf.engine.exchange import Exchange
from pagoconf.sync import soap as wire
from pagoconf.sync import xmlsafe
from pagoconf.sync.answer import Answer
from pagoconf.sync.config import Identity
from pagoconf.sync.offline import judge_batch
from pagoconf.sync.reference import IDENTITY, StationModel, seed_notices
from pagoconf.sync.reference.data import notice_number
from pagoconf.sync.requests.primitives import get_payment_request, verify_request
from pagoconf.sync.schema import PA_FOR_NODE_NS, pa_for_node_schema

OPS = ("paVerifyPaymentNotice", "paGetPayment", "paGetPaymentV2")
_CLARK = re.compile(r"\{[^}]*\}")
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"


class XmlschemaOnly:
    """The PaForNodeSchema interface the checks use, validating with xmlschema instead of lxml."""

    namespace = PA_FOR_NODE_NS

    def __init__(self, base: Any) -> None:
        self.version = base.version
        self.path = base.path
        self.xs = base.xmlschema  # built here, outside the timed loop

    def errors(self, element: etree._Element) -> list[tuple[str, str]]:
        return [(e.reason or str(e), _CLARK.sub("", e.path or "")) for e in self.xs.iter_errors(element)]


# --- generation -----------------------------------------------------------------------------------------


def requests_pool() -> list[tuple[str, bytes]]:
    """(operation, request envelope) for every case the generator draws from."""
    ours = Identity(IDENTITY.id_pa, IDENTITY.id_broker_pa, IDENTITY.id_station)
    other_ec = Identity("12345678901", IDENTITY.id_broker_pa, IDENTITY.id_station)
    other_station = Identity(IDENTITY.id_pa, IDENTITY.id_broker_pa, IDENTITY.id_station + "X")
    navs = [n.nav for group in seed_notices().values() for n in group] + [notice_number("payable", 99)]
    pool = []
    for op in OPS:
        for nav in navs:
            for ident, weight in ((ours, 6), (other_ec, 1), (other_station, 1)):
                if op == "paVerifyPaymentNotice":
                    body = verify_request(ident, ident.id_pa, nav)
                else:
                    version = 1 if op == "paGetPayment" else 2
                    body = get_payment_request(ident, ident.id_pa, nav, version=version)
                pool += [(op, body)] * weight
    return pool


def mutate(response: bytes, rng: random.Random) -> tuple[str, bytes]:
    """A broken copy of a well-formed answer, and the name of the mutation."""
    kind = rng.choice(
        (
            "drop-outcome",
            "extra-element",
            "bad-outcome",
            "amount-no-cents",
            "unqualified",
            "soap12",
            "soap-fault",
            "truncated",
        )
    )
    if kind == "truncated":
        return kind, response[: rng.randrange(40, max(41, len(response) - 10))]
    if kind == "soap12":
        return kind, response.replace(wire.SOAP_ENV.encode(), SOAP12.encode())
    root = xmlsafe.parse(response)
    body = root.find(f"{{{wire.SOAP_ENV}}}Body")
    res = body[0]
    if kind == "soap-fault":
        body.remove(res)
        fault = etree.SubElement(body, f"{{{wire.SOAP_ENV}}}Fault")
        wire.element(fault, "faultcode", "soapenv:Server")
        wire.element(fault, "faultstring", "internal error")
    elif kind == "drop-outcome" and res.find("outcome") is not None:
        res.remove(res.find("outcome"))
    elif kind == "bad-outcome" and res.find("outcome") is not None:
        res.find("outcome").text = "MAYBE"
    elif kind == "amount-no-cents" and res.find(".//paymentAmount") is not None:
        res.find(".//paymentAmount").text = "120.5"
    elif kind == "amount-no-cents" and res.find(".//amount") is not None:
        res.find(".//amount").text = "35"
    elif kind == "unqualified":
        res.tag = etree.QName(res).localname
    else:
        kind = "extra-element"
        wire.element(res, "unexpectedElement", "1")
    return kind, etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def generate(path: Path, m: int, seed: int, broken_share: float) -> Counter[str]:
    rng = random.Random(seed)
    app = StationModel(sanp=DEFAULT_SANP)
    pool = requests_pool()
    answers: dict[bytes, bytes] = {}
    mix: Counter[str] = Counter()
    with path.open("w", encoding="utf-8") as out:
        for _ in range(m):
            op, request = rng.choice(pool)
            if request not in answers:
                answers[request] = app.answer(request, op).body
            response = answers[request]
            if rng.random() < broken_share:
                kind, response = mutate(response, rng)
                mix[f"broken:{kind}"] += 1
            else:
                outcome = b"<outcome>OK</outcome>" in response
                mix[f"{op} {'OK' if outcome else 'KO'}"] += 1
            line = {
                "operation": op,
                "request": request.decode("utf-8"),
                "response": response.decode("utf-8", errors="ignore"),
            }
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    return mix


# --- measurement ----------------------------------------------------------------------------------------


def run_batch(schema: Any, path: Path, budget: float) -> tuple[list[dict[str, Any]], float]:
    """Verdicts of judge_batch over the file, and the seconds it took (stops at `budget`)."""
    verdicts = []
    with path.open(encoding="utf-8") as handle:
        start = time.perf_counter()
        for verdict in judge_batch(schema, handle):
            verdicts.append(verdict)
            if time.perf_counter() - start > budget:
                print(f"  (time budget of {budget:g} s reached after {len(verdicts)} messages)")
                break
        elapsed = time.perf_counter() - start
    return verdicts, elapsed


def validation_only(errors: Any, elements: list[etree._Element], budget: float) -> tuple[int, float]:
    start = time.perf_counter()
    done = 0
    for el in elements:
        errors(el)
        done += 1
        if time.perf_counter() - start > budget:
            break
    return done, time.perf_counter() - start


def response_elements(path: Path, schema: Any) -> list[etree._Element]:
    """The paForNode response elements of the file's answers (those a SCHEMA-001 check would see)."""
    out = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            ex = Exchange(item["operation"], "(captured)", b"", {}, response=item["response"].encode())
            el = Answer.of(ex, schema).response
            if el is not None:
                out.append(el)
    return out


def tally(verdicts: list[dict[str, Any]]) -> str:
    ok = sum(1 for v in verdicts if v.get("conformant") is True)
    bad = sum(1 for v in verdicts if v.get("conformant") is False)
    err = sum(1 for v in verdicts if "error" in v)
    return f"{ok} conformant, {bad} not, {err} unusable (not XML)"


def rules_of(verdict: dict[str, Any]) -> frozenset[str]:
    return frozenset(v["rule"] for v in verdict.get("violations", ()))


def subprocess_batch(path: Path, out: Path, timeout: float) -> tuple[float, int, int]:
    cli = Path(sys.executable).parent / "pagoconf"
    with out.open("wb") as sink:
        start = time.perf_counter()
        proc = subprocess.run(
            [str(cli), "validate", "--batch", str(path)],
            stdout=sink,
            stderr=subprocess.PIPE,
            timeout=timeout,
            check=False,
        )
        elapsed = time.perf_counter() - start
    with out.open("rb") as f:
        lines = sum(1 for _ in f)
    return elapsed, proc.returncode, lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-m", type=int, default=5000, help="captured exchanges in the JSONL (default 5000)")
    ap.add_argument("--broken", type=float, default=0.10, help="share broken by mutation (default 0.10)")
    ap.add_argument("--seed", type=int, default=20251127)
    ap.add_argument("--budget", type=float, default=20.0, help="max seconds per in-process path (default 20)")
    ap.add_argument("--no-pin", action="store_true", help="do not pin to one core")
    args = ap.parse_args()

    if not args.no_pin and hasattr(os, "sched_setaffinity"):
        cpu = max(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})  # inherited by the subprocess below
        where = f"pinned to CPU {cpu} (of {os.cpu_count()})"
    else:
        where = f"not pinned ({os.cpu_count()} CPUs)"

    schema = pa_for_node_schema(DEFAULT_SANP)
    with tempfile.TemporaryDirectory(prefix="pagoconf-bench-") as tmp:
        path = Path(tmp) / "batch.jsonl"
        t0 = time.perf_counter()
        mix = generate(path, args.m, args.seed, args.broken)
        gen = time.perf_counter() - t0
        size = path.stat().st_size
        print(
            f"validate_batch: {args.m} messages, {size / 1e6:.1f} MB JSONL generated in {gen:.1f} s; "
            f"SANP {DEFAULT_SANP}; {where}"
        )
        print("  mix: " + ", ".join(f"{k} {v}" for k, v in sorted(mix.items())))

        # warm-up both validators (first-use costs are not throughput)
        t0 = time.perf_counter()
        alt = XmlschemaOnly(schema)
        xs_build = time.perf_counter() - t0
        with path.open(encoding="utf-8") as handle:
            warm = [next(handle) for _ in range(min(50, args.m))]
        list(judge_batch(schema, warm))
        list(judge_batch(alt, warm))

        lx_verdicts, lx_time = run_batch(schema, path, args.budget)
        lx_rate = len(lx_verdicts) / lx_time
        print(
            f"\njudge_batch, lxml (real code):   {len(lx_verdicts):6d} msgs in {lx_time:6.2f} s = "
            f"{lx_rate:8.0f} msg/s   ({1000 / lx_rate:.3f} ms/msg; {tally(lx_verdicts)})"
        )
        xs_verdicts, xs_time = run_batch(alt, path, args.budget)
        xs_rate = len(xs_verdicts) / xs_time
        print(
            f"judge_batch, xmlschema-only:     {len(xs_verdicts):6d} msgs in {xs_time:6.2f} s = "
            f"{xs_rate:8.0f} msg/s   ({1000 / xs_rate:.3f} ms/msg; {tally(xs_verdicts)})"
        )
        print(
            f"  ratio lxml / xmlschema: {lx_rate / xs_rate:.1f}x   "
            f"(xmlschema schema build, once: {xs_build:.2f} s)"
        )
        common = min(len(lx_verdicts), len(xs_verdicts))
        differ_ok = sum(
            1
            for a, b in zip(lx_verdicts, xs_verdicts, strict=False)
            if a.get("conformant") != b.get("conformant")
        )
        differ_rules = sum(
            1 for a, b in zip(lx_verdicts, xs_verdicts, strict=False) if rules_of(a) != rules_of(b)
        )
        print(
            f"  agreement on {common} messages: conformant differs on {differ_ok}, violated-rule set on "
            f"{differ_rules}"
        )

        elements = response_elements(path, schema)
        n_lx, t_lx = validation_only(schema.errors, elements, args.budget / 2)
        n_xs, t_xs = validation_only(alt.errors, elements, args.budget / 2)
        print(f"\nschema validation alone ({len(elements)} response elements):")
        print(f"  lxml XMLSchema.validate:   {n_lx / t_lx:9.0f} el/s  ({1000 * t_lx / n_lx:.4f} ms/el)")
        print(f"  xmlschema iter_errors:     {n_xs / t_xs:9.0f} el/s  ({1000 * t_xs / n_xs:.4f} ms/el)")
        print(f"  ratio: {(n_lx / t_lx) / (n_xs / t_xs):.0f}x")

        empty = Path(tmp) / "empty.jsonl"
        empty.write_text("", encoding="utf-8")
        t_start, rc0, _ = subprocess_batch(empty, Path(tmp) / "empty.out", timeout=60)
        t_full, rc, lines = subprocess_batch(path, Path(tmp) / "batch.out", timeout=120)
        print(
            f"\n`pagoconf validate --batch` subprocess: {lines} verdict lines in {t_full:.2f} s = "
            f"{lines / t_full:.0f} msg/s end to end (exit {rc})"
        )
        print(
            f"  empty batch (start-up only): {t_start:.2f} s (exit {rc0}); without start-up: "
            f"{lines / max(t_full - t_start, 1e-9):.0f} msg/s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
