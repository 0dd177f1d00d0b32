"""End to end: `pagoconf run` on the reference station, and on each of its defects for both SANP versions and
both primitive versions (meta-tests: each defect is caught by its rule and by no unrelated one)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support import ManyRuns, caught_alone, conformance, pagoconf, rules_with

from pagoconf.engine.rules import catalogue
from pagoconf.sync.reference import DEFECTS

pytestmark = pytest.mark.slow

COMBINATIONS = [("3.8.0", 2), ("3.13.0", 2), ("3.8.0", 1), ("3.13.0", 1)]
V2_ONLY = {"short-stamp-hash"}  # @e.bollo travels in paGetPaymentV2 only
# Slow defects get small delays and a matching Node deadline so the run stays quick. Where the rule is not
# TIME-001, the deadline leaves room for a loaded machine: an ordinary exchange must never miss it.
SHORT_DELAY = ["--station-delay", "0.6", "--timeout", "0.3"]
ROOMY_DELAY = ["--station-delay", "1.5", "--timeout", "0.8"]
DEFECT_FLAGS = {"slow-verify": SHORT_DELAY, "slow-receipt": SHORT_DELAY}
DEFECT_FLAGS |= {name: ROOMY_DELAY for name in ("hangs-on-entity-bomb", "hangs-on-deep-nesting")}
DEFECT_FLAGS["sluggish"] = ["--station-delay", "0.3", "--service-level", "0.2"]
SYNC_RULES = {r.id for r in catalogue().values() if r.suite == "sync"}
PRIMARY = ("3.8.0", 2)
PROPERTY_RULES = {"ROBUST-001", "ROBUST-002", "ROBUST-003"}  # judged only by the property scenarios


@pytest.fixture(scope="module")
def runs() -> Iterator[ManyRuns]:
    runner = ManyRuns()
    yield runner
    runner.close()


@pytest.mark.parametrize(("sanp", "version"), COMBINATIONS)
def test_the_reference_station_is_conformant(tmp_path: Path, sanp: str, version: int) -> None:
    """Both suites in the first combination (the default run); the synchronous suite in the others."""
    suite = "all" if (sanp, version) == PRIMARY else "sync"
    proc = pagoconf(
        "run", "--sanp", sanp, "--primitive-version", str(version), "--profile", "hardening",
        "--suite", suite,
        "--reports", str(tmp_path),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    doc = conformance(tmp_path)
    assert doc["verdict"] == "CONFORMANT" and doc["profile"] == "hardening"
    required = {r["id"] for r in doc["rules"] if r["required"]}
    assert rules_with(doc, "failed") == set() and rules_with(doc, "broken") == set()
    assert required == rules_with(doc, "passed")
    assert SYNC_RULES - required == ({"ACTIVATE-007"} if version == 1 else set())
    assert doc["scenarios"]["broken"] == 0 and doc["scenarios"]["failed"] == 0
    for name in ("junit.xml", "conformance.md", "conformance.html", "allure-results/categories.json"):
        assert (tmp_path / name).exists(), name
    assert "CONFORMANT" in proc.stdout and "conformance.json" in proc.stdout


CASES = [
    pytest.param(name, sanp, version, id=f"{name}-{sanp}-v{version}")
    for name in sorted(DEFECTS)
    for sanp, version in COMBINATIONS
    if version == 2 or name not in V2_ONLY
]


@pytest.mark.parametrize(("name", "sanp", "version"), CASES)
def test_each_defect_is_caught_by_its_rule_and_no_unrelated_one(
    runs: ManyRuns, tmp_path: Path, name: str, sanp: str, version: int
) -> None:
    """Every defect in every combination; the property scenarios (the slowest) run in the first
    combination for every defect, and in the others for the defects only a property can catch."""
    defect = DEFECTS[name]
    everything = (sanp, version) == PRIMARY or defect.rule in PROPERTY_RULES
    proc = runs(
        "run", "--suite", "sync", "--defect", name, "--sanp", sanp, "--primitive-version", str(version),
        "--profile", "hardening",
        "--reports", str(tmp_path), "--no-allure", *DEFECT_FLAGS.get(name, []),
        *(() if everything else ("-m", "not property")),
    )  # fmt: skip
    doc = conformance(tmp_path)
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    first = caught_alone(doc, proc.stdout, defect.rule, defect.also)
    assert first["where"]
    assert defect.rule in (tmp_path / "conformance.md").read_text(encoding="utf-8")
