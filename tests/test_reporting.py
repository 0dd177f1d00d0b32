"""The reports, built from a run's state: conformance.json/.md/.html, the terminal summary, junit.xml
completed with one case per always-on rule, and the Allure side files."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from lxml import etree

from pagoconf.engine.exchange import Exchange
from pagoconf.engine.ledger import NOT_CONFORMANT
from pagoconf.engine.reporting.allure_files import (
    escape_property,
    write_categories,
    write_environment,
    write_rule_results,
)
from pagoconf.engine.reporting.html import html_page
from pagoconf.engine.reporting.junit import complete_junit
from pagoconf.engine.reporting.markdown import md_escape, write_markdown
from pagoconf.engine.reporting.report import RunReport, build_report, operation_group
from pagoconf.engine.reporting.terminal import terminal_summary
from pagoconf.engine.reporting.writers import write_json
from pagoconf.engine.rules import catalogue, spec_url
from pagoconf.engine.run import RunState, ScenarioRecord
from pagoconf.engine.violation import Violation
from pagoconf.sync.answer import subject

NOTICE = "301100000000000148"
REQUEST = f"<x><qrCode><noticeNumber>{NOTICE}</noticeNumber></qrCode></x>".encode()


def _exchange(op: str = "paGetPaymentV2") -> Exchange:
    return Exchange(op, "http://127.0.0.1:8080/pa", REQUEST, {"SOAPAction": op}, status=200,
                    headers={"Content-Type": "text/xml"}, response=b"<r/>")  # fmt: skip


@pytest.fixture
def run() -> RunState:
    state = RunState(
        "3.8.0", "certification", ("sync",), frozenset({"v2"}),
        {"sync": {"url": "http://127.0.0.1:8080/pa", "id_pa": "77777777777", "id_station": "77777777777_01",
                  "primitive_version": "V1"}},
    )  # fmt: skip
    state.subjects["sync"] = subject
    numbers = [state.record(_exchange(), "Activating › a payable notice").number for _ in range(5)]
    sums = [
        Violation("sum(transferAmount) = 30.00", "25.00 (transfer 1: 10.00, transfer 2: 15.00)",
                  "/paGetPaymentRes/data/transferList", "ACTIVATE-005", numbers[0]),
        *[Violation(f"e{i}", f"a{i}", f"/w{i}", "ACTIVATE-005", n) for i, n in enumerate(numbers[1:])],
    ]  # fmt: skip
    state.ledger.judged("ACTIVATE-005", "Activating › a payable notice", numbers, sums)
    state.ledger.judged("SOAP-001", "Activating › a payable notice", numbers, [])
    state.ledger.broke("SOAP-002", "Describing › a payable notice", "station unreachable: connection refused")
    state.ledger.select("STATE-003")
    state.ledger.broke(
        "STATE-003", "Refusing › an annulled notice", "station unreachable: connection refused"
    )
    state.ledger.judged("VERIFY-001", "Describing › a payable notice", [numbers[0]],
                        [Violation("a | b", "c|d", "/x|y", "VERIFY-001", numbers[0])])  # fmt: skip
    state.ledger.select("VERIFY-001")
    violation = Violation("id = 777", "id = 1", "/r/fault/id", "FAULT-003", numbers[1])
    state.ledger.judged("FAULT-003", "Describing › a payable notice", [numbers[1]], [violation])
    paid = "features/pa_for_node/test_pa_for_node.py::test_pay[payable]"
    state.finished(ScenarioRecord("Activating › a payable notice", "passed", ("ACTIVATE-001",), nodeid=paid))
    state.note("notice 301100000000010155 of [notices.to_pay] is already paid: prepare fresh ones")
    return state


@pytest.fixture
def report(run: RunState) -> RunReport:
    sl = {"seconds": 2.0, "target_share": 0.98, "answers": 40, "within": 39, "share": 0.975, "max_ms": 2100.0}
    return build_report(run, harness_version="0.2.0", extras={"service_level": sl})


def test_json_keeps_the_design_keys_and_names_each_violations_exchange(
    report: RunReport, tmp_path: Path
) -> None:
    text = write_json(report, tmp_path / "deep" / "conformance.json").read_text(encoding="utf-8")
    doc = json.loads(text)
    assert {"verdict", "sanp", "profile", "target", "started", "duration_s", "summary", "rules"} <= doc.keys()
    assert doc["verdict"] == NOT_CONFORMANT and doc["profile"] == "certification"
    assert doc["target"]["url"] == "http://127.0.0.1:8080/pa"
    rule = next(r for r in doc["rules"] if r["id"] == "ACTIVATE-005")
    assert {"id", "suite", "title", "severity", "basis", "status", "scenarios", "violations"} <= rule.keys()
    assert rule["suite"] == "sync" and rule["judged"] == 1
    assert rule["violations"][0] == {
        "expected": "sum(transferAmount) = 30.00", "actual": "25.00 (transfer 1: 10.00, transfer 2: 15.00)",
        "where": "/paGetPaymentRes/data/transferList", "exchange": 1,
    }  # fmt: skip
    assert doc["notes"] and "already paid" in doc["notes"][0]
    assert not list(tmp_path.glob("deep/.*.tmp"))


def test_a_rule_outside_the_profile_is_advice_never_in_the_verdict(report: RunReport) -> None:
    fault_id = next(r for r in report.results if r.rule.id == "FAULT-003")
    assert fault_id.status == "failed" and fault_id.advice and not fault_id.required


def test_a_rule_never_judged_is_not_run_never_passed(report: RunReport) -> None:
    never = next(r for r in report.results if r.rule.id == "STATE-002")
    assert never.status == "not_run" and never.judged == 0 and never.reason


def test_operation_groups() -> None:
    rules = catalogue()
    assert operation_group(rules["SOAP-001"]) == "All paForNode operations"
    assert operation_group(rules["VERIFY-001"]) == "Verify (paVerifyPaymentNotice)"
    assert operation_group(rules["ACTIVATE-005"]) == "Activate (paGetPayment, paGetPaymentV2)"
    assert operation_group(rules["ACTIVATE-007"]) == "Activate (paGetPaymentV2)"


def test_markdown_groups_by_operation_and_shows_notes(report: RunReport, tmp_path: Path) -> None:
    md = write_markdown(report, tmp_path / "conformance.md").read_text(encoding="utf-8")
    assert md.startswith("# Conformance: ❌ NOT CONFORMANT\n")
    assert "already paid" in md.split("## Target")[0]
    rules_part = md.split("## Advice")[0]
    headings = [line for line in rules_part.splitlines() if line.startswith("### ")]
    assert headings[0] == "### All paForNode operations" and "### Verify (paVerifyPaymentNotice)" in headings
    assert "97.5 % of 40 answers within 2 s (target 98 %)" in md
    assert "FAULT-003" in md.split("## Advice")[1]


def test_markdown_shows_the_first_violation_its_exchange_and_links(report: RunReport, tmp_path: Path) -> None:
    md = write_markdown(report, tmp_path / "c.md").read_text(encoding="utf-8")
    row = next(line for line in md.splitlines() if "ACTIVATE-005" in line and line.startswith("|"))
    assert f"[ACTIVATE-005]({spec_url(catalogue()['ACTIVATE-005'], '3.8.0')})" in row
    assert "expected sum(transferAmount) = 30.00 · actual 25.00" in row and "exchange #1" in row
    assert "(+4 more)" in row and "e0" not in row
    assert "station unreachable: connection refused" in md


def test_markdown_escapes_pipes(report: RunReport, tmp_path: Path) -> None:
    md = write_markdown(report, tmp_path / "c.md", sanp_links=False).read_text(encoding="utf-8")
    row = next(line for line in md.splitlines() if line.startswith("| VERIFY-001"))
    assert r"expected a \| b · actual c\|d · at `/x\|y`" in row
    assert md_escape("a*b_[c]<d>") == r"a\*b\_\[c\]\<d\>"


def test_terminal_summary_names_rule_exchange_and_notice(report: RunReport, run: RunState) -> None:
    text = terminal_summary(report, run, {"conformance.json": Path("reports/conformance.json")})
    lines = text.splitlines()
    assert lines[0].startswith("✗ NOT CONFORMANT")
    rule = catalogue()["ACTIVATE-005"]
    i = lines.index(f"✗ ACTIVATE-005 {rule.title}   [{rule.severity}]")
    assert (
        lines[i + 1]
        == f"  exchange  #1 paGetPaymentV2 · notice {NOTICE} · attachment 01-paGetPaymentV2.response.xml"
    )
    assert lines[i + 2] == "  expected  sum(transferAmount) = 30.00"
    assert "  … and 2 more (on 5 exchanges in all)" in lines
    assert any("already paid" in ln for ln in lines[:4])
    assert any("STATE-003 broken" in ln and "connection refused" in ln for ln in lines)
    assert any("advice" in ln and "FAULT-003" in ln for ln in lines)
    assert "\x1b[" not in text and "\x1b[" in terminal_summary(report, run, {}, color=True)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if tag in ("script", "link", "img") or (name == "src" and value):
                self.external.append(f"{tag} {name}={value}")


def test_the_html_report_stands_alone_with_the_evidence_inline(report: RunReport, run: RunState) -> None:
    page = html_page(report, run)
    assert "NOT CONFORMANT" in page and "certification" in page and "already paid" in page
    assert 'id="ACTIVATE-005"' in page and "01-paGetPaymentV2.reproduce.sh" in page and "head -c" in page
    assert "&lt;r/&gt;" in page  # the response, escaped, inline
    parser = _Tags()
    parser.feed(page)
    assert parser.external == []  # no script, no stylesheet, no image to fetch


def test_junit_gets_one_case_per_always_on_rule_and_readable_scenario_names(
    report: RunReport, run: RunState, tmp_path: Path
) -> None:
    path = tmp_path / "junit.xml"
    path.write_text(
        '<?xml version="1.0"?><testsuites>'
        '<testsuite name="pytest" tests="1" failures="0" errors="0" skipped="0">'
        '<testcase classname="features.pa_for_node.test_pa_for_node" name="test_pay[payable]"/>'
        "</testsuite></testsuites>",
        encoding="utf-8",
    )
    complete_junit(path, report, run)
    suite = etree.parse(str(path)).getroot().find("testsuite")
    assert suite is not None
    names = [c.get("name") for c in suite.iter("testcase")]
    assert "Activating › a payable notice" in names
    failing = [c for c in suite.iter("testcase") if c.find("failure") is not None]
    assert [c.get("name", "").split()[0] for c in failing] == ["ACTIVATE-005"]
    message = failing[0].find("failure").get("message", "")  # type: ignore[union-attr]
    assert "ACTIVATE-005" in message and "#1 paGetPaymentV2" in message and NOTICE in message
    assert suite.get("failures") == "1" and suite.get("errors") == "1"  # SOAP-002 broken


def test_an_interrupted_run_never_looks_green_in_junit(
    report: RunReport, run: RunState, tmp_path: Path
) -> None:
    path = tmp_path / "junit.xml"
    path.write_text('<testsuites><testsuite name="pytest" tests="0"/></testsuites>', encoding="utf-8")
    run.abort("the run was interrupted (Ctrl-C) before every scenario ran")
    complete_junit(path, build_report(run, harness_version="0"), run)
    suite = etree.parse(str(path)).getroot().find("testsuite")
    assert suite is not None and int(suite.get("errors", "0")) >= 1
    assert "interrupted" in etree.tostring(suite).decode()


def test_allure_gets_one_result_per_always_on_rule_with_its_evidence(
    report: RunReport, run: RunState, tmp_path: Path
) -> None:
    written = write_rule_results(tmp_path, report, run)
    results = {
        json.loads(p.read_text(encoding="utf-8"))["name"].split()[0]: json.loads(p.read_text())
        for p in written
    }
    failed = results["ACTIVATE-005"]
    assert failed["status"] == "failed" and "ACTIVATE-005" in failed["statusDetails"]["message"]
    assert {"name": "severity", "value": "critical"} in failed["labels"]
    sources = [a["source"] for a in failed["attachments"]]
    assert sources and all((tmp_path / s).exists() for s in sources)
    assert results["SOAP-001"]["status"] == "passed"


def test_environment_properties_escapes(tmp_path: Path) -> None:
    entries = {"station url": "http://h:8080/a=b", "z": "line1\nline2", "a\\b": " lead", "city": "Forlì"}
    path = write_environment(tmp_path / "allure-results", entries)
    assert path.read_text(encoding="ascii").splitlines() == [
        r"station\ url=http\://h\:8080/a\=b",
        r"z=line1\nline2",
        r"a\\b=\ lead",
        r"city=Forl\u00ec",
    ]
    assert escape_property("#!x") == r"\#\!x"


def test_categories_keep_target_defects_apart_from_everything_else(tmp_path: Path) -> None:
    doc = json.loads(write_categories(tmp_path).read_text(encoding="utf-8"))
    product = doc[0]
    failure = "AssertionError: Non-conformant: ACTIVATE-005 expected sum = 30.00\n  actual 25.00"
    assert product["matchedStatuses"] == ["failed"] and re.fullmatch(product["messageRegex"], failure)
    assert not re.fullmatch(product["messageRegex"], "AssertionError: assert 1 == 2")
    not_judged = doc[1]
    assert re.fullmatch(not_judged["messageRegex"], "Skipped: not judged: STATE-002: no answer")
