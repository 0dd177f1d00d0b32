"""paVerifyPaymentNotice rules judged on every description."""

from __future__ import annotations

from collections.abc import Iterator

from pagoconf.engine.violation import Violation
from pagoconf.sync.answer import Answer, required_on_ok, where
from pagoconf.sync.checks.faults import is_ok
from pagoconf.sync.checks.registry import check

REQUIRED_ON_OK = ("paymentList", "paymentDescription", "fiscalCodePA", "companyName")


@check("VERIFY-002", when=is_ok)
def ok_description_is_complete(answer: Answer) -> Iterator[Violation]:
    """paymentList, paymentDescription, fiscalCodePA and companyName are present and not blank."""
    yield from required_on_ok(answer, REQUIRED_ON_OK)


@check("VERIFY-003", when=is_ok)
def option_is_for_the_exact_amount(answer: Answer) -> Iterator[Violation]:
    """Every payment option says options = EQ."""
    for opt in answer.response.iterfind("paymentList/paymentOptionDescription/options"):  # type: ignore[union-attr]
        if (opt.text or "").strip() != "EQ":
            yield Violation(
                expected="options = EQ", actual=f"options = {opt.text or '(empty)'}", where=where(opt)
            )


@check("VERIFY-004", when=lambda a: is_ok(a) and a.text("fiscalCodePA") is not None)
def names_the_requested_institution(answer: Answer) -> Iterator[Violation]:
    """fiscalCodePA equals the qrCode fiscalCode of the request."""
    want = answer.request_text("qrCode/fiscalCode")
    got = (answer.text("fiscalCodePA") or "").strip()
    if want is not None and got and got != want:
        yield Violation(
            expected=f"fiscalCodePA = {want} (the request's qrCode)",
            actual=got,
            where="/paVerifyPaymentNoticeRes/fiscalCodePA",
        )
