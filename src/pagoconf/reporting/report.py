"""The whole run's result, as conformance.json describes it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..ledger import RuleResult, summary


@dataclass(frozen=True)
class RunReport:
    """Verdict, target, timing and every rule's result."""

    verdict: str
    sanp: str
    target: Mapping[str, Any]
    started: str
    duration_s: float
    results: tuple[RuleResult, ...]
    harness_version: str
    service_level: Mapping[str, Any] | None = None
    exchanges: int = 0
    scenarios: Mapping[str, int] = field(default_factory=dict)  # passed/failed/skipped/broken counts

    def as_dict(self) -> dict[str, Any]:
        """The conformance.json document (DESIGN.md shape, extended)."""
        return {
            "verdict": self.verdict,
            "sanp": self.sanp,
            "target": dict(self.target),
            "started": self.started,
            "duration_s": round(self.duration_s, 3),
            "summary": summary(self.results),
            "rules": [r.as_dict() for r in self.results],
            "harness": {"name": "pagoconf", "version": self.harness_version},
            "service_level": dict(self.service_level) if self.service_level else None,
            "exchanges": self.exchanges,
            "scenarios": dict(self.scenarios),
        }
