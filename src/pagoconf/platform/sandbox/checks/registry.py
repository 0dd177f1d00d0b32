"""The registry of the GPD rules and the judge that runs them: pure functions of (request, state snapshot)
that yield violations, registered by rule id. `judge` runs them stage by stage, in the order the platform
refuses (route, key, transport, contract, platform limits, existence, scope, state, data, uniqueness), and
names the answer: the first stage with a refusing finding decides the ProblemJson; warnings never refuse.

A departure rule (the platform accepts what its published contract forbids) gives a warning in the faithful
sandbox and a refusal in the strict one; a SHOULD rule always gives a warning."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import IntEnum

from pagoconf.engine.checks import Checks
from pagoconf.engine.rules import catalogue
from pagoconf.engine.violation import Violation
from pagoconf.platform.sandbox.findings import Finding
from pagoconf.platform.sandbox.problems import BAD_REQUEST, Problem
from pagoconf.platform.sandbox.request import Case

GPD: Checks[Case] = Checks("async")


class Stage(IntEnum):
    """When a rule is judged: a refusing finding in one stage stops the later ones."""

    ROUTE = 10
    KEY = 20
    ORGANIZATION = 21
    TRANSPORT = 30
    CONTRACT = 40
    PLATFORM = 50
    EXISTS = 60
    SCOPE = 70
    STATE = 80
    DATA = 90
    UNIQUE = 100
    PUBLISH = 110
    ANSWER = 120


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a refusing finding of a rule answers: status, title and detail (a template over `org`, `iupd`,
    `iuv`, `nav` and `details`, the findings' `where: actual` joined); `refine` may decide them per case."""

    stage: Stage
    status: int
    title: str
    detail: str = "{details}"
    departure: bool = False
    refine: Callable[[Case, Finding], Problem] | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    """The rules' verdict on one request: every finding, and the ProblemJson to answer (None: proceed)."""

    findings: tuple[Finding, ...]
    refusal: Problem | None = None


OUTCOMES: dict[str, Outcome] = {}
ROUTELESS = frozenset({"GPD-001"})


def rule(
    rule_id: str,
    *,
    stage: Stage,
    status: int,
    title: str = BAD_REQUEST,
    detail: str = "{details}",
    departure: bool = False,
    refine: Callable[[Case, Finding], Problem] | None = None,
) -> Callable[[Callable[[Case], Iterable[Violation]]], Callable[[Case], Iterable[Violation]]]:
    """Register the decorated function as the check of `rule_id`, with the answer a refusal gives."""
    register = GPD.check(rule_id, when=_always)

    def decorate(fn: Callable[[Case], Iterable[Violation]]) -> Callable[[Case], Iterable[Violation]]:
        OUTCOMES[rule_id] = Outcome(stage, status, title, detail, departure, refine)
        return register(fn)

    return decorate


def _always(case: Case) -> bool:
    return True


def _stages() -> list[list[str]]:
    """The registered rule ids grouped by stage, stages in order, rules in registration order."""
    order = sorted({o.stage for o in OUTCOMES.values()})
    return [[rid for rid in GPD.by_rule if OUTCOMES[rid].stage == stage] for stage in order]


@dataclass(frozen=True, slots=True)
class _Planned:
    """A rule as `judge` runs it: its check, when it has something to judge (None: always), and whether
    its findings are warnings (`should`: always; `departure`: unless the sandbox is strict)."""

    rule_id: str
    fn: Callable[[Case], Iterable[Violation]]
    applies: Callable[[Case], bool] | None
    should: bool
    departure: bool


_PLANS: dict[tuple[str | None, int], list[list[_Planned]]] = {}


def _plan(operation: str | None) -> list[list[_Planned]]:
    """The rules that apply to `operation`, by stage (`_stages` order), worked out once per operation."""
    key = (operation, len(OUTCOMES))
    plan = _PLANS.get(key)
    if plan is None:
        rules = catalogue()
        stages = (
            [r for r in stage if (r in ROUTELESS if operation is None else operation in rules[r].applies_to)]
            for stage in _stages()
        )
        plan = [[_planned(rule_id) for rule_id in stage] for stage in stages if stage]
        _PLANS[key] = plan
    return plan


def _planned(rule_id: str) -> _Planned:
    check = GPD.by_rule[rule_id]
    applies = None if check.applies is _always else check.applies
    should = catalogue()[rule_id].level == "SHOULD"
    return _Planned(rule_id, check.fn, applies, should, OUTCOMES[rule_id].departure)


def judge(case: Case) -> Verdict:
    """Every rule that applies to the case's operation, stage by stage; the refusal of the first stage that
    has one. Pure: the same case gives the same verdict, live or read back from the journal."""
    findings: list[Finding] = []
    lenient = not case.strict
    for stage in _plan(case.operation):
        refusing: list[Finding] = []
        for planned in stage:
            if planned.applies is not None and not planned.applies(case):
                continue
            rule_id = planned.rule_id
            warning = planned.should or (planned.departure and lenient)
            for v in planned.fn(case):
                finding = Finding(rule_id, v.expected, v.actual, v.where, warning)
                findings.append(finding)
                if not warning:
                    refusing.append(finding)
        if refusing:
            return Verdict(tuple(findings), _problem(case, refusing))
    return Verdict(tuple(findings), None)


def _problem(case: Case, refusing: list[Finding]) -> Problem:
    first = refusing[0]
    outcome = OUTCOMES[first.rule]
    if outcome.refine is not None:
        return outcome.refine(case, first)
    same = [f for f in refusing if f.rule == first.rule]
    details = ", ".join(f"{f.where}: {f.actual}" if f.where else f.actual for f in same)
    params = case.request.path_params
    detail = outcome.detail.format(
        org=case.organization,
        iupd=params.get("iupd", ""),
        iuv=params.get("iuv", ""),
        nav=params.get("nav", ""),
        details=details,
    )
    return Problem(outcome.status, outcome.title, detail)
