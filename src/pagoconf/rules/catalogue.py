"""Load the catalogue (catalogue.toml beside this file) into Rule records."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SEVERITIES = ("blocker", "critical", "normal", "minor")
LEVELS = ("SHALL", "SHOULD")
KINDS = ("always", "scenario")
SANP_SITE = "https://docs.pagopa.it/sanp/sanp-{version}/"


@dataclass(frozen=True, slots=True)
class Rule:
    """One requirement: what it says, how bad breaking it is, where it comes from."""

    id: str
    title: str
    severity: str
    level: str
    kind: str
    applies_to: tuple[str, ...]
    spec: str
    source: str
    needs: tuple[str, ...] = ()
    not_tested: str | None = None


@cache
def catalogue() -> dict[str, Rule]:
    """Every rule, by id, in catalogue order."""
    raw = tomllib.loads((Path(__file__).with_name("catalogue.toml")).read_text(encoding="utf-8"))
    rules: dict[str, Rule] = {}
    for entry in raw["rule"]:
        r = Rule(
            id=entry["id"],
            title=entry["title"],
            severity=entry["severity"],
            level=entry["level"],
            kind=entry["kind"],
            applies_to=tuple(entry["applies_to"]),
            spec=entry["spec"],
            source=entry["source"],
            needs=tuple(entry.get("needs", ())),
            not_tested=entry.get("not_tested"),
        )
        if r.id in rules:
            raise ValueError(f"rule {r.id} is defined twice in the catalogue")
        if r.severity not in SEVERITIES or r.level not in LEVELS or r.kind not in KINDS:
            raise ValueError(f"rule {r.id}: bad severity, level or kind")
        rules[r.id] = r
    return rules


def rule(rule_id: str) -> Rule:
    """The rule with this id; KeyError names the unknown id."""
    try:
        return catalogue()[rule_id]
    except KeyError:
        raise KeyError(f"unknown rule id {rule_id!r}") from None


def spec_url(r: Rule, sanp: str) -> str:
    """The SANP page of a rule for the given SANP version."""
    return SANP_SITE.format(version=sanp) + r.spec
