"""The synchronous suite's fresh notices: with an `[adapter]`, the notices a run pays are asked of the
partner's system (freshNotice) instead of read from `[notices.to_pay]`, so that a certification can be
repeated against a live station; an adapter with none of a kind leaves that scenario not run; a broken one
breaks it."""

from __future__ import annotations

import json
import re
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import conformance, pagoconf, rules_with

from pagoconf.sync.reference import ReferenceStation, render_config

pytestmark = pytest.mark.slow

DOUBLE = str(Path(__file__).with_name("adapter_double.py"))
TO_PAY = re.compile(r"^\[notices\.to_pay\]\n(?:(?!^\[).*\n?)*", re.MULTILINE)


@pytest.fixture(scope="module")
def station() -> Iterator[ReferenceStation]:
    with ReferenceStation() as running:
        yield running


def _config(
    tmp_path: Path, station: ReferenceStation, adapter: list[str]
) -> tuple[Path, dict[str, list[str]]]:
    """The reference station's pagoconf.toml with this [adapter] instead of [notices.to_pay], and those."""
    text = render_config(station.url)
    to_pay = tomllib.loads(text)["notices"]["to_pay"]
    path = tmp_path / "pagoconf.toml"
    path.write_text(
        TO_PAY.sub("", text) + f"\n[adapter]\ncommand = {json.dumps(adapter)}\n", encoding="utf-8"
    )
    assert "to_pay" not in tomllib.loads(path.read_text(encoding="utf-8"))["notices"]
    return path, to_pay


def test_the_notices_a_run_pays_come_fresh_from_the_partner_adapter(
    tmp_path: Path, station: ReferenceStation
) -> None:
    numbers, log = tmp_path / "numbers.json", tmp_path / "asked.jsonl"
    config, to_pay = _config(tmp_path, station, [sys.executable, DOUBLE, "fresh", str(numbers), str(log)])
    numbers.write_text(json.dumps(to_pay), encoding="utf-8")
    reports = tmp_path / "reports"
    proc = pagoconf(
        "run", "--suite", "sync", "--config", str(config), "-m", "receipts", "--reports", str(reports),
        "--no-allure",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    doc = conformance(reports)
    assert {"RECEIPT-001", "RECEIPT-002", "RECEIPT-003"} <= rules_with(doc, "passed")
    asked = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert (
        asked
        and {a["action"] for a in asked} == {"freshNotice"}
        and {a["kind"] for a in asked} == {"payable"}
    )
    assert all(
        a["protocol"] == "pagoconf-adapter/1" and a["platform"]["organization"] == "77777777777"
        for a in asked
    )
    left = json.loads(numbers.read_text(encoding="utf-8"))["payable"]
    assert len(left) == len(to_pay["payable"]) - len(asked)  # each scenario that pays took a fresh one


def test_no_fresh_notice_of_a_kind_leaves_its_scenarios_not_run(
    tmp_path: Path, station: ReferenceStation
) -> None:
    numbers, log = tmp_path / "numbers.json", tmp_path / "asked.jsonl"
    config, _ = _config(tmp_path, station, [sys.executable, DOUBLE, "fresh", str(numbers), str(log)])
    numbers.write_text(json.dumps({}), encoding="utf-8")
    reports = tmp_path / "reports"
    proc = pagoconf(
        "run", "--suite", "sync", "--config", str(config), "-m", "receipts", "--reports", str(reports)
    )
    doc = conformance(reports)
    assert proc.returncode == 3 and doc["verdict"] == "INCONCLUSIVE", proc.stdout[-2000:]
    rules = {r["id"]: r for r in doc["rules"]}
    assert rules["RECEIPT-001"]["status"] == "not_run"
    assert "the partner adapter has no fresh payable notice" in rules["RECEIPT-001"]["reason"]
    assert rules_with(doc, "failed") == set()


def test_a_broken_adapter_breaks_the_scenario_that_needed_it(
    tmp_path: Path, station: ReferenceStation
) -> None:
    config, _ = _config(tmp_path, station, [sys.executable, DOUBLE, "exit"])
    reports = tmp_path / "reports"
    proc = pagoconf(
        "run", "--suite", "sync", "--config", str(config), "-m", "receipts", "--reports", str(reports)
    )
    doc = conformance(reports)
    assert proc.returncode == 3 and doc["verdict"] == "INCONCLUSIVE", proc.stdout[-2000:]
    assert "RECEIPT-001" in rules_with(doc, "broken") and rules_with(doc, "failed") == set()
    assert "Traceback" not in proc.stderr
