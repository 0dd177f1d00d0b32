"""Where GPD departs from its published contract: the faithful sandbox answers as GPD does and records the
departure as a warning; the strict one answers as the contract says. What GPD refuses, both refuse."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sandbox_support import KEY, Answer, Client, conforms, moment, option, position, rules_of

from pagoconf.platform.sandbox import Sandbox

Call = Callable[[Client], Answer]


@pytest.fixture(scope="module")
def faithful() -> Iterator[Client]:
    """A faithful SANP 3.8.0 sandbox."""
    with Sandbox(keys=[KEY]) as sandbox:
        yield Client(sandbox)


@pytest.fixture(scope="module")
def strict() -> Iterator[Client]:
    """A strict SANP 3.8.0 sandbox."""
    with Sandbox(keys=[KEY], strict=True) as sandbox:
        yield Client(sandbox)


def _local_due() -> dict[str, Any]:
    return position(None, option(dueDate=moment(timedelta(days=30)).removesuffix("Z")))


DEPARTURES: list[tuple[str, Call, int]] = [
    ("GPD-020", lambda c: c.create(position(validityDate=None), to_publish="true"), 201),
    ("GPD-021", lambda c: c.create(position(), to_publish="True"), 201),
    ("GPD-021", lambda c: c.create(position(), to_publish="yes"), 201),
    ("GPD-022", lambda c: c.create(position(), query={"segregationCodes": "01,47"}), 201),
    ("GPD-023", lambda c: c.create(_local_due()), 201),
    ("GPD-024", lambda c: c.list(""), 200),
]


@pytest.mark.parametrize(
    ("rule_id", "call", "status"), DEPARTURES, ids=[f"{r}-{n}" for n, (r, *_) in enumerate(DEPARTURES)]
)
def test_a_departure_is_served_and_warned_about_when_faithful_and_refused_when_strict(
    faithful: Client, strict: Client, rule_id: str, call: Call, status: int
) -> None:
    served = call(faithful)
    assert served.status == status, served.data
    assert rule_id in rules_of(faithful.last(), warning=True)
    assert rules_of(faithful.last(), warning=False) == set()
    refused = call(strict)
    assert refused.status == 400, refused.data
    assert refused.json["title"] == "BAD REQUEST"
    assert rule_id in rules_of(strict.last(), warning=False)


def test_a_null_validity_date_publishes_straight_to_valid(faithful: Client) -> None:
    answer = faithful.create(position(validityDate=None), to_publish="True")
    assert answer.json["status"] == "VALID"


def test_segregation_codes_sent_by_the_client_are_honoured_when_faithful(faithful: Client) -> None:
    answer = faithful.create(position(), query={"segregationCodes": "02"})
    assert answer.status == 403
    assert rules_of(faithful.last(), warning=False) == {"GPD-030"}


@pytest.mark.parametrize(
    ("rule_id", "call", "status"),
    [
        ("GPD-025", lambda c: c.list({"page": 0, "limit": 51}), 400),
        (
            "GPD-027",
            lambda c: c.list({"page": 0, "due_date_to": "2030-01-01", "payment_date_to": "2030-01-01"}),
            400,
        ),
        (
            "GPD-028",
            lambda c: c.list({"page": 0, "due_date_from": "2030-01-01", "due_date_to": "2029-12-01"}),
            400,
        ),
        (
            "GPD-052",
            lambda c: c.create(position(None, option(paymentOptionMetadata=[{"key": "NOTIFICATION_FEE"}]))),
            409,
        ),
    ],
)
def test_what_gpd_refuses_beyond_its_contract_both_refuse(
    faithful: Client, strict: Client, rule_id: str, call: Call, status: int
) -> None:
    for client in (faithful, strict):
        assert call(client).status == status
        assert rule_id in rules_of(client.last(), warning=False)


def test_the_default_page_size_is_gpds_when_faithful_and_the_contracts_when_strict(
    faithful: Client, strict: Client
) -> None:
    assert faithful.list({"page": 0}).json["page_info"]["limit"] == 10
    assert rules_of(faithful.last(), warning=True) == {"GPD-026"}
    assert strict.list({"page": 0}).json["page_info"]["limit"] == 50
    assert rules_of(strict.last()) == set()


def test_a_deletion_is_confirmed_in_plain_text_when_faithful_and_in_json_when_strict(
    faithful: Client, strict: Client
) -> None:
    answer = faithful.delete(faithful.created()["iupd"])
    assert answer.headers["Content-Type"].startswith("text/plain") and answer.data == b"OK"
    assert rules_of(faithful.last(), warning=True) == {"GPD-033"}
    answer = strict.delete(strict.created()["iupd"])
    assert answer.headers["Content-Type"] == "application/json" and answer.json == "OK"
    assert strict.last()["findings"] == []


def test_strict_answers_carry_rfc3339_date_times_and_conform_exactly(
    faithful: Client, strict: Client
) -> None:
    body = strict.created(publish=True)
    answer = strict.get(body["iupd"])
    assert answer.json["insertedDate"].endswith("Z")
    assert conforms("3.8.0", "getOrganizationDebtPositionByIUPD", 200, answer.json, strict=True) == []
    local = faithful.get(faithful.created()["iupd"]).json["insertedDate"]
    assert not local.endswith("Z") and "+" not in local


def test_info_of_3_13_is_answered_when_faithful_and_missing_when_strict() -> None:
    for strictness, status in ((False, 200), (True, 404)):
        with Sandbox(sanp="3.13.0", keys=[KEY], strict=strictness) as sandbox:
            client = Client(sandbox)
            assert client.gpd("GET", "/info").status == status
            assert "GPD-002" in rules_of(client.last(), warning=not strictness)
