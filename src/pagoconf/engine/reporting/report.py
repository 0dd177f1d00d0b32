"""The whole run's result, as conformance.json describes it, built from the run's state."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pagoconf.engine.ledger import RuleResult, summary
from pagoconf.engine.rules import operations
from pagoconf.engine.run import RunState


@dataclass(frozen=True)
class RunReport:
    """Verdict, target, timing, every rule's result, and what the operator must read."""

    verdict: str
    sanp: str
    target: Mapping[str, Any]
    started: str
    duration_s: float
    results: tuple[RuleResult, ...]
    harness_version: str
    profile: str = "certification"
    extras: Mapping[str, Any] = field(default_factory=dict)  # suite additions, e.g. service_level
    exchanges: int = 0
    scenarios: Mapping[str, int] = field(default_factory=dict)  # scenarios by outcome
    notes: tuple[str, ...] = ()
    aborted: str | None = None

    @property
    def service_level(self) -> Mapping[str, Any] | None:
        """The sync suite's service-level measurement, when there is one."""
        return self.extras.get("service_level")

    def as_dict(self) -> dict[str, Any]:
        """The conformance.json document (DESIGN.md shape, extended)."""
        return {
            "verdict": self.verdict,
            "sanp": self.sanp,
            "profile": self.profile,
            "target": dict(self.target),
            "started": self.started,
            "duration_s": round(self.duration_s, 3),
            "summary": summary(self.results),
            "rules": [r.as_dict() for r in self.results],
            "harness": {"name": "pagoconf", "version": self.harness_version},
            **dict(self.extras),
            "exchanges": self.exchanges,
            "scenarios": dict(self.scenarios),
            "notes": list(self.notes),
            "aborted": self.aborted,
        }


def build_report(
    run: RunState, *, harness_version: str, extras: Mapping[str, Any] | None = None
) -> RunReport:
    """The report of a finished (or interrupted) run."""
    results = tuple(run.results())
    target: dict[str, Any] = {}
    for name, described in run.target.items():
        if name == "sync":
            target.update(described)
        else:
            target[name] = described
    return RunReport(
        verdict=run.verdict(results),
        sanp=run.sanp,
        target=target,
        started=datetime.fromtimestamp(run.started, UTC).isoformat(timespec="seconds"),
        duration_s=time.time() - run.started,
        results=results,
        harness_version=harness_version,
        profile=run.profile,
        extras=dict(extras or {}),
        exchanges=len(run.exchanges),
        scenarios=run.scenario_counts(),
        notes=tuple(run.notes),
        aborted=run.aborted,
    )


def operation_group(result_or_rule: Any) -> str:
    """The heading a rule is listed under: 'All paForNode operations', or its groups and operations."""
    rule = getattr(result_or_rule, "rule", result_or_rule)
    ops = tuple(rule.applies_to)
    known = operations()
    if not ops:
        return "Other"
    contracts = {known[o].contract for o in ops if o in known}
    if len(contracts) == 1:
        (contract,) = contracts
        every = [o.name for o in known.values() if o.contract == contract]
        if set(ops) == set(every) and len(every) > 1:
            return f"All {contract} operations"
    groups = list(dict.fromkeys(known[o].group if o in known else o for o in ops))
    return f"{', '.join(groups)} ({', '.join(ops)})"


def group_by_operation(results: Any) -> dict[str, list[RuleResult]]:
    """Results by operation group: the all-operations groups first, then in catalogue order."""
    items = list(results)
    groups: dict[str, list[RuleResult]] = {}
    for r in sorted(items, key=lambda r: not operation_group(r).startswith("All ")):
        groups.setdefault(operation_group(r), []).append(r)
    return groups
