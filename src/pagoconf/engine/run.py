"""One conformance run's state, in one place: the exchanges (numbered, evidence first), the ledger of rule
judgements, what became of each scenario, and the one-line notes an operator must read."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from pagoconf.engine.exchange import Exchange
from pagoconf.engine.ledger import Ledger, RuleResult, verdict
from pagoconf.engine.rules import operations

SCENARIO_OUTCOMES = ("passed", "failed", "not_judged", "skipped", "broken")


@dataclass(frozen=True)
class ScenarioRecord:
    """What became of one scenario: its outcome, the rules it exercises, why (when not passed)."""

    name: str
    outcome: str
    rules: tuple[str, ...]
    message: str = ""
    exchanges: tuple[int, ...] = ()
    nodeid: str = ""


@dataclass
class RunState:
    """Everything one run knows; the pytest plugin owns one, reporting reads it."""

    sanp: str
    profile: str
    suites: tuple[str, ...]
    capabilities: frozenset[str]
    target: Mapping[str, Any] = field(default_factory=dict)
    ledger: Ledger = field(default_factory=Ledger)
    exchanges: list[Exchange] = field(default_factory=list)
    exchange_scenarios: list[str] = field(default_factory=list)
    scenarios: list[ScenarioRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    aborted: str | None = None
    started: float = field(default_factory=time.time)
    listeners: list[Callable[[Exchange], None]] = field(default_factory=list)
    subjects: dict[str, Callable[[Exchange], str]] = field(default_factory=dict)  # by suite

    def record(self, exchange: Exchange, scenario: str) -> Exchange:
        """Number the exchange, keep it and hand it to the listeners (evidence), before anyone judges it."""
        numbered = replace(exchange, number=len(self.exchanges) + 1)
        self.exchanges.append(numbered)
        self.exchange_scenarios.append(scenario)
        for listener in self.listeners:
            listener(numbered)
        return numbered

    def exchange(self, number: int) -> Exchange:
        """The exchange with this number."""
        return self.exchanges[number - 1]

    def find(self, number: int) -> Exchange | None:
        """The exchange with this number, or None (0 names no exchange)."""
        return self.exchanges[number - 1] if 0 < number <= len(self.exchanges) else None

    def subject(self, exchange: Exchange) -> str:
        """What an exchange is about ("notice 3011…"), as its suite tells it."""
        op = operations().get(exchange.operation)
        describe = self.subjects.get(op.suite) if op is not None else None
        return describe(exchange) if describe is not None else ""

    def note(self, text: str) -> None:
        """A one-line message for the operator (test data used up, a URL that is not a station…), once."""
        if text not in self.notes:
            self.notes.append(text)

    def abort(self, reason: str) -> None:
        """The run cannot say anything about the target (interrupted, not a station): INCONCLUSIVE."""
        if self.aborted is None:
            self.aborted = reason
        self.note(reason)

    def finished(self, record: ScenarioRecord) -> None:
        """Keep what became of a scenario."""
        self.scenarios.append(record)

    def scenario_counts(self) -> dict[str, int]:
        """Scenarios by outcome."""
        counts = dict.fromkeys(SCENARIO_OUTCOMES, 0)
        for s in self.scenarios:
            counts[s.outcome] += 1
        return counts

    def results(self) -> list[RuleResult]:
        """Every catalogue rule's outcome for this run's capabilities, profile and suites."""
        return self.ledger.results(self.capabilities, profile=self.profile, suites=self.suites)

    def verdict(self, results: Iterable[RuleResult] | None = None) -> str:
        """The run's verdict."""
        return verdict(self.results() if results is None else results, aborted=self.aborted)
