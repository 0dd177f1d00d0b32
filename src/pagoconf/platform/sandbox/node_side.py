"""The Node outside any test scenario: what the sandbox sends a creditor institution's station when Checkout
pays one of its notices (paVerifyPaymentNotice, paGetPayment/V2, paSendRT/V2), built with the sync suite's
request builders and sent with its SoapClient. Each exchange goes to `record` before anything reads it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

from pagoconf.engine.config import Table
from pagoconf.engine.exchange import Exchange
from pagoconf.sync.answer import Answer
from pagoconf.sync.client import SoapClient
from pagoconf.sync.config import Identity, check_url
from pagoconf.sync.requests.primitives import (
    get_payment_operation,
    get_payment_request,
    receipt_operation,
    verify_request,
)
from pagoconf.sync.requests.receipts import new_payment, receipt_request
from pagoconf.sync.schema import pa_for_node_schema
from pagoconf.sync.soap import body_children
from pagoconf.sync.xmlsafe import parse

CONFIG_TABLE = "station"
PAYMENT_NOTE_MAX = 210
IDENTITY_KEYS = ("id_pa", "id_broker_pa", "id_station")


@dataclass(frozen=True, slots=True)
class StationLink:
    """The station the sandbox pays notices through: where it is, who it is, which primitives it speaks."""

    url: str
    identity: Identity
    primitive_version: int = 2


def station_link(sandbox: Table) -> StationLink | None:
    """The `[sandbox.station]` table (url, id_pa, id_broker_pa, id_station, primitive_version: the keys of
    `[station]`), or None when there is none."""
    if not sandbox.has(CONFIG_TABLE):
        return None
    table = sandbox.table(CONFIG_TABLE)
    url = check_url(str(table.text("url", required=True)), f"{table.source}: {table.where} url")
    identity = Identity(*(str(table.text(k, required=True)).strip() for k in IDENTITY_KEYS))
    version = table.get("primitive_version", int, 2)
    if version not in (1, 2):
        raise table.error("primitive_version", f"must be 1 or 2, not {version!r}")
    table.done()
    return StationLink(url, identity, version)


@dataclass(frozen=True, slots=True)
class Step:
    """One exchange with the station and what the Node makes of it: None, or why the payment stops."""

    answer: Answer
    refusal: str | None

    @property
    def response(self) -> etree._Element:
        """The paForNode response element (only when there is no refusal)."""
        assert self.answer.response is not None
        return self.answer.response


class NodeSide:
    """Describes, activates and pays one station's notices as the Node does; never raises for the station."""

    def __init__(self, link: StationLink, *, sanp: str, record: Callable[[Exchange], None]) -> None:
        self.link = link
        self.sanp = sanp
        self.record = record
        self.schema = pa_for_node_schema(sanp)
        self.client = SoapClient(link.url)

    def close(self) -> None:
        """Release the connections to the station."""
        self.client.close()

    def describe(self, fiscal_code: str, notice_number: str) -> Step:
        """paVerifyPaymentNotice."""
        envelope = verify_request(self.link.identity, fiscal_code, notice_number)
        return self._send("paVerifyPaymentNotice", envelope)

    def activate(self, fiscal_code: str, notice_number: str, amount: Decimal, note: str | None) -> Step:
        """paGetPayment or paGetPaymentV2 (the station's primitive version) for `amount` euros; `note` (the
        cart's idCart) travels as paymentNote."""
        version = self.link.primitive_version
        envelope = get_payment_request(
            self.link.identity, fiscal_code, notice_number, version=version, amount=amount
        )
        if note:
            envelope = with_payment_note(envelope, note[:PAYMENT_NOTE_MAX])
        return self._send(get_payment_operation(version), envelope)

    def send_receipt(
        self, fiscal_code: str, notice_number: str, data: etree._Element, company_name: str
    ) -> Step:
        """paSendRT or paSendRTV2 with the receipt of paying what the activation's `data` described."""
        version = self.link.primitive_version
        payment = new_payment(notice_number, fiscal_code, company_name=company_name)
        envelope = receipt_request(data, payment, self.link.identity, version=version, sanp=self.sanp)
        return self._send(receipt_operation(version), envelope)

    def _send(self, operation: str, envelope: bytes) -> Step:
        exchange = self.client.call(operation, envelope)
        self.record(exchange)
        answer = Answer.of(exchange, self.schema)
        return Step(answer, self._refusal(answer))

    def _refusal(self, answer: Answer) -> str | None:
        """Why the Node cannot go on with this answer (unreachable, late, not paForNode, KO), or None."""
        exchange = answer.exchange
        if exchange.error:
            return f"the station did not answer {answer.operation}: {exchange.error}"
        if exchange.status != 200:
            return f"the station answered {answer.operation} with HTTP {exchange.status}"
        if answer.response is None:
            why = answer.parse_error or f"no {answer.op.response} alone in the SOAP Body"
            return f"the station's {answer.operation} answer is not a paForNode answer: {why}"
        errors = self.schema.errors(answer.response)
        if errors:
            return f"the station's {answer.operation} answer breaks paForNode.xsd: {errors[0][0]}"
        if answer.outcome != "OK":
            detail = answer.text("fault/description") or answer.text("fault/faultString") or ""
            return f"the station answered {answer.operation} KO {answer.fault_code or ''}: {detail}".rstrip(
                ": "
            )
        return None


def with_payment_note(envelope: bytes, note: str) -> bytes:
    """A paGetPayment(V2) request with `paymentNote`, in its XSD place (after amount, before transferType)."""
    root = parse(envelope)
    children = body_children(root)
    assert children, "an envelope built by get_payment_request"
    request = children[0]
    after = request.find("amount")
    if after is None:
        after = request.find("qrCode")
    assert after is not None
    note_element = etree.Element("paymentNote")
    note_element.text = note
    after.addnext(note_element)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
