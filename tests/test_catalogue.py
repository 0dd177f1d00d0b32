"""The catalogue holds together: tags name known rules, every rule is exercised or says why not, every
rule has a basis and a public source, every always-on rule a check, every rule a defect that breaks it."""

from __future__ import annotations

import pytest

from pagoconf.engine.coverage import rule_scenarios, scenario_tags
from pagoconf.engine.rules import BASES, PROFILES, SEVERITIES, catalogue, operations, spec_url
from pagoconf.sync.checks import CHECKS, check, unchecked_always_rules
from pagoconf.sync.reference import DEFECTS


def test_every_rule_tag_names_a_known_rule() -> None:
    unknown = {r for sc in scenario_tags() for r in sc.rules} - set(catalogue())
    assert unknown == set()


def test_every_scenario_rule_has_a_scenario_or_a_reason_not_to() -> None:
    covered = rule_scenarios()
    bare = [
        r.id
        for r in catalogue().values()
        if r.kind == "scenario" and not covered.get(r.id) and not r.not_tested
    ]
    assert bare == []


def test_a_rule_block_carries_exactly_one_rule() -> None:
    for sc in scenario_tags():
        if sc.rule_block is not None:
            assert sc.rule_block in sc.rules


def test_every_always_on_rule_has_a_check_and_every_check_a_rule() -> None:
    assert unchecked_always_rules() == []
    assert set(CHECKS.by_rule) <= set(catalogue())


def test_a_check_for_an_unknown_scenario_or_checked_rule_fails_at_registration() -> None:
    with pytest.raises(KeyError, match="NOPE-001"):
        check("NOPE-001")
    with pytest.raises(ValueError, match="not an always-on rule"):
        check("STATE-001")
    with pytest.raises(ValueError, match="already has a check"):
        check("SOAP-001")


def test_rules_are_well_formed_and_cite_public_sources() -> None:
    for r in catalogue().values():
        assert r.severity in SEVERITIES and r.title and r.source and r.spec, r.id
        assert r.basis in BASES, r.id
        assert r.applies_to and set(r.applies_to) <= set(operations()), r.id
        assert "domain-brief" not in r.source and "§" not in r.source, r.id


def test_the_certification_profile_leaves_out_only_pagoconfs_own_recommendations() -> None:
    advice = {r.id for r in catalogue().values() if not r.in_profile("certification")}
    assert {"SECURITY-001", "SECURITY-002", "SECURITY-003", "SECURITY-004", "FAULT-003"} <= advice
    assert all(catalogue()[rid].basis == "pagoconf" for rid in advice)
    assert all(r.in_profile("hardening") for r in catalogue().values())
    assert set(PROFILES) == {"certification", "hardening"}


@pytest.mark.parametrize("sanp", ["3.8.0", "3.13.0"])
def test_spec_links_follow_the_pages_that_moved(sanp: str) -> None:
    url = spec_url(catalogue()["VERIFY-001"], sanp)
    moved = "appendici/primitive/ente-creditore/api-soap" if sanp == "3.13.0" else "appendici/primitive#"
    assert moved in url and sanp in url


def test_each_defect_breaks_a_known_rule_and_every_sync_rule_has_a_defect() -> None:
    broken = {d.rule for d in DEFECTS.values()}
    assert broken <= set(catalogue())
    sync_rules = {r.id for r in catalogue().values() if r.suite == "sync"}
    assert sync_rules - broken == set()
