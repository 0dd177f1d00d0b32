"""What the GPD rules share: the platform's limits, the case's contract operation, its parameters, its
body's options, the sandbox time and the list windows."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, timedelta
from functools import wraps
from typing import Any, TypeVar

from pagoconf.engine.violation import Violation
from pagoconf.platform.sandbox.contract import OperationSpec, load_contract
from pagoconf.platform.sandbox.dates import parse_date, parse_datetime
from pagoconf.platform.sandbox.findings import Finding
from pagoconf.platform.sandbox.keys import HEADER
from pagoconf.platform.sandbox.problems import Problem
from pagoconf.platform.sandbox.request import Case
from pagoconf.platform.sandbox.validation import Coerced, coerce

MAX_DAYS_INTERVAL = 30
PLATFORM_PAGE_LIMIT = 50
PLATFORM_DEFAULT_LIMIT = 10
SEGREGATION_CODES = re.compile(r"[0-9]{2}(,[0-9]{2})*")
RESERVED_METADATA_KEY = "NOTIFICATION_FEE"
JSON = "application/json"
BY_IUPD = frozenset(
    {
        "getOrganizationDebtPositionByIUPD",
        "updatePosition",
        "deletePosition",
        "publishPosition",
        "invalidatePosition",
    }
)
WRITES = frozenset({"createPosition", "updatePosition"})
PLATFORM_LIMITS = """{
  "type": "object",
  "properties": {
    "email": {"type": "string", "format": "email"},
    "paymentOption": {"type": "array", "items": {"type": "object", "properties": {
      "amount": {"type": "integer", "minimum": 1},
      "paymentOptionMetadata": {"type": "array", "items": {"$ref": "#/$defs/metadata"}},
      "transfer": {"type": "array", "items": {"type": "object", "properties": {
        "amount": {"type": "integer", "minimum": 1},
        "remittanceInformation": {"type": "string", "maxLength": 140},
        "iban": {"type": "string", "pattern": "^[A-Za-z0-9]{1,35}$"},
        "postalIban": {"type": "string", "pattern": "^$|^[A-Za-z0-9]{1,35}$"},
        "stamp": {"type": "object", "properties": {"hashDocument": {"type": "string", "maxLength": 72}}},
        "transferMetadata": {"type": "array", "items": {"$ref": "#/$defs/metadata"}}
      }}}
    }}}
  },
  "$defs": {"metadata": {"type": "object", "properties": {
    "key": {"type": "string", "maxLength": 140}, "value": {"type": ["string", "null"], "maxLength": 140}
  }}}
}"""
"""The field limits the platform's model enforces (`model/pd/*.java`), beyond what SANP 3.8.0's gpd.json
publishes (3.13.0's publishes most of them)."""


T = TypeVar("T")


# --- the subscription key: one rule per API, one judgement ------------------------------------------------


def unknown_key(case: Case) -> Iterator[Violation]:
    """No key, or one the platform did not issue, in Ocp-Apim-Subscription-Key."""
    if case.key is None:
        actual = "an unknown key" if case.snapshot.get("key_presented") else "no key"
        yield Violation("a subscription key the platform issued", actual, f"header:{HEADER}")


def key_problem(case: Case, finding: Finding) -> Problem:
    """The platform's 401, worded as its API gateway words it: missing or invalid key."""
    reason = (
        "invalid subscription key. Make sure to provide a valid key for an active subscription"
        if case.snapshot.get("key_presented")
        else "missing subscription key. Make sure to include subscription key"
    )
    return Problem(401, "UNAUTHORIZED", f"Access denied due to {reason}.")


# --- helpers: the contract and the snapshot ---------------------------------------------------------------


def once(fn: Callable[[Case], T]) -> Callable[[Case], T]:
    """`fn` of a case worked out once, then shared by every rule of the request that asks for it (kept in
    `case.derived`: a case never changes)."""

    @wraps(fn)
    def shared(case: Case) -> T:
        memo = case.derived
        try:
            return memo[fn]
        except KeyError:
            value = memo[fn] = fn(case)
            return value

    return shared


@once
def spec(case: Case) -> OperationSpec:
    """The contract operation of the case."""
    assert case.operation is not None
    return load_contract(case.sanp, case.contracts).operation(case.operation)


def now(case: Case) -> datetime:
    """The sandbox time the request met."""
    return parse_datetime(str(case.snapshot["now"]))


def declares_body(case: Case) -> bool:
    """The operation takes a JSON body."""
    return case.operation is not None and spec(case).body is not None


def coerced(case: Case, location: str) -> Coerced:
    """The case's `location` parameters converted to their declared types (once per case and location)."""
    memo, key = case.derived, (coerced, location)
    found = memo.get(key)
    if found is None:
        raw = case.request.path_params if location == "path" else case.request.query_values
        found = memo[key] = coerce(spec(case), location, raw)
    return found


def param_values(case: Case, location: str) -> dict[str, Any]:
    """The case's `location` parameters converted to their declared types."""
    return dict(coerced(case, location).values)


def honoured_segregation_codes(case: Case) -> frozenset[str] | None:
    """The segregation codes the request is held to: the key's, narrowed by a `segregationCodes` query
    parameter the platform reads (None: unrestricted)."""
    key = case.key or {}
    codes = frozenset(key["segregation_codes"]) if key.get("segregation_codes") is not None else None
    sent = case.request.query_values.get("segregationCodes")
    read = sent is not None and (spec(case).parameter("segregationCodes") is not None or not case.strict)
    if read and sent is not None and SEGREGATION_CODES.fullmatch(sent):
        given = frozenset(sent.split(","))
        codes = given if codes is None else codes & given
    return codes


@once
def body_options(case: Case) -> list[tuple[int, Mapping[str, Any]]]:
    """The payment options of a create/update body, with their index."""
    body = case.body
    if not isinstance(body, Mapping):
        return []
    return [(n, o) for n, o in enumerate(body.get("paymentOption") or []) if isinstance(o, Mapping)]


def moment_of(value: Any) -> datetime | None:
    """A date-time field's value, or None when absent or unreadable (the contract rules report it)."""
    try:
        return parse_datetime(str(value)) if value is not None else None
    except ValueError:
        return None


def stamp(when: datetime | None) -> str:
    """A date-time as the platform's messages print it."""
    return when.strftime("%Y-%m-%d %H:%M:%S") if when is not None else "none"


DUE = ("due_date_from", "due_date_to")
PAID = ("payment_date_from", "payment_date_to")
PAID_TIME = ("payment_date_time_from", "payment_date_time_to")


def window(query: Mapping[str, str], names: tuple[str, str]) -> tuple[date, date] | None:
    """The (from, to) date window of a pair of list filters, one missing bound filled ±30 days."""
    raw_from, raw_to = query.get(names[0]), query.get(names[1])
    if raw_from is None and raw_to is None:
        return None
    try:
        start = _day(raw_from) if raw_from is not None else None
        end = _day(raw_to) if raw_to is not None else None
    except ValueError:
        return None
    if start is None and end is not None:
        start = end - timedelta(days=MAX_DAYS_INTERVAL)
    if end is None and start is not None:
        end = start + timedelta(days=MAX_DAYS_INTERVAL)
    assert start is not None and end is not None
    return start, end


def _day(text: str) -> date:
    return parse_datetime(text).date() if "T" in text else parse_date(text)


def receipts_page_size(case: Case) -> int:
    """The receipts list's page size when none is asked: the contract's default."""
    param = spec(case).parameter("pageSize")
    default = param.schema.get("default", 50) if param is not None else 50
    return int(default)


def to_publish(case: Case) -> bool:
    """A create or update that publishes at once (toPublish, read as the platform reads it)."""
    text = case.request.query_values.get("toPublish")
    return text is not None and text.lower() in ("true", "on", "yes", "1")
