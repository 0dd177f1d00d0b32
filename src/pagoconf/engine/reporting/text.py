"""Small text helpers shared by the human-readable reports."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pagoconf.engine.ledger import BROKEN, CONFORMANT, FAILED, INCONCLUSIVE, NOT_CONFORMANT, NOT_RUN, PASSED
from pagoconf.engine.reporting.report import RunReport

STATUS_LABEL = {PASSED: "passed", FAILED: "failed", NOT_RUN: "not run", BROKEN: "broken"}
VERDICT_WORDS = {CONFORMANT: "CONFORMANT", NOT_CONFORMANT: "NOT CONFORMANT", INCONCLUSIVE: "INCONCLUSIVE"}


def format_duration(seconds: float) -> str:
    """12.3 s, or 2 min 05 s for longer runs."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes} min {secs:02d} s"


def service_level_line(sl: Mapping[str, Any] | None) -> str | None:
    """'97.5 % of 40 answers within 2 s (target 98 %)' from the run's service_level mapping."""
    if not sl or not sl.get("answers"):
        return None
    pct = 100.0 * float(sl["within"]) / float(sl["answers"])
    return (
        f"{_num(pct)} % of {sl['answers']} answers within {_num(float(sl['seconds']))} s"
        f" (target {_num(100.0 * float(sl['target_share']))} %)"
    )


def _num(x: float) -> str:
    """A number without a useless trailing .0 (97.5, 98, 2)."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


def target_rows(report: RunReport) -> list[tuple[str, str]]:
    """The target table: url, identity, primitive version, SANP, profile, harness, started, duration."""
    t = dict(report.target)
    identity = " · ".join(
        f"{label} {t.pop(key)}"
        for label, key in (("idPA", "id_pa"), ("idBrokerPA", "id_broker_pa"), ("idStation", "id_station"))
        if key in t
    )
    rows = [
        ("URL", plain(t.pop("url", None) or "—")),
        ("Identity", identity or "—"),
        ("Primitive version", plain(t.pop("primitive_version", None) or "—")),
        ("SANP", report.sanp),
        ("Profile", report.profile),
        ("Harness version", f"pagoconf {report.harness_version}"),
        ("Started", report.started),
        ("Duration", format_duration(report.duration_s)),
    ]
    rows += [(k, plain(v)) for k, v in t.items()]
    return rows


def plain(v: Any) -> str:
    """A value as one line of text."""
    if isinstance(v, Mapping):
        return " · ".join(f"{k} {plain(x)}" for k, x in v.items())
    if isinstance(v, list | tuple | set):
        return ", ".join(plain(x) for x in v)
    return str(v)


def one_line(s: str) -> str:
    """Whitespace folded to single spaces."""
    return " ".join(str(s).split())
