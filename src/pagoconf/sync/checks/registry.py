"""The synchronous suite's always-on checks: pure functions Answer → violations, registered by rule id."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pagoconf.engine.checks import Checks, Judgement
from pagoconf.engine.violation import Violation
from pagoconf.sync.answer import Answer

CHECKS: Checks[Answer] = Checks("sync")
CheckFn = Callable[[Answer], Iterable[Violation]]


def has_response(answer: Answer) -> bool:
    """The Body holds the expected response element."""
    return answer.response is not None


def check(rule_id: str, *, when: Callable[[Answer], bool] = has_response) -> Callable[[CheckFn], CheckFn]:
    """Register the decorated function as the check of an always-on paForNode rule."""
    return CHECKS.check(rule_id, when=when)


def judge(answer: Answer, *, capabilities: Iterable[str] | None = None) -> list[Judgement]:
    """Every always-on check of the answer's operation that has something to judge in it."""
    return CHECKS.judge(answer, answer.op.name, capabilities=capabilities)


def unchecked_always_rules() -> list[str]:
    """Always-on paForNode rules no check implements (a self-test keeps this empty)."""
    return CHECKS.unchecked()
