"""Rules on the shape of a request: its contract (parameters, body), where the platform departs from it,
and what the platform enforces beyond it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pagoconf.engine.violation import Violation
from pagoconf.platform.sandbox.checks.common import (
    DUE,
    MAX_DAYS_INTERVAL,
    PAID,
    PAID_TIME,
    PLATFORM_DEFAULT_LIMIT,
    PLATFORM_LIMITS,
    PLATFORM_PAGE_LIMIT,
    SEGREGATION_CODES,
    coerced,
    declares_body,
    once,
    param_values,
    spec,
    window,
)
from pagoconf.platform.sandbox.checks.registry import Stage, rule
from pagoconf.platform.sandbox.contract import load_contract
from pagoconf.platform.sandbox.dates import LOCAL_DATE_TIME
from pagoconf.platform.sandbox.request import Case
from pagoconf.platform.sandbox.validation import (
    SchemaError,
    operation_validator,
    read_only_sent,
    schema_errors,
    schema_validator,
)

# --- CONTRACT -------------------------------------------------------------------------------------------


def _page_required_departure(case: Case, error: SchemaError) -> bool:
    return (
        error.keyword == "required"
        and error.where == "query:page"
        and case.operation == "getOrganizationDebtPositions"
    )


def _parameter_errors(case: Case, location: str) -> list[SchemaError]:
    """The contract errors of the case's `location` parameters (once per case and location)."""
    memo, key = case.derived, (_parameter_errors, location)
    found = memo.get(key)
    if found is None:
        validator = operation_validator(case.sanp, spec(case).name, case.contracts)
        found = memo[key] = validator.parameter_errors(location, coerced(case, location).values)
    return found


@rule("GPD-010", stage=Stage.CONTRACT, status=400)
def parameters_follow_the_contract(case: Case) -> Iterator[Violation]:
    """Path and query parameters have the types, ranges, formats and values the operation declares."""
    for location in ("path", "query"):
        for error in _parameter_errors(case, location):
            if not _page_required_departure(case, error):
                actual = "missing" if error.keyword == "required" else error.message
                yield Violation(f"{error.keyword} as the contract declares", actual, error.where)


@once
def _body_errors(case: Case) -> tuple[list[SchemaError], list[str]]:
    """The body's contract errors, and the pointers of optional fields sent as null (the platform reads
    them as absent): the body is validated again with those nulls left out."""
    validator = operation_validator(case.sanp, spec(case).name, case.contracts)
    body = case.body
    errors = validator.body_errors(body)
    nulls = {e.where for e in errors if e.keyword == "type" and e.value is None}
    if not nulls:
        return errors, []
    stripped = validator.body_errors(_without(body, nulls))
    required = {e.where for e in stripped if e.keyword == "required"}
    return stripped, sorted(nulls - required)


def _without(value: Any, pointers: set[str], where: str = "") -> Any:
    if isinstance(value, dict):
        return {
            k: _without(v, pointers, f"{where}/{k}")
            for k, v in value.items()
            if f"{where}/{k}" not in pointers
        }
    if isinstance(value, list):
        return [_without(v, pointers, f"{where}/{n}") for n, v in enumerate(value)]
    return value


def _may_hold_nulls(raw: bytes) -> bool:
    """A JSON text may hold a null: in UTF-8 it then says `null`; in UTF-16 or UTF-32 (json.loads reads them
    too) every ASCII character has a NUL byte."""
    return b"null" in raw or b"\x00" in raw


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _lenient_date_time(error: SchemaError) -> bool:
    return (
        error.keyword == "format"
        and error.format == "date-time"
        and bool(isinstance(error.value, str) and LOCAL_DATE_TIME.fullmatch(error.value))
    )


@once
def _checks_body(case: Case) -> bool:
    return declares_body(case) and case.request.json_ok and bool(case.request.body.strip())


@rule("GPD-011", stage=Stage.CONTRACT, status=400)
def the_body_follows_the_contract(case: Case) -> Iterator[Violation]:
    """The request body has the fields, types, lengths, patterns and formats of the operation's schema."""
    if not _checks_body(case):
        return
    errors, _ = _body_errors(case)
    for error in errors:
        if not _lenient_date_time(error):
            actual = "missing" if error.keyword == "required" else error.message
            yield Violation(f"{error.keyword} as the schema declares", actual, error.where)


@rule("GPD-012", stage=Stage.CONTRACT, status=400)
def read_only_fields_are_not_sent(case: Case) -> Iterator[Violation]:
    """Read-only fields (status, paymentDate, notificationFee, …) are left out of requests."""
    if not _checks_body(case):
        return
    op = spec(case)
    components = (
        load_contract(case.sanp, case.contracts).documents[op.api].get("components", {}).get("schemas", {})
    )
    for pointer in read_only_sent(op.body, components, case.body):
        yield Violation("no read-only field in a request (the platform ignores it)", "sent", pointer)


@rule("GPD-020", stage=Stage.CONTRACT, status=400, departure=True)
def optional_fields_are_left_out_rather_than_null(case: Case) -> Iterator[Violation]:
    """An optional field without a value is left out, not sent as null (validityDate: null)."""
    if not _checks_body(case):
        return
    for pointer in _body_errors(case)[1]:
        yield Violation("the field left out (the contract has no null)", "null", pointer)


@rule("GPD-021", stage=Stage.CONTRACT, status=400, departure=True)
def query_booleans_are_true_or_false(case: Case) -> Iterator[Violation]:
    """A boolean query parameter is exactly `true` or `false` (the platform also takes True, yes, on, 1)."""
    for name, text in coerced(case, "query").lenient.items():
        yield Violation("true or false", text, f"query:{name}")


@rule("GPD-022", stage=Stage.CONTRACT, status=400, departure=True)
def segregation_codes_are_sent_only_where_declared(case: Case) -> Iterator[Violation]:
    """segregationCodes is sent only where the contract declares it (the platform reads it anyway)."""
    if "segregationCodes" in case.request.query_values and spec(case).parameter("segregationCodes") is None:
        yield Violation(
            f"no segregationCodes parameter ({spec(case).name} does not declare it)",
            case.request.query_values["segregationCodes"],
            "query:segregationCodes",
        )


@rule("GPD-023", stage=Stage.CONTRACT, status=400, departure=True)
def date_times_carry_an_offset(case: Case) -> Iterator[Violation]:
    """A date-time carries its UTC offset, as RFC 3339 says (the platform reads one without as UTC)."""
    if not _checks_body(case):
        return
    for error in _body_errors(case)[0]:
        if _lenient_date_time(error):
            yield Violation(
                "an RFC 3339 date-time with offset, e.g. 2030-12-31T23:59:59Z", str(error.value), error.where
            )


@rule("GPD-024", stage=Stage.CONTRACT, status=400, departure=True)
def the_page_is_sent(case: Case) -> Iterator[Violation]:
    """A debt-position list names its page where the contract requires it (the platform defaults it to 0)."""
    for error in _parameter_errors(case, "query"):
        if _page_required_departure(case, error):
            yield Violation("page (required by the contract)", "missing", "query:page")


# --- PLATFORM: what GPD enforces beyond its contract -----------------------------------------------------


@rule("GPD-025", stage=Stage.PLATFORM, status=400)
def the_page_limit_is_at_most_50(case: Case) -> Iterator[Violation]:
    """A debt-position list asks for at most 50 positions a page (the platform's cap)."""
    limit = param_values(case, "query").get("limit")
    if isinstance(limit, int) and limit > PLATFORM_PAGE_LIMIT:
        yield Violation(f"limit ≤ {PLATFORM_PAGE_LIMIT}", str(limit), "query:limit")
    elif isinstance(limit, int) and limit < 1:
        yield Violation("limit ≥ 1", str(limit), "query:limit")


@rule("GPD-026", stage=Stage.PLATFORM, status=400, departure=True)
def the_default_page_size_is_the_platforms(case: Case) -> Iterator[Violation]:
    """Without limit, a debt-position list gets the platform's 10 a page, not the contract's default."""
    param = spec(case).parameter("limit")
    default = param.schema.get("default") if param is not None else None
    if not case.strict and "limit" not in case.request.query_values and default != PLATFORM_DEFAULT_LIMIT:
        yield Violation(
            f"{default} a page (the contract's default)", f"{PLATFORM_DEFAULT_LIMIT} a page", "query:limit"
        )


@rule("GPD-027", stage=Stage.PLATFORM, status=400)
def due_and_payment_filters_are_exclusive(case: Case) -> Iterator[Violation]:
    """A debt-position list filters by due dates or by payment dates, never both."""
    query = case.request.query_values
    due = [n for n in DUE if n in query]
    paid = [n for n in (*PAID, *PAID_TIME) if n in query]
    if due and paid:
        yield Violation(
            "due-date filters or payment-date filters", f"both ({', '.join(due + paid)})", f"query:{paid[0]}"
        )


@rule("GPD-028", stage=Stage.PLATFORM, status=400, title="The debt positions cannot be recovered")
def date_windows_run_forward_within_30_days(case: Case) -> Iterator[Violation]:
    """A list's date window runs from ≤ to and spans at most 30 days."""
    query = case.request.query_values
    for names in (DUE, PAID, PAID_TIME):
        bounds = window(query, names)
        if bounds is None:
            continue
        start, end = bounds
        days = (end - start).days
        if days < 0 or days > MAX_DAYS_INTERVAL:
            yield Violation(
                f"{names[0]} ≤ {names[1]}, at most {MAX_DAYS_INTERVAL} days apart",
                f"{start} → {end} ({days} days)",
                f"query:{names[0] if names[0] in query else names[1]}",
            )


@rule("GPD-029", stage=Stage.PLATFORM, status=400)
def segregation_codes_are_two_digit_codes(case: Case) -> Iterator[Violation]:
    """segregationCodes is a comma-separated list of two-digit codes."""
    sent = case.request.query_values.get("segregationCodes")
    if sent is not None and not SEGREGATION_CODES.fullmatch(sent):
        yield Violation("two-digit codes separated by commas, e.g. 01,47", sent, "query:segregationCodes")


@rule("GPD-031", stage=Stage.PLATFORM, status=400)
def the_body_names_the_iupd_of_the_path(case: Case) -> Iterator[Violation]:
    """An update's body names the IUPD of its path."""
    body = case.body
    iupd = case.request.path_params.get("iupd")
    if isinstance(body, Mapping) and isinstance(body.get("iupd"), str) and body["iupd"] != iupd:
        yield Violation(f"iupd {iupd} (the path's)", str(body["iupd"]), "/iupd")


@rule("GPD-032", stage=Stage.PLATFORM, status=400)
def the_platform_field_limits_hold(case: Case) -> Iterator[Violation]:
    """Amounts are at least 1 cent, the e-mail is an address, IBANs are alphanumeric ≤ 35, hashDocument ≤ 72,
    remittance information and metadata ≤ 140."""
    if not _checks_body(case):
        return
    body = _without_nulls(case.body) if _may_hold_nulls(case.request.body) else case.body
    for error in schema_errors(schema_validator(PLATFORM_LIMITS), body):
        yield Violation(f"{error.keyword} as the platform's model requires", error.message, error.where)


# --- ANSWER ---------------------------------------------------------------------------------------------


@rule("GPD-033", stage=Stage.ANSWER, status=400, departure=True)
def deletions_are_confirmed_as_declared(case: Case) -> Iterator[Violation]:
    """A deleted position is confirmed in the JSON the contract declares (the platform sends plain text)."""
    if not case.strict:
        yield Violation("application/json (a JSON string)", "text/plain (the platform's answer)", "")
