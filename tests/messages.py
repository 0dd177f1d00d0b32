"""Shared helpers for the check tests: reference answers, exchanges, and small lxml mutations."""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from datetime import date
from functools import cache

from lxml import etree

from pagoconf import wire
from pagoconf.checks import Answer, Judgement, Violation, judge
from pagoconf.config import Identity
from pagoconf.contracts import pa_for_node_schema
from pagoconf.messages import get_payment_request, verify_request
from pagoconf.reference import IDENTITY, ReferenceApp, seed_notices
from pagoconf.transport import Exchange

SANPS = ("3.8.0", "3.13.0")
TODAY = date(2025, 6, 2)  # fixed, so due dates (and every pinned string) do not depend on the clock
NOTICES = seed_notices(TODAY)
EC = IDENTITY.id_pa
ID = Identity(IDENTITY.id_pa, IDENTITY.id_broker_pa, IDENTITY.id_station)
UNKNOWN_NAV = "301999999999999999"
VERIFY, V1, V2 = "paVerifyPaymentNotice", "paGetPayment", "paGetPaymentV2"
OPERATIONS = (VERIFY, V1, V2)
XML_HEADERS = {"Content-Type": "text/xml; charset=utf-8"}


def nav(kind: str, index: int = 0) -> str:
    """The notice number of one seeded notice ('unknown': one the institution never issued)."""
    return UNKNOWN_NAV if kind == "unknown" else NOTICES[kind][index].nav


def request(op: str, notice: str) -> bytes:
    """The request the Node sends for `op` about `notice`."""
    if op == VERIFY:
        return verify_request(ID, EC, notice)
    return get_payment_request(ID, EC, notice, version=1 if op == V1 else 2)


@cache
def station(sanp: str) -> ReferenceApp:
    """The conformant reference station of one SANP version (its notices dated from TODAY)."""
    return ReferenceApp(sanp=sanp, today=TODAY)


def reference(op: str, kind: str, sanp: str = "3.8.0") -> bytes:
    """The reference station's answer body to `op` about the first notice of `kind`."""
    reply = station(sanp).answer(request(op, nav(kind)), op)
    assert reply.status == 200 and reply.operation == op, reply
    return reply.body


def exchange(
    op: str,
    response: bytes,
    *,
    request_for: str | None = "payable",
    status: int = 200,
    headers: dict[str, str] | None = None,
    **kw: object,
) -> Exchange:
    """An Exchange of `op` carrying `response` (the request names the first notice of `request_for`)."""
    sent = request(op, nav(request_for)) if request_for is not None else b""
    return Exchange(
        op,
        "http://station.test/paForNode",
        sent,
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
