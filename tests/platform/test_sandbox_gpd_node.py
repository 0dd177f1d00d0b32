"""GPD answering the Node: the sandbox's paForNode endpoint describes, activates and takes receipts for its
debt positions as GPD-Payments does, refuses by state, identity and syntax with the documented faults, and
passes pagoconf's own synchronous suite (CONFORMANT)."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from sandbox_support import KEY, ORG, SANPS, Client, iuv, moment, option, position, rules_of, transfer
from support import conformance, pagoconf

from pagoconf.engine.config import RunConfig
from pagoconf.platform.sandbox import Sandbox
from pagoconf.platform.sandbox.checks import judge
from pagoconf.platform.sandbox.journal import read_journal
from pagoconf.platform.sandbox.receipts import PLATFORM_BROKER, PLATFORM_STATION
from pagoconf.platform.sandbox.request import case_from_entry
from pagoconf.sync.answer import Answer
from pagoconf.sync.client import SoapClient
from pagoconf.sync.config import Identity, parse
from pagoconf.sync.requests.primitives import demand_request, get_payment_request, verify_request
from pagoconf.sync.requests.receipts import new_payment, receipt_request
from pagoconf.sync.schema import pa_for_node_schema
from pagoconf.sync.soap import CONTENT_TYPE

GPD = Identity(ORG, PLATFORM_BROKER, PLATFORM_STATION)
POSTAL = "IT45R0760103200000000001016"
STAMP = {
    "hashDocument": "8J+YgAsbGQ3uGmRW3KOFu5qA7hg0XajCk0HcZ0f5j3M=",
    "stampType": "01",
    "provincialResidence": "RM",
}


class Node:
    """Sends paForNode requests to a sandbox's GPD endpoint, as the Node would."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.client = Client(sandbox)
        self.soap = SoapClient(sandbox.base_urls["gpd_pa_for_node"])
        self.schema = pa_for_node_schema(sandbox.sanp)

    def call(self, operation: str, envelope: bytes) -> Answer:
        """One exchange; the answer must be XSD-valid whenever it is a paForNode response."""
        answer = Answer.of(self.soap.call(operation, envelope), self.schema)
        if answer.response is not None:
            assert self.schema.errors(answer.response) == [], answer.exchange.response
        return answer

    def verify(self, nav: str, identity: Identity = GPD) -> Answer:
        """paVerifyPaymentNotice."""
        return self.call("paVerifyPaymentNotice", verify_request(identity, identity.id_pa, nav))

    def activate(self, nav: str, version: int = 2, transfer_type: str | None = None) -> Answer:
        """paGetPayment (1) or paGetPaymentV2 (2)."""
        envelope = get_payment_request(GPD, ORG, nav, version=version, transfer_type=transfer_type)
        return self.call("paGetPayment" if version == 1 else "paGetPaymentV2", envelope)

    def pay(self, nav: str, version: int = 2) -> tuple[Answer, bytes]:
        """Activate, then send the receipt of that payment; the answer and the receipt sent."""
        data = self.activate(nav, version).response
        assert data is not None and data.find("data") is not None
        envelope = receipt_request(
            data.find("data"), new_payment(nav, ORG), GPD, version=version, sanp=self.sandbox.sanp
        )
        return self.send_receipt(envelope, version), envelope

    def send_receipt(self, envelope: bytes, version: int = 2) -> Answer:
        """paSendRT (1) or paSendRTV2 (2)."""
        return self.call("paSendRT" if version == 1 else "paSendRTV2", envelope)

    def journaled(self) -> dict[str, Any]:
        """The latest journal entry (the exchange just made)."""
        return self.client.last()


def nav_of(body: dict[str, Any]) -> str:
    """The notice number of a position body's first option."""
    return "3" + str(body["paymentOption"][0]["iuv"])


def refused(node: Node, answer: Answer, code: str, rule: str) -> None:
    """A KO with `code`, the fault's id the institution, journaled under `rule` alone."""
    assert answer.outcome == "KO" and answer.fault_code == code, answer.exchange.response
    assert answer.text("fault/id") == ORG and answer.text("fault/faultString")
    assert rules_of(node.journaled(), warning=False) == {rule}


@pytest.fixture(scope="module", params=SANPS)
def node(request: pytest.FixtureRequest) -> Iterator[Node]:
    """GPD's endpoint on a sandbox of each SANP version."""
    with Sandbox(sanp=request.param, keys=[KEY]) as sandbox:
        node = Node(sandbox)
        yield node
        node.soap.close()


def test_a_payable_notice_is_described_and_activated_as_gpd_payments_does(node: Node) -> None:
    body = node.client.created(
        position(None, option(None, 15000, transfer=[transfer("1", 10000), transfer("2", 5000)])),
        publish=True,
    )
    nav, iuv_ = nav_of(body), body["paymentOption"][0]["iuv"]
    verified = node.verify(nav)
    assert verified.outcome == "OK" and rules_of(node.journaled()) == set()
    assert node.journaled()["api"] == "gpd_pa_for_node"
    assert node.journaled()["operation"] == "gpd_pa_for_node.paVerifyPaymentNotice"
    assert verified.text("paymentList/paymentOptionDescription/amount") == "150.00"
    assert verified.text("paymentList/paymentOptionDescription/options") == "EQ"
    assert verified.text("paymentList/paymentOptionDescription/allCCP") == "false"
    assert verified.text("fiscalCodePA") == ORG and verified.text("companyName") == "Comune di Prova"
    for version in (1, 2):
        activated = node.activate(nav, version)
        assert activated.outcome == "OK"
        assert (
            activated.text("data/creditorReferenceId") == iuv_
            and activated.text("data/lastPayment") == "false"
        )
        assert activated.text("data/dueDate") == verified.text("paymentList/paymentOptionDescription/dueDate")
        amounts = [
            Decimal(t) for t in activated.response.xpath("data/transferList/transfer/transferAmount/text()")
        ]
        assert sum(amounts) == Decimal(activated.text("data/paymentAmount") or "0") == Decimal("150.00")
    assert node.activate(nav).exchange.response == node.activate(nav).exchange.response


def test_a_receipt_pays_the_option_once(node: Node) -> None:
    body = node.client.created(publish=True)
    nav = nav_of(body)
    answer, envelope = node.pay(nav)
    assert answer.outcome == "OK" and rules_of(node.journaled()) == set()
    assert node.client.status_of(body["iupd"]) == "PAID"
    kept = node.client.payments("GET", f"/payments/{ORG}/receipts/{body['paymentOption'][0]['iuv']}")
    assert kept.status == 200 and etree.QName(etree.fromstring(kept.data)).localname == "paSendRTV2Request"
    refused(node, node.send_receipt(envelope), "PAA_RECEIPT_DUPLICATA", "GPDNODE-008")
    refused(node, node.verify(nav), "PAA_PAGAMENTO_DUPLICATO", "GPDNODE-007")


def test_a_receipt_for_a_position_not_payable_is_a_semantic_error(node: Node) -> None:
    paid = node.client.created(publish=True)
    envelope = node.pay(nav_of(paid))[1]
    draft = node.client.created()
    data_of_draft = envelope.replace(nav_of(paid).encode(), nav_of(draft).encode())
    refused(node, node.send_receipt(data_of_draft), "PAA_SEMANTICA", "GPDNODE-008")
    assert node.client.status_of(draft["iupd"]) == "DRAFT"


def _published_later(node: Node) -> dict[str, Any]:
    return node.client.created(position(None, validityDate=moment(timedelta(days=2))), publish=True)


def _invalidated(node: Node) -> dict[str, Any]:
    body = node.client.created(publish=True)
    assert node.client.invalidate(body["iupd"]).status == 200
    return body


def _paid(node: Node) -> dict[str, Any]:
    body = node.client.created(publish=True)
    assert node.client.pay(body["paymentOption"][0]["iuv"]).status == 200
    return body


STATES = {
    "DRAFT": (lambda node: node.client.created(), "PAA_PAGAMENTO_SCONOSCIUTO"),
    "PUBLISHED": (_published_later, "PAA_PAGAMENTO_SCONOSCIUTO"),
    "INVALID": (_invalidated, "PAA_PAGAMENTO_ANNULLATO"),
    "PAID": (_paid, "PAA_PAGAMENTO_DUPLICATO"),
}


@pytest.mark.parametrize("state", list(STATES))
def test_a_notice_answers_by_the_state_of_its_position(node: Node, state: str) -> None:
    make, code = STATES[state]
    nav = nav_of(make(node))
    refused(node, node.verify(nav), code, "GPDNODE-007")
    refused(node, node.activate(nav), code, "GPDNODE-007")


def test_an_expired_notice_and_an_unknown_one() -> None:
    with Sandbox(keys=[KEY]) as sandbox:
        node = Node(sandbox)
        body = node.client.created(
            position(None, option(due=timedelta(hours=1)), switchToExpired=True), publish=True
        )
        assert node.client.advance(hours=2).status == 200
        refused(node, node.verify(nav_of(body)), "PAA_PAGAMENTO_SCADUTO", "GPDNODE-007")
        unknown = "3" + iuv(987654321)
        refused(node, node.verify(unknown), "PAA_PAGAMENTO_SCONOSCIUTO", "GPDNODE-006")
        refused(node, node.activate(unknown, 1), "PAA_PAGAMENTO_SCONOSCIUTO", "GPDNODE-006")


def test_requests_for_someone_else_are_refused(node: Node) -> None:
    nav = nav_of(node.client.created(publish=True))
    stranger = replace(GPD, id_pa="12345678901")
    answer = node.verify(nav, stranger)
    assert answer.fault_code == "PAA_ID_DOMINIO_ERRATO" and answer.text("fault/id") == "12345678901"
    assert rules_of(node.journaled(), warning=False) == {"GPDNODE-003"}
    refused(
        node,
        node.verify(nav, replace(GPD, id_broker_pa="99999999999")),
        "PAA_ID_INTERMEDIARIO_ERRATO",
        "GPDNODE-004",
    )
    refused(
        node,
        node.verify(nav, replace(GPD, id_station="99999999999_01")),
        "PAA_STAZIONE_INT_ERRATA",
        "GPDNODE-005",
    )


def test_malformed_requests_get_the_syntax_fault(node: Node) -> None:
    nav = nav_of(node.client.created(publish=True))
    short = verify_request(GPD, ORG, nav).replace(nav.encode(), nav[:-1].encode())
    refused(node, node.call("paVerifyPaymentNotice", short), "PAA_SINTASSI_EXTRAXSD", "GPDNODE-002")
    torn = verify_request(GPD, ORG, nav)[:-40]
    answer = node.call("paVerifyPaymentNotice", torn)
    assert answer.outcome == "KO" and answer.fault_code == "PAA_SINTASSI_EXTRAXSD"
    assert rules_of(node.journaled(), warning=False) == {"GPDNODE-001"}
    doctype = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>' + verify_request(GPD, ORG, nav)[38:]
    assert node.call("paVerifyPaymentNotice", doctype).fault_code == "PAA_SINTASSI_EXTRAXSD"


def test_what_cannot_be_a_request_gets_http_errors(node: Node) -> None:
    url = node.sandbox.base_urls["gpd_pa_for_node"]
    huge = b"<x>" + b"a" * (2 * 1024 * 1024) + b"</x>"
    answer = node.client.request(
        "POST", url, raw=huge, headers={"Content-Type": CONTENT_TYPE, "SOAPAction": "paSendRT"}
    )
    assert answer.status == 413 and b"Fault" in answer.data
    assert rules_of(node.journaled(), warning=False) == {"GPDNODE-001"}
    answer = node.client.request("POST", url, raw=b"<nothing/>", headers={"Content-Type": CONTENT_TYPE})
    assert answer.status == 500 and b"Fault" in answer.data and node.journaled()["status"] == 500
    assert node.client.request("GET", url).status == 405


def test_stamps_need_get_payment_v2(node: Node) -> None:
    stamped = transfer("2", 1600, stamp=STAMP)
    del stamped["iban"]
    body = node.client.created(
        position(None, option(None, 11600, transfer=[transfer("1", 10000), stamped])), publish=True
    )
    refused(node, node.activate(nav_of(body), 1), "PAA_SEMANTICA", "GPDNODE-009")
    activated = node.activate(nav_of(body), 2)
    assert activated.outcome == "OK" and rules_of(node.journaled()) == set()
    assert activated.text("data/transferList/transfer[2]/richiestaMarcaDaBollo/tipoBollo") == "01"


def test_postal_accounts_follow_the_transfer_type(node: Node) -> None:
    postal = transfer("1", 10000, postalIban=POSTAL)
    body = node.client.created(position(None, option(None, 10000, transfer=[postal])), publish=True)
    nav = nav_of(body)
    assert node.verify(nav).text("paymentList/paymentOptionDescription/allCCP") == "true"
    assert node.activate(nav, 1).text("data/transferList/transfer/IBAN") == postal["iban"]
    assert node.activate(nav, 1, "POSTAL").text("data/transferList/transfer/IBAN") == POSTAL
    pagopa = node.activate(nav, 2, "PAGOPA")
    assert pagopa.text("data/transferList/transfer/IBAN") == postal["iban"]
    assert pagopa.text("data/transferList/transfer/metadata/mapEntry[key='IBANAPPOGGIO']/value") == POSTAL


def test_spontaneous_payments_are_not_offered(node: Node) -> None:
    node.client.created(publish=True)
    answer = node.call("paDemandPaymentNotice", demand_request(GPD, "00001", "00042", b"<x/>"))
    assert answer.outcome == "KO" and answer.fault_code == "PAA_PAGAMENTO_SCONOSCIUTO"


def test_gpds_broker_and_station_come_from_the_config(tmp_path: Path) -> None:
    config = tmp_path / "pagoconf.toml"
    config.write_text(
        '[sandbox]\ngpd_broker = "11111111111"\ngpd_station = "11111111111_07"\n', encoding="utf-8"
    )
    with Sandbox(config=config, keys=[KEY]) as sandbox:
        node = Node(sandbox)
        nav = nav_of(node.client.created(publish=True))
        refused(
            node,
            node.verify(nav, replace(GPD, id_station="11111111111_07")),
            "PAA_ID_INTERMEDIARIO_ERRATO",
            "GPDNODE-004",
        )
        assert node.verify(nav, Identity(ORG, "11111111111", "11111111111_07")).outcome == "OK"


EXPECTED = {
    "payable": "OK",
    "multi_beneficiary": "OK",
    "postal": "OK",
    "bollo": "OK",
    "expired": "PAA_PAGAMENTO_SCADUTO",
    "annulled": "PAA_PAGAMENTO_ANNULLATO",
    "paid": "PAA_PAGAMENTO_DUPLICATO",
}


@pytest.mark.parametrize("version", [1, 2])
def test_the_station_config_describes_fresh_notices_in_every_state(version: int) -> None:
    with Sandbox(keys=[KEY]) as sandbox:
        node = Node(sandbox)
        answer = node.client.control("POST", "/station-config", body={"primitiveVersion": version})
        assert answer.status == 201 and answer.headers["Content-Type"].startswith("application/toml")
        target = parse(RunConfig(raw=tomllib.loads(answer.data.decode())))
        again = tomllib.loads(node.client.control("POST", "/station-config").data.decode())
    assert target.station.url == sandbox.base_urls["gpd_pa_for_node"]
    assert target.station.identity == GPD and target.station.primitive_version == version
    assert "spontaneous" not in target.station.capabilities
    assert ("bollo" in target.notices) == (version == 2) == ("bollo" in target.station.capabilities)
    assert len(target.to_pay["payable"]) == 12
    fresh = {n for values in again["notices"].values() for n in values}
    assert fresh.isdisjoint(n for values in target.notices.values() for n in values)
    with Sandbox(keys=[KEY]) as sandbox:
        node = Node(sandbox)
        text = node.client.control("POST", "/station-config").data.decode()
        notices = tomllib.loads(text)["notices"]
        for kind, navs in notices.items():
            if kind != "to_pay":
                answer = node.verify(navs[0])
                assert (answer.outcome if answer.outcome == "OK" else answer.fault_code) == EXPECTED[kind], (
                    kind
                )
        assert node.client.control("POST", "/station-config", body={"primitiveVersion": 3}).status == 400


def test_pagoconf_run_against_gpds_endpoint_is_conformant(tmp_path: Path) -> None:
    with Sandbox(keys=[KEY]) as sandbox:
        client = Client(sandbox)
        config = tmp_path / "pagoconf.toml"
        config.write_bytes(client.control("POST", "/station-config").data)
        reports = tmp_path / "reports"
        run = pagoconf("run", "--config", str(config), "--reports", str(reports))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    document = conformance(reports)
    assert document["verdict"] == "CONFORMANT" and document["summary"]["failed"] == 0


def test_the_findings_are_the_same_when_the_journal_is_judged_again(tmp_path: Path) -> None:
    with Sandbox(keys=[KEY], db=tmp_path / "s.db") as sandbox:
        node = Node(sandbox)
        body = node.client.created(publish=True)
        node.pay(nav_of(body))
        node.verify(nav_of(body))
        node.verify(nav_of(body), replace(GPD, id_station="99999999999_01"))
        aca = node.client.urls["aca"] + "/paCreatePosition"
        stale = {"paFiscalCode": ORG, "entityType": "F", "entityFiscalCode": "RSSMRA80A01H501U"}
        stale |= {"entityFullName": "Mario Rossi", "iuv": iuv(), "amount": 100, "description": "d"}
        node.client.request("POST", aca, body={**stale, "expirationDate": moment(-timedelta(days=1))})
        node.client.request("POST", aca, body={**stale, "amount": 0})
        upload = f"{node.client.urls['gpd_massive']}/brokers/b/organizations/{ORG}/debtpositions/file"
        node.client.request(
            "POST", upload, raw=b"--b\r\n", headers={"Content-Type": "multipart/form-data; boundary=b"}
        )
        node.soap.close()
    entries = [
        e
        for e in read_journal(tmp_path / "s.db", sanp="3.8.0")
        if e.api in ("aca", "gpd_massive", "gpd_pa_for_node")
    ]
    assert {e.api for e in entries if e.findings} == {"aca", "gpd_massive", "gpd_pa_for_node"}
    for entry in entries:
        assert judge(case_from_entry(entry, sanp="3.8.0")).findings == entry.findings, entry.seq
