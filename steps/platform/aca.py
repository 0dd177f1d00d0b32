"""Steps about ACA: a synchronous institution's debt positions registered, amended and cancelled there."""

from __future__ import annotations

from typing import Any

from pytest_bdd import given, parsers, then, when

from pagoconf.engine.verdict import ScenarioVerdict
from pagoconf.platform.checks.asked import registered_as_issued
from pagoconf.platform.issuing import PositionBook
from pagoconf.platform.partner import Done, Partner, Registration, expect
from pagoconf.platform.sandbox.aca import aca_iupd

ACA = "newDebtPosition"


@given("an ACA registration of a new debt position", target_fixture="registration")
def _(issuer: PositionBook) -> Registration:
    return Registration(issuer.aca_position())


@when("the partner's system registers it with ACA", target_fixture="registration")
def _(partner: Partner, registration: Registration) -> Registration:
    done = partner.ask("acaPosition", change="create", position=dict(registration.issued))
    return registration.then(done)


@when("the partner's system registers its new amount with ACA", target_fixture="registration")
def _(partner: Partner, registration: Registration) -> Registration:
    amended: dict[str, Any] = {**registration.issued, "amount": int(registration.issued["amount"]) + 150}
    done = partner.ask("acaPosition", change="update", position=amended)
    return Registration(amended).then(done)


@when("the partner's system cancels its registration with ACA", target_fixture="registration")
def _(partner: Partner, registration: Registration) -> Registration:
    done = partner.ask("acaPosition", change="cancel", position=dict(registration.issued))
    return registration.then(done, cancelled=True)


@then(parsers.re("ACA holds it (?:as it was issued|as it was amended|cancelled)"))
def _(partner: Partner, verdict: ScenarioVerdict, registration: Registration) -> None:
    done: Done | None = registration.done
    if done is None:
        raise verdict.stop("the partner's system was not asked to register anything")
    refused = done.refusal(ACA)
    if refused is not None:
        raise verdict.stop(f"ACA refused the registration: {refused}")
    org, iuv = str(registration.issued["paFiscalCode"]), str(registration.issued["iuv"])
    held = partner.position(aca_iupd(org, iuv), org)
    expect(
        verdict,
        "CLIENT-011",
        registered_as_issued,
        list(done.calls),
        issued=registration.issued,
        cancelled=registration.cancelled,
        held_status=str(held.status) if held is not None else None,
        held_amount=held.options[0].amount if held is not None and held.options else None,
    )
