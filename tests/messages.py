"""Shared helpers for the check tests: reference answers, exchanges, and small lxml mutations."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from copy import deepcopy
from datetime import date, datetime
from functools import cache

from lxml import etree

from pagoconf.engine.checks import Judgement
from pagoconf.engine.exchange import Exchange
from pagoconf.engine.violation import Violation
from pagoconf.sync import soap as wire
from pagoconf.sync.answer import Answer
from pagoconf.sync.checks import judge
from pagoconf.sync.config import Identity
from pagoconf.sync.reference import IDENTITY, StationModel, seed_notices
from pagoconf.sync.requests.primitives import demand_request, get_payment_request, verify_request
from pagoconf.sync.requests.receipts import ROME, Payment, made_up_payment_data, receipt_request
from pagoconf.sync.schema import pa_for_node_schema

SANPS = ("3.8.0", "3.13.0")
TODAY = date(2025, 6, 2)  # fixed, so due dates (and every pinned string) do not depend on the clock
NOTICES = seed_notices(TODAY)
EC = IDENTITY.id_pa
ID = Identity(IDENTITY.id_pa, IDENTITY.id_broker_pa, IDENTITY.id_station)
UNKNOWN_NAV = "301999999999999999"
VERIFY, V1, V2 = "paVerifyPaymentNotice", "paGetPayment", "paGetPaymentV2"
OPERATIONS = (VERIFY, V1, V2)
RT, RT2, DEMAND = "paSendRT", "paSendRTV2", "paDemandPaymentNotice"
RECEIPTS = (RT, RT2)
RECEIPT_KINDS = ("payable", "unknown")  # a receipt for a notice the station issued, and for one it never did
PAID_AT = datetime(2025, 6, 2, 10, 30, tzinfo=ROME)
SERVICE = ("00001", "00042")  # the reference station's vehicle tax (idServizio, idSoggettoServizio)
TASSA_AUTO = "http://PuntoAccessoPSP.spcoop.gov.it/TassaAuto"
POSTE_IBAN = "IT60X0542811101000000123456"


def vehicle_tax(kind: str = "1", plate: str = "AB123CD") -> bytes:
    """TassaAutomobilistica_1_1_0 service data for one vehicle (tipoVeicoloTarga 3 breaks the XSD)."""
    return (
        f'<tassaAuto xmlns="{TASSA_AUTO}"><veicoloConTarga><tipoVeicoloTarga>{kind}</tipoVeicoloTarga>'
        f"<veicoloTarga>{plate}</veicoloTarga></veicoloConTarga></tassaAuto>"
    ).encode()


SERVICE_DATA = {"vehicle_tax": vehicle_tax(), "invalid_service_data": vehicle_tax("3")}
DEMAND_KINDS = tuple(SERVICE_DATA)
XML_HEADERS = {"Content-Type": "text/xml; charset=utf-8"}


def nav(kind: str, index: int = 0) -> str:
    """The notice number of one seeded notice ('unknown': one the institution never issued)."""
    return UNKNOWN_NAV if kind == "unknown" else NOTICES[kind][index].nav


def request(op: str, notice: str) -> bytes:
    """The request the Node sends for `op` about `notice`."""
    if op == VERIFY:
        return verify_request(ID, EC, notice)
    return get_payment_request(ID, EC, notice, version=1 if op == V1 else 2)


def payment_data(kind: str, version: int, sanp: str = "3.8.0") -> etree._Element:
    """The payment data a receipt copies: the station's own activation, or made up for an unknown notice."""
    if kind == "unknown":
        return made_up_payment_data(UNKNOWN_NAV, EC, POSTE_IBAN)
    op = V1 if version == 1 else V2
    reply = station(sanp).answer(request(op, nav(kind)), op)
    data = wire.body_children(etree.fromstring(reply.body))[0].find("data")
    assert data is not None, reply
    return data


def receipt_for(op: str, kind: str, sanp: str = "3.8.0", receipt_id: str = "") -> bytes:
    """The paSendRT/paSendRTV2 request for a payment of the first notice of `kind` (fixed id and time)."""
    version = 1 if op == RT else 2
    payment = Payment(nav(kind), EC, receipt_id or f"receipt-{kind}-{version}", PAID_AT)
    return receipt_request(payment_data(kind, version, sanp), payment, ID, version=version, sanp=sanp)


def sent(op: str, kind: str, sanp: str = "3.8.0") -> bytes:
    """The request the Node sends for `op`: about the first notice of `kind`, or with its service data."""
    if op == DEMAND:
        return demand_request(ID, *SERVICE, SERVICE_DATA[kind])
    if op in RECEIPTS:
        return receipt_for(op, kind, sanp)
    return request(op, nav(kind))


@cache
def station(sanp: str) -> StationModel:
    """The conformant reference station of one SANP version (its notices dated from TODAY).

    Shared: ask it only what leaves its state alone (descriptions and activations).
    """
    return StationModel(sanp=sanp, today=TODAY)


@contextmanager
def fresh_station(sanp: str = "3.8.0") -> Iterator[StationModel]:
    """A reference station of its own (in-memory state), for requests that change state."""
    app = StationModel(sanp=sanp, today=TODAY)
    try:
        yield app
    finally:
        app.close()


def ask(app: StationModel, op: str, body: bytes) -> bytes:
    """The answer body of `app` to one request of `op`."""
    reply = app.answer(body, op)
    assert reply.status == 200 and reply.operation == op, reply
    return reply.body


@cache
def reference(op: str, kind: str, sanp: str = "3.8.0") -> bytes:
    """The reference station's answer body to `sent(op, kind, sanp)`.

    Receipts and demands change the station's state, so each is the first request to a fresh station.
    """
    if op == DEMAND or op in RECEIPTS:
        with fresh_station(sanp) as app:
            return ask(app, op, sent(op, kind, sanp))
    return ask(station(sanp), op, sent(op, kind, sanp))


def exchange(
    op: str,
    response: bytes,
    *,
    request_for: str | None = "payable",
    status: int = 200,
    headers: dict[str, str] | None = None,
    sanp: str = "3.8.0",
    request_body: bytes | None = None,
    **kw: object,
) -> Exchange:
    """An Exchange of `op` carrying `response`.

    The request is `request_body`, else `sent(op, request_for, sanp)` (nothing when `request_for` is None).
    """
    if request_body is None:
        request_body = sent(op, request_for, sanp) if request_for is not None else b""
    return Exchange(
        op,
        "http://station.test/paForNode",
        request_body,
        {"SOAPAction": op},
        status=status,
        headers=XML_HEADERS if headers is None else headers,
        response=response,
        **kw,
    )  # type: ignore[arg-type]


def answer(ex: Exchange, sanp: str = "3.8.0") -> Answer:
    """The parsed Answer of an exchange under one SANP version's schema."""
    return Answer.of(ex, pa_for_node_schema(sanp))


def judged(ex: Exchange, sanp: str = "3.8.0", **kw: object) -> list[Judgement]:
    """Every applicable check's judgement of one exchange."""
    return judge(answer(ex, sanp), **kw)  # type: ignore[arg-type]


def ran(ex: Exchange, sanp: str = "3.8.0", **kw: object) -> list[str]:
    """The rule ids of the checks that judged this exchange."""
    return [j.rule_id for j in judged(ex, sanp, **kw)]


def violations(ex: Exchange, sanp: str = "3.8.0") -> list[Violation]:
    """Every violation `judge` reports on one exchange."""
    return [v for j in judged(ex, sanp) for v in j.violations]


# --- mutations of a SOAP answer: paths are ElementPath expressions below the Body's first element ----


def edit(xml: bytes, change: Callable[[etree._Element], object]) -> bytes:
    """Apply `change` to the Body's first element of an envelope and serialize the result."""
    env = etree.fromstring(xml)  # our own bytes (a reference answer), never the station's
    children = wire.body_children(env)
    assert children, xml
    change(children[0])
    return etree.tostring(env, xml_declaration=True, encoding="UTF-8")


def _at(res: etree._Element, path: str) -> etree._Element:
    el = res if path == "." else res.find(path)
    assert el is not None, f"nothing at {path!r} below {res.tag}"
    return el


def with_text(xml: bytes, path: str, value: str) -> bytes:
    """The element at `path` holds `value` instead."""

    def change(res: etree._Element) -> None:
        _at(res, path).text = value

    return edit(xml, change)


def without(xml: bytes, path: str) -> bytes:
    """The element at `path` is dropped."""

    def change(res: etree._Element) -> None:
        el = _at(res, path)
        el.getparent().remove(el)

    return edit(xml, change)


def with_copy(xml: bytes, path: str) -> bytes:
    """The element at `path` appears twice, the copy right after it."""

    def change(res: etree._Element) -> None:
        el = _at(res, path)
        el.addnext(deepcopy(el))

    return edit(xml, change)


def with_fault(
    xml: bytes, code: str = "PAA_SYSTEM_ERROR", string: str = "Errore generico", id_: str = EC
) -> bytes:
    """A complete fault bean right after outcome (where ctResponse puts it)."""

    def change(res: etree._Element) -> None:
        fault = etree.Element("fault")
        for name, text in (("faultCode", code), ("faultString", string), ("id", id_)):
            wire.element(fault, name, text)
        _at(res, "outcome").addnext(fault)

    return edit(xml, change)


def unqualified(xml: bytes) -> bytes:
    """The response element loses its namespace (same local name)."""

    def change(res: etree._Element) -> None:
        res.tag = etree.QName(res).localname

    return edit(xml, change)


def with_sibling(xml: bytes) -> bytes:
    """The Body holds a second copy of its element."""
    return edit(xml, lambda res: res.addnext(etree.fromstring(etree.tostring(res))))


def emptied_body(xml: bytes) -> bytes:
    """The Body holds no element at all."""
    return edit(xml, lambda res: res.getparent().remove(res))


def soap_fault(code: str = "soapenv:Server", string: str = "internal error") -> bytes:
    """A SOAP 1.1 envelope whose Body is a Fault."""
    fault = etree.Element(etree.QName(wire.SOAP_ENV, "Fault"), nsmap={"soapenv": wire.SOAP_ENV})
    wire.element(fault, "faultcode", code)
    wire.element(fault, "faultstring", string)
    return wire.envelope(fault)


def soap12(xml: bytes) -> bytes:
    """The same Body, in a SOAP 1.2 envelope."""
    text = xml.decode("utf-8").replace(wire.SOAP_ENV, wire.SOAP12_ENV)
    return text.encode("utf-8")
