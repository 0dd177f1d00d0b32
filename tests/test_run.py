"""End to end: `pagoconf run` on the reference station and on each of its defects (meta-tests)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import conformance, pagoconf, rules_with

from pagoconf.sync.reference import DEFECTS
from pagoconf.engine.rules import catalogue

# Slow defects get small delays and a matching Node deadline so the run stays quick.
SHORT_DELAY = ["--station-delay", "0.6", "--timeout", "0.3"]
DEFECT_FLAGS = {
    name: SHORT_DELAY
    for name in ("slow-verify", "slow-receipt", "hangs-on-entity-bomb", "hangs-on-deep-nesting")
}
DEFECT_FLAGS["sluggish"] = ["--station-delay", "0.3", "--service-level", "0.2"]


@pytest.mark.parametrize(("sanp", "version"), [("3.8.0", 2), ("3.13.0", 2), ("3.8.0", 1)])
def test_the_reference_station_is_conformant(tmp_path: Path, sanp: str, version: int) -> None:
    proc = pagoconf("run", "--sanp", sanp, "--primitive-version", str(version), "--reports", str(tmp_path))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    doc = conformance(tmp_path)
    assert doc["verdict"] == "CONFORMANT"
    required = {r["id"] for r in doc["rules"] if r["required"]}
    assert rules_with(doc, "failed") == set() and rules_with(doc, "broken") == set()
    assert required <= rules_with(doc, "passed")
    not_required = set(catalogue()) - required
    assert not_required == ({"ACTIVATE-007"} if version == 1 else set())
    for name in (
        "junit.xml",
        "conformance.md",
        "allure-results/environment.properties",
        "allure-results/categories.json",
    ):
        assert (tmp_path / name).exists(), name
    assert "CONFORMANT" in proc.stdout and "conformance.json" in proc.stdout


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_each_defect_is_caught_by_its_rule_and_no_unrelated_one(tmp_path: Path, name: str) -> None:
    defect = DEFECTS[name]
    proc = pagoconf("run", "--defect", name, "--reports", str(tmp_path), *DEFECT_FLAGS.get(name, []))
    doc = conformance(tmp_path)
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert doc["verdict"] == "NOT_CONFORMANT"
    failed = rules_with(doc, "failed")
    assert defect.rule in failed
    assert failed <= {defect.rule, *defect.also}, f"unrelated rules failed: {failed - {defect.rule}}"
    assert rules_with(doc, "broken") == set()
    (rule,) = [r for r in doc["rules"] if r["id"] == defect.rule]
    first = rule["violations"][0]
    assert first["expected"] and first["actual"] and first["where"]
    assert defect.rule in proc.stdout  # the terminal summary names the rule
    assert defect.rule in (tmp_path / "conformance.md").read_text(encoding="utf-8")


def test_an_unreachable_station_is_inconclusive_not_failed(tmp_path: Path) -> None:
    config = tmp_path / "station.toml"
    proc = pagoconf("station", "--write-config", str(config), "--port", "9")  # nothing listens on port 9
    assert proc.returncode == 0, proc.stderr
    proc = pagoconf("run", "--config", str(config), "--reports", str(tmp_path / "r"))
    assert proc.returncode == 3, proc.stdout[-2000:] + proc.stderr[-2000:]
    doc = conformance(tmp_path / "r")
    assert doc["verdict"] == "INCONCLUSIVE"
    assert rules_with(doc, "failed") == set()
    assert "unreachable" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


def test_a_running_station_is_tested_through_its_written_config(tmp_path: Path) -> None:
    from pagoconf.sync.reference import ReferenceStation

    with ReferenceStation() as station:
        config = tmp_path / "pagoconf.toml"
        assert pagoconf("station", "--write-config", str(config), "--port", str(station.port)).returncode == 0
        proc = pagoconf(
            "run", "--config", str(config), "--station", station.url, "--reports", str(tmp_path / "r")
        )
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert conformance(tmp_path / "r")["target"]["url"] == station.url


def test_a_scenario_without_its_data_is_not_run_and_the_run_is_inconclusive(tmp_path: Path) -> None:
    from pagoconf.sync.reference import ReferenceStation

    with ReferenceStation() as station:
        config = tmp_path / "pagoconf.toml"
        pagoconf("station", "--write-config", str(config), "--port", str(station.port))
        text = config.read_text(encoding="utf-8")
        trimmed = "\n".join(line for line in text.splitlines() if not line.startswith("annulled"))
        config.write_text(trimmed, encoding="utf-8")
        proc = pagoconf("run", "--config", str(config), "--reports", str(tmp_path / "r"))
    doc = conformance(tmp_path / "r")
    assert proc.returncode == 3
    (state3,) = [r for r in doc["rules"] if r["id"] == "STATE-003"]
    assert state3["status"] == "not_run" and "annulled" in state3["reason"]
    assert rules_with(doc, "failed") == set()


def test_selection_with_m_runs_only_those_scenarios(tmp_path: Path) -> None:
    proc = pagoconf("run", "-m", "verify", "--reports", str(tmp_path))
    assert proc.returncode == 0, proc.stdout[-2000:]
    doc = conformance(tmp_path)
    assert "VERIFY-001" in rules_with(doc, "passed")
    assert "STATE-001" in rules_with(doc, "not_run")
