"""The rule catalogue: requirements as data, with stable ids, read from each suite's `rules.toml`.

A suite is a folder of the package with a `rules.toml` (`sync/`, `platform/`): its contracts, their
operations, the SANP pages it cites and its rules. The engine reads the data; it imports no suite.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pagoconf import resources

SEVERITIES = ("blocker", "critical", "normal", "minor")
LEVELS = ("SHALL", "SHOULD")
KINDS = ("always", "scenario")
BASES = ("sanp", "platform", "pagoconf")
"""sanp: the SANP text or its contract files; platform: what the Node or GPD enforces on the wire;
pagoconf: our own recommendation (hardening), never part of a certification verdict."""
PROFILES: dict[str, tuple[str, ...]] = {
    "certification": ("sanp", "platform"),
    "hardening": ("sanp", "platform", "pagoconf"),
}
DEFAULT_PROFILE = "certification"
SANP_SITES = {
    "3.8.0": "https://docs.pagopa.it/sanp/sanp-3.8.0/",
    "3.13.0": "https://developer.pagopa.it/pago-pa/guides/sanp/3.13.0/",
}


class CatalogueError(ValueError):
    """A rules.toml that breaks the catalogue's own rules (unknown field value, duplicate id, …)."""


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of a contract (a SOAP action, an OpenAPI operationId) and the suite that owns it."""

    name: str
    contract: str
    suite: str
    group: str  # the heading reports list its rules under, e.g. "Verify"
    data: Mapping[str, Any] = field(default_factory=dict)  # the suite's own fields (element names, …)


@dataclass(frozen=True, slots=True)
class Rule:
    """One requirement: what it says, how bad breaking it is, where it comes from, where it applies."""

    id: str
    title: str
    severity: str
    level: str
    basis: str
    kind: str
    applies_to: tuple[str, ...]  # operation names (a contract named in rules.toml stands for all of its)
    spec: str
    source: str
    suite: str
    needs: tuple[str, ...] = ()
    not_tested: str | None = None

    def in_profile(self, profile: str) -> bool:
        """True when the rule's basis belongs to the profile (it counts towards that profile's verdict)."""
        return self.basis in PROFILES[profile]


@dataclass(frozen=True)
class Catalogue:
    """Every suite's rules, operations and cited pages."""

    rules: Mapping[str, Rule]
    operations: Mapping[str, Operation]
    pages: Mapping[str, Mapping[str, str]]  # page key → SANP version → path under that version's site
    suites: tuple[str, ...]


def suite_files() -> list[Path]:
    """The rules.toml of every suite folder of the package."""
    return sorted(resources.PACKAGE.glob("*/rules.toml"))


@cache
def load() -> Catalogue:
    """Read and check every suite's rules.toml."""
    rules: dict[str, Rule] = {}
    operations: dict[str, Operation] = {}
    pages: dict[str, dict[str, str]] = {}
    suites = []
    for path in suite_files():
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        suite = raw.get("suite")
        if not isinstance(suite, str):
            raise CatalogueError(f'{path}: `suite = "…"` is missing')
        suites.append(suite)
        contracts = {c["name"]: c for c in raw.get("contract", [])}
        for entry in raw.get("operation", []):
            name = entry["name"]
            if name in operations or entry.get("contract") not in contracts:
                raise CatalogueError(f"{path}: operation {name} is repeated or names no [[contract]]")
            group = entry.get("group", contracts[entry["contract"]].get("area", entry["contract"]))
            operations[name] = Operation(name, entry["contract"], suite, group, entry)
        for key, by_version in raw.get("pages", {}).items():
            pages[key] = dict(by_version)
        by_contract = {c: [o.name for o in operations.values() if o.contract == c] for c in contracts}
        for entry in raw.get("rule", []):
            rule = _rule(entry, suite, by_contract, operations, path)
            if rule.id in rules:
                raise CatalogueError(f"{path}: rule {rule.id} is defined twice")
            rules[rule.id] = rule
    return Catalogue(rules, operations, pages, tuple(suites))


def _rule(
    entry: Mapping[str, Any],
    suite: str,
    by_contract: Mapping[str, list[str]],
    operations: Mapping[str, Operation],
    path: Path,
) -> Rule:
    rid = entry.get("id", "?")
    applies: list[str] = []
    for name in entry.get("applies_to", []):
        if name in by_contract:
            applies += by_contract[name]
        elif name in operations:
            applies.append(name)
        else:
            raise CatalogueError(
                f"{path}: rule {rid} applies to {name!r}, neither an operation nor a contract"
            )
    try:
        rule = Rule(
            id=rid,
            title=entry["title"],
            severity=entry["severity"],
            level=entry["level"],
            basis=entry["basis"],
            kind=entry["kind"],
            applies_to=tuple(dict.fromkeys(applies)),
            spec=entry["spec"],
            source=entry["source"],
            suite=suite,
            needs=tuple(entry.get("needs", ())),
            not_tested=entry.get("not_tested"),
        )
    except KeyError as exc:
        raise CatalogueError(f"{path}: rule {rid} has no {exc.args[0]}") from None
    for value, allowed, what in (
        (rule.severity, SEVERITIES, "severity"),
        (rule.level, LEVELS, "level"),
        (rule.basis, BASES, "basis"),
        (rule.kind, KINDS, "kind"),
    ):
        if value not in allowed:
            raise CatalogueError(f"{path}: rule {rid}: {what} {value!r} is not one of {', '.join(allowed)}")
    return rule


def catalogue() -> Mapping[str, Rule]:
    """Every rule, by id, in catalogue order (suites in folder order)."""
    return load().rules


def rule(rule_id: str) -> Rule:
    """The rule with this id; KeyError names the unknown id."""
    try:
        return catalogue()[rule_id]
    except KeyError:
        raise KeyError(f"unknown rule id {rule_id!r}") from None


def operations() -> Mapping[str, Operation]:
    """Every operation of every suite's contracts, by name."""
    return load().operations


def spec_url(r: Rule, sanp: str) -> str:
    """The SANP page a rule cites, for the given SANP version (pages that moved between versions are
    looked up in the suite's [pages] table)."""
    page, _, anchor = r.spec.partition("#")
    path = load().pages.get(page, {}).get(sanp, page)
    site = SANP_SITES.get(sanp, f"https://docs.pagopa.it/sanp/sanp-{sanp}/")
    return site + path + (f"#{anchor}" if anchor else "")
