"""The end-of-run terminal summary: verdict, counts, notes, each failed rule once, broken rules, paths."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from pagoconf.engine.ledger import (
    BROKEN,
    CONFORMANT,
    FAILED,
    NOT_CONFORMANT,
    NOT_RUN,
    STATUSES,
    RuleResult,
    summary,
)
from pagoconf.engine.reporting import failures
from pagoconf.engine.reporting.report import RunReport
from pagoconf.engine.reporting.text import (
    STATUS_LABEL,
    VERDICT_WORDS,
    format_duration,
    one_line,
    service_level_line,
    target_rows,
)
from pagoconf.engine.run import RunState

MAX_LISTED = 3
_ANSI = {"red": "\x1b[31m", "green": "\x1b[32m", "yellow": "\x1b[33m", "bold": "\x1b[1m", "dim": "\x1b[2m"}
_RESET = "\x1b[0m"
ICONS = {CONFORMANT: "✓", NOT_CONFORMANT: "✗"}
Paint = Callable[[str, str], str]


def terminal_summary(
    report: RunReport, run: RunState | None, paths: Mapping[str, Path], *, color: bool = False
) -> str:
    """A short plain-text block for the end of a run."""
    paint = _painter(color)
    lines = [_verdict_line(report, paint), _target_line(report)]
    lines += [paint("yellow", f"⚠ {note}") for note in report.notes]
    sl = service_level_line(report.service_level)
    if sl:
        lines.append(f"service level: {sl}")
    lookup = run.find if run is not None else _nothing
    required = [r for r in report.results if r.required]
    for res in required:
        if res.status == FAILED:
            subject = run.subject if run is not None else (lambda ex: "")
            lines += [
                "",
                *failures.block(res.rule, res.violations, report.sanp, lookup, subject, paint=paint),
            ]
    advice = [r for r in report.results if r.advice and r.status == FAILED]
    if advice:
        lines += [
            "",
            paint(
                "dim",
                f"advice (outside the {report.profile} profile): " + ", ".join(r.rule.id for r in advice),
            ),
        ]
    lines += _broken_block([r for r in required if r.status == BROKEN], paint)
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
    word = f"{ICONS.get(report.verdict, '⚠')} {VERDICT_WORDS.get(report.verdict, report.verdict)}"
    counts = summary(r for r in report.results if not r.advice)
    shown = " · ".join(f"{counts[s]} {STATUS_LABEL[s]}" for s in STATUSES)
    required = sum(1 for r in report.results if r.required)
    advice = sum(1 for r in report.results if r.advice)
    rules = f"{len(report.results)} rules, {required} required" + (f", {advice} advice" if advice else "")
    return f"{paint(style, paint('bold', word))}  {shown}  ({rules})"


def _target_line(report: RunReport) -> str:
    url = dict(target_rows(report))["URL"]
    took = format_duration(report.duration_s)
    return f"SANP {report.sanp} · {report.profile} · {url} · {took} · pagoconf {report.harness_version}"


def _broken_block(results: list[RuleResult], paint: Paint) -> list[str]:
    by_reason: dict[str, list[str]] = {}
    for res in results:
        by_reason.setdefault(res.reason or "no reason recorded", []).append(res.rule.id)
    lines: list[str] = []
    for reason, ids in by_reason.items():
        head = f"⚠ {ids[0]} broken" if len(ids) == 1 else f"⚠ {len(ids)} rules broken"
        lines += ["", paint("yellow", head) + f": {one_line(reason)}"]
        if len(ids) > 1:
            lines.append("  " + ", ".join(ids))
    return lines


def _not_run_block(results: list[RuleResult], paint: Paint) -> list[str]:
    if not results:
        return []
    lines = ["", paint("yellow", f"required but not run: {len(results)}")]
    lines += [f"  – {res.rule.id}: {one_line(res.reason or '')}" for res in results[:MAX_LISTED]]
    if len(results) > MAX_LISTED:
        lines.append(f"  … and {len(results) - MAX_LISTED} more")
    return lines


def _nothing(number: int) -> None:
    """No run: no exchange to show."""
    return None
