"""The ledger of a run: which rules were judged on which exchanges, with what violations; the verdict.

A rule is *passed* only when exchanges (or measurements) were actually judged by it, none broke it, and no
scenario of it ended without judging it. A rule nobody could judge is *not run*, with the reason; one the
harness could not judge for a reason that is not the target's doing is *broken*.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from pagoconf.engine.rules import Rule, catalogue
from pagoconf.engine.violation import Violation

PASSED, FAILED, NOT_RUN, BROKEN = "passed", "failed", "not_run", "broken"
STATUSES = (PASSED, FAILED, NOT_RUN, BROKEN)
CONFORMANT, NOT_CONFORMANT, INCONCLUSIVE = "CONFORMANT", "NOT_CONFORMANT", "INCONCLUSIVE"


@dataclass
class _Entry:
    scenarios: list[str] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    judged_on: list[int] = field(default_factory=list)  # exchange numbers (0: a measurement)
    judgements: int = 0
    not_judged: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    not_run: list[str] = field(default_factory=list)
    selected: bool = False

    def touch(self, scenario: str) -> None:
        if scenario and scenario not in self.scenarios:
            self.scenarios.append(scenario)


@dataclass(frozen=True)
class RuleResult:
    """The outcome of one rule over the whole run.

    `required`: it counts towards the verdict (applicable, in the profile, exercised by the selection);
    `advice`: it is outside the run's profile (reported, never in the verdict)."""

    rule: Rule
    status: str
    required: bool
    scenarios: tuple[str, ...]
    violations: tuple[Violation, ...]
    reason: str | None = None
    judged: int = 0
    exchanges: tuple[int, ...] = ()
    advice: bool = False

    def as_dict(self) -> dict[str, object]:
        """The conformance.json form of this rule."""
        r = self.rule
        out: dict[str, object] = {
            "id": r.id,
            "suite": r.suite,
            "title": r.title,
            "severity": r.severity,
            "level": r.level,
            "basis": r.basis,
            "status": self.status,
            "required": self.required,
            "scenarios": list(self.scenarios),
            "judged": self.judged,
            "violations": [{k: v for k, v in x.as_dict().items() if k != "rule"} for x in self.violations],
        }
        if self.advice:
            out["advice"] = True
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

    def select(self, rule_id: str) -> None:
        """A selected scenario exercises this rule."""
        self._entry(rule_id).selected = True

    def judged(
        self, rule_id: str, scenario: str, exchanges: Iterable[int], violations: Iterable[Violation]
    ) -> None:
        """The rule was judged on these exchanges (0 for a measurement); no violations: it held there."""
        e = self._entry(rule_id)
        e.judgements += 1
        e.judged_on.extend(exchanges)
        e.touch(scenario)
        e.violations.extend(violations)

    def not_judged(self, rule_id: str, scenario: str, reason: str) -> None:
        """A scenario of this rule ran, but the target's answers left nothing to judge it on."""
        e = self._entry(rule_id)
        e.touch(scenario)
        e.not_judged.append(f"{scenario}: {reason}" if scenario else reason)

    def broke(self, rule_id: str, scenario: str, reason: str) -> None:
        """The rule could not be judged in `scenario` for a reason that is not the target's fault."""
        e = self._entry(rule_id)
        e.touch(scenario)
        e.broken.append(reason)

    def not_run(self, rule_id: str, scenario: str, reason: str) -> None:
        """A scenario of this rule did not run (missing data, capability not declared)."""
        self._entry(rule_id).not_run.append(f"{scenario}: {reason}")

    def results(
        self, capabilities: Iterable[str], *, profile: str, suites: Iterable[str]
    ) -> list[RuleResult]:
        """Every rule of the chosen suites with its status."""
        caps, chosen = set(capabilities), set(suites)
        out = []
        for rid, r in catalogue().items():
            if r.suite not in chosen:
                continue
            e = self._entries[rid]
            applicable = set(r.needs) <= caps and not r.not_tested
            reason = None
            if e.violations:
                status = FAILED
            elif e.broken:
                status, reason = BROKEN, e.broken[0]
            elif e.not_judged:  # a scenario of the rule ran and could not judge it: never passed
                status, reason = NOT_RUN, self._partly(e)
            elif e.judgements:
                status = PASSED
            else:
                status = NOT_RUN
                reason = self._why_not(r, e, caps)
            advice = not r.in_profile(profile)
            exercised = e.selected or e.judgements > 0 or bool(e.violations)
            required = applicable and exercised and not advice
            out.append(
                RuleResult(
                    r,
                    status,
                    required,
                    tuple(e.scenarios),
                    tuple(e.violations),
                    reason,
                    e.judgements,
                    tuple(dict.fromkeys(n for n in e.judged_on if n)),
                    advice,
                )
            )
        return out

    @staticmethod
    def _partly(e: _Entry) -> str:
        judged = f"judged {e.judgements} time(s), but " if e.judgements else ""
        return f"{judged}not judged in {len(e.not_judged)} case(s): {e.not_judged[0]}"

    @staticmethod
    def _why_not(r: Rule, e: _Entry, caps: set[str]) -> str:
        if r.not_tested:
            return f"not tested: {r.not_tested}"
        if not set(r.needs) <= caps:
            return "needs " + ", ".join(sorted(set(r.needs) - caps))
        if e.not_run:
            return e.not_run[0]
        if r.kind == "always":
            return "no exchange of the operations it applies to was judged"
        return "no selected scenario judged it"


def verdict(results: Iterable[RuleResult], *, aborted: str | None = None) -> str:
    """INCONCLUSIVE if the run was cut short (`aborted`: interrupted, not a station at all); else
    NOT_CONFORMANT if a required rule failed; INCONCLUSIVE if one broke or did not run, or nothing was
    required; else CONFORMANT."""
    if aborted:
        return INCONCLUSIVE
    required = [r for r in results if r.required]
    if any(r.status == FAILED for r in required):
        return NOT_CONFORMANT
    if not required or any(r.status in (BROKEN, NOT_RUN) for r in required):
        return INCONCLUSIVE
    return CONFORMANT


def summary(results: Iterable[RuleResult]) -> dict[str, int]:
    """Counts of rule statuses (every catalogue rule once)."""
    counts = dict.fromkeys(STATUSES, 0)
    for r in results:
        counts[r.status] += 1
    return counts
