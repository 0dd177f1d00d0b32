"""conformance.json, conformance.md and the end-of-run terminal summary, read from a RunReport."""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from ..checks.answer import Violation
from ..ledger import (
    BROKEN,
    CONFORMANT,
    FAILED,
    INCONCLUSIVE,
    NOT_CONFORMANT,
    NOT_RUN,
    PASSED,
    RuleResult,
    summary,
)
from ..rules import Rule, spec_url
from .report import RunReport

PA_FOR_NODE = ("paVerifyPaymentNotice", "paGetPayment", "paGetPaymentV2")
ALL_PA_FOR_NODE = "All paForNode operations"
AREAS = {
    "paVerifyPaymentNotice": "Verify",
    "paGetPayment": "Activate",
    "paGetPaymentV2": "Activate",
    "paSendRT": "Receipts",
    "paSendRTV2": "Receipts",
    "paDemandPaymentNotice": "Spontaneous payments",
}
VERDICT_MD = {
    CONFORMANT: "✅ CONFORMANT",
    NOT_CONFORMANT: "❌ NOT CONFORMANT",
    INCONCLUSIVE: "⚠️ INCONCLUSIVE",
}
VERDICT_TERM = {
    CONFORMANT: "✓ CONFORMANT",
    NOT_CONFORMANT: "✗ NOT CONFORMANT",
    INCONCLUSIVE: "⚠ INCONCLUSIVE",
}
STATUS_ICON = {PASSED: "✅", FAILED: "❌", NOT_RUN: "⏭️", BROKEN: "⚠️"}
STATUSES = (PASSED, FAILED, NOT_RUN, BROKEN)
STATUS_LABEL = {PASSED: "passed", FAILED: "failed", NOT_RUN: "not run", BROKEN: "broken"}
MAX_VIOLATIONS = 3
_ANSI = {"red": "\x1b[31m", "green": "\x1b[32m", "yellow": "\x1b[33m", "bold": "\x1b[1m", "dim": "\x1b[2m"}
_RESET = "\x1b[0m"
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
Paint = Callable[[str, str], str]


# ---------------------------------------------------------------- files


def write_text_atomic(path: Path, text: str) -> Path:
    """Write `text` (UTF-8) to `path` via a temporary file and os.replace, creating parent folders."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_json(report: RunReport, path: Path) -> Path:
    """Write conformance.json (report.as_dict(), indent 2, UTF-8)."""
    text = json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n"
    return write_text_atomic(path, text)


def write_markdown(report: RunReport, path: Path, *, sanp_links: bool = True) -> Path:
    """Write conformance.md."""
    return write_text_atomic(path, markdown(report, sanp_links=sanp_links))


# ---------------------------------------------------------------- shared helpers


def operation_group(rule: Rule) -> str:
    """The heading a rule is listed under: its contract area and operations."""
    ops = tuple(rule.applies_to)
    if set(PA_FOR_NODE) <= set(ops):
        return ALL_PA_FOR_NODE
    if not ops:
        return "Other"
    areas = list(dict.fromkeys(AREAS.get(op, op) for op in ops))
    return f"{', '.join(areas)} ({', '.join(ops)})"


def group_by_operation(results: Iterable[RuleResult]) -> dict[str, list[RuleResult]]:
    """Results by operation group: all-operations first, then in catalogue order."""
    groups: dict[str, list[RuleResult]] = {}
    items = list(results)
    if any(operation_group(r.rule) == ALL_PA_FOR_NODE for r in items):
        groups[ALL_PA_FOR_NODE] = []
    for r in items:
        groups.setdefault(operation_group(r.rule), []).append(r)
    return groups


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
    """The target table: url, identity, primitive version, SANP, harness, started, duration, then extras."""
    t = dict(report.target)
    identity = " · ".join(
        f"{label} {t.pop(key)}"
        for label, key in (("idPA", "id_pa"), ("idBrokerPA", "id_broker_pa"), ("idStation", "id_station"))
        if key in t
    )
    rows = [
        ("URL", _plain(t.pop("url", None) or "—")),
        ("Identity", identity or "—"),
        ("Primitive version", _plain(t.pop("primitive_version", None) or "—")),
        ("SANP", report.sanp),
        ("Harness version", f"pagoconf {report.harness_version}"),
        ("Started", report.started),
        ("Duration", format_duration(report.duration_s)),
    ]
    rows += [(k, _plain(v)) for k, v in t.items()]
    return rows


def _plain(v: Any) -> str:
    if isinstance(v, Mapping):
        return " · ".join(f"{k} {_plain(x)}" for k, x in v.items())
    if isinstance(v, list | tuple | set):
        return ", ".join(_plain(x) for x in v)
    return str(v)


# ---------------------------------------------------------------- markdown


def md_escape(text: Any) -> str:
    """Text safe inside a markdown table cell: specials backslash-escaped, newlines folded."""
    s = _one_line(str(text))
    return _MD_SPECIAL.sub(r"\\\1", s)


def md_code(text: Any) -> str:
    """An inline code span safe inside a table cell."""
    s = _one_line(str(text)).replace("|", "\\|")
    fence = "``" if "`" in s else "`"
    pad = " " if "`" in s else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def _one_line(s: str) -> str:
    return " ".join(s.split())


def _md_url(url: str) -> str:
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def markdown(report: RunReport, *, sanp_links: bool = True) -> str:
    """The conformance.md document."""
    required = [r for r in report.results if r.required]
    optional = [r for r in report.results if not r.required]
    parts = [
        f"# Conformance: {VERDICT_MD.get(report.verdict, report.verdict)}",
        _md_target(report),
        _md_summary(report),
        *_md_groups(required, report.sanp, sanp_links),
        _md_not_required(optional, report.sanp, sanp_links),
    ]
    return "\n\n".join(p for p in parts if p).rstrip() + "\n"


def _md_table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    head = list(header)
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _md_target(report: RunReport) -> str:
    rows = [(md_escape(k), md_escape(v)) for k, v in target_rows(report)]
    return "## Target\n\n" + _md_table(("", ""), rows)


def _md_summary(report: RunReport) -> str:
    counts = summary(report.results)
    required = sum(1 for r in report.results if r.required)
    rows = [
        (f"{STATUS_ICON[s]} {STATUS_LABEL[s]}", str(counts[s])) for s in (PASSED, FAILED, NOT_RUN, BROKEN)
    ]
    text = "## Summary\n\n" + _md_table(("status", "rules"), rows)
    text += f"\n\n{len(report.results)} rules in the catalogue, {required} required for this run."
    extras = []
    if report.scenarios:
        extras.append("Scenarios: " + ", ".join(f"{v} {md_escape(k)}" for k, v in report.scenarios.items()))
    if report.exchanges:
        extras.append(f"Exchanges: {report.exchanges}")
    sl = service_level_line(report.service_level)
    if sl:
        extras.append(f"Service level: {md_escape(sl)}")
    if extras:
        text += "\n\n" + "  \n".join(extras)
    return text


def _md_rule_id(r: Rule, sanp: str, links: bool) -> str:
    return f"[{md_escape(r.id)}]({_md_url(spec_url(r, sanp))})" if links else md_escape(r.id)


def _md_detail(res: RuleResult) -> str:
    if res.status == FAILED and res.violations:
        v = res.violations[0]
        text = f"expected {md_escape(v.expected)} · actual {md_escape(v.actual)}"
        if v.where:
            text += f" · at {md_code(v.where)}"
        more = len(res.violations) - 1
        return text + (f" (+{more} more)" if more else "")
    return md_escape(res.reason) if res.reason else ""


def _md_row(res: RuleResult, sanp: str, links: bool) -> list[str]:
    r = res.rule
    status = f"{STATUS_ICON.get(res.status, '')} {STATUS_LABEL.get(res.status, res.status)}"
    return [_md_rule_id(r, sanp, links), md_escape(r.title), r.severity, status, _md_detail(res)]


def _md_groups(results: list[RuleResult], sanp: str, links: bool) -> Iterator[str]:
    if not results:
        return
    yield "## Rules"
    for group, items in group_by_operation(results).items():
        if items:
            rows = [_md_row(res, sanp, links) for res in items]
            header = ("rule", "title", "severity", "status", "detail")
            yield f"### {md_escape(group)}\n\n" + _md_table(header, rows)


def _md_not_required(results: list[RuleResult], sanp: str, links: bool) -> str:
    if not results:
        return ""
    lines = ["## Not required for this run", ""]
    for res in results:
        reason = md_escape(res.reason) if res.reason else STATUS_LABEL.get(res.status, res.status)
        lines.append(f"- {_md_rule_id(res.rule, sanp, links)} {md_escape(res.rule.title)}: {reason}")
    return "\n".join(lines)


# ---------------------------------------------------------------- terminal


def terminal_summary(report: RunReport, paths: Mapping[str, Path], *, color: bool = False) -> str:
    """A short plain-text block for the end of a run: verdict, counts, failures, broken rules, paths."""
    paint = _painter(color)
    lines = [_verdict_line(report, paint), _target_line(report)]
    sl = service_level_line(report.service_level)
    if sl:
        lines.append(f"service level: {sl}")
    required = [r for r in report.results if r.required]
    for res in required:
        if res.status == FAILED:
            lines += ["", *_failed_block(res, report.sanp, paint)]
    lines += _broken_block([r for r in report.results if r.status == BROKEN], paint)
    lines += _not_run_block([r for r in required if r.status == NOT_RUN], paint)
    if paths:
        width = max(len(label) for label in paths)
        lines += ["", paint("bold", "reports")]
        lines += [f"  {label.ljust(width)}  {path}" for label, path in paths.items()]
    return "\n".join(lines) + "\n"


def _painter(color: bool) -> Paint:
    def paint(style: str, text: str) -> str:
        return f"{_ANSI[style]}{text}{_RESET}" if color else text

    return paint


def _verdict_line(report: RunReport, paint: Paint) -> str:
    style = {CONFORMANT: "green", NOT_CONFORMANT: "red"}.get(report.verdict, "yellow")
    verdict = paint(style, paint("bold", VERDICT_TERM.get(report.verdict, report.verdict)))
    counts = summary(report.results)
    shown = " · ".join(f"{counts[s]} {STATUS_LABEL[s]}" for s in STATUSES)
    required = sum(1 for r in report.results if r.required)
    return f"{verdict}  {shown}  ({len(report.results)} rules, {required} required)"


def _target_line(report: RunReport) -> str:
    url = dict(target_rows(report))["URL"]
    took = format_duration(report.duration_s)
    return f"SANP {report.sanp} · {url} · {took} · pagoconf {report.harness_version}"


def _failed_block(res: RuleResult, sanp: str, paint: Paint) -> list[str]:
    r = res.rule
    lines = [paint("red", f"✗ {r.id} {r.title}") + f"   [{r.severity}]"]
    for i, v in enumerate(res.violations[:MAX_VIOLATIONS]):
        if i:
            lines.append("  ·")
        lines += _violation_lines(v, paint)
    extra = len(res.violations) - MAX_VIOLATIONS
    if extra > 0:
        lines.append(f"  … and {extra} more")
    lines.append(f"  {paint('dim', 'spec'):<{_label_width(paint)}}SANP {sanp} › {spec_url(r, sanp)}")
    return lines


def _label_width(paint: Paint) -> int:
    return len(paint("dim", "")) + 10


def _violation_lines(v: Violation, paint: Paint) -> list[str]:
    out = []
    for label, value in (("expected", v.expected), ("actual", v.actual), ("where", v.where)):
        if label == "where" and not value:
            continue
        first, *rest = str(value).splitlines() or [""]
        out.append(f"  {paint('dim', label):<{_label_width(paint)}}{first}")
        out += [f"{' ' * 12}{line}" for line in rest]
    return out


def _broken_block(results: list[RuleResult], paint: Paint) -> list[str]:
    by_reason: dict[str, list[str]] = {}
    for res in results:
        by_reason.setdefault(res.reason or "no reason recorded", []).append(res.rule.id)
    lines: list[str] = []
    for reason, ids in by_reason.items():
        head = f"⚠ {ids[0]} broken" if len(ids) == 1 else f"⚠ {len(ids)} rules broken"
        lines += ["", paint("yellow", head) + f": {_one_line(reason)}"]
        if len(ids) > 1:
            lines.append("  " + ", ".join(ids))
    return lines


def _not_run_block(results: list[RuleResult], paint: Paint) -> list[str]:
    if not results:
        return []
    lines = ["", paint("yellow", f"required but not run: {len(results)}")]
    lines += [f"  – {res.rule.id}: {_one_line(res.reason or '')}" for res in results[:MAX_VIOLATIONS]]
    if len(results) > MAX_VIOLATIONS:
        lines.append(f"  … and {len(results) - MAX_VIOLATIONS} more")
    return lines
