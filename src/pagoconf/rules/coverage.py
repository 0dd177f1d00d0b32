"""Which scenarios exercise which rules, read from the @rule tags of the feature files."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from ..paths import FEATURES

_TAG = re.compile(r"@([\w:.@-]+)")
_SCENARIO = re.compile(r"^\s*(Scenario(?: Outline| Template)?|Example):\s*(.+?)\s*$")
_FEATURE = re.compile(r"^\s*Feature:\s*(.+?)\s*$")


def scenario_tags(features: Path = FEATURES) -> list[tuple[str, str, frozenset[str]]]:
    """(feature file, 'Feature › Scenario', tags incl. the feature's) for every scenario."""
    out = []
    for path in sorted(features.rglob("*.feature")):
        feature_tags: set[str] = set()
        pending: set[str] = set()
        feature = ""
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith("@"):
                pending |= set(_TAG.findall(stripped))
            elif m := _FEATURE.match(line):
                feature, feature_tags, pending = m.group(1), pending, set()
            elif m := _SCENARIO.match(line):
                out.append(
                    (
                        str(path.relative_to(features)),
                        f"{feature} › {m.group(2)}",
                        frozenset(feature_tags | pending),
                    )
                )
                pending = set()
            elif stripped and not stripped.startswith("#"):
                pending = pending if stripped.startswith(("Rule:",)) else set()
    return out


def rule_scenarios(features: Path = FEATURES) -> dict[str, list[str]]:
    """Rule id → the scenarios tagged with it."""
    cover: dict[str, list[str]] = defaultdict(list)
    for _, name, tags in scenario_tags(features):
        for tag in sorted(tags):
            if tag.startswith("rule:"):
                cover[tag[5:]].append(name)
    return dict(cover)
