"""Which scenarios exercise which rules, read from the feature files with pytest-bdd's own Gherkin parser."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pytest_bdd.parser import FeatureParser

from pagoconf.resources import FEATURES


@dataclass(frozen=True)
class ScenarioTags:
    """One scenario of the catalogue and its tags (its feature's and its Rule block's included)."""

    file: str  # relative to the features folder
    name: str  # 'Feature › Scenario'
    tags: frozenset[str]
    rule_block: str | None  # the @rule tag of its Gherkin `Rule:` block, if exactly one

    @property
    def rules(self) -> frozenset[str]:
        """The rule ids the scenario is tagged with."""
        return frozenset(t[5:] for t in self.tags if t.startswith("rule:"))


def scenario_tags(features: Path = FEATURES) -> list[ScenarioTags]:
    """Every scenario of every feature file under `features`."""
    return list(_scenarios(features.resolve()))


@cache
def _scenarios(features: Path) -> tuple[ScenarioTags, ...]:
    out = []
    for path in sorted(features.rglob("*.feature")):
        rel = str(path.relative_to(features))
        feature = FeatureParser(str(features), rel).parse()
        for sc in feature.scenarios.values():
            block_tags = set(sc.rule.tags) if sc.rule is not None else set()
            block_rules = [t[5:] for t in block_tags if t.startswith("rule:")]
            tags = frozenset(set(feature.tags) | block_tags | set(sc.tags))
            name = f"{feature.name} › {sc.name}"
            out.append(ScenarioTags(rel, name, tags, block_rules[0] if len(block_rules) == 1 else None))
    return tuple(out)


def rule_scenarios(features: Path = FEATURES) -> dict[str, list[str]]:
    """Rule id → the scenarios tagged with it."""
    cover: dict[str, list[str]] = defaultdict(list)
    for sc in scenario_tags(features):
        for rid in sorted(sc.rules):
            cover[rid].append(sc.name)
    return dict(cover)


def feature_tags(features: Path = FEATURES) -> list[str]:
    """The plain tags of the catalogue (`-m` selects by them): area, operation, kind of scenario."""
    return sorted({t for sc in scenario_tags(features) for t in sc.tags if ":" not in t})
