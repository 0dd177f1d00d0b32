"""Checks registered by rule id: pure functions Answer -> violations, judged on every answer."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cache

from ..rules import catalogue, rule
from .answer import Answer, Violation

CheckFn = Callable[[Answer], Iterable[Violation]]
Applies = Callable[[Answer], bool]


@dataclass(frozen=True, slots=True)
class Check:
    """A registered check: its rule, its function, and when it has something to judge."""

    rule_id: str
    fn: CheckFn
    applies: Applies


CHECKS: dict[str, Check] = {}


def has_response(answer: Answer) -> bool:
    """The Body holds the expected response element."""
    return answer.response is not None


def check(rule_id: str, *, when: Applies = has_response) -> Callable[[CheckFn], CheckFn]:
    """Register `fn` as the check of an `always` rule; an unknown or scenario rule fails at import."""
    r = rule(rule_id)
    if r.kind != "always":
        raise ValueError(f"{rule_id} is judged by scenarios, not by an always-on check")
    if rule_id in CHECKS:
        raise ValueError(f"{rule_id} already has a check")

    def register(fn: CheckFn) -> CheckFn:
        CHECKS[rule_id] = Check(rule_id, fn, when)
        _checks_for.cache_clear()
        return fn

    return register


@dataclass(frozen=True, slots=True)
class Judgement:
    """The verdict of one rule on one answer (applicable=False: nothing to judge there)."""

    rule_id: str
    violations: tuple[Violation, ...]


def judge(answer: Answer, *, capabilities: Iterable[str] | None = None) -> list[Judgement]:
    """Run every always-on check that applies to this answer; each reports all its violations."""
    caps = None if capabilities is None else frozenset(capabilities)
    return [
        Judgement(chk.rule_id, tuple(_stamp(chk.rule_id, chk.fn(answer))))
        for chk in _checks_for(answer.op.name, caps)
        if chk.applies(answer)
    ]


@cache
def _checks_for(operation: str, capabilities: frozenset[str] | None) -> tuple[Check, ...]:
    """The registered checks whose rule applies to this operation and needs no undeclared capability."""
    rules = catalogue()
    return tuple(
        chk
        for rid, chk in CHECKS.items()
        if operation in rules[rid].applies_to
        and (capabilities is None or set(rules[rid].needs) <= capabilities)
    )


def _stamp(rule_id: str, violations: Iterable[Violation]) -> Iterator[Violation]:
    for v in violations:
        yield replace(v, rule=rule_id)


def unchecked_always_rules() -> list[str]:
    """Always-on rules of the catalogue that no check implements (a self-test keeps this empty)."""
    return [r.id for r in catalogue().values() if r.kind == "always" and r.id not in CHECKS]
