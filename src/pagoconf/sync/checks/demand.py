"""paDemandPaymentNotice rules judged on every created notice."""

from __future__ import annotations

from collections.abc import Iterator

from pagoconf.engine.violation import Violation
from pagoconf.identifiers import has_valid_check_digit
from pagoconf.sync.answer import Answer, required_on_ok
from pagoconf.sync.checks.faults import is_ok
from pagoconf.sync.checks.registry import check

REQUIRED_ON_OK = ("qrCode", "paymentList", "paymentDescription", "fiscalCodePA", "companyName")


@check("DEMAND-002", when=is_ok)
def created_notice_is_complete(answer: Answer) -> Iterator[Violation]:
    """qrCode, paymentList, paymentDescription, fiscalCodePA and companyName are present and not blank."""
    yield from required_on_ok(answer, REQUIRED_ON_OK)


@check("DEMAND-003", when=lambda a: is_ok(a) and a.response.find("qrCode") is not None)  # type: ignore[union-attr]
def created_notice_number_is_valid(answer: Answer) -> Iterator[Violation]:
    """18 digits with a right check digit, for the institution that asked."""
    raw = answer.text("qrCode/noticeNumber")
    nav = (raw or "").strip()
    if not has_valid_check_digit(nav):
        actual = nav or ("missing" if raw is None else "blank")
        yield Violation(
            expected="an 18-digit notice number with a right check digit (mod 93)",
            actual=actual,
            where="/paDemandPaymentNoticeResponse/qrCode/noticeNumber",
        )
    fiscal_code = (answer.text("qrCode/fiscalCode") or "").strip()
    want = answer.request_text("idPA")
    if want is not None and fiscal_code != want:
        yield Violation(
            expected=f"qrCode/fiscalCode = {want} (the request's idPA)",
            actual=fiscal_code,
            where="/paDemandPaymentNoticeResponse/qrCode/fiscalCode",
        )
