"""Receipts pushed to the institution's station: when a PSP pays through the control API, the reference
station (a real paForNode server) gets the paSendRT/V2 in the background; every attempt is journaled, a
slow or malformed answer is retried a bounded number of times, a well-formed KO is final."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sandbox_support import KEY, ORG, Client, option, position

from pagoconf.platform.sandbox import Sandbox
from pagoconf.sync.client import SoapClient
from pagoconf.sync.reference import IDENTITY, ReferenceStation
from pagoconf.sync.reference.data import to_pay_notices
from pagoconf.sync.requests.primitives import verify_request

FAST = {"timeoutSeconds": 0.5, "retryDelaysSeconds": [0.05, 0.05]}


def station_body(url: str, **extra: Any) -> dict[str, Any]:
    """PUT /_sandbox/station for the reference station's identity."""
    return {
        "url": url,
        "idPA": IDENTITY.id_pa,
        "idBrokerPA": IDENTITY.id_broker_pa,
        "idStation": IDENTITY.id_station,
        **extra,
    }


def pushes(client: Client) -> list[dict[str, Any]]:
    """The journal's station_push entries, oldest first."""
    return [e for e in client.journal() if e["api"] == "station_push"]


def paid(client: Client, iuv: str | None = None) -> dict[str, Any]:
    """A published position (IUV given or fresh), paid through the control API; its body."""
    body = client.created(position(None, option(iuv)), publish=True)
    assert client.pay(body["paymentOption"][0]["iuv"]).status == 200
    return body


@pytest.fixture(scope="module")
def station() -> Iterator[ReferenceStation]:
    """A conformant reference station."""
    with ReferenceStation() as reference:
        yield reference


@pytest.fixture
def client(station: ReferenceStation) -> Iterator[Client]:
    """A sandbox pushing receipts to the reference station."""
    with Sandbox(keys=[KEY]) as sandbox:
        client = Client(sandbox)
        assert client.control("PUT", "/station", body=station_body(station.url, **FAST)).status == 200
        yield client


def test_the_receipt_of_a_station_notice_is_delivered_and_closes_it(
    client: Client, station: ReferenceStation
) -> None:
    nav = to_pay_notices()["payable"][0].nav
    paid(client, nav[1:])
    assert client.sandbox.service.pushes.wait(20)
    (entry,) = pushes(client)
    assert entry["operation"] == "paSendRTV2" and entry["status"] == 200
    assert entry["snapshot"]["outcome"] == "delivered" and entry["snapshot"]["attempt"] == 1
    assert "<idBrokerPA>88888888888</idBrokerPA>" in entry["request_body"]
    soap = SoapClient(station.url)
    described = soap.call("paVerifyPaymentNotice", verify_request(IDENTITY, IDENTITY.id_pa, nav))
    soap.close()
    assert b"PAA_PAGAMENTO_DUPLICATO" in described.response


def test_a_notice_the_station_never_issued_is_refused_once(client: Client) -> None:
    paid(client)
    assert client.sandbox.service.pushes.wait(20)
    (entry,) = pushes(client)
    assert entry["snapshot"]["outcome"] == "refused"
    assert entry["snapshot"]["fault_code"] == "PAA_PAGAMENTO_SCONOSCIUTO"


def test_paying_does_not_wait_for_a_slow_station_and_the_push_is_retried_a_bounded_number_of_times() -> None:
    with ReferenceStation(defects=["slow-receipt"], delay=1.0) as slow, Sandbox(keys=[KEY]) as sandbox:
        client = Client(sandbox)
        client.control(
            "PUT", "/station", body=station_body(slow.url, timeoutSeconds=0.3, retryDelaysSeconds=[0, 0.1])
        )
        body = client.created(publish=True)
        started = time.monotonic()
        assert client.pay(body["paymentOption"][0]["iuv"]).status == 200
        assert time.monotonic() - started < 1.0
        assert sandbox.service.pushes.wait(20)
        outcomes = [e["snapshot"]["outcome"] for e in pushes(client)]
    assert outcomes == ["retrying", "retrying", "gave up"]


def test_a_malformed_answer_is_retried_too() -> None:
    with ReferenceStation(defects=["receipt-soap-fault"]) as faulty, Sandbox(keys=[KEY]) as sandbox:
        client = Client(sandbox)
        client.control("PUT", "/station", body=station_body(faulty.url, **FAST))
        paid(client, to_pay_notices()["payable"][1].nav[1:])
        assert sandbox.service.pushes.wait(20)
        entries = pushes(client)
    assert [e["snapshot"]["attempt"] for e in entries] == [1, 2, 3]
    assert entries[-1]["snapshot"]["outcome"] == "gave up"
    assert entries[-1]["snapshot"]["detail"].startswith("not a paSendRTV2Response")


def test_only_the_stations_institution_gets_pushes(client: Client) -> None:
    other = position(None)
    response = client.create(other, org="01234567890", to_publish="true")
    assert response.status == 201
    assert client.pay(other["paymentOption"][0]["iuv"], org="01234567890").status == 200
    assert client.sandbox.service.pushes.wait(20)
    assert pushes(client) == []


def test_the_station_is_set_shown_and_cleared(client: Client, station: ReferenceStation) -> None:
    shown = client.control("GET", "/station").json
    assert shown["station"]["url"] == station.url and shown["retryDelaysSeconds"] == [0.05, 0.05]
    assert client.control("PUT", "/station", body=station_body("ftp://nowhere")).status == 400
    assert client.control("PUT", "/station", body={"url": station.url}).status == 400
    too_many = station_body(station.url, retryDelaysSeconds=[1] * 6)
    assert client.control("PUT", "/station", body=too_many).status == 400
    assert client.control("DELETE", "/station").json["station"] is None
    paid(client)
    assert client.sandbox.service.pushes.wait(5)
    assert pushes(client) == []


def test_a_station_in_the_config_file_gets_pushes(station: ReferenceStation, tmp_path: Path) -> None:
    config = tmp_path / "pagoconf.toml"
    config.write_text(
        "[sandbox]\n[sandbox.station]\n"
        f'url = "{station.url}"\nid_pa = "{ORG}"\nid_broker_pa = "{IDENTITY.id_broker_pa}"\n'
        f'id_station = "{IDENTITY.id_station}"\nprimitive_version = 1\n',
        encoding="utf-8",
    )
    with Sandbox(config=config, keys=[KEY]) as sandbox:
        client = Client(sandbox)
        paid(client)
        assert sandbox.service.pushes.wait(20)
        (entry,) = pushes(client)
    assert entry["operation"] == "paSendRT" and entry["snapshot"]["outcome"] == "refused"
