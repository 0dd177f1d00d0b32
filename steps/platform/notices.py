"""Steps about a notice the citizen pays, and what the partner's system knows of it."""

from __future__ import annotations

from pytest_bdd import given, then, when

from pagoconf.engine.verdict import ScenarioVerdict
from pagoconf.platform.checks.outcomes import paid_after_receipt, unpaid_reported
from pagoconf.platform.partner import Created, Done, Partner, Payment, expect


@given("the citizen has paid its notice", target_fixture="payment")
def _(partner: Partner, created: Created) -> Payment:
    return partner.pay(created)


@when("the partner's system is asked what it knows of the notice", target_fixture="status")
def _(partner: Partner, created: Created) -> Done:
    held = partner.position(created.iupd)
    if held is None:
        raise partner.verdict.stop(f"the platform holds no debt position {created.iupd}")
    return partner.ask("noticeStatus", noticeNumber=held.options[0].nav, fiscalCode=held.organization)


@then("it holds the notice paid, with the receipt it read")
def _(partner: Partner, verdict: ScenarioVerdict, payment: Payment, status: Done) -> None:
    if not status.ok:
        raise verdict.stop(f"the partner's system could not say: {status.answer.error}")
    expect(
        verdict,
        "CLIENT-004",
        paid_after_receipt,
        list(status.calls),
        reported=status.result,
        iuv=payment.iuv,
        receipt_id=payment.receipt_id,
    )


@then("it does not hold the notice paid")
def _(verdict: ScenarioVerdict, status: Done) -> None:
    if not status.ok:
        raise verdict.stop(f"the partner's system could not say: {status.answer.error}")
    expect(
        verdict,
        "CLIENT-004",
        lambda calls, reported: unpaid_reported(reported),
        list(status.calls),
        reported=status.result,
    )
