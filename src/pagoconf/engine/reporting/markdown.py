"""conformance.md: the verdict for people, rules grouped by operation, the first violation of each."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pagoconf.engine.ledger import (
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
from pagoconf.engine.reporting.files import write_text_atomic
from pagoconf.engine.reporting.report import RunReport, group_by_operation
from pagoconf.engine.reporting.text import STATUS_LABEL, one_line, service_level_line, target_rows
from pagoconf.engine.rules import Rule, spec_url

VERDICT_MD = {
    CONFORMANT: "✅ CONFORMANT",
    NOT_CONFORMANT: "❌ NOT CONFORMANT",
    INCONCLUSIVE: "⚠️ INCONCLUSIVE",
}
STATUS_ICON = {PASSED: "✅", FAILED: "❌", NOT_RUN: "⏭️", BROKEN: "⚠️"}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def write_markdown(report: RunReport, path: Path, *, sanp_links: bool = True) -> Path:
    """Write conformance.md."""
    return write_text_atomic(path, markdown(report, sanp_links=sanp_links))


def md_escape(text: Any) -> str:
    """Text safe inside a markdown table cell: specials backslash-escaped, newlines folded."""
    return _MD_SPECIAL.sub(r"\\\1", one_line(str(text)))


def md_code(text: Any) -> str:
    """An inline code span safe inside a table cell."""
    s = one_line(str(text)).replace("|", "\\|")
    fence = "``" if "`" in s else "`"
    pad = " " if "`" in s else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def _md_url(url: str) -> str:
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def markdown(report: RunReport, *, sanp_links: bool = True) -> str:
    """The conformance.md document."""
    required = [r for r in report.results if r.required]
    advice = [r for r in report.results if r.advice]
    optional = [r for r in report.results if not r.required and not r.advice]
    parts = [
        f"# Conformance: {VERDICT_MD.get(report.verdict, report.verdict)}",
        _md_notes(report),
        _md_target(report),
        _md_summary(report),
        *_md_groups(required, report.sanp, sanp_links, "Rules"),
        *_md_groups(advice, report.sanp, sanp_links, f"Advice (outside the {report.profile} profile)"),
        _md_not_required(optional, report.sanp, sanp_links),
    ]
    return "\n\n".join(p for p in parts if p).rstrip() + "\n"


def _md_table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    head = list(header)
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _md_notes(report: RunReport) -> str:
    return "\n".join(f"> ⚠️ {md_escape(n)}" for n in report.notes)


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
        if v.exchange:
            text += f" · exchange #{v.exchange}"
        more = len(res.violations) - 1
        return text + (f" (+{more} more)" if more else "")
    return md_escape(res.reason) if res.reason else ""


def _md_row(res: RuleResult, sanp: str, links: bool) -> list[str]:
    r = res.rule
    status = f"{STATUS_ICON.get(res.status, '')} {STATUS_LABEL.get(res.status, res.status)}"
    return [_md_rule_id(r, sanp, links), md_escape(r.title), r.severity, status, _md_detail(res)]


def _md_groups(results: list[RuleResult], sanp: str, links: bool, title: str) -> Iterator[str]:
    if not results:
        return
    yield f"## {title}"
    for group, items in group_by_operation(results).items():
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
