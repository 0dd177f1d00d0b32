"""The control API: payments that leave an XSD-valid receipt, faults on demand, its own OpenAPI document."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from lxml import etree
from sandbox_support import KEY, ORG, Client, option, position, transfer

from pagoconf.platform.sandbox import Sandbox
from pagoconf.platform.sandbox.control import ROUTES
from pagoconf.platform.sandbox.receipts import BuiltReceipt
from pagoconf.sync.schema import pa_for_node_schema
from pagoconf.sync.xmlsafe import parse

STAMP = {
    "hashDocument": "8J+YgAsbGQ3uGmRW3KOFu5qA7hg0XajCk0HcZ0f5j3M=",
    "stampType": "01",
    "provincialResidence": "RM",
}


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    """A sandbox for the control API."""
    with Sandbox(keys=[KEY]) as sandbox:
        yield Client(sandbox)


def _multi() -> dict[str, object]:
    stamped = transfer("2", 1600, stamp=STAMP)
    del stamped["iban"]
    return position(
        None,
        option(
            None,
            11600,
            transfer=[transfer("1", 10000, transferMetadata=[{"key": "k", "value": "v"}]), stamped],
        ),
        email="mario.rossi@example.org",
        city="Roma",
        country="IT",
    )


@pytest.mark.parametrize("sanp", ["3.8.0", "3.13.0"])
@pytest.mark.parametrize("version", [1, 2])
def test_a_payment_leaves_a_receipt_valid_against_pa_for_node(sanp: str, version: int) -> None:
    with Sandbox(sanp=sanp, keys=[KEY]) as sandbox:
        client = Client(sandbox)
        body = client.created(_multi() if version == 2 else position(), publish=True)
        target = body["paymentOption"][0]["iuv"]
        paid = client.pay(target, body={"receiptVersion": version, "standin": True})
        assert paid.status == 200 and paid.json["operation"] == ("paSendRTV2" if version == 2 else "paSendRT")
        document = client.payments("GET", f"/payments/{ORG}/receipts/{target}").data
    request = parse(document)
    assert pa_for_node_schema(sanp).errors(request) == []
    assert request.findtext("receipt/creditorReferenceId") == target
    assert request.findtext("receipt/receiptId") == paid.json["receiptId"]
    if version == 2:
        assert request.find("receipt/transferList/transfer[2]/MBDAttachment") is not None


def test_the_receipt_reaches_the_sink() -> None:
    received: list[BuiltReceipt] = []
    with Sandbox(keys=[KEY], receipt_sink=received.append) as sandbox:
        client = Client(sandbox)
        body = client.created(publish=True)
        client.pay(body["paymentOption"][0]["iuv"])
    (receipt,) = received
    assert receipt.iuv == body["paymentOption"][0]["iuv"] and receipt.operation == "paSendRTV2"
    assert etree.QName(parse(receipt.envelope)).localname == "Envelope"


def test_a_payment_of_nothing_or_with_a_bad_body_is_refused(client: Client) -> None:
    assert client.pay("01999999999999999").status == 404
    body = client.created(publish=True)
    target = body["paymentOption"][0]["iuv"]
    assert client.pay(target, body={"receiptVersion": 3}).status == 400
    assert client.pay(target, body={"colour": "red"}).status == 400
    assert client.status_of(body["iupd"]) == "VALID"


def test_queued_429s_answer_with_retry_after_then_the_operation_recovers(client: Client) -> None:
    fault = {"operation": "getOrganizationDebtPositions", "kind": "429", "count": 2, "retryAfter": 7}
    assert client.control("POST", "/faults", body=fault).status == 201
    for _ in range(2):
        answer = client.list()
        assert answer.status == 429 and answer.headers["Retry-After"] == "7"
        assert answer.json["status"] == 429
    assert client.last()["injected"] == "429"
    assert client.list().status == 200
    assert client.control("GET", "/faults").json == {"pending": []}


def test_a_queued_500_changes_nothing(client: Client) -> None:
    client.control("POST", "/faults", body={"operation": "createPosition", "kind": "500"})
    body = position()
    assert client.create(body).status == 500
    assert client.get(body["iupd"]).status == 404
    assert client.create(body).status == 201


def test_a_slow_answer_comes_late_but_right(client: Client) -> None:
    client.control("POST", "/faults", body={"operation": "gpd.healthCheck", "kind": "slow", "delayMs": 300})
    started = time.monotonic()
    assert client.gpd("GET", "/info").status == 200
    assert time.monotonic() - started >= 0.3
    assert client.last()["injected"] == "slow" and client.last()["elapsed_ms"] >= 300


def test_faults_are_listed_and_cleared_and_checked(client: Client) -> None:
    assert client.control("POST", "/faults", body={"operation": "nope", "kind": "500"}).status == 400
    assert (
        client.control("POST", "/faults", body={"operation": "createPosition", "kind": "503"}).status == 400
    )
    client.control("POST", "/faults", body={"operation": "createPosition", "kind": "500", "count": 3})
    assert len(client.control("GET", "/faults").json["pending"]) == 3
    assert client.control("DELETE", "/faults").json == {"pending": []}
    assert client.create(position()).status == 201


def test_the_control_api_serves_its_own_openapi_document(client: Client) -> None:
    document = client.control("GET", "/openapi.json").json
    assert document["openapi"].startswith("3.")
    for method, path, name, _ in ROUTES:
        assert document["paths"][path][method.lower()]["operationId"] == name
