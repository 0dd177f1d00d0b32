"""paGetPayment / paGetPaymentV2 rules judged on every activation."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from decimal import Decimal

from pagoconf.engine.violation import Violation
from pagoconf.identifiers import NoticeNumberError, is_valid_iban, iuv_of
from pagoconf.sync.answer import Answer, decimal, where
from pagoconf.sync.checks.faults import is_ok
from pagoconf.sync.checks.registry import check


def has_data(answer: Answer) -> bool:
    """An OK activation that carries data."""
    return is_ok(answer) and answer.response.find("data") is not None  # type: ignore[union-attr]


def _data(answer: Answer):  # type: ignore[no-untyped-def]
    return answer.response.find("data")  # type: ignore[union-attr]


@check("ACTIVATE-002", when=is_ok)
def ok_activation_carries_data(answer: Answer) -> Iterator[Violation]:
    """Outcome OK comes with the data element."""
    if answer.response.find("data") is None:  # type: ignore[union-attr]
        yield Violation(
            expected="data present on outcome OK", actual="missing", where=f"/{answer.op.response}/data"
        )


@check("ACTIVATE-003", when=has_data)
def creditor_reference_is_the_iuv(answer: Answer) -> Iterator[Violation]:
    """creditorReferenceId equals the IUV inside the requested notice number."""
    nav = answer.request_text("qrCode/noticeNumber") or ""
    try:
        iuv = iuv_of(nav.strip())
    except NoticeNumberError:
        return
    got = (_data(answer).findtext("creditorReferenceId") or "").strip()
    if got != iuv:
        yield Violation(
            expected=f"creditorReferenceId = {iuv} (IUV of notice {nav})",
            actual=got or "(missing)",
            where=f"/{answer.op.response}/data/creditorReferenceId",
        )


@check("ACTIVATE-004", when=has_data)
def transfers_are_numbered_in_order(answer: Answer) -> Iterator[Violation]:
    """idTransfer runs 1, 2, … n in document order."""
    texts = [
        (t.findtext("idTransfer") or "").strip() for t in _data(answer).iterfind("transferList/transfer")
    ]
    want = list(range(1, len(texts) + 1))
    if texts and [_int(t) for t in texts] != want:
        yield Violation(
            expected=f"idTransfer {', '.join(map(str, want))}",
            actual=f"idTransfer {', '.join(texts)}",
            where=f"/{answer.op.response}/data/transferList",
        )


def _int(text: str) -> int | None:
    """The xs:int value of a text ('01' and '+1' are 1), None when it is not one."""
    try:
        return int(text)
    except ValueError:
        return None


@check("ACTIVATE-005", when=has_data)
def transfers_add_up_to_payment_amount(answer: Answer) -> Iterator[Violation]:
    """The sum of transferAmount equals paymentAmount."""
    data = _data(answer)
    declared = decimal(data.findtext("paymentAmount"))
    read = [decimal(t.findtext("transferAmount")) for t in data.iterfind("transferList/transfer")]
    amounts = [a for a in read if a is not None]
    if declared is None or not amounts or len(amounts) != len(read):
        return  # an unreadable amount is SCHEMA-001's to report
    total = sum(amounts, Decimal("0"))
    if total != declared:
        parts = ", ".join(f"transfer {i}: {a}" for i, a in enumerate(amounts, 1))
        yield Violation(
            expected=f"sum(transferAmount) = {declared}",
            actual=f"{total} ({parts})",
            where=f"/{answer.op.response}/data/transferList",
        )


@check("ACTIVATE-006", when=has_data)
def ibans_pass_mod_97(answer: Answer) -> Iterator[Violation]:
    """Every transfer IBAN has the IBAN shape and a right mod-97 check."""
    for el in _data(answer).iterfind("transferList/transfer/IBAN"):
        value = (el.text or "").strip()
        if not is_valid_iban(value):
            yield Violation(expected="an ISO 13616 IBAN (mod-97 = 1)", actual=value, where=where(el))


def has_stamp(answer: Answer) -> bool:
    """An activation with at least one @e.bollo transfer."""
    return has_data(answer) and _data(answer).find("transferList/transfer/richiestaMarcaDaBollo") is not None


@check("ACTIVATE-007", when=has_stamp)
def stamp_requests_carry_a_sha256_hash(answer: Answer) -> Iterator[Violation]:
    """hashDocumento is the base64 of a 32-byte SHA-256 digest."""
    for el in _data(answer).iterfind("transferList/transfer/richiestaMarcaDaBollo/hashDocumento"):
        value = "".join((el.text or "").split())  # xs:base64Binary allows white space
        try:
            size = len(base64.b64decode(value, validate=True))
        except (binascii.Error, ValueError):
            size = -1
        if size != 32:
            actual = "not base64" if size < 0 else f"{size} bytes"
            yield Violation(
                expected="base64 of a 32-byte SHA-256 digest", actual=f"{value!r} ({actual})", where=where(el)
            )


@check("ACTIVATE-008", when=has_data)
def metadata_keys_are_unique(answer: Answer) -> Iterator[Violation]:
    """No key appears twice in one metadata list."""
    for md in _data(answer).iter("metadata"):
        seen: set[str] = set()
        for key in md.iterfind("mapEntry/key"):
            k = (key.text or "").strip()
            if k in seen:
                yield Violation(
                    expected="unique metadata keys", actual=f"key {k!r} repeated", where=where(key)
                )
            seen.add(k)
