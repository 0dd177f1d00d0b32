"""What pagoconf writes for the Allure report a QA team reads: the tree (contract area › operation group ›
feature, never the feature files' folders), one severity (the failed rule's), the verdict on the overview,
pagoconf's categories for Allure 2 (categories.json) and Allure 3 (allurerc.json), and a results folder that
Allure 2 can read. No npm, no browser: the files are checked as Allure reads them."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import allure_commons
import pytest
from allure_commons.logger import AllureMemoryLogger
from allure_commons.model2 import Label
from allure_commons.model2 import TestResult as AllureResult
from support import pagoconf

from pagoconf.engine.exchange import Exchange
from pagoconf.engine.ledger import CONFORMANT, INCONCLUSIVE, NOT_CONFORMANT
from pagoconf.engine.reporting.allure_files import (
    ADVICE_PREFIX,
    CATEGORY_RULES,
    CONFIG_FILE,
    RULES_SUITE,
    ScenarioResultShaper,
    attachment_extension,
    fallback_group,
    install_result_shaper,
    regex_literal,
    shape_scenario_result,
    write_allure_config,
    write_categories,
    write_executor,
    write_rule_results,
)
from pagoconf.engine.reporting.report import RunReport, build_report
from pagoconf.engine.run import RunState
from pagoconf.engine.violation import Violation
from pagoconf.sync.answer import subject

# A message of each kind, as Allure receives it, and the category it belongs in.
MESSAGES = [
    ("failed", "verdict.ConformanceFailure: Non-conformant: CROSS-001 same amount\n  x", "non-conformant"),
    ("failed", "Non-conformant: ACTIVATE-005 Transfers add up (#2 paGetPaymentV2)", "non-conformant"),
    ("failed", "AssertionError: assert 1 == 2", "harness"),
    ("skipped", "Skipped: not judged: STATE-002: no answer to judge", "not-judged"),
    ("skipped", f"{ADVICE_PREFIX} outside the certification profile, not part of the verdict", "advice"),
    ("skipped", f"{ADVICE_PREFIX} outside the certification profile. Non-conformant: FAULT-003 id", "advice"),
    ("skipped", "Skipped: not run: the target does not declare bollo", "not-run"),
    ("broken", "verdict.Inconclusive: Inconclusive: verify to http://h/pa: refused", "inconclusive"),
    ("broken", "FixtureLookupError: ('created', <FixtureRequest>)", "harness"),
]  # fmt: skip


def _exchange() -> Exchange:
    request = b"<x><qrCode><noticeNumber>301100000000000148</noticeNumber></qrCode></x>"
    return Exchange("paGetPaymentV2", "http://127.0.0.1:8080/pa", request, {"SOAPAction": "paGetPaymentV2"},
                    status=200, headers={"Content-Type": "text/xml"}, response=b"<r/>")  # fmt: skip


@pytest.fixture
def run() -> RunState:
    state = RunState(
        "3.8.0", "certification", ("sync",), frozenset({"v2"}),
        {"sync": {"url": "http://127.0.0.1:8080/pa", "id_pa": "77777777777", "id_station": "77777777777_01"}},
    )  # fmt: skip
    state.subjects["sync"] = subject
    numbers = [state.record(_exchange(), "Activating › a payable notice").number for _ in range(3)]
    sums = [Violation("sum = 30.00", "25.00", "/data/transferList", "ACTIVATE-005", n) for n in numbers]
    state.ledger.judged("ACTIVATE-005", "Activating › a payable notice", numbers, sums)
    state.ledger.judged("SOAP-001", "Activating › a payable notice", numbers, [])
    fault = Violation("id = 777", "id = 1", "/r/fault/id", "FAULT-003", numbers[1])
    state.ledger.judged("FAULT-003", "Describing › a payable notice", [numbers[1]], [fault])
    return state


@pytest.fixture
def report(run: RunState) -> RunReport:
    return build_report(run, harness_version="0.2.0")


def _results(paths: list[Path]) -> dict[str, dict[str, Any]]:
    docs = [json.loads(p.read_text(encoding="utf-8")) for p in paths]
    return {d["name"].removeprefix("[advice] ").split()[0]: d for d in docs}


def _labels(doc: dict[str, Any], name: str) -> list[str]:
    return [label["value"] for label in doc["labels"] if label["name"] == name]


# --- categories: the same ones, read by Allure 2 and by Allure 3 -----------------------------------


def _allure2_category(categories: list[dict[str, Any]], status: str, message: str) -> str | None:
    """As Allure 2 does: the first category whose statuses and whole-message regex (Java matches) fit."""
    for c in categories:
        regex = c.get("messageRegex")
        if status in c["matchedStatuses"] and (regex is None or re.fullmatch(regex, message)):
            return c["name"]
    return None


def _allure3_category(rules: list[dict[str, Any]], status: str, message: str) -> str | None:
    """As Allure 3 does: the first rule whose matcher's statuses fit and whose message RegExp is found."""
    for rule in rules:
        m = rule["matchers"]
        if status in m["statuses"] and ("message" not in m or re.search(m["message"], message)):
            return rule["id"]
    return None


def test_allure3_reads_pagoconfs_categories_from_allurerc(report: RunReport, tmp_path: Path) -> None:
    write_allure_config(tmp_path, report)
    config = json.loads((tmp_path / CONFIG_FILE).read_text(encoding="utf-8"))
    assert set(config) <= {"name", "categories", "plugins", "output"}  # Allure 3 refuses unknown fields
    rules = config["categories"]["rules"]
    assert [r["id"] for r in rules] == [c.id for c in CATEGORY_RULES]
    assert [r["name"] for r in rules] == [c.name for c in CATEGORY_RULES]
    for rule in rules:  # the canonical form; a JavaScript RegExp has no inline flags such as (?s)
        assert {"matchedStatuses", "messageRegex"}.isdisjoint(rule) and rule["matchers"]["statuses"]
        assert "(?" not in rule["matchers"].get("message", "")
    for status, message, expected in MESSAGES:
        assert _allure3_category(rules, status, message) == expected, message


def test_allure2_categories_file_sorts_the_same_way(tmp_path: Path) -> None:
    categories = json.loads(write_categories(tmp_path).read_text(encoding="utf-8"))
    names = {c.id: c.name for c in CATEGORY_RULES}
    for status, message, expected in MESSAGES:
        assert _allure2_category(categories, status, message) == names[expected], message


def test_a_regex_literal_means_the_same_to_java_python_and_javascript() -> None:
    assert regex_literal("Non-conformant:") == "Non-conformant:"
    assert regex_literal("a.b (c)") == r"a\.b \(c\)"
    assert re.fullmatch(regex_literal("x+y?"), "x+y?")


# --- the verdict on the overview -------------------------------------------------------------------


@pytest.mark.parametrize("verdict", [CONFORMANT, NOT_CONFORMANT, INCONCLUSIVE])
def test_the_overview_names_the_run_by_its_verdict(report: RunReport, tmp_path: Path, verdict: str) -> None:
    report = dataclasses.replace(report, verdict=verdict)
    executor = json.loads(write_executor(tmp_path, report).read_text(encoding="utf-8"))
    assert executor["buildName"] == verdict  # Allure 3 metadata: "pagoconf · NOT_CONFORMANT"
    assert verdict in executor["reportName"]  # Allure 2's overview title
    config = json.loads(write_allure_config(tmp_path, report).read_text(encoding="utf-8"))
    assert verdict in config["name"]  # Allure 3's overview title


# --- the always-on rules' results ------------------------------------------------------------------


def test_rule_results_sit_under_contract_rules_and_their_operations(
    report: RunReport, run: RunState, tmp_path: Path
) -> None:
    results = _results(write_rule_results(tmp_path, report, run))
    for doc in results.values():
        assert (
            doc["titlePath"]
            == [RULES_SUITE, *_labels(doc, "suite")]
            == [*_labels(doc, "parentSuite"), *_labels(doc, "suite")]
        )
        assert len(_labels(doc, "severity")) == 1
    failed = results["ACTIVATE-005"]
    assert failed["status"] == "failed" and _labels(failed, "severity") == ["critical"]
    assert failed["titlePath"] == [RULES_SUITE, "Activate (paGetPayment, paGetPaymentV2)"]


def test_advice_is_neither_red_nor_not_run(report: RunReport, run: RunState, tmp_path: Path) -> None:
    advice = _results(write_rule_results(tmp_path, report, run))["FAULT-003"]
    message = advice["statusDetails"]["message"]
    assert advice["status"] == "skipped" and advice["name"].startswith("[advice] ")
    assert message.startswith(ADVICE_PREFIX) and "FAULT-003" in message
    assert _allure2_category(json.loads(write_categories(tmp_path).read_text()), "skipped", message) == next(
        c.name for c in CATEGORY_RULES if c.id == "advice"
    )


def test_no_evidence_file_ends_in_xml(report: RunReport, run: RunState, tmp_path: Path) -> None:
    """Allure 2 parses every *.xml of the results folder as a JUnit report: a hostile request kept as
    evidence (an entity bomb, ten thousand nested elements) would stop the report."""
    failed = _results(write_rule_results(tmp_path, report, run))["ACTIVATE-005"]
    xml = [a for a in failed["attachments"] if a["type"] == "application/xml"]
    assert xml and all(a["source"].endswith(".xml.txt") and a["name"].endswith(".xml") for a in xml)
    assert not list(tmp_path.glob("*.xml"))
    assert attachment_extension("01-paGetPaymentV2.request.xml") == "xml.txt"
    assert attachment_extension("01-paGetPaymentV2.reproduce.sh") == "sh"


# --- the scenarios' results, shaped as they are written --------------------------------------------


def _scenario(*labels: tuple[str, str]) -> AllureResult:
    result = AllureResult(name="A notice already paid [activates the notice]")
    result.titlePath = ["features", "pa_for_node", "states", "Refusing notices that cannot be paid"]
    result.labels = [Label(name=n, value=v) for n, v in labels]
    return result


AREA = ("parentSuite", "paForNode (synchronous)")
FEATURE = ("subSuite", "Refusing notices that cannot be paid")
MARK = ("suite_name", "sync")


def test_the_tree_is_area_operation_feature_not_folders() -> None:
    result = _scenario(
        MARK, AREA, FEATURE, ("severity", "critical"), ("rule", "STATE-004"), ("suite", "Activate")
    )
    shape_scenario_result(result)
    assert result.titlePath == ["paForNode (synchronous)", "Activate", "Refusing notices that cannot be paid"]


def test_a_failed_scenario_shows_the_failed_rules_severity() -> None:
    before = [MARK, AREA, FEATURE, ("severity", "blocker"), ("rule", "CROSS-001"), ("suite", "Verify")]
    result = _scenario(*before, ("severity", "critical"), ("failed_rule", "CROSS-001"))
    shape_scenario_result(result)
    assert [label.value for label in result.labels if label.name == "severity"] == ["critical"]


def test_a_scenario_that_called_nothing_still_has_its_operation_group() -> None:
    result = _scenario(MARK, AREA, FEATURE, ("severity", "critical"), ("rule", "RECEIPT-006"))
    shape_scenario_result(result)
    assert result.titlePath == ["paForNode (synchronous)", "Receipts", "Refusing notices that cannot be paid"]
    assert [label.value for label in result.labels if label.name == "suite"] == ["Receipts"]
    assert fallback_group(["VERIFY-001"]) == "Verify" and fallback_group([]) is None


def test_other_results_are_left_alone() -> None:
    result = _scenario(("severity", "blocker"), ("severity", "minor"))
    shape_scenario_result(result)
    assert result.titlePath[0] == "features" and len(result.labels) == 2


def test_the_shaper_runs_before_allure_writes_the_result() -> None:
    install_result_shaper()
    install_result_shaper()  # once per process
    assert allure_commons.plugin_manager.get_plugin(ScenarioResultShaper.NAME) is not None
    logger = AllureMemoryLogger()
    allure_commons.plugin_manager.register(logger)
    try:
        allure_commons.plugin_manager.hook.report_result(
            result=_scenario(
                MARK, AREA, FEATURE, ("severity", "blocker"), ("suite", "Verify"), ("severity", "normal")
            )
        )
    finally:
        allure_commons.plugin_manager.unregister(logger)
    (written,) = logger.test_cases
    assert written["titlePath"] == [
        "paForNode (synchronous)",
        "Verify",
        "Refusing notices that cannot be paid",
    ]
    assert [lb["value"] for lb in written["labels"] if lb["name"] == "severity"] == ["normal"]


# --- a real run ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_run_writes_what_the_allure_report_needs(tmp_path: Path) -> None:
    proc = pagoconf("run", "--suite", "sync", "-m", "flows", "--defect", "stale-verify-amount",
                    "--reports", str(tmp_path))  # fmt: skip
    assert proc.returncode == 1, proc.stdout + proc.stderr
    folder = tmp_path / "allure-results"
    docs = [json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("*-result.json")]
    scenarios = [d for d in docs if _labels(d, "suite_name")]
    assert scenarios and not list(folder.glob("*.xml"))
    for d in scenarios:
        assert d["titlePath"] == [*_labels(d, "parentSuite"), *_labels(d, "suite"), *_labels(d, "subSuite")]
        assert len(d["titlePath"]) == 3 and "features" not in d["titlePath"]
        assert len(_labels(d, "severity")) == 1
    failed = [d for d in scenarios if d["status"] == "failed"]
    assert failed and all(_labels(d, "severity") == ["critical"] for d in failed)  # CROSS-001, not blocker
    names = [d["name"] for d in scenarios]
    assert len(names) == len(set(names))  # every example of an outline has its own title
    config = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
    assert config["name"] == f"pagoconf: {NOT_CONFORMANT}"
    assert json.loads((folder / "executor.json").read_text())["buildName"] == NOT_CONFORMANT
    first = (folder / "environment.properties").read_text(encoding="utf-8").splitlines()[0]
    assert first == f"verdict={NOT_CONFORMANT}"
