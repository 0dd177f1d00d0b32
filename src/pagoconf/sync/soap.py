"""The paForNode wire format: namespaces, operations, envelopes. No I/O, no judgement."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from pagoconf.engine.rules import operations as catalogue_operations

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
PAFN = "http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd"
NSMAP = {"soapenv": SOAP_ENV, "pafn": PAFN}
CONTENT_TYPE = "text/xml; charset=utf-8"


@dataclass(frozen=True, slots=True)
class Operation:
    """One paForNode operation: its SOAPAction, request and response elements, deadline class."""

    name: str
    request: str
    response: str
    timeout: str  # the Node's deadline class: "sync" (7 s) or "receipt" (15 s)


def _operations() -> dict[str, Operation]:
    """The paForNode operations of the catalogue (rules.toml), in catalogue order."""
    return {
        op.name: Operation(op.name, op.data["request"], op.data["response"], op.data["deadline"])
        for op in catalogue_operations().values()
        if op.contract == "paForNode"
    }


OPERATIONS: dict[str, Operation] = _operations()
BY_REQUEST_ELEMENT = {op.request: op for op in OPERATIONS.values()}
BY_RESPONSE_ELEMENT = {op.response: op for op in OPERATIONS.values()}


def operation(name: str) -> Operation:
    """The operation named `name`, or a ValueError listing the known ones."""
    try:
        return OPERATIONS[name]
    except KeyError:
        raise ValueError(f"unknown operation {name!r}; known: {', '.join(OPERATIONS)}") from None


def element(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    """Append an unqualified child (paForNode children carry no namespace)."""
    child = etree.SubElement(parent, name)
    if text is not None:
        child.text = text
    return child


def wrapper(name: str) -> etree._Element:
    """A paForNode wrapper element (the only qualified one), prefixed `pafn`."""
    return etree.Element(etree.QName(PAFN, name), nsmap={"pafn": PAFN})


def envelope(body: etree._Element) -> bytes:
    """Wrap a paForNode element in a SOAP 1.1 envelope with an empty Header."""
    env = etree.Element(etree.QName(SOAP_ENV, "Envelope"), nsmap=NSMAP)
    etree.SubElement(env, etree.QName(SOAP_ENV, "Header"))
    etree.SubElement(env, etree.QName(SOAP_ENV, "Body")).append(body)
    return etree.tostring(env, xml_declaration=True, encoding="UTF-8")


def body_children(env: etree._Element) -> list[etree._Element] | None:
    """The element children of a SOAP 1.1 Body, or None when `env` is not such an envelope."""
    if env.tag != f"{{{SOAP_ENV}}}Envelope":
        return None
    bodies = [c for c in env if c.tag == f"{{{SOAP_ENV}}}Body"]
    if len(bodies) != 1:
        return None
    return [c for c in bodies[0] if isinstance(c.tag, str)]


def local(el: etree._Element) -> str:
    """The local name of an element."""
    return etree.QName(el).localname
