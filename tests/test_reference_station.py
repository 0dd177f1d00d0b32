"""The reference station over real HTTP: conformant answers, and each named defect on the wire."""

from __future__ import annotations

import base64
import copy
import re
import time
import tomllib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
import urllib3
from lxml import etree

from pagoconf.engine.contracts import SUPPORTED_SANP
from pagoconf.engine.rules import catalogue
from pagoconf.identifiers import has_valid_check_digit, is_postal, is_valid_iban, iuv_of
from pagoconf.sync import soap as wire
from pagoconf.sync.canary import Canary
from pagoconf.sync.fault_codes import MEANING
from pagoconf.sync.reference import (
    DEFECTS,
    IDENTITY,
    ReferenceStation,
    StationModel,
    Store,
    seed_notices,
    to_pay_notices,
    write_config,
)
from pagoconf.sync.reference.data import COMPANY_NAME, OFFICE_NAME
from pagoconf.sync.schema import pa_for_node_schema

EC = IDENTITY.id_pa
OTHER_EC = "01234567890"
NOTICES = seed_notices()
TO_PAY = to_pay_notices()
UNKNOWN_NAV = "301999999999999999"
VERIFY, V1, V2 = "paVerifyPaymentNotice", "paGetPayment", "paGetPaymentV2"
SEND_V1, SEND_V2, DEMAND = "paSendRT", "paSendRTV2", "paDemandPaymentNotice"
ALL_OPS = (VERIFY, V1, V2)
VERSION_OF = {V1: 1, SEND_V1: 1, V2: 2, SEND_V2: 2}
AMOUNT_SHAPE = r"\d+\.\d{2}"
TASSA_AUTO = "http://PuntoAccessoPSP.spcoop.gov.it/TassaAuto"
SERVICE = ("00001", "00042")


def nav(kind: str, index: int = 0) -> str:
    """The notice number of one seeded notice."""
    return NOTICES[kind][index].nav


def to_pay(kind: str, index: int) -> str:
    """The notice number of one notice of the to_pay group."""
    return TO_PAY[kind][index].nav


@dataclass(frozen=True)
class Reply:
    """One HTTP exchange with the station, with the Body's first element at hand."""

    status: int
    content_type: str
    body: bytes
    elapsed: float

    @property
    def res(self) -> etree._Element:
        """The element the SOAP Body holds."""
        children = wire.body_children(etree.fromstring(self.body))
        assert children, self.body
        return children[0]

    @property
    def outcome(self) -> str | None:
        """The outcome element's text."""
        return self.res.findtext("outcome")

    @property
    def fault_code(self) -> str | None:
        """The fault bean's faultCode."""
        return self.res.findtext("fault/faultCode")

    def texts(self, path: str) -> list[str]:
        """The texts of every element at `path` under the response element."""
        return [e.text or "" for e in self.res.findall(path)]


def request_body(
    op: str,
    notice: str,
    *,
    id_pa: str = EC,
    broker: str = IDENTITY.id_broker_pa,
    station: str = IDENTITY.id_station,
    fiscal_code: str = EC,
) -> bytes:
    """A SOAP envelope holding a verify/getPayment request for `notice`."""
    req = wire.wrapper(wire.operation(op).request)
    for name, value in (("idPA", id_pa), ("idBrokerPA", broker), ("idStation", station)):
        wire.element(req, name, value)
    qr = wire.element(req, "qrCode")
    wire.element(qr, "fiscalCode", fiscal_code)
    wire.element(qr, "noticeNumber", notice)
    return wire.envelope(req)


def receipt_body(
    data: etree._Element,
    notice: str,
    *,
    version: int,
    sanp: str = "3.8.0",
    receipt_id: str = "rcpt-0001",
    standin: bool = False,
    fiscal_code: str = EC,
    id_pa: str = EC,
) -> bytes:
    """A minimal valid paSendRTReq / paSendRTV2Request paying `notice`, from a getPayment answer's data."""
    req = wire.wrapper("paSendRTReq" if version == 1 else "paSendRTV2Request")
    for name, value in (
        ("idPA", id_pa),
        ("idBrokerPA", IDENTITY.id_broker_pa),
        ("idStation", IDENTITY.id_station),
    ):
        wire.element(req, name, value)
    receipt = wire.element(req, "receipt")
    for name, value in (("receiptId", receipt_id), ("noticeNumber", notice), ("fiscalCode", fiscal_code)):
        wire.element(receipt, name, value)
    wire.element(receipt, "outcome", "OK")
    for name in ("creditorReferenceId", "paymentAmount", "description", "companyName"):
        wire.element(receipt, name, data.findtext(name))
    receipt.append(copy.deepcopy(data.find("debtor")))
    transfers = wire.element(receipt, "transferList")
    for transfer in data.findall("transferList/transfer"):
        out = wire.element(transfers, "transfer")
        for field in transfer:
            if field.tag == "richiestaMarcaDaBollo":  # the paid stamp travels as the receipt's MBD attachment
                wire.element(out, "MBDAttachment", base64.b64encode(b"<marcaDaBollo/>").decode())
            else:
                out.append(copy.deepcopy(field))
    for name, value in (
        ("idPSP", "BCITITMM"),
        ("PSPCompanyName", "Banca di prova S.p.A."),
        ("idChannel", "00799960158_01"),
        ("channelDescription", "app"),
    ):
        wire.element(receipt, name, value)
    if standin and sanp == "3.8.0":
        wire.element(req, "standin", "true")  # SANP 3.8.0: after the receipt
    elif standin:
        wire.element(receipt, "standIn", "true")  # SANP 3.9.0+: the receipt's last child
    return wire.envelope(req)


def service_data(kind: str = "1", plate: str = "AB123CD", namespace: str = TASSA_AUTO) -> bytes:
    """TassaAutomobilistica_1_1_0 service data for one vehicle."""
    return (
        f'<tassaAuto xmlns="{namespace}"><veicoloConTarga><tipoVeicoloTarga>{kind}</tipoVeicoloTarga>'
        f"<veicoloTarga>{plate}</veicoloTarga></veicoloConTarga></tassaAuto>"
    ).encode()


def demand_body(data: bytes | str = b"", *, service: tuple[str, str] = SERVICE, id_pa: str = EC) -> bytes:
    """A paDemandPaymentNoticeRequest carrying `data` (bytes are base64-encoded, text is sent as is)."""
    encoded = data if isinstance(data, str) else base64.b64encode(data or service_data()).decode()
    req = wire.wrapper("paDemandPaymentNoticeRequest")
    for name, value in (
        ("idPA", id_pa),
        ("idBrokerPA", IDENTITY.id_broker_pa),
        ("idStation", IDENTITY.id_station),
        ("idServizio", service[0]),
        ("idSoggettoServizio", service[1]),
        ("datiSpecificiServizioRequest", encoded),
    ):
        wire.element(req, name, value)
    return wire.envelope(req)


OFFLINE = (
    StationModel()
)  # serves both primitive versions: receipts built without asking the station under test


@cache
def payment_data(notice: str, version: int) -> etree._Element:
    """The reference's getPayment data of `notice` (what the Node puts in its receipt).

    For a notice the reference would not activate (unknown, paid, …) the data of a payable one.
    """
    op = V1 if version == 1 else V2
    body = OFFLINE.answer(request_body(op, notice), op).body
    data = wire.body_children(etree.fromstring(body))[0].find("data")  # type: ignore[index]
    return data if data is not None else payment_data(to_pay("payable", 0), version)


class Client:
    """Posts to one station with a session that ignores proxy settings."""

    def __init__(self, url: str) -> None:
        """Remember the endpoint."""
        self.url = url
        self.pool = urllib3.PoolManager()

    def post(self, data: bytes, soap_action: str | None = None, url: str | None = None) -> Reply:
        """POST raw bytes."""
        headers = {"Content-Type": wire.CONTENT_TYPE}
        if soap_action is not None:
            headers["SOAPAction"] = soap_action
        start = time.monotonic()
        r = self.pool.request("POST", url or self.url, body=data, headers=headers, timeout=10, retries=False)
        return Reply(r.status, r.headers.get("Content-Type", ""), r.data, time.monotonic() - start)

    def call(self, op: str, notice: str, **fields: str) -> Reply:
        """Send one verify/getPayment request, with SOAPAction."""
        return self.post(request_body(op, notice, **fields), f'"{op}"')


class Pair:
    """A V1 and a V2 station of one kind (SANP, defects): each operation goes to the one serving it."""

    def __init__(self, v1: ReferenceStation, v2: ReferenceStation) -> None:
        """Keep both stations and a client of each."""
        self.stations = {1: v1, 2: v2}
        self.clients = {1: Client(v1.url), 2: Client(v2.url)}

    def client(self, op: str) -> Client:
        """The client of the station that serves `op` (verify and demand: the V2 one)."""
        return self.clients[VERSION_OF.get(op, 2)]

    def store(self, version: int) -> Store:
        """The state of the V1 or V2 station."""
        return self.stations[version].store

    def call(self, op: str, notice: str, **fields: str) -> Reply:
        """Send one verify/getPayment request to the station serving `op`."""
        return self.client(op).call(op, notice, **fields)

    def post(self, op: str, body: bytes) -> Reply:
        """POST a request body of `op` to the station serving it."""
        return self.client(op).post(body, f'"{op}"')

    def send(self, notice: str, *, version: int = 2, **options: object) -> Reply:
        """Send a receipt for `notice` without activating it first (payment data from the reference)."""
        data = payment_data(notice, version)
        body = receipt_body(data, notice, version=version, **options)  # type: ignore[arg-type]
        return self.post(SEND_V1 if version == 1 else SEND_V2, body)

    def pay(self, notice: str, *, version: int = 2, **options: object) -> Reply:
        """Activate `notice` on the station, then send the receipt built from its own answer."""
        activation = self.call(V1 if version == 1 else V2, notice)
        assert activation.outcome == "OK", activation.body.decode()
        data = activation.res.find("data")
        assert data is not None
        body = receipt_body(data, notice, version=version, **options)  # type: ignore[arg-type]
        return self.post(SEND_V1 if version == 1 else SEND_V2, body)

    def demand(self, data: bytes | str = b"", **options: object) -> Reply:
        """Ask for a spontaneous payment."""
        return self.post(DEMAND, demand_body(data, **options))  # type: ignore[arg-type]


@contextmanager
def pair(**options: object) -> Iterator[Pair]:
    """A V1 and a V2 reference station started with `options`, stopped afterwards."""
    with (
        ReferenceStation(primitive_version=1, **options) as v1,  # type: ignore[arg-type]
        ReferenceStation(primitive_version=2, **options) as v2,  # type: ignore[arg-type]
    ):
        yield Pair(v1, v2)


@pytest.fixture(scope="module")
def stations() -> Iterator[Pair]:
    """The conformant reference stations (V1 and V2), SANP 3.8.0."""
    with pair() as p:
        yield p


@pytest.fixture(scope="module")
def station(stations: Pair) -> ReferenceStation:
    """The conformant V2 station."""
    return stations.stations[2]


@pytest.fixture(scope="module")
def client(stations: Pair) -> Client:
    """A client of the conformant V2 station."""
    return stations.clients[2]


SCHEMAS = {v: pa_for_node_schema(v).lxml for v in SUPPORTED_SANP}


def assert_valid(reply: Reply) -> None:
    """The response element is valid against paForNode.xsd of every supported SANP version."""
    assert reply.status == 200 and reply.content_type == wire.CONTENT_TYPE
    assert reply.res.tag.startswith(f"{{{wire.PAFN}}}")
    for version, schema in SCHEMAS.items():
        doc = etree.ElementTree(copy.deepcopy(reply.res))
        assert schema.validate(doc), f"SANP {version}: {schema.error_log}\n{reply.body.decode()}"


def assert_ko(reply: Reply, code: str, id_pa: str = EC) -> None:
    """A valid KO answer with a complete fault bean for `code`."""
    assert_valid(reply)
    assert (reply.outcome, reply.fault_code) == ("KO", code), reply.body.decode()
    assert reply.res.findtext("fault/faultString") == MEANING[code]
    assert reply.res.findtext("fault/id") == id_pa
    assert reply.res.findtext("fault/description")


# --- conformant answers ----------------------------------------------------------------------------

STATE_CASES = {
    "unknown": ({"notice": UNKNOWN_NAV}, "PAA_PAGAMENTO_SCONOSCIUTO"),
    "other-institution-notice": (
        {"notice": nav("payable"), "fiscal_code": OTHER_EC},
        "PAA_PAGAMENTO_SCONOSCIUTO",
    ),
    "expired": ({"notice": nav("expired")}, "PAA_PAGAMENTO_SCADUTO"),
    "annulled": ({"notice": nav("annulled")}, "PAA_PAGAMENTO_ANNULLATO"),
    "paid": ({"notice": nav("paid")}, "PAA_PAGAMENTO_DUPLICATO"),
    "wrong-institution": ({"notice": nav("payable"), "id_pa": OTHER_EC}, "PAA_ID_DOMINIO_ERRATO"),
    "wrong-broker": ({"notice": nav("payable"), "broker": "11111111111"}, "PAA_ID_INTERMEDIARIO_ERRATO"),
    "wrong-station": ({"notice": nav("payable"), "station": "88888888888_99"}, "PAA_STAZIONE_INT_ERRATA"),
    "all-wrong": (
        {"notice": nav("payable"), "id_pa": OTHER_EC, "broker": "1", "station": "2"},
        "PAA_ID_DOMINIO_ERRATO",
    ),
    "broker-and-station-wrong": (
        {"notice": nav("payable"), "broker": "1", "station": "2"},
        "PAA_ID_INTERMEDIARIO_ERRATO",
    ),
}


@pytest.mark.parametrize("op", ALL_OPS)
@pytest.mark.parametrize("case", STATE_CASES)
def test_refusals_carry_the_documented_fault(stations: Pair, op: str, case: str) -> None:
    fields, code = STATE_CASES[case]
    fields = dict(fields)
    reply = stations.call(op, fields.pop("notice"), **fields)
    assert reply.res.tag == f"{{{wire.PAFN}}}{wire.operation(op).response}"
    assert_ko(reply, code, id_pa=fields.get("id_pa", EC))


PAYABLE_KINDS = ("payable", "multi_beneficiary", "postal", "bollo")
SEEDED = [(kind, n.nav) for kind, group in NOTICES.items() for n in group]


@pytest.mark.parametrize("op", ALL_OPS)
@pytest.mark.parametrize(("kind", "notice"), SEEDED)
def test_every_answer_is_valid_for_both_sanp_versions(
    stations: Pair, op: str, kind: str, notice: str
) -> None:
    reply = stations.call(op, notice)
    assert_valid(reply)
    expected = "OK" if kind in PAYABLE_KINDS and not (kind == "bollo" and op == V1) else "KO"
    assert reply.outcome == expected
    assert (reply.res.find("fault") is None) == (expected == "OK")


@pytest.mark.parametrize("kind", PAYABLE_KINDS)
def test_verify_describes_the_notice(client: Client, kind: str) -> None:
    notice = NOTICES[kind][0]
    reply = client.call(VERIFY, notice.nav)
    option = "paymentList/paymentOptionDescription/"
    assert reply.texts(option + "amount") == [f"{notice.amount:.2f}"]
    assert reply.texts(option + "options") == ["EQ"]
    assert reply.texts(option + "dueDate") == [notice.due_date.isoformat()]
    assert reply.texts(option + "allCCP") == ["true" if kind == "postal" else "false"]
    assert reply.res.findtext("fiscalCodePA") == EC
    assert reply.res.findtext("companyName") == COMPANY_NAME
    assert reply.res.findtext("officeName") == OFFICE_NAME


@pytest.mark.parametrize("op", (V1, V2))
@pytest.mark.parametrize("kind", PAYABLE_KINDS)
def test_activation_gives_consistent_payment_data(stations: Pair, op: str, kind: str) -> None:
    notice = NOTICES[kind][0]
    reply = stations.call(op, notice.nav)
    if kind == "bollo" and op == V1:
        assert_ko(reply, "PAA_SEMANTICA")
        return
    assert_valid(reply)
    data = reply.res.find("data")
    assert data is not None
    assert data.findtext("creditorReferenceId") == iuv_of(notice.nav)
    assert data.findtext("paymentAmount") == f"{notice.amount:.2f}"
    due = date.fromisoformat(data.findtext("dueDate", ""))
    assert datetime.fromisoformat(data.findtext("retentionDate", "")).date() == due + timedelta(days=1)
    transfers = data.findall("transferList/transfer")
    assert [t.findtext("idTransfer") for t in transfers] == [str(i) for i in range(1, len(transfers) + 1)]
    amounts = [Decimal(t.findtext("transferAmount", "")) for t in transfers]
    assert sum(amounts) == Decimal(data.findtext("paymentAmount", ""))
    ibans = [t.findtext("IBAN") for t in transfers if t.find("IBAN") is not None]
    assert ibans and all(is_valid_iban(i or "") for i in ibans)
    assert all(is_postal(i or "") for i in ibans) == (kind == "postal")
    keys = [k.text for k in data.findall("metadata/mapEntry/key")]
    assert keys and len(keys) == len(set(keys))
    assert {t.findtext("fiscalCodePA") for t in transfers} >= (
        {EC, "01234567890", "15376371009"} if kind == "multi_beneficiary" else {EC}
    )


def test_the_stamp_hash_is_a_sha256_digest(client: Client) -> None:
    reply = client.call(V2, nav("bollo"))
    stamps = reply.res.findall("data/transferList/transfer/richiestaMarcaDaBollo")
    assert len(stamps) == 1
    assert len(base64.b64decode(stamps[0].findtext("hashDocumento", ""), validate=True)) == 32
    assert stamps[0].findtext("tipoBollo") == "01"
    bollo = [
        t
        for t in reply.res.findall("data/transferList/transfer")
        if t.find("richiestaMarcaDaBollo") is not None
    ]
    assert bollo[0].findtext("transferAmount") == "16.00"


def test_seeded_notices_are_well_formed() -> None:
    navs = [n.nav for group in NOTICES.values() for n in group]
    assert len(navs) == len(set(navs)) and len(NOTICES["payable"]) >= 2
    for group in NOTICES.values():
        for n in group:
            assert n.nav.startswith("301") and has_valid_check_digit(n.nav)
            amounts = [n.amount, *(t.amount for t in n.transfers)]
            assert all(str(a).endswith("0") and a.as_tuple().exponent == -2 for a in amounts)
    assert NOTICES["expired"][0].due_date < NOTICES["payable"][0].due_date


@pytest.mark.parametrize(
    ("data", "soap_action"),
    [
        (b"this is not XML", '"paVerifyPaymentNotice"'),
        (b"<a><b></a>", "paVerifyPaymentNotice"),
        (wire.envelope(etree.Element("nothing")), "paVerifyPaymentNotice"),
    ],
    ids=["text", "malformed", "foreign-element"],
)
def test_unreadable_requests_get_a_syntax_ko(client: Client, data: bytes, soap_action: str) -> None:
    assert_ko(client.post(data, soap_action), "PAA_SINTASSI_EXTRAXSD")


def test_an_empty_body_gets_a_syntax_ko(client: Client) -> None:
    env = etree.fromstring(request_body(V2, nav("payable")))
    body = env[1]
    body.remove(body[0])
    reply = client.post(etree.tostring(env), "paGetPaymentV2")
    assert reply.res.tag == f"{{{wire.PAFN}}}paGetPaymentV2Response"
    assert_ko(reply, "PAA_SINTASSI_EXTRAXSD")


def test_an_invalid_request_gets_a_syntax_ko_naming_its_institution(client: Client) -> None:
    env = etree.fromstring(request_body(V1, nav("payable"), id_pa="12345678901"))
    req = env[1][0]
    req.remove(req.find("idStation"))
    reply = client.post(etree.tostring(env))  # no SOAPAction: the Body element says which operation
    assert reply.res.tag == f"{{{wire.PAFN}}}paGetPaymentRes"
    assert_ko(reply, "PAA_SINTASSI_EXTRAXSD", id_pa="12345678901")


def test_an_unknown_operation_is_a_soap_client_fault(client: Client) -> None:
    reply = client.post(b"<x/>")
    assert reply.status == 500
    assert reply.res.tag == f"{{{wire.SOAP_ENV}}}Fault"
    assert reply.res.findtext("faultcode") == "soapenv:Client"


def test_oversized_requests_are_refused(client: Client) -> None:
    assert client.post(b" " * (1024 * 1024 + 1), "paVerifyPaymentNotice").status == 413


# --- hostile and unusual requests ---------------------------------------------------------------------

SOAP_1_2 = "http://www.w3.org/2003/05/soap-envelope"
MIB = 1024 * 1024
BOMB = '<!ENTITY lol "lol">' + "".join(
    f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10)
)


def with_doctype(body: bytes, subset: str, reference: str) -> bytes:
    """`body` with a DOCTYPE declaring `subset`, and `reference` as the text of idPA."""
    text = body.decode().split("?>", 1)[1].replace(f"<idPA>{EC}</idPA>", f"<idPA>{reference}</idPA>", 1)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE x [{subset}]>{text}'.encode()


def external_entity(body: bytes, url: str) -> bytes:
    """`body` naming an external entity at `url`."""
    return with_doctype(body, f'<!ENTITY e SYSTEM "{url}">', "&e;")


def entity_bomb(body: bytes) -> bytes:
    """`body` with a billion-laughs entity as its idPA."""
    return with_doctype(body, BOMB, "&lol9;")


def oversized(body: bytes, size: int = 10 * MIB) -> bytes:
    """`body` padded with a comment to `size` bytes."""
    head, sep, tail = body.partition(b"<soapenv:Body>")
    return head + b"<!--" + b"x" * (size - len(body) - 7) + b"-->" + sep + tail


def deeply_nested(body: bytes, levels: int = 10_000) -> bytes:
    """`body` with `levels` nested unknown elements inside its request element."""
    return body.replace(b"<idBrokerPA>", b"<n>" * levels + b"</n>" * levels + b"<idBrokerPA>", 1)


def respelled(body: bytes, prefix: str | None) -> bytes:
    """`body` with its request element under another prefix, or (None) in the default namespace."""
    if prefix:
        return body.replace(b"pafn", prefix.encode())
    body = body.replace(f' xmlns:pafn="{wire.PAFN}"'.encode(), b"")
    body = re.sub(rb"<pafn:(\w+)>", rf'<\1 xmlns="{wire.PAFN}">'.encode(), body).replace(b"</pafn:", b"</")
    return re.sub(rb"<(idPA|idBrokerPA|idStation|qrCode)>", rb'<\1 xmlns="">', body)


def without_request(op: str) -> bytes:
    """An envelope of `op` whose Body is empty."""
    env = etree.fromstring(request_body(op, nav("payable")))
    env[1].remove(env[1][0])
    return etree.tostring(env)


UNREADABLE: dict[str, Callable[[str], bytes]] = {
    "not-xml": lambda op: b"this is not XML",
    "truncated": lambda op: request_body(op, nav("payable"))[:-40],
    "empty-body": without_request,
    "soap-1.2": lambda op: request_body(op, nav("payable")).replace(
        wire.SOAP_ENV.encode(), SOAP_1_2.encode()
    ),
}


@pytest.mark.parametrize("op", (VERIFY, V2))
@pytest.mark.parametrize("case", UNREADABLE)
def test_unreadable_requests_get_a_syntax_ko_in_the_operations_answer(
    client: Client, case: str, op: str
) -> None:
    reply = client.post(UNREADABLE[case](op), f'"{op}"')
    assert reply.res.tag == f"{{{wire.PAFN}}}{wire.operation(op).response}"
    assert_ko(reply, "PAA_SINTASSI_EXTRAXSD")


@pytest.mark.parametrize("case", UNREADABLE)
def test_unreadable_requests_without_soap_action_are_a_soap_client_fault(client: Client, case: str) -> None:
    reply = client.post(UNREADABLE[case](VERIFY))
    assert reply.status == 500 and reply.res.findtext("faultcode") == "soapenv:Client"


HOSTILE: dict[str, Callable[[bytes, str], bytes]] = {
    "external-entity": external_entity,
    "entity-bomb": lambda body, _: entity_bomb(body),
    "oversized": lambda body, _: oversized(body),
    "deeply-nested": lambda body, _: deeply_nested(body),
}


@pytest.mark.parametrize("kind", HOSTILE)
def test_hostile_requests_are_refused_quickly_and_harm_nothing(client: Client, kind: str) -> None:
    with Canary() as canary:
        reply = client.post(HOSTILE[kind](request_body(VERIFY, nav("payable")), canary.url()), f'"{VERIFY}"')
        assert canary.hits == []
    assert reply.elapsed < 1.0
    if kind == "oversized":
        assert reply.status == 413
    else:
        assert_ko(reply, "PAA_SINTASSI_EXTRAXSD")
    assert client.call(VERIFY, nav("payable")).outcome == "OK"


@pytest.mark.parametrize("op", (VERIFY, V2))
def test_namespace_prefixes_do_not_change_the_answer(client: Client, op: str) -> None:
    body = request_body(op, nav("payable"))
    usual = client.post(body, f'"{op}"').body
    for spelling in (respelled(body, "ns1"), respelled(body, None), body.replace(b"soapenv", b"s")):
        assert client.post(spelling, f'"{op}"').body == usual


def test_other_paths_and_methods(client: Client, station: ReferenceStation) -> None:
    base = station.url.removesuffix("/paForNode")
    assert client.post(b"", url=base + "/other").status == 404
    r = client.pool.request("GET", station.url, timeout=5, retries=False)
    assert r.status == 405 and r.headers["Allow"] == "POST"


def test_concurrent_requests_are_served(client: Client) -> None:
    with ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(lambda _: client.call(V2, nav("multi_beneficiary")), range(16)))
    assert {r.outcome for r in replies} == {"OK"}
    assert len({r.body for r in replies}) == 1


def test_sanp_3_13_station_validates_with_its_schema() -> None:
    with ReferenceStation(sanp="3.13.0") as s:
        c = Client(s.url)
        assert_valid(reply := c.call(V2, nav("bollo")))
        assert reply.outcome == "OK"


def test_unknown_defects_are_rejected_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="no-such-defect.*--list-defects"):
        ReferenceStation(defects=["no-such-defect"])


def test_defects_name_catalogue_rules() -> None:
    rules = catalogue()
    for defect in DEFECTS.values():
        assert defect.rule in rules and set(defect.also) <= rules.keys(), defect
    assert len(DEFECTS) >= 15  # issue 2 asks for at least 15


@pytest.mark.parametrize("version", (1, 2))
def test_write_config_describes_the_station(tmp_path: Path, version: int) -> None:
    path = write_config(
        tmp_path / "pagoconf.toml", "http://127.0.0.1:1234/paForNode", primitive_version=version
    )
    config = tomllib.loads(path.read_text(encoding="utf-8"))
    station = config["station"]
    assert config["sanp"] == "3.8.0"
    assert (station["id_pa"], station["id_broker_pa"], station["id_station"]) == (
        EC,
        IDENTITY.id_broker_pa,
        IDENTITY.id_station,
    )
    assert station["url"] == "http://127.0.0.1:1234/paForNode" and station["primitive_version"] == version
    assert ("bollo" in station["capabilities"]) == ("bollo" in config["notices"]) == (version == 2)
    assert config["notices"]["payable"] == [n.nav for n in NOTICES["payable"]]
    assert config["timeouts"] == {"sync": 7.0, "receipt": 15.0}
    assert config["service_level"] == {"seconds": 2.0, "share": 0.98, "samples": 20}
    assert "spontaneous" in station["capabilities"]
    assert config["spontaneous"] == {
        "id_servizio": "00001",
        "id_soggetto_servizio": "00042",
        "service_xsd": "TassaAutomobilistica_1_1_0",
    }
    kinds = ("payable", "multi_beneficiary") + (("bollo",) if version == 2 else ())
    assert config["notices"]["to_pay"] == {k: [n.nav for n in TO_PAY[k]] for k in kinds}


def test_to_pay_notices_are_well_formed_and_apart_from_the_seeded_ones() -> None:
    assert {k: len(v) for k, v in TO_PAY.items()} == {"payable": 12, "multi_beneficiary": 3, "bollo": 3}
    seeded = {n.nav for group in NOTICES.values() for n in group}
    navs = [n.nav for group in TO_PAY.values() for n in group]
    assert len(set(navs)) == len(navs) and not seeded & set(navs)
    for kind, group in TO_PAY.items():
        for n in group:
            assert n.state == "payable" and n.kind == kind and has_valid_check_digit(n.nav)
            assert all(str(a).endswith("0") for a in (n.amount, *(t.amount for t in n.transfers)))
    assert all(len(n.transfers) == 1 for n in TO_PAY["payable"])
    assert all(len({t.fiscal_code for t in n.transfers}) > 1 for n in TO_PAY["multi_beneficiary"])
    assert all(n.has_stamp for n in TO_PAY["bollo"])
    assert to_pay_notices() == TO_PAY  # deterministic


# --- primitive versions -------------------------------------------------------------------------------


@pytest.mark.parametrize("version", (1, 2))
def test_a_station_serves_only_the_pair_of_its_primitive_version(stations: Pair, version: int) -> None:
    client = stations.clients[version]
    served, refused = ((V1, SEND_V1), (V2, SEND_V2)) if version == 1 else ((V2, SEND_V2), (V1, SEND_V1))
    reply = client.call(refused[0], nav("payable"))
    assert_ko(reply, "PAA_SYSTEM_ERROR")
    assert f"primitive version {version}" in reply.res.findtext("fault/description", "")
    body = receipt_body(
        payment_data(to_pay("payable", 11), 3 - version), to_pay("payable", 11), version=3 - version
    )
    assert_ko(client.post(body, refused[1]), "PAA_SYSTEM_ERROR")
    assert client.call(served[0], nav("payable")).outcome == "OK"
    assert client.call(VERIFY, nav("payable")).outcome == "OK"
    assert client.post(demand_body(), DEMAND).outcome == "OK"
    assert stations.store(version).find(EC, to_pay("payable", 11)).state == "payable"  # type: ignore[union-attr]


def test_the_primitive_version_is_1_or_2() -> None:
    with pytest.raises(ValueError, match="primitive_version"):
        ReferenceStation(primitive_version=3)


# --- receipts -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stations_3_13() -> Iterator[Pair]:
    """The conformant reference stations (V1 and V2), SANP 3.13.0."""
    with pair(sanp="3.13.0") as p:
        yield p


@pytest.mark.parametrize("standin", (False, True), ids=("normal", "standin"))
@pytest.mark.parametrize("version", (1, 2))
@pytest.mark.parametrize("sanp", SUPPORTED_SANP)
def test_a_receipt_closes_the_notice(
    stations: Pair, stations_3_13: Pair, sanp: str, version: int, standin: bool
) -> None:
    pair_ = stations if sanp == "3.8.0" else stations_3_13
    notice = to_pay("payable", 1 + int(standin))
    reply = pair_.pay(notice, version=version, sanp=sanp, standin=standin, receipt_id=f"r-{sanp}-{version}")
    assert_valid(reply)
    assert reply.res.tag == f"{{{wire.PAFN}}}{'paSendRTRes' if version == 1 else 'paSendRTV2Response'}"
    assert reply.outcome == "OK" and reply.res.find("fault") is None and len(reply.res) == 1
    (kept,) = pair_.store(version).receipts(EC, notice)
    assert (kept.receipt_id, kept.operation, kept.standin, kept.accepted) == (
        f"r-{sanp}-{version}",
        SEND_V1 if version == 1 else SEND_V2,
        standin,
        True,
    )
    sent = etree.fromstring(kept.request)
    assert (sent.find(".//standin") is not None, sent.find(".//receipt/standIn") is not None) == (
        standin and sanp == "3.8.0",
        standin and sanp != "3.8.0",
    )
    assert datetime.fromisoformat(kept.received_at).tzinfo is not None
    for op in (VERIFY, V1 if version == 1 else V2):
        assert_ko(pair_.clients[version].call(op, notice), "PAA_PAGAMENTO_DUPLICATO")


@pytest.mark.parametrize("version", (1, 2))
def test_the_other_sanp_shape_of_the_standin_flag_is_a_syntax_error(
    stations: Pair, stations_3_13: Pair, version: int
) -> None:
    notice = to_pay("payable", 3)
    for target, shape in ((stations, "3.13.0"), (stations_3_13, "3.8.0")):
        assert_ko(target.send(notice, version=version, sanp=shape, standin=True), "PAA_SINTASSI_EXTRAXSD")
        assert target.store(version).receipts(EC, notice) == []


@pytest.mark.parametrize("kind", ("multi_beneficiary", "bollo"))
def test_receipts_of_every_kind_close_their_notice(stations: Pair, kind: str) -> None:
    notice = to_pay(kind, 0)
    assert stations.pay(notice, version=2).outcome == "OK"
    assert_ko(stations.call(VERIFY, notice), "PAA_PAGAMENTO_DUPLICATO")
    if kind == "multi_beneficiary":
        assert stations.pay(notice, version=1).outcome == "OK"  # the V1 station keeps its own state


def test_the_same_receipt_again_is_acknowledged_and_changes_nothing(stations: Pair) -> None:
    notice, store = to_pay("payable", 4), stations.store(2)
    first = stations.pay(notice, receipt_id="same")
    assert first.outcome == "OK"
    before = store.receipts(EC, notice)
    again = stations.send(notice, receipt_id="same")
    assert again.body == first.body and store.receipts(EC, notice) == before


def test_a_different_receipt_for_a_paid_notice_is_kept_and_refused(stations: Pair) -> None:
    notice, store = to_pay("payable", 5), stations.store(2)
    assert stations.pay(notice, receipt_id="first").outcome == "OK"
    for _ in range(2):  # sent again, it is refused again and kept once
        assert_ko(stations.send(notice, receipt_id="second"), "PAA_RECEIPT_DUPLICATA")
    assert [(r.receipt_id, r.accepted) for r in store.receipts(EC, notice)] == [
        ("first", True),
        ("second", False),
    ]
    assert stations.send(notice, receipt_id="first").outcome == "OK"
    assert_ko(stations.send(nav("paid"), receipt_id="late"), "PAA_RECEIPT_DUPLICATA")
    assert [r.receipt_id for r in store.receipts(EC, nav("paid"))] == ["late"]


@pytest.mark.parametrize("version", (1, 2))
@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"notice": UNKNOWN_NAV}, "PAA_PAGAMENTO_SCONOSCIUTO"),
        ({"fiscal_code": OTHER_EC}, "PAA_PAGAMENTO_SCONOSCIUTO"),
        ({"id_pa": OTHER_EC}, "PAA_ID_DOMINIO_ERRATO"),
    ],
    ids=("unknown", "other-institution", "wrong-institution"),
)
def test_receipts_the_station_cannot_apply_are_refused(
    stations: Pair, version: int, fields: dict[str, str], code: str
) -> None:
    fields = dict(fields)
    notice = fields.pop("notice", to_pay("payable", 6))
    reply = stations.send(notice, version=version, **fields)
    assert_ko(reply, code, id_pa=fields.get("id_pa", EC))
    assert not any(r.notice_number == notice for r in stations.store(version).receipts())
    assert stations.call(VERIFY, to_pay("payable", 6)).outcome == "OK"


def invalid_receipt(notice: str, version: int = 2, **options: object) -> bytes:
    """A receipt without its mandatory idPSP."""
    env = etree.fromstring(receipt_body(payment_data(notice, version), notice, version=version, **options))  # type: ignore[arg-type]
    receipt = env[1][0].find("receipt")
    receipt.remove(receipt.find("idPSP"))
    return etree.tostring(env)


@pytest.mark.parametrize("version", (1, 2))
def test_an_invalid_receipt_is_a_syntax_error_and_changes_nothing(stations: Pair, version: int) -> None:
    notice = to_pay("payable", 7)
    reply = stations.post(SEND_V1 if version == 1 else SEND_V2, invalid_receipt(notice, version))
    assert_ko(reply, "PAA_SINTASSI_EXTRAXSD")
    assert stations.store(version).receipts(EC, notice) == []
    assert stations.call(VERIFY, notice).outcome == "OK"


def test_receipts_close_expired_and_annulled_notices_too() -> None:
    with pair() as fresh:
        for kind in ("expired", "annulled"):
            assert fresh.send(nav(kind)).outcome == "OK"
            assert_ko(fresh.call(VERIFY, nav(kind)), "PAA_PAGAMENTO_DUPLICATO")


def test_concurrent_receipts_for_one_notice_close_it_once(stations: Pair) -> None:
    notice = to_pay("payable", 8)
    with ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(lambda i: stations.send(notice, receipt_id=f"c-{i}"), range(8)))
    assert sorted(r.fault_code or "OK" for r in replies) == ["OK"] + ["PAA_RECEIPT_DUPLICATA"] * 7
    assert sum(r.accepted for r in stations.store(2).receipts(EC, notice)) == 1


# --- spontaneous payments -----------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "amount"), [("1", "120.00"), ("2", "60.00"), ("4", "30.00")])
def test_a_demand_creates_a_payable_notice(stations: Pair, kind: str, amount: str) -> None:
    reply = stations.demand(service_data(kind, "AB123CD"))
    assert_valid(reply)
    assert reply.outcome == "OK" and reply.res.find("fault") is None
    created = reply.res.findtext("qrCode/noticeNumber", "")
    assert reply.res.findtext("qrCode/fiscalCode") == EC
    assert created.startswith("3018") and has_valid_check_digit(created)
    option = "paymentList/paymentOptionDescription/"
    assert reply.texts(option + "amount") == [amount] and reply.texts(option + "options") == ["EQ"]
    assert reply.texts(option + "dueDate") == [(date.today() + timedelta(days=30)).isoformat()]
    assert reply.texts(option + "allCCP") == ["false"]
    assert reply.res.findtext("paymentDescription") == "Tassa automobilistica targa AB123CD"
    assert reply.texts(option + "detailDescription") == ["Tassa automobilistica targa AB123CD"]
    assert (reply.res.findtext("fiscalCodePA"), reply.res.findtext("companyName")) == (
        EC,
        COMPANY_NAME,
    )
    assert reply.res.findtext("officeName") == OFFICE_NAME
    described = stations.call(VERIFY, created)
    assert described.outcome == "OK" and described.texts(option + "amount") == [amount]


@pytest.mark.parametrize("version", (1, 2))
def test_a_created_notice_is_paid_like_any_other(stations: Pair, version: int) -> None:
    created = stations.clients[version].post(demand_body(), DEMAND).res.findtext("qrCode/noticeNumber", "")
    activation = stations.call(V1 if version == 1 else V2, created)
    assert_valid(activation)
    data = activation.res.find("data")
    assert data is not None and data.findtext("paymentAmount") == "120.00"
    assert data.findtext("creditorReferenceId") == iuv_of(created)
    assert [t.findtext("fiscalCodePA") for t in data.findall("transferList/transfer")] == [EC]
    assert all(is_valid_iban(i) for i in activation.texts("data/transferList/transfer/IBAN"))
    assert stations.pay(created, version=version).outcome == "OK"
    assert_ko(stations.clients[version].call(VERIFY, created), "PAA_PAGAMENTO_DUPLICATO")


def test_the_same_data_twice_create_two_notices(stations: Pair) -> None:
    first, second = (stations.demand(service_data("4", "XY98765")) for _ in range(2))
    assert first.res.findtext("qrCode/noticeNumber") != second.res.findtext("qrCode/noticeNumber")


@pytest.mark.parametrize(
    "data",
    [
        "!!!not base64!!!",
        base64.b64encode(b"not xml").decode(),
        base64.b64encode(b'<!DOCTYPE x [<!ENTITY e "e">]><x>&e;</x>').decode(),
        service_data("3"),
        service_data("1", "AB12"),
        service_data(namespace="http://example.org/other"),
        b"<tassaAuto/>",
    ],
    ids=["not-base64", "not-xml", "dtd", "unknown-vehicle-kind", "short-plate", "other-namespace", "empty"],
)
def test_invalid_service_data_are_an_xsd_error(stations: Pair, data: bytes | str) -> None:
    reply = stations.demand(data)
    assert_ko(reply, "PAA_SINTASSI_XSD")


@pytest.mark.parametrize("service", [("00002", "00042"), ("00001", "00043")], ids=["servizio", "soggetto"])
def test_a_service_the_station_does_not_offer_is_a_semantic_error(
    stations: Pair, service: tuple[str, str]
) -> None:
    assert_ko(stations.demand(service=service), "PAA_SEMANTICA")


def test_a_demand_breaking_pa_for_node_is_a_syntax_error(stations: Pair) -> None:
    assert_ko(stations.demand(service=("0001", "00042")), "PAA_SINTASSI_EXTRAXSD")


def test_concurrent_demands_create_distinct_notices(stations: Pair) -> None:
    with ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(lambda _: stations.demand(), range(8)))
    assert len({r.res.findtext("qrCode/noticeNumber") for r in replies}) == 8


# --- state --------------------------------------------------------------------------------------------


def test_state_survives_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "station.sqlite"
    notice = to_pay("payable", 9)
    with ReferenceStation(db=db) as first:
        c = Client(first.url)
        data = c.call(V2, notice).res.find("data")
        assert data is not None
        sent = receipt_body(data, notice, version=2, receipt_id="kept")
        assert c.post(sent, SEND_V2).outcome == "OK"
        created = c.post(demand_body(), DEMAND).res.findtext("qrCode/noticeNumber", "")
    assert db.exists()
    with ReferenceStation(db=db) as again:
        c = Client(again.url)
        assert_ko(c.call(VERIFY, notice), "PAA_PAGAMENTO_DUPLICATO")
        assert_ko(c.call(V2, notice), "PAA_PAGAMENTO_DUPLICATO")
        (kept,) = again.store.receipts(EC, notice)
        assert (kept.receipt_id, kept.operation, kept.request) == ("kept", SEND_V2, sent)
        assert c.call(VERIFY, created).outcome == "OK"
        assert c.post(demand_body(), DEMAND).res.findtext("qrCode/noticeNumber") != created
        assert c.post(sent, SEND_V2).outcome == "OK"  # the repeat is recognised after a restart too
        assert len(again.store.receipts(EC, notice)) == 1
    with ReferenceStation(db=db, primitive_version=1) as v1:  # the state belongs to the file, not the version
        assert_ko(Client(v1.url).call(V1, notice), "PAA_PAGAMENTO_DUPLICATO")
    assert db.exists()


def test_a_temporary_database_is_removed_on_stop() -> None:
    station = ReferenceStation().start()
    assert station.db is not None and station.db.exists()
    station.stop()
    assert not station.db.exists()
    with pytest.raises(RuntimeError, match="stopped"):
        station.start()


def test_stations_without_a_database_never_share_state(stations: Pair) -> None:
    assert stations.send(to_pay("payable", 10)).outcome == "OK"
    assert_ko(stations.call(VERIFY, to_pay("payable", 10)), "PAA_PAGAMENTO_DUPLICATO")
    assert stations.clients[1].call(VERIFY, to_pay("payable", 10)).outcome == "OK"
    with pair() as fresh:
        assert fresh.call(VERIFY, to_pay("payable", 10)).outcome == "OK"


# --- defects ------------------------------------------------------------------------------------------


def _battery_pay(notice: str, *, version: int = 2, **options: object) -> Callable[[Pair], Reply]:
    return lambda s: s.send(notice, version=version, **options)


def _twice(p: Pair) -> Reply:
    p.send(to_pay("payable", 1), receipt_id="again")
    return p.send(to_pay("payable", 1), receipt_id="again")


def _closed(p: Pair) -> Reply:
    p.send(to_pay("payable", 2))
    return p.call(VERIFY, to_pay("payable", 2))


def _described(p: Pair) -> Reply:
    created = p.demand(service_data("2", "ZZ111ZZ")).res.findtext("qrCode/noticeNumber", "")
    return p.call(VERIFY, created)


# Each entry is self-contained; entries that create or pay run in this order on both stations of a test.
BATTERY: dict[str, Callable[[Pair], Reply]] = {
    "verify": lambda s: s.call(VERIFY, nav("payable")),
    "verify-unknown": lambda s: s.call(VERIFY, UNKNOWN_NAV),
    "verify-expired": lambda s: s.call(VERIFY, nav("expired")),
    "activate-v1": lambda s: s.call(V1, nav("payable")),
    "activate-multi": lambda s: s.call(V2, nav("multi_beneficiary")),
    "activate-bollo": lambda s: s.call(V2, nav("bollo")),
    "activate-annulled": lambda s: s.call(V2, nav("annulled")),
    "receipt-v1": _battery_pay(to_pay("payable", 0), version=1),
    "receipt-v2": _battery_pay(to_pay("payable", 0)),
    "receipt-standin": _battery_pay(to_pay("multi_beneficiary", 0), standin=True),
    "receipt-repeated": _twice,
    "receipt-closes": _closed,
    "receipt-other": _battery_pay(nav("paid"), receipt_id="other"),
    "receipt-unknown": _battery_pay(UNKNOWN_NAV),
    "receipt-invalid": lambda s: s.post(SEND_V2, invalid_receipt(to_pay("payable", 3))),
    "demand": lambda s: s.demand(),
    "demand-described": _described,
    "demand-unknown-service": lambda s: s.demand(service=("00009", "00042")),
    "demand-invalid": lambda s: s.demand(service_data("3")),  # last: under a defect it creates a notice
}
EVERYTHING = frozenset(BATTERY)
VERIFIES = frozenset({"verify", "verify-unknown", "verify-expired", "receipt-closes", "demand-described"})
VERIFY_OK = frozenset({"verify", "demand-described"})
ACTIVATIONS_OK = frozenset({"activate-v1", "activate-multi", "activate-bollo"})
RECEIPTS_HANDLED = frozenset(
    {"receipt-v1", "receipt-v2", "receipt-standin", "receipt-repeated", "receipt-closes", "receipt-other"}
) | {"receipt-unknown"}
RECEIPTS_FIRST = frozenset(
    {"receipt-v1", "receipt-v2", "receipt-standin", "receipt-repeated", "receipt-closes"}
)
FAULTS = frozenset(
    {
        "verify-unknown",
        "verify-expired",
        "activate-annulled",
        "receipt-closes",
        "receipt-other",
        "receipt-unknown",
        "receipt-invalid",
        "demand-unknown-service",
        "demand-invalid",
    }
)

Check = Callable[[Pair, Pair], None]


@dataclass(frozen=True)
class Probe:
    """How a defect shows on the wire, and which battery answers it may change."""

    check: Check
    touches: frozenset[str] = frozenset()


PROBES: dict[str, Probe] = {}


def probe(name: str, touches: frozenset[str] | set[str] = frozenset()) -> Callable[[Check], Check]:
    """Register the wire check of defect `name`."""

    def register(check: Check) -> Check:
        PROBES[name] = Probe(check, frozenset(touches))
        return check

    return register


@probe("verify-refuses-payable", VERIFY_OK)
def _(d: Pair, c: Pair) -> None:
    assert d.call(VERIFY, nav("payable")).fault_code == "PAA_SYSTEM_ERROR"
    assert c.call(VERIFY, nav("payable")).outcome == "OK"


@probe("activation-in-progress", ACTIVATIONS_OK)
def _(d: Pair, c: Pair) -> None:
    assert d.call(V2, nav("payable")).fault_code == "PAA_PAGAMENTO_IN_CORSO"
    assert d.call(V1, nav("payable")).fault_code == "PAA_PAGAMENTO_IN_CORSO"


@probe("status-500", EVERYTHING)
def _(d: Pair, c: Pair) -> None:
    for key in ("verify", "verify-unknown", "activate-v1", "receipt-unknown", "demand-unknown-service"):
        bad, good = BATTERY[key](d), BATTERY[key](c)
        assert (bad.status, good.status) == (500, 200) and bad.body == good.body


@probe("json-content-type", EVERYTHING)
def _(d: Pair, c: Pair) -> None:
    bad, good = d.call(VERIFY, nav("payable")), c.call(VERIFY, nav("payable"))
    assert bad.content_type == "application/json" and bad.body == good.body


@probe("soap-fault-on-activation", ACTIVATIONS_OK)
def _(d: Pair, c: Pair) -> None:
    for op in (V1, V2):
        bad = d.call(op, nav("payable"))
        assert bad.status == 200 and bad.res.tag == f"{{{wire.SOAP_ENV}}}Fault"
        assert (bad.res.findtext("faultcode"), bad.res.findtext("faultstring")) == (
            "soapenv:Server",
            "internal error",
        )


@probe("unqualified-wrapper", VERIFIES)
def _(d: Pair, c: Pair) -> None:
    bad, good = d.call(VERIFY, nav("payable")), c.call(VERIFY, nav("payable"))
    assert bad.res.tag == "paVerifyPaymentNoticeRes" and good.res.tag.endswith("}paVerifyPaymentNoticeRes")
    assert [etree.tostring(e) for e in bad.res] == [etree.tostring(e) for e in good.res]


@probe("amounts-without-cents", VERIFY_OK)
def _(d: Pair, c: Pair) -> None:
    amount = "paymentList/paymentOptionDescription/amount"
    assert d.call(VERIFY, nav("payable", 0)).texts(amount) == ["120.5"]
    assert d.call(VERIFY, nav("payable", 1)).texts(amount) == ["35"]
    assert c.call(VERIFY, nav("payable", 0)).texts(amount) == ["120.50"]
    assert c.call(V2, nav("payable", 0)).body == d.call(V2, nav("payable", 0)).body


@probe("ok-with-fault", VERIFY_OK)
def _(d: Pair, c: Pair) -> None:
    bad = d.call(VERIFY, nav("payable"))
    assert bad.outcome == "OK" and bad.fault_code == "PAA_SYSTEM_ERROR"
    assert bad.res.findtext("fault/faultString") and bad.res.findtext("fault/id") == EC
    assert c.call(VERIFY, nav("payable")).res.find("fault") is None


@probe("blank-fault-string", FAULTS)
def _(d: Pair, c: Pair) -> None:
    bad, good = d.call(VERIFY, UNKNOWN_NAV), c.call(VERIFY, UNKNOWN_NAV)
    assert bad.fault_code == good.fault_code == "PAA_PAGAMENTO_SCONOSCIUTO"
    assert bad.res.findtext("fault/faultString") == "" and good.res.findtext("fault/faultString")


@probe("invented-fault-code", {"verify-expired"})
def _(d: Pair, c: Pair) -> None:
    assert d.call(VERIFY, nav("expired")).fault_code == "PAA_PAGAMENTO_EXPIRED"
    assert d.call(V2, nav("expired")).fault_code == "PAA_PAGAMENTO_EXPIRED"


@probe("fault-id-is-station", FAULTS)
def _(d: Pair, c: Pair) -> None:
    assert d.call(VERIFY, UNKNOWN_NAV).res.findtext("fault/id") == IDENTITY.id_station
    assert c.call(VERIFY, UNKNOWN_NAV).res.findtext("fault/id") == EC


@probe("verify-without-company", VERIFY_OK)
def _(d: Pair, c: Pair) -> None:
    bad, good = d.call(VERIFY, nav("payable")), c.call(VERIFY, nav("payable"))
    assert bad.res.find("companyName") is None and good.res.findtext("companyName") == COMPANY_NAME
    assert_valid(bad)


@probe("options-any", VERIFY_OK)
def _(d: Pair, c: Pair) -> None:
    assert d.call(VERIFY, nav("payable")).texts("paymentList/paymentOptionDescription/options") == ["ANY"]


@probe("verify-names-another-institution", VERIFY_OK)
def _(d: Pair, c: Pair) -> None:
    assert d.call(VERIFY, nav("payable")).res.findtext("fiscalCodePA") == "99999999999"


@probe("activation-without-data", ACTIVATIONS_OK)
def _(d: Pair, c: Pair) -> None:
    for op in (V1, V2):
        bad = d.call(op, nav("payable"))
        assert bad.outcome == "OK" and bad.res.find("data") is None
        assert_valid(bad)


@probe("creditor-reference-is-notice-number", ACTIVATIONS_OK)
def _(d: Pair, c: Pair) -> None:
    assert d.call(V2, nav("payable")).res.findtext("data/creditorReferenceId") == nav("payable")
    assert c.call(V2, nav("payable")).res.findtext("data/creditorReferenceId") == iuv_of(nav("payable"))


@probe("transfers-misnumbered", ACTIVATIONS_OK)
def _(d: Pair, c: Pair) -> None:
    assert d.call(V2, nav("multi_beneficiary")).texts("data/transferList/transfer/idTransfer") == [
        "2",
        "3",
        "4",
    ]


@probe("transfers-do-not-add-up", ACTIVATIONS_OK)
def _(d: Pair, c: Pair) -> None:
    bad, good = d.call(V2, nav("multi_beneficiary")), c.call(V2, nav("multi_beneficiary"))
    declared = Decimal(bad.res.findtext("data/paymentAmount", ""))
    assert declared == Decimal(good.res.findtext("data/paymentAmount", ""))
    assert sum(Decimal(a) for a in bad.texts("data/transferList/transfer/transferAmount")) - declared == 1


@probe("iban-bad-checksum", ACTIVATIONS_OK)
def _(d: Pair, c: Pair) -> None:
    ibans = d.call(V2, nav("postal")).texts("data/transferList/transfer/IBAN")
    assert ibans and not any(is_valid_iban(i) for i in ibans) and all(is_postal(i) for i in ibans)
    assert not any(
        is_valid_iban(i)
        for i in d.call(V1, nav("multi_beneficiary")).texts("data/transferList/transfer/IBAN")
    )


@probe("short-stamp-hash", {"activate-bollo"})
def _(d: Pair, c: Pair) -> None:
    bad = d.call(V2, nav("bollo"))
    digest = bad.res.findtext("data/transferList/transfer/richiestaMarcaDaBollo/hashDocumento", "")
    assert len(base64.b64decode(digest, validate=True)) == 16
    assert_valid(bad)


@probe("duplicate-metadata-key", ACTIVATIONS_OK)
def _(d: Pair, c: Pair) -> None:
    keys = d.call(V1, nav("payable")).texts("data/metadata/mapEntry/key")
    assert len(keys) > len(set(keys))


@probe("ignores-institution")
def _(d: Pair, c: Pair) -> None:
    fields = {"id_pa": OTHER_EC, "fiscal_code": OTHER_EC}
    assert d.call(VERIFY, nav("payable"), **fields).fault_code == "PAA_PAGAMENTO_SCONOSCIUTO"
    assert c.call(VERIFY, nav("payable"), **fields).fault_code == "PAA_ID_DOMINIO_ERRATO"


@probe("ignores-broker")
def _(d: Pair, c: Pair) -> None:
    assert d.call(V2, nav("payable"), broker="11111111111").outcome == "OK"
    assert d.call(V2, nav("payable"), id_pa=OTHER_EC).fault_code == "PAA_ID_DOMINIO_ERRATO"


@probe("ignores-station")
def _(d: Pair, c: Pair) -> None:
    assert d.call(VERIFY, nav("payable"), station="88888888888_99").outcome == "OK"
    assert d.call(VERIFY, nav("payable"), broker="1").fault_code == "PAA_ID_INTERMEDIARIO_ERRATO"


@probe("unknown-is-system-error", {"verify-unknown"})
def _(d: Pair, c: Pair) -> None:
    assert d.call(V1, UNKNOWN_NAV).fault_code == "PAA_SYSTEM_ERROR"
    assert d.send(UNKNOWN_NAV).fault_code == "PAA_PAGAMENTO_SCONOSCIUTO"  # receipts keep their own code


@probe("expired-is-payable", {"verify-expired"})
def _(d: Pair, c: Pair) -> None:
    assert d.call(V2, nav("expired")).outcome == "OK"


@probe("annulled-is-unknown", {"activate-annulled"})
def _(d: Pair, c: Pair) -> None:
    assert d.call(VERIFY, nav("annulled")).fault_code == "PAA_PAGAMENTO_SCONOSCIUTO"


@probe("paid-is-payable", {"receipt-closes"})
def _(d: Pair, c: Pair) -> None:
    assert d.call(VERIFY, nav("paid")).outcome == "OK" and c.call(VERIFY, nav("paid")).outcome == "KO"


@probe("stale-verify-amount", VERIFY_OK)
def _(d: Pair, c: Pair) -> None:
    amount = "paymentList/paymentOptionDescription/amount"
    assert d.call(VERIFY, nav("payable")).texts(amount) == ["119.50"]
    assert d.call(V2, nav("payable")).res.findtext("data/paymentAmount") == "120.50"


@probe("allccp-always-true", VERIFY_OK)
def _(d: Pair, c: Pair) -> None:
    assert d.call(VERIFY, nav("payable")).texts("paymentList/paymentOptionDescription/allCCP") == ["true"]


@probe("unstable-description", VERIFY_OK)
def _(d: Pair, c: Pair) -> None:
    first, second = (d.call(VERIFY, nav("payable")).res.findtext("paymentDescription") for _ in range(2))
    assert first != second and first and first.endswith(")")
    assert c.call(VERIFY, nav("payable")).body == c.call(VERIFY, nav("payable")).body


@probe("unstable-activation", ACTIVATIONS_OK)
def _(d: Pair, c: Pair) -> None:
    path = "data/transferList/transfer/remittanceInformation"
    first, second = (d.call(V2, nav("payable")).texts(path)[0] for _ in range(2))
    assert first != second and len(second) <= 140


@probe("slow-verify")
def _(d: Pair, c: Pair) -> None:
    bad, good = d.call(VERIFY, nav("payable")), c.call(VERIFY, nav("payable"))
    assert bad.elapsed >= 0.2 and bad.body == good.body


@probe("sluggish")
def _(d: Pair, c: Pair) -> None:
    elapsed = [d.call(V2, nav("payable")).elapsed for _ in range(4)]  # any 4 in a row hold one 4th answer
    assert max(elapsed) >= 0.2


@probe("receipt-refused", RECEIPTS_FIRST)
def _(d: Pair, c: Pair) -> None:
    notice = to_pay("payable", 4)
    for version in (1, 2):
        assert_ko(d.send(notice, version=version), "PAA_SYSTEM_ERROR")
        assert d.store(version).receipts(EC, notice) == []
        assert d.clients[version].call(VERIFY, notice).outcome == "OK"
    assert c.send(notice).outcome == "OK"


@probe("duplicate-receipt-refused", {"receipt-repeated"})
def _(d: Pair, c: Pair) -> None:
    notice = to_pay("payable", 4)
    assert d.send(notice, receipt_id="twice").outcome == "OK"
    assert_ko(d.send(notice, receipt_id="twice"), "PAA_SEMANTICA")
    assert_ko(d.send(notice, receipt_id="another"), "PAA_RECEIPT_DUPLICATA")
    assert len(d.store(2).receipts(EC, notice)) == 2


@probe("paid-stays-payable", {"receipt-closes"})
def _(d: Pair, c: Pair) -> None:
    notice = to_pay("payable", 4)
    assert d.send(notice).outcome == c.send(notice).outcome == "OK"
    assert [r.accepted for r in d.store(2).receipts(EC, notice)] == [True]
    assert d.call(VERIFY, notice).outcome == d.call(V2, notice).outcome == "OK"
    assert_ko(c.call(VERIFY, notice), "PAA_PAGAMENTO_DUPLICATO")


@probe("receipt-for-unknown-accepted", {"receipt-unknown"})
def _(d: Pair, c: Pair) -> None:
    for version in (1, 2):
        reply = d.send(UNKNOWN_NAV, version=version)
        assert_valid(reply)
        assert reply.outcome == "OK" and d.store(version).receipts(EC, UNKNOWN_NAV) == []
    assert d.send(to_pay("payable", 4), fiscal_code=OTHER_EC).outcome == "OK"


@probe("invalid-receipt-accepted", {"receipt-invalid"})
def _(d: Pair, c: Pair) -> None:
    assert d.post(SEND_V2, invalid_receipt(UNKNOWN_NAV)).outcome == "OK"
    assert_ko(d.send(UNKNOWN_NAV), "PAA_PAGAMENTO_SCONOSCIUTO")  # a valid receipt is judged as usual
    assert d.post(SEND_V1, invalid_receipt(to_pay("payable", 4), 1)).outcome == "OK"
    assert_ko(d.call(V1, to_pay("payable", 4)), "PAA_PAGAMENTO_DUPLICATO")
    wrong = d.post(SEND_V2, invalid_receipt(to_pay("payable", 5), id_pa=OTHER_EC))
    assert_ko(wrong, "PAA_ID_DOMINIO_ERRATO", id_pa=OTHER_EC)
    assert_ko(c.post(SEND_V2, invalid_receipt(to_pay("payable", 5))), "PAA_SINTASSI_EXTRAXSD")


@probe("standin-refused", {"receipt-standin"})
def _(d: Pair, c: Pair) -> None:
    for version in (1, 2):
        assert_ko(d.send(to_pay("payable", 4), version=version, standin=True), "PAA_SEMANTICA")
        assert d.store(version).receipts(EC, to_pay("payable", 4)) == []
        assert d.send(to_pay("payable", 4), version=version).outcome == "OK"


@probe("receipt-soap-fault", RECEIPTS_HANDLED)
def _(d: Pair, c: Pair) -> None:
    for version in (1, 2):
        bad = d.send(to_pay("payable", 4), version=version)
        assert bad.status == 200 and bad.res.tag == f"{{{wire.SOAP_ENV}}}Fault"
        assert bad.res.findtext("faultcode") == "soapenv:Server"
        assert d.store(version).receipts(EC, to_pay("payable", 4)) == []
    assert d.call(VERIFY, to_pay("payable", 4)).outcome == "OK"


@probe("slow-receipt")
def _(d: Pair, c: Pair) -> None:
    bad, good = d.send(to_pay("payable", 4)), c.send(to_pay("payable", 4))
    assert bad.elapsed >= 0.2 and bad.body == good.body
    assert [r.receipt_id for r in d.store(2).receipts(EC, to_pay("payable", 4))] == ["rcpt-0001"]
    assert d.call(VERIFY, to_pay("payable", 4)).elapsed < 0.2


@probe("demand-without-company", {"demand"})
def _(d: Pair, c: Pair) -> None:
    bad = d.demand()
    assert_valid(bad)
    assert bad.outcome == "OK" and bad.res.find("companyName") is None
    assert c.demand().res.findtext("companyName") == COMPANY_NAME


@probe("demand-bad-check-digit", {"demand"})
def _(d: Pair, c: Pair) -> None:
    created = d.demand().res.findtext("qrCode/noticeNumber", "")
    assert len(created) == 18 and not has_valid_check_digit(created)
    assert d.call(VERIFY, created).outcome == "OK"
    assert has_valid_check_digit(c.demand().res.findtext("qrCode/noticeNumber", ""))


@probe("demand-notice-not-stored", {"demand-described"})
def _(d: Pair, c: Pair) -> None:
    reply = d.demand()
    created = reply.res.findtext("qrCode/noticeNumber", "")
    assert reply.outcome == "OK" and has_valid_check_digit(created)
    assert_ko(d.call(VERIFY, created), "PAA_PAGAMENTO_SCONOSCIUTO")


@probe("demand-accepts-invalid-data", {"demand-invalid"})
def _(d: Pair, c: Pair) -> None:
    for data in ("!!!", service_data("3"), b"<tassaAuto/>"):
        reply = d.demand(data)
        assert_valid(reply)
        assert reply.outcome == "OK"
        assert d.call(VERIFY, reply.res.findtext("qrCode/noticeNumber", "")).outcome == "OK"
    assert_ko(d.demand(service=("00009", "00042")), "PAA_SEMANTICA")


@probe("demand-refused", {"demand", "demand-described"})
def _(d: Pair, c: Pair) -> None:
    assert_ko(d.demand(), "PAA_SYSTEM_ERROR")
    assert_ko(d.demand(service_data("3")), "PAA_SINTASSI_XSD")  # bad data are still refused as such
    assert c.demand().outcome == "OK"


def _crash(reply: Reply) -> bool:
    return (reply.status, reply.content_type.split(";")[0], reply.body) == (
        500,
        "text/plain",
        b"Internal Server Error",
    )


@probe("crashes-on-malformed-xml")
def _(d: Pair, c: Pair) -> None:
    for case in ("not-xml", "truncated"):
        data = UNREADABLE[case](VERIFY)
        assert _crash(d.post(VERIFY, data)) and _crash(d.client(V1).post(data))
        assert_ko(c.post(VERIFY, data), "PAA_SINTASSI_EXTRAXSD")
    body = request_body(VERIFY, nav("payable"))
    for data in (without_request(VERIFY), entity_bomb(body), deeply_nested(body)):  # readable or refused
        assert_ko(d.post(VERIFY, data), "PAA_SINTASSI_EXTRAXSD")


def _extra(body: bytes) -> bytes:
    """`body` with an element paForNode.xsd does not allow at the end of its request element."""
    env = etree.fromstring(body)
    wire.element(env[1][0], "unexpected", "1")
    return etree.tostring(env)


def _without(body: bytes, field: str) -> bytes:
    env = etree.fromstring(body)
    env[1][0].remove(env[1][0].find(field))
    return etree.tostring(env)


@probe("ok-to-invalid-requests", {"receipt-invalid"})
def _(d: Pair, c: Pair) -> None:
    for op in (VERIFY, V2):
        invalid = _extra(request_body(op, nav("payable")))
        assert d.post(op, invalid).outcome == "OK"
        assert_ko(c.post(op, invalid), "PAA_SINTASSI_EXTRAXSD")
        assert_ko(
            d.post(op, _without(request_body(op, nav("payable")), "qrCode")), "PAA_PAGAMENTO_SCONOSCIUTO"
        )
    for field in ("idPA", "idBrokerPA", "idStation", "qrCode"):  # whatever is missing: a KO, never a crash
        reply = d.post(V1, _without(request_body(V1, nav("payable")), field))
        assert reply.status == 200 and reply.outcome == "KO"
    assert d.post(SEND_V2, invalid_receipt(to_pay("payable", 4))).outcome == "OK"
    assert_ko(d.call(VERIFY, to_pay("payable", 4)), "PAA_PAGAMENTO_DUPLICATO")
    assert_ko(d.demand(service=("0001", "00042")), "PAA_SEMANTICA")  # judged by its content
    for data in (b"<a><b></a>", entity_bomb(request_body(VERIFY, nav("payable")))):  # still parsed safely
        assert_ko(d.post(VERIFY, data), "PAA_SINTASSI_EXTRAXSD")


@probe("resolves-external-entities")
def _(d: Pair, c: Pair) -> None:
    body = request_body(VERIFY, nav("payable"))
    with Canary() as canary:
        fetched, spared = canary.url(), canary.url()
        bad, good = (
            d.post(VERIFY, external_entity(body, fetched)),
            c.post(VERIFY, external_entity(body, spared)),
        )
        assert canary.fetched(fetched) and not canary.fetched(spared)
    assert_ko(bad, "PAA_SINTASSI_EXTRAXSD")
    assert bad.body == good.body


@probe("hangs-on-entity-bomb")
def _(d: Pair, c: Pair) -> None:
    body = request_body(VERIFY, nav("payable"))
    bad, good = d.post(VERIFY, entity_bomb(body)), c.post(VERIFY, entity_bomb(body))
    assert bad.elapsed >= 0.2 and good.elapsed < 0.2 and bad.body == good.body
    assert_ko(bad, "PAA_SINTASSI_EXTRAXSD")
    assert d.post(VERIFY, external_entity(body, "http://127.0.0.1:9/x")).elapsed < 0.2  # no internal entity
    assert d.post(VERIFY, deeply_nested(body)).elapsed < 0.2


@probe("crashes-on-oversized")
def _(d: Pair, c: Pair) -> None:
    big = oversized(request_body(VERIFY, nav("payable")), 2 * MIB)
    assert _crash(d.post(VERIFY, big)) and c.post(VERIFY, big).status == 413
    assert d.call(VERIFY, nav("payable")).outcome == "OK"


@probe("hangs-on-deep-nesting")
def _(d: Pair, c: Pair) -> None:
    body = request_body(VERIFY, nav("payable"))
    bad, good = d.post(VERIFY, deeply_nested(body)), c.post(VERIFY, deeply_nested(body))
    assert bad.elapsed >= 0.2 and good.elapsed < 0.2 and bad.body == good.body
    assert_ko(bad, "PAA_SINTASSI_EXTRAXSD")
    shallow = d.post(VERIFY, deeply_nested(body, 200))  # within the bound: an XSD error, answered at once
    assert shallow.elapsed < 0.2 and shallow.fault_code == "PAA_SINTASSI_EXTRAXSD"
    assert d.post(VERIFY, entity_bomb(body)).elapsed < 0.2


@probe("refuses-optional-elements")
def _(d: Pair, c: Pair) -> None:
    for op in (V1, V2):
        body = request_body(op, nav("payable"))
        with_amount = body.replace(b"</qrCode>", b"</qrCode><amount>120.50</amount>", 1)
        assert c.post(op, with_amount).outcome == "OK"
        assert_ko(d.post(op, with_amount), "PAA_SINTASSI_EXTRAXSD")
        assert d.post(op, body).body == c.post(op, body).body


@probe("prefix-sensitive")
def _(d: Pair, c: Pair) -> None:
    for op in (VERIFY, V2):
        body = request_body(op, nav("payable"))
        for spelling in (respelled(body, "ns1"), respelled(body, None)):
            assert_ko(d.post(op, spelling), "PAA_SINTASSI_EXTRAXSD")
            assert c.post(op, spelling).outcome == "OK"
        assert d.post(op, body.replace(b"soapenv", b"s")).body == c.post(op, body).body


def test_every_defect_has_a_probe() -> None:
    assert PROBES.keys() == DEFECTS.keys()


@pytest.fixture(params=sorted(DEFECTS))
def defective(request: pytest.FixtureRequest) -> Iterator[tuple[str, Pair, Pair]]:
    """Stations started with one defect (short delays), fresh conformant ones, and the defect's name."""
    with pair(defects=[request.param], delay=0.2, sluggish_delay=0.2) as d, pair() as c:
        yield request.param, d, c


def test_defect_shows_on_the_wire_and_nowhere_else(defective: tuple[str, Pair, Pair]) -> None:
    name, d, c = defective
    spec = PROBES[name]
    for key, run in BATTERY.items():
        if key in spec.touches:
            continue
        bad, good = run(d), run(c)
        assert (bad.status, bad.content_type, bad.body) == (good.status, good.content_type, good.body), key
    spec.check(d, c)


def test_a_crash_while_answering_is_a_soap_server_fault(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with ReferenceStation() as s:

        def explode(*_: object) -> None:
            raise RuntimeError("boom")

        monkeypatch.setattr(s.model, "respond", explode)
        reply = Client(s.url).call(VERIFY, nav("payable"))
        assert reply.status == 500 and reply.res.findtext("faultcode") == "soapenv:Server"
        assert Client(s.url).post(b"", url=s.url + "x").status == 404  # still serving
    assert capsys.readouterr().err.count("\n") == 1
