"""The catalogue holds together: tags name known rules, every rule is exercised or says why not."""

from __future__ import annotations

import pytest

from pagoconf.sync.checks import CHECKS, unchecked_always_rules
from pagoconf.engine.checks import check
from pagoconf.sync.reference import DEFECTS
from pagoconf.engine.rules import SEVERITIES, catalogue
from pagoconf.engine.coverage import rule_scenarios, scenario_tags
from pagoconf.sync.soap import OPERATIONS


def test_every_rule_tag_names_a_known_rule() -> None:
    unknown = {t[5:] for _, _, tags in scenario_tags() for t in tags if t.startswith("rule:")} - set(
        catalogue()
    )
    assert unknown == set()


def test_every_rule_has_a_scenario_or_a_reason_not_to() -> None:
    covered = rule_scenarios()
    bare = [r.id for r in catalogue().values() if not covered.get(r.id) and not r.not_tested]
    assert bare == []


def test_every_always_on_rule_has_a_check_and_every_check_a_rule() -> None:
    assert unchecked_always_rules() == []
    assert set(CHECKS) <= set(catalogue())


def test_a_check_for_an_unknown_or_scenario_rule_fails_at_registration() -> None:
    with pytest.raises(KeyError, match="NOPE-001"):
        check("NOPE-001")
    with pytest.raises(ValueError, match="judged by scenarios"):
        check("STATE-001")
    with pytest.raises(ValueError, match="already has a check"):
        check("SOAP-001")


def test_rules_are_well_formed() -> None:
    for r in catalogue().values():
        assert r.severity in SEVERITIES and r.title and r.source and r.spec
        assert set(r.applies_to) <= set(OPERATIONS), r.id


def test_each_defect_breaks_a_known_rule_and_every_rule_that_can_be_broken_on_the_wire_has_a_defect() -> None:
    broken = {d.rule for d in DEFECTS.values()}
    assert broken <= set(catalogue())
    assert set(catalogue()) - broken == set()
