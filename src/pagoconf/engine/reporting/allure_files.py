"""The Allure side of a results folder beyond what allure-pytest-bdd writes for the scenarios:
environment.properties (the verdict first), executor.json, categories.json, and one result per always-on
rule (one defect, one red test), with the evidence of the exchanges that show it."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pagoconf.engine.evidence import evidence_files
from pagoconf.engine.ledger import BROKEN, FAILED, NOT_RUN, PASSED, RuleResult
from pagoconf.engine.reporting import failures
from pagoconf.engine.reporting.files import write_bytes_atomic, write_text_atomic
from pagoconf.engine.reporting.report import RunReport, operation_group
from pagoconf.engine.rules import spec_url
from pagoconf.engine.run import RunState
from pagoconf.engine.verdict import INCONCLUSIVE_PREFIX, NOT_JUDGED_PREFIX

FAILURE_PREFIX = failures.FAILURE_PREFIX
EVIDENCE_PER_RULE = 3
_PROPERTY_ESCAPES = {"\\": "\\\\", "=": "\\=", ":": "\\:", "#": "\\#", "!": "\\!",
                     "\n": "\\n", "\r": "\\r", "\t": "\\t", "\f": "\\f"}  # fmt: skip
ALLURE_STATUS = {PASSED: "passed", FAILED: "failed", NOT_RUN: "skipped", BROKEN: "broken"}

CATEGORIES: list[dict[str, Any]] = [
    {
        "name": "Non-conformant (a defect of the target)",
        "matchedStatuses": ["failed"],
        # Allure matches the whole message (Java String.matches); (?s) lets '.' cross newlines,
        # and the leading .* allows an exception-type prefix such as "AssertionError: ".
        "messageRegex": f"(?s).*{FAILURE_PREFIX}.*",
    },
    {
        "name": "Not judged: an earlier answer left nothing to judge (see the failed rule)",
        "matchedStatuses": ["skipped"],
        "messageRegex": f"(?s).*{NOT_JUDGED_PREFIX}.*",
    },
    {
        "name": "Not run: missing test data or capability",
        "matchedStatuses": ["skipped"],
    },
    {
        "name": "Target unreachable (inconclusive)",
        "matchedStatuses": ["broken"],
        "messageRegex": f"(?s).*{INCONCLUSIVE_PREFIX}.*",
    },
    {
        "name": "Harness problem (a defect of pagoconf, not of the target)",
        "matchedStatuses": ["broken", "failed"],
    },
]


def escape_property(text: str, *, key: bool = False) -> str:
    """Java .properties escaping: \\ = : # ! and control characters; spaces in keys, a leading one in values;
    non-ASCII as \\uXXXX so the file reads the same as ISO-8859-1 or UTF-8."""
    out = []
    for i, ch in enumerate(text):
        if ch in _PROPERTY_ESCAPES:
            out.append(_PROPERTY_ESCAPES[ch])
        elif ch == " " and (key or i == 0):
            out.append("\\ ")
        elif ord(ch) < 0x20 or ord(ch) > 0x7E:
            out.append(_unicode_escape(ch))
        else:
            out.append(ch)
    return "".join(out)


def _unicode_escape(ch: str) -> str:
    data = ch.encode("utf-16-be")
    return "".join(f"\\u{int.from_bytes(data[i : i + 2], 'big'):04x}" for i in range(0, len(data), 2))


def write_environment(results_dir: Path, entries: Mapping[str, str]) -> Path:
    """Write environment.properties (the Allure "Environment" widget), keys in the given order."""
    lines = [f"{escape_property(str(k), key=True)}={escape_property(str(v))}" for k, v in entries.items()]
    return write_text_atomic(Path(results_dir) / "environment.properties", "".join(f"{ln}\n" for ln in lines))


def write_categories(results_dir: Path) -> Path:
    """Write categories.json: target defects, not judged, not run, unreachable and harness problems apart."""
    text = json.dumps(CATEGORIES, indent=2, ensure_ascii=False) + "\n"
    return write_text_atomic(Path(results_dir) / "categories.json", text)


def write_executor(results_dir: Path, report: RunReport) -> Path:
    """executor.json: the overview names the run by its verdict."""
    doc = {"name": "pagoconf", "type": "pagoconf", "buildName": f"pagoconf: {report.verdict}"}
    return write_text_atomic(Path(results_dir) / "executor.json", json.dumps(doc, indent=2) + "\n")


def write_rule_results(results_dir: Path, report: RunReport, run: RunState) -> list[Path]:
    """One Allure result per always-on rule that was judged or failed: its status, its violations, the
    evidence of the first exchanges that show them."""
    lookup = run.find
    written = []
    now = int(time.time() * 1000)
    for res in report.results:
        if res.rule.kind != "always" or not (res.judged or res.status in (FAILED, BROKEN)):
            continue
        written.append(_rule_result(Path(results_dir), res, report, run, lookup, now))
    return written


def _rule_result(
    folder: Path, res: RuleResult, report: RunReport, run: RunState, lookup: failures.Lookup, now: int
) -> Path:
    r = res.rule
    group = operation_group(r)
    result: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "historyId": f"pagoconf-rule-{r.id}",
        "name": f"{r.id} {r.title}",
        "fullName": f"pagoconf.rules.{r.id}",
        "status": ALLURE_STATUS[res.status],
        "stage": "finished",
        "start": now,
        "stop": now,
        "description": (
            f"Always-on rule, judged on every answer of {', '.join(r.applies_to)}: "
            f"{res.judged} judgement(s), {len(res.violations)} violation(s)."
        ),
        "labels": [
            {"name": "epic", "value": "Contract rules (judged on every answer)"},
            {"name": "feature", "value": group},
            {"name": "story", "value": r.id},
            {"name": "parentSuite", "value": "Contract rules (judged on every answer)"},
            {"name": "suite", "value": group},
            {"name": "severity", "value": r.severity},
            {"name": "rule", "value": r.id},
            {"name": "framework", "value": "pagoconf"},
        ],
        "links": [{"type": "link", "name": f"{r.id} (SANP {report.sanp})", "url": spec_url(r, report.sanp)}],
        "attachments": [],
    }
    if res.advice:
        result["status"] = "skipped"
        result["name"] = f"[advice] {result['name']}"
    if res.status == FAILED and res.violations:
        result["statusDetails"] = {
            "message": failures.headline(r, res.violations, lookup, run.subject),
            "trace": "\n".join(failures.block(r, res.violations, report.sanp, lookup, run.subject, limit=20)),
        }
        shown = list(dict.fromkeys(v.exchange for v in res.violations if v.exchange))[:EVIDENCE_PER_RULE]
        for number in shown:
            for name, content, mime in evidence_files(run.exchange(number)):
                source = f"{uuid.uuid4()}-attachment.{name.rsplit('.', 1)[-1]}"
                write_bytes_atomic(folder / source, content)
                result["attachments"].append({"name": name, "source": source, "type": mime})
    elif res.status != PASSED:
        result["statusDetails"] = {"message": res.reason or res.status}
    path = folder / f"{result['uuid']}-result.json"
    return write_text_atomic(path, json.dumps(result, indent=2, ensure_ascii=False) + "\n")
