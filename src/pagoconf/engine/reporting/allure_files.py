"""The Allure side of a results folder beyond what allure-pytest-bdd writes for the scenarios:
environment.properties (the verdict first), executor.json, categories.json (Allure 2), allurerc.json
(Allure 3: the report's name and pagoconf's categories), one result per always-on rule (one defect, one red
test) with the evidence of the exchanges that show it, and the shaping of the scenario results as they are
written (tree path, severity)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import allure_commons
from allure_commons.model2 import Label

from pagoconf.engine.evidence import evidence_files
from pagoconf.engine.ledger import BROKEN, FAILED, NOT_RUN, PASSED, RuleResult
from pagoconf.engine.reporting import failures
from pagoconf.engine.reporting.files import write_bytes_atomic, write_text_atomic
from pagoconf.engine.reporting.report import RunReport, operation_group
from pagoconf.engine.rules import catalogue, operations, spec_url
from pagoconf.engine.run import RunState
from pagoconf.engine.verdict import INCONCLUSIVE_PREFIX, NOT_JUDGED_PREFIX

FAILURE_PREFIX = failures.FAILURE_PREFIX
ADVICE_PREFIX = "Advice:"
EVIDENCE_PER_RULE = 3
RULES_SUITE = "Contract rules (judged on every answer)"
SCENARIO_MARK = "suite_name"  # the label pagoconf gives every scenario (the owning suite's name)
CONFIG_FILE = "allurerc.json"
_PROPERTY_ESCAPES = {"\\": "\\\\", "=": "\\=", ":": "\\:", "#": "\\#", "!": "\\!",
                     "\n": "\\n", "\r": "\\r", "\t": "\\t", "\f": "\\f"}  # fmt: skip
_REGEX_SPECIALS = set("\\^$.|?*+()[]{}/")
ALLURE_STATUS = {PASSED: "passed", FAILED: "failed", NOT_RUN: "skipped", BROKEN: "broken"}


@dataclass(frozen=True)
class Category:
    """One of pagoconf's defect categories: the statuses it takes and the message prefix that marks it
    (None: every result of those statuses the categories before it left). The first that matches wins."""

    id: str
    name: str
    statuses: tuple[str, ...]
    prefix: str | None = None
    expand: bool = False


CATEGORY_RULES: tuple[Category, ...] = (
    Category("non-conformant", "Non-conformant (a defect of the target)", ("failed",), FAILURE_PREFIX, True),
    Category(
        "not-judged",
        "Not judged: an earlier answer left nothing to judge (see the failed rule)",
        ("skipped",),
        NOT_JUDGED_PREFIX,
    ),
    Category(
        "advice", "Advice: outside the run's profile, never in the verdict", ("skipped",), ADVICE_PREFIX
    ),
    Category("not-run", "Not run: missing test data or capability", ("skipped",)),
    Category("inconclusive", "Target unreachable (inconclusive)", ("broken",), INCONCLUSIVE_PREFIX),
    Category("harness", "Harness problem (a defect of pagoconf, not of the target)", ("broken", "failed")),
)


def regex_literal(text: str) -> str:
    """`text` as a regular expression that matches it literally, read alike by Java (Allure 2), Python and
    JavaScript (Allure 3): a backslash before each metacharacter, nothing else escaped."""
    return "".join(f"\\{ch}" if ch in _REGEX_SPECIALS else ch for ch in text)


def allure2_categories() -> list[dict[str, Any]]:
    """categories.json for Allure 2, which matches a regex against the whole message (Java
    String.matches): (?s) lets '.' cross newlines, the leading .* allows an exception-type prefix."""
    out: list[dict[str, Any]] = []
    for c in CATEGORY_RULES:
        doc: dict[str, Any] = {"name": c.name, "matchedStatuses": list(c.statuses)}
        if c.prefix is not None:
            doc["messageRegex"] = f"(?s).*{regex_literal(c.prefix)}.*"
        out.append(doc)
    return out


def allure3_categories() -> dict[str, Any]:
    """The `categories` of an Allure 3 configuration (its Awesome report ignores categories.json): each
    message pattern is a JavaScript RegExp searched anywhere in the message, so no (?s) and no anchors."""
    rules: list[dict[str, Any]] = []
    for c in CATEGORY_RULES:
        matcher: dict[str, Any] = {"statuses": list(c.statuses)}
        if c.prefix is not None:
            matcher["message"] = regex_literal(c.prefix)
        rule: dict[str, Any] = {"id": c.id, "name": c.name, "matchers": matcher}
        if c.expand:
            rule["expand"] = True
        rules.append(rule)
    return {"rules": rules}


CATEGORIES: list[dict[str, Any]] = allure2_categories()


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
    """Write categories.json (Allure 2): target defects, not judged, advice, not run, unreachable and harness
    problems apart. Allure 3 takes the same categories from allurerc.json (write_allure_config)."""
    text = json.dumps(CATEGORIES, indent=2, ensure_ascii=False) + "\n"
    return write_text_atomic(Path(results_dir) / "categories.json", text)


def report_name(report: RunReport) -> str:
    """The report's title: the verdict first ('pagoconf: NOT_CONFORMANT')."""
    return f"pagoconf: {report.verdict}"


def write_executor(results_dir: Path, report: RunReport) -> Path:
    """executor.json: the overview names the run by its verdict. Allure 2 titles its overview with
    reportName; Allure 3 shows 'name · buildName' among the metadata (its title comes from allurerc.json)."""
    doc = {
        "name": "pagoconf",
        "type": "pagoconf",
        "buildName": report.verdict,
        "reportName": report_name(report),
    }
    return write_text_atomic(Path(results_dir) / "executor.json", json.dumps(doc, indent=2) + "\n")


def allure_config(report: RunReport) -> dict[str, Any]:
    """The Allure 3 configuration of a run's report: its name (the verdict) and pagoconf's categories."""
    return {"name": report_name(report), "categories": allure3_categories()}


def write_allure_config(results_dir: Path, report: RunReport) -> Path:
    """allurerc.json in the results folder. Allure 3 reads a configuration only from its working folder or
    from --config, so the report is built with `npx allure generate --config DIR/allure-results/allurerc.json
    DIR/allure-results -o DIR/allure-report`."""
    text = json.dumps(allure_config(report), indent=2, ensure_ascii=False) + "\n"
    return write_text_atomic(Path(results_dir) / CONFIG_FILE, text)


def attachment_extension(name: str) -> str:
    """The extension of an evidence file in the results folder: its own, except that XML is kept as
    '.xml.txt'. Allure 2 parses every *.xml there as a possible JUnit report, and a hostile request (an
    entity bomb, ten thousand nested elements) stops its report generation; the attachment keeps its XML
    type, so both Allures still show it as XML."""
    ext = name.rsplit(".", 1)[-1]
    return "xml.txt" if ext == "xml" else ext


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
        "titlePath": [RULES_SUITE, group],  # Allure 3's tree
        "status": ALLURE_STATUS[res.status],
        "stage": "finished",
        "start": now,
        "stop": now,
        "description": (
            f"Always-on rule, judged on every answer of {', '.join(r.applies_to)}: "
            f"{res.judged} judgement(s), {len(res.violations)} violation(s)."
        ),
        "labels": [
            {"name": "epic", "value": RULES_SUITE},
            {"name": "feature", "value": group},
            {"name": "story", "value": r.id},
            {"name": "parentSuite", "value": RULES_SUITE},
            {"name": "suite", "value": group},
            {"name": "severity", "value": r.severity},
            {"name": "rule", "value": r.id},
            {"name": "framework", "value": "pagoconf"},
        ],
        "links": [{"type": "link", "name": f"{r.id} (SANP {report.sanp})", "url": spec_url(r, report.sanp)}],
        "attachments": [],
    }
    if res.status == FAILED and res.violations:
        result["statusDetails"] = {
            "message": failures.headline(r, res.violations, lookup, run.subject),
            "trace": "\n".join(failures.block(r, res.violations, report.sanp, lookup, run.subject, limit=20)),
        }
        shown = list(dict.fromkeys(v.exchange for v in res.violations if v.exchange))[:EVIDENCE_PER_RULE]
        for number in shown:
            for name, content, mime in evidence_files(run.exchange(number)):
                source = f"{uuid.uuid4()}-attachment.{attachment_extension(name)}"
                write_bytes_atomic(folder / source, content)
                result["attachments"].append({"name": name, "source": source, "type": mime})
    elif res.status != PASSED:
        result["statusDetails"] = {"message": res.reason or res.status}
    if res.advice:  # reported, never in the verdict: neither red nor "not run"
        result["status"] = "skipped"
        result["name"] = f"[advice] {result['name']}"
        details = result.setdefault("statusDetails", {})
        note = f"{ADVICE_PREFIX} outside the {report.profile} profile, not part of the verdict"
        details["message"] = f"{note}. {details['message']}" if details.get("message") else note
    path = folder / f"{result['uuid']}-result.json"
    return write_text_atomic(path, json.dumps(result, indent=2, ensure_ascii=False) + "\n")


# ------------------------------------------------------------------------------------------ scenarios


def fallback_group(rule_ids: Sequence[str]) -> str | None:
    """The operation group of a scenario that called no operation (it was not run, or its requests never
    reached an operation): the group of the first operation its rules apply to."""
    known = operations()
    for rid in rule_ids:
        rule = catalogue().get(rid)
        for op in rule.applies_to if rule is not None else ():
            return known[op].group if op in known else op
    return None


def shape_scenario_result(result: Any) -> None:
    """Finish a pagoconf scenario's Allure result (an allure_commons TestResult) as it is written; any other
    result is left as it is.
    - severity: the last one set wins: the failed rule's (pytest_bdd_step_error) over the highest of the
      scenario's rules (set before it ran); Allure shows the first of several severity labels.
    - suite: the operation group (set at the scenario's first exchange); without an exchange, fallback_group.
    - titlePath: contract area › operation group › feature, as the labels say. Allure 3 builds its tree
      from titlePath, which allure-pytest-bdd sets to the feature file's folders."""
    labels = result.labels
    if not any(label.name == SCENARIO_MARK for label in labels):
        return
    severities = [label for label in labels if label.name == "severity"]
    for label in severities[:-1]:
        labels.remove(label)

    def first(name: str) -> str | None:
        return next((label.value for label in labels if label.name == name), None)

    if first("suite") is None:
        group = fallback_group([label.value for label in labels if label.name == "rule"])
        if group is not None:
            labels.append(Label(name="suite", value=group))
    path = [first(name) for name in ("parentSuite", "suite", "subSuite")]
    result.titlePath = [part for part in path if part]


class ScenarioResultShaper:
    """An allure-python plugin: shapes each scenario's result before the file logger writes it."""

    NAME = "pagoconf-scenario-results"

    @allure_commons.hookimpl(tryfirst=True)
    def report_result(self, result: Any) -> None:
        shape_scenario_result(result)


def install_result_shaper() -> None:
    """Register the shaper with allure-python once per process (its hook is stateless)."""
    if allure_commons.plugin_manager.get_plugin(ScenarioResultShaper.NAME) is None:
        allure_commons.plugin_manager.register(ScenarioResultShaper(), name=ScenarioResultShaper.NAME)
