"""The GPD state machine on a real sandbox: every transition, every refused one, and the clock that drives
the scheduled ones (PUBLISHED → VALID, VALID → EXPIRED)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sandbox_support import KEY, ORG, Client, iuv, moment, option, position, rules_of

from pagoconf.platform.sandbox import Sandbox
from pagoconf.platform.sandbox import positions as model

STATES = ("DRAFT", "PUBLISHED", "VALID", "INVALID", "EXPIRED", "PARTIALLY_PAID", "PAID", "REPORTED")


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    """A sandbox of this module's own (its clock moves)."""
    with Sandbox(keys=[KEY]) as sandbox:
        yield Client(sandbox)


def sandbox_now(client: Client) -> datetime:
    """The sandbox's clock."""
    return datetime.fromisoformat(client.control("GET", "/clock").json["now"].replace("Z", "+00:00"))


def body_for(
    client: Client, *, due_days: float = 30, validity_days: float | None = None, **extra: Any
) -> dict[str, Any]:
    """A position whose dates are relative to the sandbox's clock."""
    now = sandbox_now(client)
    o = option(dueDate=moment(timedelta(days=due_days), base=now))
    if validity_days is not None:
        extra["validityDate"] = moment(timedelta(days=validity_days), base=now)
    return position(None, o, **extra)


def in_state(client: Client, state: str) -> dict[str, Any]:
    """A new position brought to `state` through the APIs and the control API."""
    if state == "EXPIRED":
        body = client.created(body_for(client, due_days=1, switchToExpired=True), publish=True)
        client.advance(days=2)
    elif state == "PARTIALLY_PAID":
        now = sandbox_now(client)
        due = moment(timedelta(days=30), base=now)
        body = client.created(
            position(None, option(partial=True, dueDate=due), option(partial=True, dueDate=due)), publish=True
        )
        assert client.pay(body["paymentOption"][0]["iuv"]).status == 200
    elif state == "PUBLISHED":
        body = client.created(body_for(client, validity_days=1))
        assert client.publish(body["iupd"]).json["status"] == "PUBLISHED"
    else:
        body = client.created(body_for(client), publish=state != "DRAFT")
        if state == "INVALID":
            assert client.invalidate(body["iupd"]).status == 200
        if state in ("PAID", "REPORTED"):
            assert client.pay(body["paymentOption"][0]["iuv"]).status == 200
        if state == "REPORTED":
            assert client.report(body["paymentOption"][0]["iuv"]).status == 200
    assert client.status_of(body["iupd"]) == state
    return body


@pytest.mark.parametrize("state", STATES)
def test_update_is_allowed_only_while_open(client: Client, state: str) -> None:
    body = in_state(client, state)
    fresh = dict(
        body,
        paymentOption=[
            dict(o, dueDate=moment(timedelta(days=40), base=sandbox_now(client)))
            for o in body["paymentOption"]
        ],
    )
    answer = client.update(body["iupd"], fresh)
    if state in ("DRAFT", "PUBLISHED", "VALID"):
        assert answer.status == 200 and answer.json["status"] == "DRAFT"
    else:
        assert answer.status == 409 and rules_of(client.last(), warning=False) == {"GPD-062"}


@pytest.mark.parametrize("state", STATES)
def test_delete_is_refused_once_something_is_paid(client: Client, state: str) -> None:
    body = in_state(client, state)
    answer = client.delete(body["iupd"])
    if state in ("PARTIALLY_PAID", "PAID", "REPORTED"):
        assert answer.status == 409 and rules_of(client.last(), warning=False) == {"GPD-063"}
        assert client.status_of(body["iupd"]) == state
    else:
        assert answer.status == 200 and client.get(body["iupd"]).status == 404


@pytest.mark.parametrize("state", STATES)
def test_only_drafts_are_published(client: Client, state: str) -> None:
    body = in_state(client, state)
    answer = client.publish(body["iupd"])
    if state == "DRAFT":
        assert answer.status == 200 and answer.json["status"] == "VALID"
    else:
        assert answer.status == 409 and rules_of(client.last(), warning=False) == {"GPD-064"}


@pytest.mark.parametrize("state", STATES)
def test_only_published_or_valid_positions_are_invalidated(client: Client, state: str) -> None:
    body = in_state(client, state)
    answer = client.invalidate(body["iupd"])
    if state in ("PUBLISHED", "VALID"):
        assert answer.status == 200 and answer.json["status"] == "INVALID"
    else:
        assert answer.status == 409 and rules_of(client.last(), warning=False) == {"GPD-066"}


@pytest.mark.parametrize("state", STATES)
def test_only_valid_or_partially_paid_positions_are_paid(client: Client, state: str) -> None:
    body = in_state(client, state)
    target = body["paymentOption"][-1]["iuv"]
    answer = client.pay(target)
    expected = {"VALID": 200, "PARTIALLY_PAID": 200, "PAID": 409, "REPORTED": 409}.get(state, 422)
    assert answer.status == expected, answer.data
    if expected == 200:
        assert answer.json["positionStatus"] == "PAID" and answer.json["optionStatus"] == "PO_PAID"


def test_instalments_pay_a_position_partially_then_wholly(client: Client) -> None:
    now = sandbox_now(client)
    due = moment(timedelta(days=30), base=now)
    single, first, second = (
        option(dueDate=due),
        option(partial=True, dueDate=due),
        option(partial=True, dueDate=due),
    )
    body = client.created(position(None, single, first, second), publish=True)
    assert client.pay(first["iuv"]).json["positionStatus"] == "PARTIALLY_PAID"
    assert client.pay(single["iuv"]).status == 409
    assert client.pay(first["iuv"]).status == 409
    assert client.pay(second["iuv"]).json["positionStatus"] == "PAID"
    options = {o["iuv"]: o["status"] for o in client.get(body["iupd"]).json["paymentOption"]}
    assert options == {single["iuv"]: "PO_UNPAID", first["iuv"]: "PO_PAID", second["iuv"]: "PO_PAID"}


def test_reporting_every_transfer_makes_the_position_reported(client: Client) -> None:
    body = in_state(client, "PAID")
    assert client.report(iuv()).status == 404
    first = body["paymentOption"][0]["iuv"]
    assert client.report(first, "2").status == 404
    answer = client.report(first)
    assert answer.json == {"positionStatus": "REPORTED", "optionStatus": "PO_REPORTED"}
    assert client.report(first).status == 409


def test_the_clock_makes_a_published_position_valid_at_its_validity_date(client: Client) -> None:
    body = in_state(client, "PUBLISHED")
    client.advance(hours=23)
    assert client.status_of(body["iupd"]) == "PUBLISHED"
    client.advance(hours=2)
    assert client.status_of(body["iupd"]) == "VALID"


def test_the_clock_expires_a_valid_position_only_when_asked_to(client: Client) -> None:
    expiring = client.created(body_for(client, due_days=1, switchToExpired=True), publish=True)
    lasting = client.created(body_for(client, due_days=1, switchToExpired=False), publish=True)
    client.advance(days=2)
    assert client.status_of(expiring["iupd"]) == "EXPIRED"
    assert client.status_of(lasting["iupd"]) == "VALID"


def test_a_published_position_past_every_date_becomes_valid_then_expired(client: Client) -> None:
    body = client.created(body_for(client, validity_days=1, due_days=2, switchToExpired=True))
    client.publish(body["iupd"])
    client.advance(days=3)
    assert client.status_of(body["iupd"]) == "EXPIRED"


def test_publishing_after_the_due_date_is_refused(client: Client) -> None:
    body = client.created(body_for(client, due_days=1))
    client.advance(days=2)
    answer = client.publish(body["iupd"])
    assert answer.status == 409 and answer.json["title"].startswith(
        "Publish request occurred after the due date"
    )
    assert rules_of(client.last(), warning=False) == {"GPD-065"}


def test_publishing_after_the_validity_date_is_refused(client: Client) -> None:
    body = client.created(body_for(client, validity_days=1, due_days=10))
    client.advance(days=2)
    answer = client.publish(body["iupd"])
    assert (
        answer.status == 409
        and answer.json["title"] == "Publish request occurred after the validity date began"
    )


def test_the_clock_only_moves_forward(client: Client) -> None:
    before = client.control("GET", "/clock").json
    assert client.control("POST", "/clock", body={"to": "2000-01-01T00:00:00Z"}).status == 400
    assert client.control("POST", "/clock", body={"advance_seconds": -5}).status == 400
    assert client.control("POST", "/clock", body={}).status == 400
    moved = client.control("POST", "/clock", body={"advance_seconds": 60}).json
    assert moved["offset_seconds"] == pytest.approx(before["offset_seconds"] + 60)


def test_an_option_marked_paid_follows_the_same_payability_in_3_13() -> None:
    with Sandbox(sanp="3.13.0", keys=[KEY]) as sandbox:
        client = Client(sandbox)
        draft = client.created()
        nav = "3" + draft["paymentOption"][0]["iuv"]
        answer = client.gpd("POST", f"/organizations/{ORG}/paymentoptions/paids/{nav}", body={})
        assert answer.status == 422 and rules_of(client.last(), warning=False) == {"GPD-067"}
        client.publish(draft["iupd"])
        assert client.gpd("POST", f"/organizations/{ORG}/paymentoptions/paids/{nav}", body={}).status == 200
        assert client.gpd("POST", f"/organizations/{ORG}/paymentoptions/paids/{nav}", body={}).status == 409
        missing = client.gpd("POST", f"/organizations/{ORG}/paymentoptions/paids/3{iuv()}", body={})
        assert missing.status == 404 and rules_of(client.last(), warning=False) == {"GPD-060"}


# --- the model alone ----------------------------------------------------------------------------------------

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)


def _position(**changes: Any) -> model.Position:
    o = model.PaymentOption(
        "01000000000000001", "301000000000000001", 100, "d", False, NOW + timedelta(days=10)
    )
    base = model.Position(
        ORG, "IUPD", model.Debtor("F", "RSSMRA80A01H501U", "Mario Rossi"), "Comune", options=(o,)
    )
    return replace(base, **changes) if changes else base


def test_publishing_decides_valid_or_published_from_the_validity_date() -> None:
    assert model.publish(_position(), NOW).status == model.Status.VALID
    assert model.publish(_position(), NOW).validity_date == NOW
    later = _position(validity_date=NOW + timedelta(days=1))
    assert model.publish(later, NOW).status == model.Status.PUBLISHED
    assert model.publish_refusal(_position(validity_date=NOW - timedelta(seconds=1)), NOW) == (
        "DEBT_POSITION_PUBLISH_VALIDITY_DATE_MISMATCH"
    )
    assert (
        model.publish_refusal(_position(), NOW + timedelta(days=11))
        == "DEBT_POSITION_PUBLISH_DUE_DATE_MISMATCH"
    )
    assert model.publish_refusal(_position(status=model.Status.VALID), NOW) == "DEBT_POSITION_NOT_PUBLISHABLE"


def test_the_scheduler_moves_only_what_time_has_reached() -> None:
    published = _position(status=model.Status.PUBLISHED, validity_date=NOW + timedelta(days=1))
    assert model.scheduled(published, NOW).status == model.Status.PUBLISHED
    assert model.scheduled(published, NOW + timedelta(days=1)).status == model.Status.VALID
    valid = _position(status=model.Status.VALID, switch_to_expired=True)
    assert model.scheduled(valid, NOW + timedelta(days=10)).status == model.Status.VALID
    assert model.scheduled(valid, NOW + timedelta(days=10, seconds=1)).status == model.Status.EXPIRED
    draft = _position(switch_to_expired=True)
    assert model.scheduled(draft, NOW + timedelta(days=100)).status == model.Status.DRAFT


def test_a_position_survives_its_record_form() -> None:
    p = model.pay(_position(status=model.Status.VALID), "01000000000000001", model.PaymentFacts(NOW, "r1"))
    assert model.Position.from_record(p.as_record()) == p
