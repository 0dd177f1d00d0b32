"""Rules on ACA's paCreatePosition (paCreatePosition.yaml / .json): the key and the institution it covers,
the JSON body and its contract, the caller's segregation codes, the amount of 0 that only invalidates, the
state an existing ACA position must be in, and GPD's own rules on the position ACA writes."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from pagoconf.engine.violation import Violation
from pagoconf.platform.sandbox import aca
from pagoconf.platform.sandbox.checks.common import JSON, honoured_segregation_codes, once, unknown_key
from pagoconf.platform.sandbox.checks.registry import Stage, Verdict, judge, rule
from pagoconf.platform.sandbox.findings import Finding
from pagoconf.platform.sandbox.problems import Problem
from pagoconf.platform.sandbox.request import Case
from pagoconf.platform.sandbox.validation import operation_validator

BAD_REQUEST = "Bad request"
UNAUTHORIZED_ACTION = "Unauthorized action"
CONFLICTS = {
    "createPosition": "Error while create new debit position conflict into request",
    "updatePosition": "Error while update debit position conflict into request",
}


def _body(case: Case) -> Mapping[str, object] | None:
    body = case.body
    return body if isinstance(body, Mapping) else None


# --- KEY, ORGANIZATION ----------------------------------------------------------------------------------


@rule("ACA-001", stage=Stage.KEY, status=401, title="UNAUTHORIZED")
def aca_requests_carry_a_known_key(case: Case) -> Iterator[Violation]:
    """A subscription key the platform issued travels in Ocp-Apim-Subscription-Key."""
    yield from unknown_key(case)


@rule(
    "ACA-002",
    stage=Stage.ORGANIZATION,
    status=403,
    title="FORBIDDEN",
    detail="You are not allowed to access this resource: {details}",
)
def the_key_covers_the_institution(case: Case) -> Iterator[Violation]:
    """A key restricted to some organizations creates positions only for them (paFiscalCode)."""
    allowed = (case.key or {}).get("organizations")
    found = aca.owner(case.body)
    if allowed is not None and found is not None and found[0] not in allowed:
        yield Violation(f"one of the key's organizations ({', '.join(allowed)})", found[0], "/paFiscalCode")


# --- TRANSPORT, CONTRACT --------------------------------------------------------------------------------


@rule("ACA-003", stage=Stage.TRANSPORT, status=415, title="UNSUPPORTED MEDIA TYPE")
def the_aca_body_is_declared_as_json(case: Case) -> Iterator[Violation]:
    """A body is sent as application/json."""
    request = case.request
    sent = bool(request.body) or request.header("content-type") is not None
    if sent and not request.too_large and request.content_type != JSON:
        yield Violation(JSON, request.content_type or "no Content-Type", "header:Content-Type")


@rule(
    "ACA-004",
    stage=Stage.TRANSPORT,
    status=400,
    title=BAD_REQUEST,
    detail="Formally invalid input: {details}",
)
def the_aca_body_is_json(case: Case) -> Iterator[Violation]:
    """A body is present, within 10 MiB, and well-formed JSON."""
    request = case.request
    if request.too_large:
        yield Violation("at most 10 MiB", f"more than {request.body_size} bytes", "")
    elif request.content_type in (JSON, "") and not request.body.strip():
        yield Violation("a JSON body", "Required request body is missing", "")
    elif request.content_type == JSON and not request.json_ok:
        yield Violation("well-formed JSON", "the body does not parse as JSON", "")


@rule(
    "ACA-005", stage=Stage.CONTRACT, status=400, title=BAD_REQUEST, detail="Formally invalid input: {details}"
)
def the_aca_body_follows_the_contract(case: Case) -> Iterator[Violation]:
    """The body is a NewDebtPositionRequest: required fields, types, lengths (paFiscalCode 11, IBANs 27),
    entityType F or G, amount 0 to 99999999999 cents, expirationDate a date-time."""
    if not case.request.json_ok or not case.request.body.strip():
        return
    validator = operation_validator(case.sanp, aca.OPERATION, case.contracts)
    for error in validator.body_errors(case.body):
        actual = "missing" if error.keyword == "required" else error.message
        yield Violation(f"{error.keyword} as the schema declares", actual, error.where)


# --- SCOPE, STATE, DATA ---------------------------------------------------------------------------------


@rule(
    "ACA-006",
    stage=Stage.SCOPE,
    status=403,
    title="FORBIDDEN",
    detail="The caller is not authorized for the segregation code of IUV {details}",
)
def the_iuv_is_within_the_callers_segregation_codes(case: Case) -> Iterator[Violation]:
    """The IUV begins with one of the caller's segregation codes."""
    codes = honoured_segregation_codes(case)
    found = aca.owner(case.body)
    if codes is not None and found is not None and found[1][:2] not in codes:
        yield Violation(f"an IUV beginning with {' or '.join(sorted(codes)) or 'no code'}", found[1], "/iuv")


@rule(
    "ACA-007",
    stage=Stage.STATE,
    status=409,
    title=UNAUTHORIZED_ACTION,
    detail="Unauthorized action on debt position with iuv: {details}",
)
def only_open_aca_positions_change(case: Case) -> Iterator[Violation]:
    """An existing ACA position is updated only while DRAFT, PUBLISHED or VALID, and invalidated (amount 0)
    only while PUBLISHED or VALID."""
    body, position = _body(case), case.position
    if body is None or position is None:
        return
    allowed = aca.INVALIDABLE if aca.invalidates(body) else aca.OPEN
    if str(position.status) not in allowed:
        iuv = str(body.get("iuv"))
        yield Violation(f"a position in {' or '.join(allowed)}", f"{position.status}", f"/iuv {iuv}")


@rule(
    "ACA-008",
    stage=Stage.DATA,
    status=400,
    title=UNAUTHORIZED_ACTION,
    detail="Amount not compatible with the creation request",
)
def a_zero_amount_creates_nothing(case: Case) -> Iterator[Violation]:
    """An amount of 0 never registers a position: with no position for the IUV it is refused (with one, it
    invalidates it)."""
    body = _body(case)
    if body is not None and aca.invalidates(body) and case.position is None and aca.owner(body) is not None:
        yield Violation("an amount of at least 1 cent to create a position", "0", "/amount")


def _gpd_problem(case: Case, finding: Finding) -> Problem:
    verdict = _gpd_verdict(case)
    refusal = verdict.refusal if verdict is not None else None
    status = refusal.status if refusal is not None else 400
    if status == 409:
        operation = str((case.snapshot.get("gpd") or {}).get("request", {}).get("operation"))
        return Problem(409, "Invocation exception", CONFLICTS.get(operation, CONFLICTS["createPosition"]))
    if status == 400:
        return Problem(400, BAD_REQUEST, f"Bad request: {refusal.detail if refusal else finding.actual}")
    return Problem(status, refusal.title if refusal else BAD_REQUEST, refusal.detail if refusal else "")


@once
def _gpd_verdict(case: Case) -> Verdict | None:
    """GPD's verdict on the request ACA makes of it (judged once: ACA-009 and its refusal share it)."""
    sub = case.snapshot.get("gpd")
    if not sub:
        return None
    return judge(
        Case(aca.request_from(sub["request"]), sub["snapshot"], case.sanp, case.strict, case.contracts)
    )


@rule("ACA-009", stage=Stage.DATA, status=400, title=BAD_REQUEST, refine=_gpd_problem)
def the_position_passes_gpds_rules(case: Case) -> Iterator[Violation]:
    """The position ACA writes passes GPD's own rules: a due date ahead, remittance and description within
    GPD's limits, an IBAN GPD takes, a notice number no other position of the institution uses."""
    verdict = _gpd_verdict(case)
    if verdict is None or verdict.refusal is None:
        return
    for finding in verdict.findings:
        if not finding.warning:
            where = f"gpd {finding.rule}:{finding.where}" if finding.where else f"gpd {finding.rule}"
            yield Violation(finding.expected, finding.actual, where)
