"""Steps about debt positions: the institution issues them, the partner's system creates, amends, publishes,
invalidates and deletes them on GPD, and the platform holds them (or not) as asked."""

from __future__ import annotations

from typing import Any

from pytest_bdd import given, parsers, then, when

from pagoconf.engine.verdict import ScenarioVerdict
from pagoconf.platform.checks.asked import sent_as_issued
from pagoconf.platform.checks.outcomes import lifecycle_reached
from pagoconf.platform.checks.sequences import paid_position_untouched
from pagoconf.platform.issuing import PositionBook, amended
from pagoconf.platform.partner import Amendment, Created, Done, Partner, expect

Issued = dict[str, Any]


@given(parsers.parse("debt positions {shape}"), target_fixture="issued")
def _(issuer: PositionBook, shape: str) -> list[Issued]:
    return issuer.positions(shape)


@given(parsers.parse("{count:d} debt positions {shape}"), target_fixture="issued")
def _(issuer: PositionBook, count: int, shape: str) -> list[Issued]:
    return issuer.positions(shape, count)


@given(parsers.parse("a debt position {shape}"), target_fixture="position")
def _(issuer: PositionBook, shape: str) -> Issued:
    return issuer.positions(shape, 1)[0]


@given("the partner's system has created it as a draft", target_fixture="created")
def _(partner: Partner, position: Issued) -> Created:
    return partner.create(position, publish=False)


@given("the partner's system has created it, published at once", target_fixture="created")
def _(partner: Partner, position: Issued) -> Created:
    return partner.create(position, publish=True, published=True)


@given("the partner's system has created them, published at once", target_fixture="created_all")
def _(partner: Partner, issued: list[Issued]) -> list[Created]:
    return [partner.create(p, publish=True, published=True) for p in issued]


@when("the partner's system creates each of them", target_fixture="dones")
def _(partner: Partner, issued: list[Issued]) -> list[Done]:
    return [partner.ask("createPosition", position=p, publish=False) for p in issued]


@when("the partner's system creates it", target_fixture="done")
def _(partner: Partner, position: Issued) -> Done:
    return partner.ask("createPosition", position=position, publish=False)


@when("the partner's system creates it, published at once", target_fixture="created")
def _(partner: Partner, position: Issued) -> Created:
    return partner.create(position, publish=True)


@when("the partner's system publishes it", target_fixture="done")
def _(partner: Partner, created: Created) -> Done:
    return partner.ask("publishPosition", iupd=created.iupd)


@when("the partner's system invalidates it", target_fixture="done")
def _(partner: Partner, created: Created) -> Done:
    return partner.ask("invalidatePosition", iupd=created.iupd)


@when("the partner's system deletes it", target_fixture="done")
def _(partner: Partner, created: Created) -> Done:
    return partner.ask("deletePosition", iupd=created.iupd)


@when(
    parsers.re("the partner's system (?:is asked to )?update(?:s)? it with a new amount"),
    target_fixture="amendment",
)
def _(partner: Partner, created: Created) -> Amendment:
    position = amended(dict(created.issued))
    return Amendment(
        position, partner.ask("updatePosition", iupd=created.iupd, position=position, publish=True)
    )


@then("the platform holds each of them as it was issued")
def _(partner: Partner, verdict: ScenarioVerdict, issued: list[Issued], dones: list[Done]) -> None:
    for position, done in zip(issued, dones, strict=True):
        call = partner.requires(done, "createPosition", what="the debt position was not created")
        verdict.expect("CLIENT-001", sent_as_issued, call, issued=position, organization=partner.organization)


@then("the platform holds it as it was amended")
def _(partner: Partner, verdict: ScenarioVerdict, amendment: Amendment) -> None:
    call = partner.requires(amendment.done, "updatePosition", what="the debt position was not updated")
    organization = partner.organization
    verdict.expect("CLIENT-001", sent_as_issued, call, issued=amendment.position, organization=organization)


@then(parsers.re("the platform holds it (?P<change>published|invalidated|deleted)"))
def _(partner: Partner, verdict: ScenarioVerdict, created: Created, change: str) -> None:
    held = partner.position(created.iupd)
    status = str(held.status) if held is not None else None
    action = {"published": "publish", "invalidated": "invalidate", "deleted": "delete"}[change]
    expect(
        verdict,
        "CLIENT-002",
        lifecycle_reached,
        partner.calls,
        change=action,
        iupd=created.iupd,
        status=status,
    )


@then("no update of the paid position reaches the platform")
def _(partner: Partner, verdict: ScenarioVerdict, created: Created, amendment: Amendment) -> None:
    expect(verdict, "CLIENT-003", paid_position_untouched, list(amendment.done.calls), iupd=created.iupd)
