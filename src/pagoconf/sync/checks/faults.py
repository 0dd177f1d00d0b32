"""Outcome and fault-bean rules, common to every paForNode answer."""

from __future__ import annotations

from collections.abc import Iterator

from pagoconf.engine.violation import Violation
from pagoconf.sync.answer import Answer
from pagoconf.sync.checks.registry import check, has_response
from pagoconf.sync.fault_codes import allowed as allowed_codes


def has_fault(answer: Answer) -> bool:
    """The response carries a fault bean."""
    return answer.fault is not None


@check("OUTCOME-001")
def outcome_agrees_with_fault(answer: Answer) -> Iterator[Violation]:
    """OK comes without a fault, KO with one."""
    outcome = (answer.outcome or "").strip()
    fault = answer.fault
    where = f"/{answer.op.response}/fault"
    if outcome == "OK" and fault is not None:
        code = (answer.fault_code or "").strip()
        yield Violation(
            expected="outcome OK without a fault",
            actual=f"OK with fault {code}" if code else "OK with a fault",
            where=where,
        )
    elif outcome == "KO" and fault is None:
        yield Violation(expected="outcome KO with a fault", actual="KO without a fault", where=where)


@check("FAULT-001", when=has_fault)
def fault_bean_is_complete(answer: Answer) -> Iterator[Violation]:
    """faultCode, faultString and id are present and not blank."""
    for name in ("faultCode", "faultString", "id"):
        value = answer.text(f"fault/{name}")
        if value is None or not value.strip():
            yield Violation(
                expected=f"a non-blank {name}",
                actual="missing" if value is None else "blank",
                where=f"/{answer.op.response}/fault/{name}",
            )


@check("FAULT-002", when=lambda a: has_fault(a) and bool((a.fault_code or "").strip()))
def fault_code_is_defined_for_the_primitive(answer: Answer) -> Iterator[Violation]:
    """The faultCode is one SANP lists for this primitive."""
    code = (answer.fault_code or "").strip()
    allowed = allowed_codes(answer.op.name)
    if code not in allowed:
        yield Violation(
            expected=f"one of {', '.join(sorted(allowed))}",
            actual=code,
            where=f"/{answer.op.response}/fault/faultCode",
        )


@check("FAULT-003", when=lambda a: has_fault(a) and bool((a.request_text("idPA") or "").strip()))
def fault_id_is_the_institution(answer: Answer) -> Iterator[Violation]:
    """The fault's id is the idPA of the request (a blank idPA names no institution: nothing to judge)."""
    want = (answer.request_text("idPA") or "").strip()
    got = answer.text("fault/id")
    if got is not None and got.strip() and got.strip() != want:
        yield Violation(
            expected=f"id = {want} (the request's idPA)", actual=got, where=f"/{answer.op.response}/fault/id"
        )


def is_ok(answer: Answer) -> bool:
    """The response element says outcome OK."""
    return has_response(answer) and (answer.outcome or "").strip() == "OK"
