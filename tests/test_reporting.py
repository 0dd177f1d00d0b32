"""conformance.json / .md, the terminal summary and the Allure side files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pagoconf.engine.violation import Violation
from pagoconf.engine.ledger import BROKEN, FAILED, NOT_CONFORMANT, NOT_RUN, PASSED, RuleResult, verdict
from pagoconf.engine.reporting.allure_files import escape_property, write_categories, write_environment
from pagoconf.engine.reporting.conformance import ALL_PA_FOR_NODE, md_escape, operation_group, terminal_summary, write_json, write_markdown
from pagoconf.engine.reporting.report import RunReport
from pagoconf.engine.rules import catalogue, spec_url

SUM = Violation(
    expected="sum(transferAmount) = 30.00",
    actual="25.00 (transfer 1: 10.00, transfer 2: 15.00)",
    where="/paGetPaymentRes/data/transferList",
    rule="ACTIVATE-005",
)


def _result(
    rule_id: str, status: str, *violations: Violation, required: bool = True, reason: str | None = None
):
    return RuleResult(catalogue()[rule_id], status, required, ("a scenario",), violations, reason)


@pytest.fixture
def report() -> RunReport:
    piped = Violation(expected="a | b", actual="c|d", where="/x|y")
    results = (
        _result("SOAP-001", PASSED),
        _result("SOAP-002", BROKEN, reason="station unreachable: connection refused"),
        _result("VERIFY-001", FAILED, piped),
        _result("ACTIVATE-005", FAILED, SUM, *[Violation(f"e{i}", f"a{i}", f"/w{i}") for i in range(4)]),
        _result("ACTIVATE-007", NOT_RUN, required=False, reason="needs bollo"),
    )
    return RunReport(
        verdict=verdict(results),
        sanp="3.8.0",
        target={
            "url": "http://127.0.0.1:8080/pa",
            "id_pa": "77777777777",
            "id_station": "77777777777_01",
            "primitive_version": "V1",
        },  # fmt: skip
        started="2024-05-01T10:00:00+00:00",
        duration_s=12.34567,
        results=results,
        harness_version="0.1.0",
        service_level={
            "seconds": 2.0,
            "target_share": 0.98,
            "answers": 40,
            "within": 39,
            "share": 0.975,
            "max_ms": 2100.0,
        },
    )


def test_rule_ids_are_real() -> None:
    assert {"SOAP-001", "VERIFY-001", "ACTIVATE-005", "ACTIVATE-007"} <= set(catalogue())


def test_json_round_trips_with_design_keys(report: RunReport, tmp_path: Path) -> None:
    path = write_json(report, tmp_path / "deep" / "conformance.json")
    text = path.read_text(encoding="utf-8")
    assert text.endswith("}\n") and text.startswith('{\n  "verdict"')
    doc = json.loads(text)
    assert doc == json.loads(json.dumps(report.as_dict()))
    assert {"verdict", "sanp", "target", "started", "duration_s", "summary", "rules"} <= doc.keys()
    assert doc["verdict"] == NOT_CONFORMANT
    assert doc["summary"] == {"passed": 1, "failed": 2, "not_run": 1, "broken": 1}
    rule = next(r for r in doc["rules"] if r["id"] == "ACTIVATE-005")
    assert {"id", "title", "severity", "status", "scenarios", "violations"} <= rule.keys()
    assert rule["violations"][0] == {"expected": SUM.expected, "actual": SUM.actual, "where": SUM.where}
    assert not list(tmp_path.glob("deep/.*.tmp"))


def test_operation_groups() -> None:
    rules = catalogue()
    assert operation_group(rules["SOAP-001"]) == ALL_PA_FOR_NODE
    assert operation_group(rules["VERIFY-001"]) == "Verify (paVerifyPaymentNotice)"
    assert operation_group(rules["ACTIVATE-005"]) == "Activate (paGetPayment, paGetPaymentV2)"
    assert operation_group(rules["ACTIVATE-007"]) == "Activate (paGetPaymentV2)"


def test_markdown_groups_by_operation(report: RunReport, tmp_path: Path) -> None:
    md = write_markdown(report, tmp_path / "conformance.md").read_text(encoding="utf-8")
    assert md.startswith("# Conformance: ❌ NOT CONFORMANT\n")
    headings = [line for line in md.splitlines() if line.startswith("### ")]
    assert headings == [
        "### All paForNode operations",
        "### Verify (paVerifyPaymentNotice)",
        "### Activate (paGetPayment, paGetPaymentV2)",
    ]
    sections = md.split("### ")
    assert "SOAP-001" in sections[1] and "SOAP-002" in sections[1] and "ACTIVATE-005" not in sections[1]
    assert "ACTIVATE-005" in sections[3]
    assert "97.5 % of 40 answers within 2 s (target 98 %)" in md
    assert "http://127.0.0.1:8080/pa" in md and "idPA 77777777777" in md and "V1" in md


def test_markdown_shows_first_violation_and_links(report: RunReport, tmp_path: Path) -> None:
    md = write_markdown(report, tmp_path / "c.md").read_text(encoding="utf-8")
    row = next(line for line in md.splitlines() if "ACTIVATE-005" in line and line.startswith("|"))
    url = spec_url(catalogue()["ACTIVATE-005"], "3.8.0")
    assert f"[ACTIVATE-005]({url})" in row
    assert "expected sum(transferAmount) = 30.00 · actual 25.00" in row
    assert "at `/paGetPaymentRes/data/transferList`" in row and "(+4 more)" in row
    assert "e0" not in row
    assert "station unreachable: connection refused" in md


def test_markdown_escapes_pipes(report: RunReport, tmp_path: Path) -> None:
    md = write_markdown(report, tmp_path / "c.md", sanp_links=False).read_text(encoding="utf-8")
    row = next(line for line in md.splitlines() if line.startswith("| VERIFY-001"))
    assert r"expected a \| b · actual c\|d · at `/x\|y`" in row
    assert len(re.findall(r"(?<!\\)\|", row)) == 6  # five cells, no stray separators
    assert "](" not in row
    assert md_escape("a*b_[c]<d>") == r"a\*b\_\[c\]\<d\>"


def test_markdown_not_required_section(report: RunReport, tmp_path: Path) -> None:
    md = write_markdown(report, tmp_path / "c.md").read_text(encoding="utf-8")
    head, _, tail = md.partition("## Not required for this run")
    assert "ACTIVATE-007" in tail and "needs bollo" in tail
    assert "ACTIVATE-007" not in head


def test_terminal_summary(report: RunReport) -> None:
    paths = {"conformance.json": Path("reports/conformance.json"), "allure": Path("reports/allure-results")}
    text = terminal_summary(report, paths)
    lines = text.splitlines()
    assert lines[0].startswith("✗ NOT CONFORMANT")
    assert "1 passed · 2 failed · 1 not run · 1 broken" in lines[0]
    rule = catalogue()["ACTIVATE-005"]
    i = lines.index(f"✗ ACTIVATE-005 {rule.title}   [{rule.severity}]")
    assert lines[i + 1] == "  expected  sum(transferAmount) = 30.00"
    assert lines[i + 2] == "  actual    25.00 (transfer 1: 10.00, transfer 2: 15.00)"
    assert lines[i + 3] == "  where     /paGetPaymentRes/data/transferList"
    assert "  … and 2 more" in lines
    assert f"  spec      SANP 3.8.0 › {spec_url(catalogue()['ACTIVATE-005'], '3.8.0')}" in lines
    assert "e2" not in text and "e1" in text
    assert any("SOAP-002 broken" in ln and "connection refused" in ln for ln in lines)
    assert any("conformance.json" in ln and "reports/conformance.json" in ln for ln in lines)
    assert any("allure" in ln and "reports/allure-results" in ln for ln in lines)
    assert "\x1b[" not in text and len(lines) < 40
    assert "\x1b[" in terminal_summary(report, paths, color=True)


def test_environment_properties_escapes(tmp_path: Path) -> None:
    entries = {"station url": "http://h:8080/a=b", "z": "line1\nline2", "a\\b": " lead", "city": "Forlì"}
    path = write_environment(tmp_path / "allure-results", entries)
    assert path.name == "environment.properties"
    assert path.read_text(encoding="ascii").splitlines() == [
        r"station\ url=http\://h\:8080/a\=b",
        r"z=line1\nline2",
        r"a\\b=\ lead",
        r"city=Forl\u00ec",
    ]
    assert escape_property("#!x") == r"\#\!x"
    assert _load_properties(path.read_text(encoding="ascii")) == entries


def _load_properties(text: str) -> dict[str, str]:
    """A minimal Java .properties reader (one logical line per entry, unescaped '=' separator)."""
    out = {}
    for line in text.splitlines():
        key, value = re.split(r"(?<!\\)=", line, maxsplit=1)
        out[_unescape(key)] = _unescape(value)
    return out


def _unescape(s: str) -> str:
    named = {"n": "\n", "r": "\r", "t": "\t", "f": "\f"}
    return re.sub(
        r"\\(u[0-9a-fA-F]{4}|.)",
        lambda m: chr(int(m[1][1:], 16)) if len(m[1]) == 5 else named.get(m[1], m[1]),
        s,
    )


def test_categories_json(tmp_path: Path) -> None:
    doc = json.loads(write_categories(tmp_path).read_text(encoding="utf-8"))
    by_name = {c["name"]: c for c in doc}
    product = by_name["Non-conformant station (product defect)"]
    assert product["matchedStatuses"] == ["failed"]
    assert by_name["Station unreachable or harness problem (broken)"]["matchedStatuses"] == ["broken"]
    assert by_name["Not run: missing test data or capability"]["matchedStatuses"] == ["skipped"]
    failure = "AssertionError: Non-conformant: ACTIVATE-005 expected sum = 30.00\n  actual 25.00"
    assert re.fullmatch(product["messageRegex"], failure)
    assert not re.fullmatch(product["messageRegex"], "AssertionError: assert 1 == 2")
    harness = by_name["Failed outside a conformance check (harness defect)"]["messageRegex"]
    assert re.fullmatch(harness, "AssertionError: assert 1 == 2")
    assert not re.fullmatch(harness, failure)
