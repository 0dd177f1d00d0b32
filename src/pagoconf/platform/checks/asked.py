"""What the partner's system sent, held to what the institution asked for (CLIENT-001, 011, 012): the same
debtor, options, amounts in euro cents, transfers, IBANs and stamps; the same ACA registration; the same
notices in a cart. Identifiers (IUPD, IUV) are the partner's to choose and are not compared. Pure: plain
data in, violations out, `where` a JSON pointer into what was sent."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from pagoconf.engine.verdict import NotJudgeable
from pagoconf.engine.violation import Violation
from pagoconf.platform.calls import Call
from pagoconf.platform.sandbox.dates import parse_datetime
from pagoconf.platform.sandbox.upload import read_upload

DEBTOR = ("type", "fiscalCode", "fullName")
TRANSFER = ("amount", "iban", "postalIban", "category")
STAMP = ("hashDocument", "stampType", "provincialResidence")
ACA = ("paFiscalCode", "entityType", "entityFiscalCode", "entityFullName", "amount", "expirationDate", "iban")
CART = ("noticeNumber", "fiscalCode", "amount")


def _show(value: Any) -> str:
    return "absent" if value is None else json.dumps(value, ensure_ascii=False)


def _differs(expected: Any, actual: Any) -> bool:
    if isinstance(expected, str) and isinstance(actual, str) and expected != actual:
        return _instant(expected) is None or _instant(expected) != _instant(actual)
    return bool(expected != actual)


def _instant(text: str) -> datetime | None:
    if len(text) < 16 or text[4:5] != "-" or "T" not in text:
        return None
    try:
        return parse_datetime(text)
    except ValueError:
        return None


def _field(
    expected: Mapping[str, Any], actual: Mapping[str, Any], name: str, where: str
) -> Iterator[Violation]:
    want, got = expected.get(name), actual.get(name)
    if _differs(want, got):
        unit = " cents" if name == "amount" and isinstance(want, int) else ""
        yield Violation(f"{name} {_show(want)}{unit}, as issued", _show(got), f"{where}/{name}")


def position_as_issued(
    sent: Mapping[str, Any], issued: Mapping[str, Any], *, organization: str, where: str = ""
) -> Iterator[Violation]:
    """A PaymentPositionModel as sent, against the one issued: debtor, each option (amount, installment,
    due date) and each of its transfers (amount, IBANs, stamp, category, beneficiary)."""
    for name in DEBTOR:
        yield from _field(issued, sent, name, where)
    want, got = issued.get("paymentOption") or [], sent.get("paymentOption") or []
    if len(want) != len(got):
        yield Violation(f"{len(want)} payment option(s), as issued", str(len(got)), f"{where}/paymentOption")
        return
    for n, (w, g) in enumerate(zip(want, got, strict=True)):
        at = f"{where}/paymentOption/{n}"
        for name in ("amount", "isPartialPayment", "dueDate"):
            yield from _field(w, g, name, at)
        yield from _transfers(w.get("transfer") or [], g.get("transfer") or [], organization, at)


def _transfers(want: Sequence[Any], got: Sequence[Any], organization: str, where: str) -> Iterator[Violation]:
    if len(want) != len(got):
        yield Violation(f"{len(want)} transfer(s), as issued", str(len(got)), f"{where}/transfer")
        return
    by_id = {str(t.get("idTransfer")): (n, t) for n, t in enumerate(got) if isinstance(t, Mapping)}
    for w in want:
        found = by_id.get(str(w.get("idTransfer")))
        if found is None:
            yield Violation(f"transfer {w.get('idTransfer')}, as issued", "absent", f"{where}/transfer")
            continue
        n, g = found
        at = f"{where}/transfer/{n}"
        for name in TRANSFER:
            yield from _field(w, g, name, at)
        beneficiary = w.get("organizationFiscalCode") or organization
        if (g.get("organizationFiscalCode") or organization) != beneficiary:
            yield Violation(
                f"organizationFiscalCode {beneficiary}, as issued",
                _show(g.get("organizationFiscalCode")),
                f"{at}/organizationFiscalCode",
            )
        if (w.get("stamp") is None) != (g.get("stamp") is None):
            yield Violation(f"stamp {_show(w.get('stamp'))}, as issued", _show(g.get("stamp")), f"{at}/stamp")
        elif w.get("stamp") is not None:
            for name in STAMP:
                yield from _field(w["stamp"], g["stamp"], name, f"{at}/stamp")


def sent_as_issued(call: Call, *, issued: Mapping[str, Any], organization: str) -> Iterator[Violation]:
    """CLIENT-001 on one createPosition or updatePosition the platform accepted."""
    if not isinstance(call.body, Mapping):
        raise NotJudgeable(f"{call.label} has no JSON body to hold to the position issued")
    yield from position_as_issued(call.body, issued, organization=organization)


def uploaded_as_issued(
    call: Call, *, issued: Sequence[Mapping[str, Any]], organization: str
) -> Iterator[Violation]:
    """CLIENT-001 on a bulk upload: each position of the file, found by its place in the file."""
    content_type = call.header("content-type") or ""
    reading = read_upload(content_type, call.entry.request_body, deleting=False)
    if not reading.ok:
        raise NotJudgeable(f"{call.label}: the platform could not read the file")
    sent = [json.loads(item) for item in reading.items]
    if len(sent) != len(issued):
        yield Violation(
            f"{len(issued)} positions in the file, as issued", str(len(sent)), "/paymentPositions"
        )
        return
    for n, (s, i) in enumerate(zip(sent, issued, strict=True)):
        yield from position_as_issued(s, i, organization=organization, where=f"/paymentPositions/{n}")


def aca_as_issued(call: Call, *, issued: Mapping[str, Any], cancelled: bool = False) -> Iterator[Violation]:
    """CLIENT-011 on one paCreatePosition: the registration as issued (a cancellation: amount 0)."""
    if not isinstance(call.body, Mapping):
        raise NotJudgeable(f"{call.label} has no JSON body to hold to the registration issued")
    want = {**issued, "amount": 0} if cancelled else issued
    for name in ("iuv", *ACA):
        if name == "iban" and name not in want:
            continue
        yield from _field(want, call.body, name, "")


def registration_held(
    calls: Sequence[Call], *, issued: Mapping[str, Any], cancelled: bool = False
) -> Iterator[Violation]:
    """CLIENT-011: among the requests of one change, ACA accepted one that registers it as issued."""
    accepted = [c for c in calls if c.operation == "newDebtPosition" and c.status == 200]
    if not accepted:
        change = "cancellation" if cancelled else "registration"
        yield Violation(f"a paCreatePosition ACA accepted carrying the {change} asked", "none was sent", "")
        return
    yield from aca_as_issued(accepted[-1], issued=issued, cancelled=cancelled)


def registered_as_issued(
    calls: Sequence[Call],
    *,
    issued: Mapping[str, Any],
    cancelled: bool,
    held_status: str | None,
    held_amount: int | None,
) -> Iterator[Violation]:
    """CLIENT-011: the change reached ACA as issued, and ACA now holds the position so (`held_*`: the
    position ACA holds for the IUV, None when it holds none)."""
    yield from registration_held(calls, issued=issued, cancelled=cancelled)
    if held_status is None:
        yield Violation(f"ACA holds the position of IUV {issued['iuv']}", "it holds none", "")
    elif cancelled and held_status != "INVALID":
        yield Violation("the registration cancelled (INVALID)", f"ACA holds it {held_status}", "")
    elif not cancelled and held_amount != issued.get("amount"):
        yield Violation(
            f"amount {issued.get('amount')} cents, as issued", f"ACA holds {held_amount}", "/amount"
        )


def cart_as_asked(call: Call, *, notices: Sequence[Mapping[str, Any]]) -> Iterator[Violation]:
    """CLIENT-012 on one POST /carts: the notices asked, each with its amount in euro cents, and the three
    return URLs."""
    body = call.body
    if not isinstance(body, Mapping):
        raise NotJudgeable(f"{call.label} has no JSON body to hold to the notices asked")
    sent = [n for n in body.get("paymentNotices") or [] if isinstance(n, Mapping)]
    by_number = {str(n.get("noticeNumber")): (k, n) for k, n in enumerate(sent)}
    for want in notices:
        found = by_number.get(str(want["noticeNumber"]))
        if found is None:
            yield Violation(f"notice {want['noticeNumber']} in the cart", "absent", "/paymentNotices")
            continue
        k, got = found
        for name in CART:
            yield from _field(want, got, name, f"/paymentNotices/{k}")
    if len(sent) != len(notices):
        yield Violation(f"{len(notices)} notice(s), as asked", str(len(sent)), "/paymentNotices")
    urls = body.get("returnUrls")
    for name in ("returnOkUrl", "returnCancelUrl", "returnErrorUrl"):
        if not isinstance(urls, Mapping) or not urls.get(name):
            yield Violation(f"{name}: a page of the institution's front end", "absent", f"/returnUrls/{name}")
