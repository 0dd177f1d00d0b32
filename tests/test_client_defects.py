"""Meta-tests of the asynchronous suite: `pagoconf run --suite async` on the reference client is conformant,
and each named defect of the client is caught by its rule and by no unrelated one. Every run drives the
whole asynchronous suite, so that "no unrelated rule" holds."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import ManyRuns, caught_alone, conformance, pagoconf, rules_with

from pagoconf.engine.rules import catalogue
from pagoconf.platform.client.defects import DEFECTS

pytestmark = pytest.mark.slow

CLIENT_RULES = {r.id for r in catalogue().values() if r.id.startswith("CLIENT-")}


@pytest.fixture(scope="module")
def runs() -> Iterator[ManyRuns]:
    runner = ManyRuns()
    yield runner
    runner.close()


@pytest.mark.parametrize("sanp", ["3.8.0", "3.13.0"])
def test_the_reference_client_is_conformant(runs: ManyRuns, tmp_path: Path, sanp: str) -> None:
    proc = runs(
        "run", "--suite", "async", "--sanp", sanp, "--profile", "hardening", "--reports", str(tmp_path),
        "--no-allure",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    doc = conformance(tmp_path)
    assert doc["verdict"] == "CONFORMANT"
    assert rules_with(doc, "failed") == set() and rules_with(doc, "broken") == set()
    required = {r["id"] for r in doc["rules"] if r["required"]}
    assert required >= CLIENT_RULES and required == rules_with(doc, "passed")
    assert doc["scenarios"]["broken"] == 0 and doc["scenarios"]["failed"] == 0
    assert {r["suite"] for r in doc["rules"]} == {"async"}
    assert doc["target"]["async"]["embedded_reference_client"] is True


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_each_client_defect_is_caught_by_its_rule_and_no_unrelated_one(
    runs: ManyRuns, tmp_path: Path, name: str
) -> None:
    defect = DEFECTS[name]
    proc = runs(
        "run", "--suite", "async", "--client-defect", name, "--profile", "hardening",
        "--reports", str(tmp_path), "--no-allure",
    )  # fmt: skip
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    doc = conformance(tmp_path)
    caught_alone(doc, proc.stdout, defect.rule, defect.also)
    assert doc["target"]["async"]["client_defects"] == [name]


def test_every_client_rule_has_a_defect_that_breaks_it() -> None:
    broken = {d.rule for d in DEFECTS.values()}
    assert CLIENT_RULES - broken == {"CLIENT-014"}  # a sequence rule: tests/test_client_journal.py breaks it
    assert len(DEFECTS) >= 12


def test_the_client_lists_its_defects_like_the_station() -> None:
    listed = pagoconf("client", "--list-defects", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [r["name"] for r in rows] == list(DEFECTS)
    assert all(set(r) == {"name", "rule", "description", "also"} for r in rows)
    assert all(r["rule"] in catalogue() and set(r["also"]) <= set(catalogue()) for r in rows)
    text = pagoconf("client", "--list-defects")
    assert text.returncode == 0 and "amounts-in-euros" in text.stdout and "CLIENT-001" in text.stdout
    assert "(also GPD-062)" in text.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--client-defect", "no-such-defect"], "unknown client defect 'no-such-defect'"),
        (["client"], "client needs --list-defects"),
        (["run", "--journal", "x.db"], "add --suite async"),
    ],
)
def test_a_client_option_mistake_is_one_line_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    proc = pagoconf(*args, "--reports", str(tmp_path)) if args[0] == "run" else pagoconf(*args)
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_a_config_runs_the_halves_it_describes_never_the_reference_ones(tmp_path: Path) -> None:
    import argparse

    from pagoconf.cli import _chosen_suites

    config = tmp_path / "pagoconf.toml"
    for text, suites in (
        ('[station]\nurl = "http://s/paForNode"\n', ("sync",)),
        ('[adapter]\ncommand = "x"\n', ("async",)),
        ('[station]\nurl = "http://s"\n[adapter]\nurl = "http://a"\n', ("sync", "async")),
        ('sanp = "3.8.0"\n', ("sync", "async")),
    ):
        config.write_text(text, encoding="utf-8")
        assert _chosen_suites(argparse.Namespace(suite="all", config=str(config))) == suites, text
    assert _chosen_suites(argparse.Namespace(suite="all", config=None)) == ("sync", "async")
    assert _chosen_suites(argparse.Namespace(suite="async", config=str(config))) == ("async",)
