"""conformance.html: the verdict in one self-contained page that opens from disk (no server, no script, no
external file): profile, notes, target, the rules by operation, each failure with its evidence inline."""

from __future__ import annotations

from html import escape
from pathlib import Path

from pagoconf.engine.evidence import evidence_files
from pagoconf.engine.ledger import (
    BROKEN,
    CONFORMANT,
    FAILED,
    NOT_CONFORMANT,
    NOT_RUN,
    PASSED,
    RuleResult,
    summary,
)
from pagoconf.engine.reporting import failures
from pagoconf.engine.reporting.files import write_text_atomic
from pagoconf.engine.reporting.report import RunReport, group_by_operation
from pagoconf.engine.reporting.text import STATUS_LABEL, VERDICT_WORDS, service_level_line, target_rows
from pagoconf.engine.rules import spec_url
from pagoconf.engine.run import RunState

SHOWN_BYTES = 16 * 1024
EVIDENCE_PER_RULE = 3
COLOURS = {PASSED: "#1a7f37", FAILED: "#cf222e", NOT_RUN: "#6e7781", BROKEN: "#9a6700"}
VERDICT_COLOURS = {CONFORMANT: "#1a7f37", NOT_CONFORMANT: "#cf222e"}
STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#1f2328}
h1{margin:0 0 .5rem} .verdict{color:#fff;padding:.15rem .6rem;border-radius:.3rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem} td,th{border-bottom:1px solid #d0d7de;
padding:.3rem .5rem;text-align:left;vertical-align:top} th{background:#f6f8fa}
.status{font-weight:600;white-space:nowrap} .note{background:#fff8c5;border:1px solid #d4a72c;padding:.5rem;
margin:.3rem 0;border-radius:.3rem} details{margin:.3rem 0 .8rem} summary{cursor:pointer}
pre{background:#f6f8fa;padding:.6rem;overflow:auto;max-height:24rem;white-space:pre-wrap;word-break:break-all}
.failure{border-left:4px solid #cf222e;padding-left:.8rem;margin:1rem 0} code{background:#f6f8fa}
"""


def write_html(report: RunReport, run: RunState | None, path: Path) -> Path:
    """Write conformance.html."""
    return write_text_atomic(path, html_page(report, run))


def html_page(report: RunReport, run: RunState | None) -> str:
    """The whole page."""
    colour = VERDICT_COLOURS.get(report.verdict, "#9a6700")
    verdict = VERDICT_WORDS.get(report.verdict, report.verdict)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>pagoconf: {escape(verdict)}</title><style>{STYLE}</style></head><body>",
        f'<h1>Conformance: <span class="verdict" style="background:{colour}">{escape(verdict)}</span></h1>',
        f"<p>Profile <b>{escape(report.profile)}</b> · SANP {escape(report.sanp)} · "
        f"{escape(_counts(report))}</p>",
        *(f'<div class="note">⚠ {escape(n)}</div>' for n in report.notes),
        "<h2>Target</h2>",
        _table(("", ""), [(escape(k), escape(v)) for k, v in target_rows(report)]),
    ]
    sl = service_level_line(report.service_level)
    if sl:
        parts.append(f"<p>Service level: {escape(sl)}</p>")
    failed = [r for r in report.results if r.status == FAILED and (r.required or r.advice)]
    if failed:
        parts.append("<h2>Failures</h2>")
        parts += [_failure(res, report, run) for res in failed]
    for title, results in (
        ("Rules", [r for r in report.results if r.required]),
        (f"Advice (outside the {report.profile} profile)", [r for r in report.results if r.advice]),
        ("Not required for this run", [r for r in report.results if not r.required and not r.advice]),
    ):
        if results:
            parts.append(f"<h2>{escape(title)}</h2>")
            for group, items in group_by_operation(results).items():
                parts.append(f"<h3>{escape(group)}</h3>")
                parts.append(
                    _table(
                        ("rule", "title", "severity", "status", "detail"), [_row(r, report) for r in items]
                    )
                )
    parts.append(
        f"<p><small>pagoconf {escape(report.harness_version)} · started {escape(report.started)}</small></p>"
    )
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _counts(report: RunReport) -> str:
    counts = summary(report.results)
    required = sum(1 for r in report.results if r.required)
    shown = ", ".join(f"{counts[s]} {STATUS_LABEL[s]}" for s in (PASSED, FAILED, NOT_RUN, BROKEN))
    return f"{shown} ({len(report.results)} rules, {required} required)"


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _row(res: RuleResult, report: RunReport) -> tuple[str, ...]:
    r = res.rule
    link = f'<a href="{escape(spec_url(r, report.sanp))}">{escape(r.id)}</a>'
    status = f'<span class="status" style="color:{COLOURS[res.status]}">{STATUS_LABEL[res.status]}</span>'
    if res.status == FAILED and res.violations:
        detail = f'<a href="#{escape(r.id)}">{len(res.violations)} violation(s)</a>'
    else:
        detail = escape(res.reason or "")
    return link, escape(r.title), escape(r.severity), status, detail


def _failure(res: RuleResult, report: RunReport, run: RunState | None) -> str:
    r = res.rule
    lookup = run.find if run is not None else _nothing
    subject = run.subject if run is not None else (lambda ex: "")
    text = "\n".join(failures.block(r, res.violations, report.sanp, lookup, subject, limit=10))
    parts = [
        f'<div class="failure" id="{escape(r.id)}"><h3>✗ {escape(r.id)} {escape(r.title)}</h3>',
        f"<pre>{escape(text)}</pre>",
    ]
    shown = list(dict.fromkeys(v.exchange for v in res.violations if v.exchange))[:EVIDENCE_PER_RULE]
    for number in shown:
        ex = lookup(number)
        if ex is None:
            continue
        parts.append(f"<details><summary>Evidence of exchange {escape(ex.label)}</summary>")
        for name, content, _ in evidence_files(ex):
            parts.append(f"<p><code>{escape(name)}</code></p><pre>{escape(_shown(content))}</pre>")
        parts.append("</details>")
    parts.append("</div>")
    return "\n".join(parts)


def _shown(content: bytes) -> str:
    text = content[:SHOWN_BYTES].decode("utf-8", errors="replace")
    if len(content) > SHOWN_BYTES:
        text += f"\n… ({len(content) - SHOWN_BYTES} more bytes)"
    return text


def _nothing(number: int) -> None:
    """No run: no exchange to show."""
    return None
