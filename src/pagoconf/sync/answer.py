"""A station's answer, parsed once, read-only: what every paForNode check judges."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from pagoconf.engine.exchange import Exchange
from pagoconf.engine.violation import Violation
from pagoconf.sync import xmlsafe
from pagoconf.sync.soap import SOAP_ENV, Operation, body_children, local, operation


@dataclass(frozen=True, slots=True)
class Answer:
    """What a station said to one request, parsed once: envelope, response element, request."""

    exchange: Exchange
    op: Operation
    schema: Any  # pagoconf.contracts.PaForNodeSchema (lxml + xmlschema of paForNode.xsd)
    request: etree._Element | None
    envelope: etree._Element | None
    body: list[etree._Element] | None  # element children of the SOAP Body (None: no SOAP 1.1 envelope)
    parse_error: str | None
    response: (
        etree._Element | None
    )  # the expected paForNode response element, when it is the Body's only child

    @classmethod
    def of(cls, exchange: Exchange, schema: Any) -> Answer:
        """Parse an exchange safely; never raises for what the station sent."""
        op = operation(exchange.operation)
        request = _request_element(exchange.request)
        envelope = body = None
        parse_error = None
        if exchange.timed_out or exchange.unreachable:
            pass
        elif not exchange.response.strip():
            parse_error = "an empty HTTP body"
        else:
            try:
                envelope = xmlsafe.parse(exchange.response)
                body = body_children(envelope)
            except xmlsafe.UnsafeXml as exc:
                parse_error = str(exc)
        response = None
        if body and len(body) == 1 and body[0].tag == f"{{{schema.namespace}}}{op.response}":
            response = body[0]
        return cls(exchange, op, schema, request, envelope, body, parse_error, response)

    @property
    def operation(self) -> str:
        """The operation this answers."""
        return self.op.name

    @property
    def schema_namespace(self) -> str:
        """The paForNode message namespace."""
        return str(self.schema.namespace)

    @property
    def soap_fault(self) -> etree._Element | None:
        """A SOAP 1.1 Fault in the Body, if the station sent one."""
        for child in self.body or ():
            if child.tag == f"{{{SOAP_ENV}}}Fault":
                return child
        return None

    def text(self, path: str) -> str | None:
        """Text of the first element at `path` below the response element (None when absent)."""
        el = self.response
        if el is None:
            return None
        found = el.find(path)
        return None if found is None else (found.text or "")

    @property
    def outcome(self) -> str | None:
        return self.text("outcome")

    @property
    def fault(self) -> etree._Element | None:
        el = self.response
        return None if el is None else el.find("fault")

    @property
    def fault_code(self) -> str | None:
        return self.text("fault/faultCode")

    def request_text(self, path: str) -> str | None:
        """Text of the first element at `path` below the request element."""
        if self.request is None:
            return None
        found = self.request.find(path)
        return None if found is None else (found.text or "")


NOTICE = re.compile(rb"<noticeNumber>\s*([0-9]{1,20})\s*</noticeNumber>")


def subject(exchange: Exchange) -> str:
    """What a paForNode exchange is about: 'notice 301100000000000148' (the request's notice number)."""
    m = NOTICE.search(exchange.request[:65536])
    return f"notice {m.group(1).decode()}" if m else ""


def _request_element(data: bytes) -> etree._Element | None:
    try:
        children = body_children(xmlsafe.parse(data))
    except xmlsafe.UnsafeXml:
        return None
    return children[0] if children else None


def where(el: etree._Element) -> str:
    """A readable XPath from the response element down to `el`, prefixes dropped, [n] where ambiguous."""
    parts = []
    node: etree._Element | None = el
    while node is not None and etree.QName(node).namespace != SOAP_ENV:
        name = local(node)
        parent = node.getparent()
        same = (
            [s for s in parent if isinstance(s.tag, str) and local(s) == name] if parent is not None else []
        )
        parts.append(f"{name}[{same.index(node) + 1}]" if len(same) > 1 else name)
        node = parent
    return "/" + "/".join(reversed(parts))


def required_on_ok(answer: Answer, names: tuple[str, ...]) -> Iterator[Violation]:
    """Children the Node requires on outcome OK (even where the XSD makes them optional): present, and
    leaves not blank."""
    for name in names:
        el = answer.response.find(name)  # type: ignore[union-attr]
        if el is None:
            yield Violation(
                expected=f"{name} present on outcome OK",
                actual="missing",
                where=f"/{answer.op.response}/{name}",
            )
        elif len(el) == 0 and not (el.text or "").strip():
            yield Violation(expected=f"{name} filled in", actual="blank", where=where(el))


def decimal(text: str | None) -> Decimal | None:
    """A Decimal from XML text, or None when it is not a number (the schema check reports that)."""
    if text is None:
        return None
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        return None
