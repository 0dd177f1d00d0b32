"""ACA's paCreatePosition: validated by its contract (YAML in 3.8.0, JSON in 3.13.0) and by GPD's own rules,
an idempotent insert or update of the institution's position for the IUV, an amount of 0 that only
invalidates, and a position the Node then finds through GPD's paForNode endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sandbox_support import KEY, ORG, SANPS, Answer, Client, conforms, iuv, moment, position, rules_of

from pagoconf.platform.sandbox import Sandbox
from pagoconf.platform.sandbox.receipts import PLATFORM_BROKER, PLATFORM_STATION
from pagoconf.sync.client import SoapClient
from pagoconf.sync.config import Identity
from pagoconf.sync.requests.primitives import verify_request
from pagoconf.sync.xmlsafe import parse

OTHER_ORG = "01234567890"


def request_body(**changes: Any) -> dict[str, Any]:
    """A valid NewDebtPositionRequest for a fresh IUV (segregation code 01)."""
    body = {
        "paFiscalCode": ORG,
        "entityType": "F",
        "entityFiscalCode": "RSSMRA80A01H501U",
        "entityFullName": "Mario Rossi",
        "iuv": iuv(),
        "amount": 15000,
        "description": "Tassa di concessione",
        "expirationDate": moment(timedelta(days=30)),
    }
    body.update(changes)
    return body


class Aca:
    """Calls a sandbox's paCreatePosition."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def create(self, body: Any, **kw: Any) -> Answer:
        """POST /aca/v1/paCreatePosition."""
        return self.client.request("POST", self.client.urls["aca"] + "/paCreatePosition", body=body, **kw)

    def refused_by(self, answer: Answer, status: int, rule: str) -> None:
        """The answer is the documented refusal, journaled under `rule` alone."""
        assert answer.status == status, answer.data
        assert set(answer.json) == {"title", "status", "detail"}
        assert rules_of(self.client.last(), warning=False) == {rule}


@pytest.fixture(scope="module", params=SANPS)
def aca(request: pytest.FixtureRequest) -> Iterator[Aca]:
    """ACA on a sandbox of each SANP version."""
    with Sandbox(sanp=request.param, keys=[KEY]) as sandbox:
        yield Aca(Client(sandbox))


def test_a_request_creates_a_valid_position_and_again_changes_nothing(aca: Aca) -> None:
    body = request_body()
    first = aca.create(body)
    assert first.status == 200 and rules_of(aca.client.last()) == set()
    assert conforms(aca.client.sandbox.sanp, "newDebtPosition", 200, first.json) == []
    assert first.json["nav"] == "3" + body["iuv"] and first.json["status"] == "VALID"
    iupd = f"ACA_{ORG}_{body['iuv']}"
    stored = aca.client.get(iupd).json
    assert stored["status"] == "VALID" and stored["paymentOption"][0]["amount"] == 15000
    again = aca.create(body)
    assert again.status == 200 and again.json == {**first.json}
    listed = aca.client.list({"page": 0, "limit": 50}).json["payment_position_list"]
    assert [p["iupd"] for p in listed].count(iupd) == 1


def test_a_second_request_updates_and_a_zero_amount_invalidates(aca: Aca) -> None:
    body = request_body()
    assert aca.create(body).status == 200
    updated = aca.create({**body, "amount": 9900, "description": "Tassa ridotta"})
    assert updated.status == 200 and updated.json["amount"] == 9900
    iupd = f"ACA_{ORG}_{body['iuv']}"
    assert aca.client.get(iupd).json["paymentOption"][0]["description"] == "Tassa ridotta"
    invalidated = aca.create({**body, "amount": 0})
    assert invalidated.status == 200 and invalidated.json["status"] == "INVALID"
    assert rules_of(aca.client.last()) == set()
    aca.refused_by(aca.create({**body, "amount": 0}), 409, "ACA-007")
    aca.refused_by(aca.create(body), 409, "ACA-007")


def test_a_zero_amount_registers_nothing(aca: Aca) -> None:
    body = request_body(amount=0)
    answer = aca.create(body)
    aca.refused_by(answer, 400, "ACA-008")
    assert answer.json["detail"] == "Amount not compatible with the creation request"
    assert aca.client.get(f"ACA_{ORG}_{body['iuv']}").status == 404


@pytest.mark.parametrize(
    "changes",
    [
        {"paFiscalCode": "1234567890"},
        {"entityType": "X"},
        {"amount": -1},
        {"amount": "15000"},
        {"iban": "IT60X054281110100000012345"},
        {"expirationDate": "tomorrow"},
        {"description": ""},
    ],
)
def test_a_body_against_the_contract_is_refused(aca: Aca, changes: dict[str, Any]) -> None:
    aca.refused_by(aca.create(request_body(**changes)), 400, "ACA-005")


def test_a_body_missing_a_required_field_is_refused(aca: Aca) -> None:
    body = request_body()
    del body["entityFullName"]
    aca.refused_by(aca.create(body), 400, "ACA-005")


def test_what_gpd_itself_refuses_is_refused(aca: Aca) -> None:
    aca.refused_by(aca.create(request_body(expirationDate=moment(-timedelta(days=1)))), 400, "ACA-009")
    aca.refused_by(aca.create(request_body(description="x" * 200)), 400, "ACA-009")
    taken = aca.client.created(position(None))["paymentOption"][0]["iuv"]
    answer = aca.create(request_body(nav="3" + taken))
    aca.refused_by(answer, 409, "ACA-009")
    assert "conflict" in answer.json["detail"]


def test_transport_faults_are_refused(aca: Aca) -> None:
    url = aca.client.urls["aca"] + "/paCreatePosition"
    answer = aca.client.request("POST", url, raw=b"paFiscalCode=1", headers={"Content-Type": "text/plain"})
    aca.refused_by(answer, 415, "ACA-003")
    answer = aca.client.request(
        "POST", url, raw=b'{"paFiscalCode": ', headers={"Content-Type": "application/json"}
    )
    aca.refused_by(answer, 400, "ACA-004")
    answer = aca.client.request("POST", url, raw=b"", headers={"Content-Type": "application/json"})
    aca.refused_by(answer, 400, "ACA-004")
    aca.refused_by(aca.client.request("POST", url), 400, "ACA-004")


def test_keys_and_segregation_codes_hold(tmp_path: Path) -> None:
    config = tmp_path / "pagoconf.toml"
    key = f'value = "one-org"\norganizations = ["{ORG}"]\nsegregation_codes = ["01"]\n'
    config.write_text(f"[sandbox]\n[[sandbox.key]]\n{key}", encoding="utf-8")
    with Sandbox(config=config) as sandbox:
        aca = Aca(Client(sandbox, key="one-org"))
        aca.refused_by(aca.create(request_body(), key=None), 401, "ACA-001")
        aca.refused_by(aca.create(request_body(paFiscalCode=OTHER_ORG)), 403, "ACA-002")
        aca.refused_by(aca.create(request_body(iuv=iuv(code="47"))), 403, "ACA-006")
        assert aca.create(request_body()).status == 200


def test_the_node_finds_an_aca_position_through_gpd() -> None:
    with Sandbox(keys=[KEY]) as sandbox:
        aca = Aca(Client(sandbox))
        body = request_body()
        nav = aca.create(body).json["nav"]
        client = SoapClient(sandbox.base_urls["gpd_pa_for_node"])
        envelope = verify_request(Identity(ORG, PLATFORM_BROKER, PLATFORM_STATION), ORG, nav)
        answer = parse(client.call("paVerifyPaymentNotice", envelope).response)
        client.close()
    assert answer.findtext(".//outcome") == "OK"
    assert answer.findtext(".//paymentOptionDescription/amount") == "150.00"
