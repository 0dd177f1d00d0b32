"""A broken requirement: what was expected, what was there, where, under which rule, on which exchange."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken requirement. `where` is an XPath (SOAP) or a JSON pointer (REST); `exchange` is the number
    of the exchange that shows it (0: not tied to one exchange, e.g. a measurement over many)."""

    expected: str
    actual: str
    where: str = ""
    rule: str = ""
    exchange: int = 0

    def as_dict(self) -> dict[str, object]:
        """The JSON form used by conformance.json."""
        out: dict[str, object] = {
            "rule": self.rule,
            "expected": self.expected,
            "actual": self.actual,
            "where": self.where,
        }
        if self.exchange:
            out["exchange"] = self.exchange
        return out
