"""Rules on a Checkout cart (POST /carts): the key, the body's transport, the CartRequest contract of the
SANP version (with the notices, amounts, identifiers and return URLs each under a rule of its own), and
what a cart needs to be payable at all."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from pagoconf.engine.violation import Violation
from pagoconf.platform.sandbox.checks.common import JSON, key_problem, once, spec, unknown_key
from pagoconf.platform.sandbox.checks.registry import Stage, rule
from pagoconf.platform.sandbox.request import Case
from pagoconf.platform.sandbox.validation import SchemaError, operation_validator

BAD_REQUEST = "Bad Request"
NOTICE_FIELD = re.compile(r"/paymentNotices/[0-9]+/(?P<field>[^/]+)")
DIGITS = {"noticeNumber": 18, "fiscalCode": 11}
PAYMENT_NOTE = (1, 210)
WEB_SCHEMES = ("http", "https")


def notices(case: Case) -> list[tuple[int, Mapping[str, Any]]]:
    """The cart's payment notices that are objects, with their index."""
    body = case.body
    items = body.get("paymentNotices") if isinstance(body, Mapping) else None
    if not isinstance(items, list):
        return []
    return [(n, item) for n, item in enumerate(items) if isinstance(item, Mapping)]


def _sent_as_json(case: Case) -> bool:
    request = case.request
    return not request.too_large and request.content_type == JSON and request.json_ok and bool(request.body)


# --- KEY, ORGANIZATION ----------------------------------------------------------------------------------


@rule("CHECKOUT-001", stage=Stage.KEY, status=401, title="UNAUTHORIZED", refine=key_problem)
def the_cart_carries_a_known_key(case: Case) -> Iterator[Violation]:
    """A subscription key the platform issued travels in Ocp-Apim-Subscription-Key."""
    yield from unknown_key(case)


@rule(
    "CHECKOUT-002",
    stage=Stage.ORGANIZATION,
    status=403,
    title="FORBIDDEN",
    detail="You are not allowed to access this resource: the key does not cover {details}.",
)
def the_key_covers_the_notices_creditors(case: Case) -> Iterator[Violation]:
    """A key restricted to some organizations carries carts of their notices only."""
    allowed = (case.key or {}).get("organizations")
    if allowed is None or not case.request.json_ok:
        return
    for n, notice in notices(case):
        creditor = notice.get("fiscalCode")
        if isinstance(creditor, str) and creditor not in allowed:
            expected = f"one of the key's organizations ({', '.join(allowed)})"
            yield Violation(expected, creditor, f"/paymentNotices/{n}/fiscalCode")


# --- TRANSPORT ------------------------------------------------------------------------------------------


@rule("CHECKOUT-003", stage=Stage.TRANSPORT, status=400, title=BAD_REQUEST)
def the_cart_is_a_json_body(case: Case) -> Iterator[Violation]:
    """The cart travels as a well-formed JSON body declared as application/json, within 10 MiB."""
    request = case.request
    if request.too_large:
        yield Violation("at most 10 MiB", f"more than {request.body_size} bytes", "")
    elif request.content_type != JSON:
        yield Violation(JSON, request.content_type or "no Content-Type", "header:Content-Type")
    elif not request.body.strip():
        yield Violation("a JSON body (the cart)", "no body", "")
    elif not request.json_ok:
        yield Violation("well-formed JSON", "the body does not parse as JSON", "")


# --- CONTRACT: each schema error under the rule that owns its place ---------------------------------------


def _owner(error: SchemaError) -> str:
    """The rule a schema error of the cart breaks."""
    where = error.where
    if where == "/paymentNotices":
        return "CHECKOUT-011"
    found = NOTICE_FIELD.fullmatch(where)
    if found and found["field"] == "amount":
        return "CHECKOUT-012"
    if found and found["field"] in DIGITS:
        return "CHECKOUT-013"
    if where == "/returnUrls" or where.startswith("/returnUrls/"):
        return "CHECKOUT-014"
    return "CHECKOUT-010"


@once
def _cart_errors(case: Case) -> list[SchemaError]:
    """The cart's contract errors (validated once: each rule of CHECKOUT-010 to 014 takes its own)."""
    return operation_validator(case.sanp, spec(case).name, case.contracts).body_errors(case.body)


def _schema_violations(case: Case, rule_id: str) -> Iterator[Violation]:
    if not _sent_as_json(case):
        return
    for error in _cart_errors(case):
        if _owner(error) == rule_id:
            actual = "missing" if error.keyword == "required" else error.message
            yield Violation(f"{error.keyword} as {spec(case).name}'s schema declares", actual, error.where)


@rule("CHECKOUT-010", stage=Stage.CONTRACT, status=400, title=BAD_REQUEST)
def the_cart_follows_the_contract(case: Case) -> Iterator[Violation]:
    """The cart has the fields, types, lengths and formats of the version's CartRequest."""
    yield from _schema_violations(case, "CHECKOUT-010")


@rule("CHECKOUT-011", stage=Stage.CONTRACT, status=400, title=BAD_REQUEST)
def the_cart_holds_one_to_five_notices(case: Case) -> Iterator[Violation]:
    """paymentNotices holds 1 to 5 notices."""
    yield from _schema_violations(case, "CHECKOUT-011")


@rule("CHECKOUT-012", stage=Stage.CONTRACT, status=400, title=BAD_REQUEST)
def amounts_are_whole_cents(case: Case) -> Iterator[Violation]:
    """Each notice's amount is an integer number of euro cents, at least 1."""
    yield from _schema_violations(case, "CHECKOUT-012")


@rule("CHECKOUT-013", stage=Stage.CONTRACT, status=400, title=BAD_REQUEST)
def notice_numbers_and_fiscal_codes_are_digits(case: Case) -> Iterator[Violation]:
    """noticeNumber is 18 digits, fiscalCode 11 digits (the contract bounds their length, paForNode their
    characters)."""
    yield from _schema_violations(case, "CHECKOUT-013")
    if not _sent_as_json(case):
        return
    for n, notice in notices(case):
        for name, size in DIGITS.items():
            value = notice.get(name)
            if isinstance(value, str) and len(value) == size and not (value.isascii() and value.isdigit()):
                yield Violation(f"{size} digits", value, f"/paymentNotices/{n}/{name}")


@rule("CHECKOUT-014", stage=Stage.CONTRACT, status=400, title=BAD_REQUEST)
def return_urls_are_absolute_web_urls(case: Case) -> Iterator[Violation]:
    """Every return URL is an absolute http or https URL with a host."""
    yield from _schema_violations(case, "CHECKOUT-014")
    body = case.body
    urls = body.get("returnUrls") if _sent_as_json(case) and isinstance(body, Mapping) else None
    if not isinstance(urls, Mapping):
        return
    for name, url in urls.items():
        if isinstance(url, str) and not _web_url(url):
            yield Violation(
                "an absolute http(s) URL, e.g. https://ente.example.it/ok", url, f"/returnUrls/{name}"
            )


def _web_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in WEB_SCHEMES and bool(parts.hostname)


# --- DATA -----------------------------------------------------------------------------------------------


@rule("CHECKOUT-015", stage=Stage.DATA, status=400, title=BAD_REQUEST)
def each_notice_appears_once(case: Case) -> Iterator[Violation]:
    """No notice (fiscal code and notice number) appears twice in a cart."""
    seen: dict[tuple[Any, Any], int] = {}
    for n, notice in notices(case):
        key = (notice.get("fiscalCode"), notice.get("noticeNumber"))
        if key in seen:
            yield Violation(
                f"each notice once (notice {n} repeats notice {seen[key]})",
                f"{key[0]} {key[1]}",
                f"/paymentNotices/{n}/noticeNumber",
            )
        else:
            seen[key] = n


@rule("CHECKOUT-016", stage=Stage.DATA, status=400, title=BAD_REQUEST)
def the_cart_id_fits_the_payment_note(case: Case) -> Iterator[Violation]:
    """idCart, carried to the station as paymentNote (stText210), is 1 to 210 characters long."""
    body = case.body
    id_cart = body.get("idCart") if isinstance(body, Mapping) else None
    low, high = PAYMENT_NOTE
    if isinstance(id_cart, str) and not low <= len(id_cart) <= high:
        yield Violation(f"{low} to {high} characters", f"{len(id_cart)} characters", "/idCart")
