"""Always-on checks, registered by rule id: pure functions from a suite's message to violations.

A suite keeps one `Checks` registry for the message type it judges (a parsed SOAP answer, a REST
exchange); an unknown rule id, a scenario rule or another suite's rule fails at import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Generic, Protocol, TypeVar

from pagoconf.engine.exchange import Exchange
from pagoconf.engine.rules import catalogue, rule
from pagoconf.engine.violation import Violation


class Judgeable(Protocol):
    """What every suite's message offers the engine: the exchange it came from and its operation."""

    @property
    def exchange(self) -> Exchange: ...


M = TypeVar("M", bound=Judgeable)


@dataclass(frozen=True, slots=True)
class Check(Generic[M]):
    """A registered check: its rule, its function, and when it has something to judge."""

    rule_id: str
    fn: Callable[[M], Iterable[Violation]]
    applies: Callable[[M], bool]


@dataclass(frozen=True, slots=True)
class Judgement:
    """The verdict of one rule on one message: no violations means the rule held there."""

    rule_id: str
    violations: tuple[Violation, ...]


class Checks(Generic[M]):
    """One suite's always-on checks."""

    def __init__(self, suite: str) -> None:
        self.suite = suite
        self.by_rule: dict[str, Check[M]] = {}
        self._for: dict[tuple[str, frozenset[str] | None], tuple[Check[M], ...]] = {}

    def check(
        self, rule_id: str, *, when: Callable[[M], bool]
    ) -> Callable[[Callable[[M], Iterable[Violation]]], Callable[[M], Iterable[Violation]]]:
        """Register the decorated function as the check of an always-on rule of this suite."""
        r = rule(rule_id)
        if r.kind != "always" or r.suite != self.suite:
            raise ValueError(f"{rule_id} is not an always-on rule of the {self.suite} suite")
        if rule_id in self.by_rule:
            raise ValueError(f"{rule_id} already has a check")

        def register(fn: Callable[[M], Iterable[Violation]]) -> Callable[[M], Iterable[Violation]]:
            self.by_rule[rule_id] = Check(rule_id, fn, when)
            self._for.clear()
            return fn

        return register

    def judge(
        self, message: M, operation: str, *, capabilities: Iterable[str] | None = None
    ) -> list[Judgement]:
        """Run every check whose rule applies to `operation` (and needs no undeclared capability) and has
        something to judge in `message`; each reports all its violations, stamped with rule and exchange."""
        caps = None if capabilities is None else frozenset(capabilities)
        key = (operation, caps)
        if key not in self._for:
            rules = catalogue()
            self._for[key] = tuple(
                c
                for rid, c in self.by_rule.items()
                if operation in rules[rid].applies_to and (caps is None or set(rules[rid].needs) <= caps)
            )
        number = message.exchange.number
        return [
            Judgement(c.rule_id, tuple(replace(v, rule=c.rule_id, exchange=number) for v in c.fn(message)))
            for c in self._for[key]
            if c.applies(message)
        ]

    def unchecked(self) -> list[str]:
        """Always-on rules of this suite that no check implements (a self-test keeps this empty)."""
        return [
            r.id
            for r in catalogue().values()
            if r.suite == self.suite and r.kind == "always" and r.id not in self.by_rule
        ]
