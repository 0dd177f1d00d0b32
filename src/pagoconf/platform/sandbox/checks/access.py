"""Rules on reaching an operation: the route, the subscription key and its scope, the body's transport."""

from __future__ import annotations

from collections.abc import Iterator

from pagoconf.engine.violation import Violation
from pagoconf.platform.sandbox.checks.common import (
    JSON,
    WRITES,
    body_options,
    declares_body,
    honoured_segregation_codes,
    key_problem,
    spec,
    unknown_key,
)
from pagoconf.platform.sandbox.checks.registry import Stage, rule
from pagoconf.platform.sandbox.findings import Finding
from pagoconf.platform.sandbox.problems import Problem
from pagoconf.platform.sandbox.request import Case

# --- ROUTE ----------------------------------------------------------------------------------------------


def _route_problem(case: Case, finding: Finding) -> Problem:
    allowed = ", ".join(case.request.allowed)
    if allowed:
        detail = f"{case.request.method} is not supported here; use {allowed}"
        return Problem(405, "METHOD NOT ALLOWED", detail, (("Allow", allowed),))  # RFC 9110 §15.5.6
    return Problem(404, "NOT FOUND", f"No operation at {case.request.path}")


@rule("GPD-001", stage=Stage.ROUTE, status=404, title="NOT FOUND", refine=_route_problem)
def the_request_names_an_operation(case: Case) -> Iterator[Violation]:
    """The path and method are an operation of the GPD APIs of this SANP version."""
    if case.operation is not None:
        return
    if case.request.allowed:
        yield Violation(
            f"one of {', '.join(case.request.allowed)}", case.request.method, f"path:{case.request.path}"
        )
    else:
        yield Violation("a path of the GPD APIs", case.request.path, f"path:{case.request.path}")


@rule(
    "GPD-002",
    stage=Stage.ROUTE,
    status=404,
    title="NOT FOUND",
    detail="No operation at /info in this contract",
    departure=True,
)
def info_is_published(case: Case) -> Iterator[Violation]:
    """GET /info is part of the API's published contract (SANP 3.13.0 dropped it; the platform answers it)."""
    if not spec(case).published:
        yield Violation(
            f"an operation of the SANP {case.sanp} contract", "GET /info, not published", "path:/info"
        )


# --- KEY, ORGANIZATION ----------------------------------------------------------------------------------


@rule("GPD-003", stage=Stage.KEY, status=401, title="UNAUTHORIZED", refine=key_problem)
def the_request_carries_a_known_key(case: Case) -> Iterator[Violation]:
    """A subscription key the platform issued travels in Ocp-Apim-Subscription-Key."""
    yield from unknown_key(case)


@rule(
    "GPD-004",
    stage=Stage.ORGANIZATION,
    status=403,
    title="FORBIDDEN",
    detail="You are not allowed to access this resource: the key does not cover organization {org}.",
)
def the_key_covers_the_organization(case: Case) -> Iterator[Violation]:
    """A key restricted to some organizations is used only for them."""
    allowed = (case.key or {}).get("organizations")
    org = case.request.path_params.get("organizationfiscalcode")
    if allowed is not None and org is not None and org not in allowed:
        yield Violation(
            f"one of the key's organizations ({', '.join(allowed)})", org, "path:organizationfiscalcode"
        )


# --- TRANSPORT ------------------------------------------------------------------------------------------


@rule(
    "GPD-005",
    stage=Stage.TRANSPORT,
    status=415,
    title="UNSUPPORTED MEDIA TYPE",
    detail="Content type '{details}' not supported",
)
def the_body_is_declared_as_json(case: Case) -> Iterator[Violation]:
    """A request body is sent as application/json."""
    request = case.request
    if not declares_body(case) or request.too_large:
        return
    if (request.body or request.header("content-type") is not None) and request.content_type != JSON:
        yield Violation(JSON, request.content_type or "no Content-Type", "header:Content-Type")


@rule(
    "GPD-006",
    stage=Stage.TRANSPORT,
    status=413,
    title="PAYLOAD TOO LARGE",
    detail="The request body is larger than the sandbox reads ({details})",
)
def the_body_is_of_reasonable_size(case: Case) -> Iterator[Violation]:
    """A request body stays within 10 MiB."""
    if case.request.too_large:
        yield Violation("at most 10 MiB", f"more than {case.request.body_size} bytes", "")


@rule("GPD-007", stage=Stage.TRANSPORT, status=400, detail="JSON parse error: {details}")
def the_body_is_well_formed_json(case: Case) -> Iterator[Violation]:
    """A request body the operation requires is present and well-formed JSON."""
    request = case.request
    if not declares_body(case) or request.too_large or request.content_type not in (JSON, ""):
        return
    if not request.body.strip():
        if spec(case).body_required:
            yield Violation("a JSON body", "Required request body is missing", "")
    elif not request.json_ok:
        yield Violation("well-formed JSON", "the body does not parse as JSON", "")


# --- SCOPE ----------------------------------------------------------------------------------------------


@rule(
    "GPD-030",
    stage=Stage.SCOPE,
    status=403,
    title="Action is forbidden",
    detail="The caller is not authorized for the segregation code of IUV {details} "
    "[Organization Fiscal Code={org}]",
)
def the_iuvs_are_within_the_callers_segregation_codes(case: Case) -> Iterator[Violation]:
    """The IUVs a request touches begin with one of the caller's segregation codes."""
    if case.operation is None or case.operation in (
        "getOrganizationDebtPositions",
        "getOrganizationReceipts",
    ):
        return
    codes = honoured_segregation_codes(case)
    if codes is None:
        return
    touched: list[tuple[str, str]] = []
    if case.operation in WRITES:
        touched += [
            (f"/paymentOption/{n}/iuv", str(o.get("iuv"))) for n, o in body_options(case) if "iuv" in o
        ]
    if case.position is not None:
        touched += [("path:iupd", o.iuv) for o in case.position.options]
    if case.operation == "getReceiptByIUV":
        touched.append(("path:iuv", case.request.path_params.get("iuv", "")))
    for where, iuv in touched:
        if iuv[:2] not in codes:
            yield Violation(f"an IUV beginning with {' or '.join(sorted(codes)) or 'no code'}", iuv, where)
