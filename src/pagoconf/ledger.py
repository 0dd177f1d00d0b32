"""The ledger of a run: which rules were judged where, with what violations; the verdict from it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .checks import Violation
from .rules import Rule, catalogue

PASSED, FAILED, NOT_RUN, BROKEN = "passed", "failed", "not_run", "broken"
CONFORMANT, NOT_CONFORMANT, INCONCLUSIVE = "CONFORMANT", "NOT_CONFORMANT", "INCONCLUSIVE"


@dataclass
class _Entry:
    scenarios: list[str] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    judged: int = 0
    broken: list[str] = field(default_factory=list)
    not_run: list[str] = field(default_factory=list)
    selected: bool = False

    def touch(self, scenario: str) -> None:
        if scenario not in self.scenarios:
            self.scenarios.append(scenario)


@dataclass(frozen=True)
class RuleResult:
    """The outcome of one rule over the whole run."""

    rule: Rule
    status: str
    required: bool
    scenarios: tuple[str, ...]
    violations: tuple[Violation, ...]
    reason: str | None = None

    def as_dict(self) -> dict[str, object]:
        """The conformance.json form of this rule."""
        r = self.rule
        out: dict[str, object] = {
            "id": r.id,
            "title": r.title,
            "severity": r.severity,
            "level": r.level,
            "status": self.status,
            "required": self.required,
            "scenarios": list(self.scenarios),
            "violations": [
                {"expected": v.expected, "actual": v.actual, "where": v.where} for v in self.violations
            ],
        }
        if self.reason:
            out["reason"] = self.reason
        return out


class Ledger:
    """Collects judgements rule by rule during a run."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {rid: _Entry() for rid in catalogue()}

    def _entry(self, rule_id: str) -> _Entry:
        if rule_id not in self._entries:
            raise KeyError(f"unknown rule id {rule_id!r}")
        return self._entries[rule_id]

    def select(self, rule_id: str, scenario: str) -> None:
        """A collected scenario is tagged with this rule."""
        e = self._entry(rule_id)
        e.selected = True

    def judged(self, rule_id: str, scenario: str, violations: Iterable[Violation]) -> None:
        """The rule was judged in `scenario`; no violations means it held there."""
        e = self._entry(rule_id)
        e.judged += 1
        e.touch(scenario)
        e.violations.extend(violations)

    def broke(self, rule_id: str, scenario: str, reason: str) -> None:
        """The rule could not be judged in `scenario` for a reason that is not the station's fault."""
        e = self._entry(rule_id)
        e.touch(scenario)
        e.broken.append(reason)

    def not_run(self, rule_id: str, scenario: str, reason: str) -> None:
        """A scenario of this rule did not run (missing data, capability not declared)."""
        self._entry(rule_id).not_run.append(f"{scenario}: {reason}")

    def results(self, capabilities: Iterable[str]) -> list[RuleResult]:
        """Every catalogue rule with its status; `required` = counts towards the verdict."""
        caps = set(capabilities)
        out = []
        for rid, r in catalogue().items():
            e = self._entries[rid]
            applicable = set(r.needs) <= caps and not r.not_tested
            reason = None
            if e.violations:
                status = FAILED
            elif e.broken:
                status, reason = BROKEN, e.broken[0]
            elif e.judged:
                status = PASSED
            else:
                status = NOT_RUN
                reason = r.not_tested or (
                    e.not_run[0]
                    if e.not_run
                    else (
                        "needs " + ", ".join(sorted(set(r.needs) - caps))
                        if not applicable
                        else "no selected scenario judged it"
                    )
                )
            required = applicable and (e.selected or e.judged > 0 or bool(e.violations))
            out.append(RuleResult(r, status, required, tuple(e.scenarios), tuple(e.violations), reason))
        return out


def verdict(results: Iterable[RuleResult]) -> str:
    """NOT_CONFORMANT if a required rule failed; INCONCLUSIVE if one broke or did not run; else CONFORMANT."""
    required = [r for r in results if r.required]
    if any(r.status == FAILED for r in required):
        return NOT_CONFORMANT
    if not required or any(r.status in (BROKEN, NOT_RUN) for r in required):
        return INCONCLUSIVE
    return CONFORMANT


def summary(results: Iterable[RuleResult]) -> dict[str, int]:
    """Counts of rule statuses (every catalogue rule once)."""
    counts = {PASSED: 0, FAILED: 0, NOT_RUN: 0, BROKEN: 0}
    for r in results:
        counts[r.status] += 1
    return counts
