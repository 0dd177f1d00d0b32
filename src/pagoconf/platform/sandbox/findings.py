"""Findings: what the sandbox says about one request, rule by rule, as the journal keeps them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pagoconf.engine.violation import Violation


@dataclass(frozen=True, slots=True)
class Finding:
    """One broken rule on one request. `warning`: recorded, but the request was not refused for it (a
    departure the real platform tolerates, or a SHOULD). `where`: a JSON pointer into the body
    (`/paymentOption/0/transfer/1/amount`), or `query:NAME`, `path:NAME`, `header:NAME`."""

    rule: str
    expected: str
    actual: str
    where: str = ""
    warning: bool = False

    def as_dict(self) -> dict[str, Any]:
        """The journal's JSON form."""
        return {
            "rule": self.rule,
            "expected": self.expected,
            "actual": self.actual,
            "where": self.where,
            "warning": self.warning,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Finding:
        """A finding read back from the journal."""
        return cls(
            str(raw["rule"]),
            str(raw["expected"]),
            str(raw["actual"]),
            str(raw["where"]),
            bool(raw["warning"]),
        )

    def violation(self, exchange: int = 0) -> Violation:
        """The engine's form of this finding."""
        return Violation(self.expected, self.actual, self.where, self.rule, exchange)
