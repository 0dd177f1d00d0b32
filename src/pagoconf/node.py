"""The harness playing the Node: builds each request, sends it, hands the evidence on, judges it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from . import receipts
from .checks import Answer
from .config import Identity, TargetConfig
from .messages import (
    demand_request,
    get_payment_operation,
    get_payment_request,
    receipt_operation,
    verify_request,
)
from .notices import MissingData, Notice
from .transport import Exchange, SoapClient
from .verdict import Verdict

OTHER_EC = "12345678901"


class Node:
    """What a scenario can ask of the Node, on behalf of one creditor institution."""

    def __init__(
        self,
        target: TargetConfig,
        client: SoapClient,
        verdict: Verdict,
        on_exchange: Callable[[Exchange], None],
    ) -> None:
        self.target = target
        self.client = client
        self.verdict = verdict
        self.on_exchange = on_exchange
        self.identity: Identity = target.station.identity
        self.fiscal_code: str | None = None  # qrCode fiscal code override (another institution)
        self.last_receipt: bytes | None = None

    @property
    def version(self) -> int:
        return self.target.station.primitive_version

    def speak_for_another_institution(self) -> None:
        """Address requests to an institution the station does not serve."""
        other = OTHER_EC if self.identity.id_pa != OTHER_EC else "10987654321"
        self.identity = replace(self.identity, id_pa=other)
        self.fiscal_code = other

    def come_through_another_intermediary(self) -> None:
        """Present another intermediary's id."""
        self.identity = replace(self.identity, id_broker_pa=self.identity.id_broker_pa + "X")

    def call_another_station(self) -> None:
        """Present another station's id."""
        self.identity = replace(self.identity, id_station=self.identity.id_station + "X")

    def describe(self, notice: Notice) -> Answer:
        """paVerifyPaymentNotice for this notice."""
        body = verify_request(self.identity, self.fiscal_code or notice.fiscal_code, notice.number)
        return self._send("paVerifyPaymentNotice", body)

    def activate(self, notice: Notice) -> Answer:
        """paGetPayment or paGetPaymentV2 (the station's primitive version) for this notice."""
        body = get_payment_request(
            self.identity, self.fiscal_code or notice.fiscal_code, notice.number, version=self.version
        )
        return self._send(get_payment_operation(self.version), body)

    def send_receipt(
        self, notice: Notice, activation: Answer, *, standin: bool = False, invalid: bool = False
    ) -> Answer:
        """paSendRT(V2) with the receipt of paying `notice` as `activation` described it."""
        data = activation.response.find("data") if activation.response is not None else None
        if data is None:
            raise self.verdict.cannot_judge(
                f"no payment data to build a receipt from ({activation.exchange.summary()})"
            )
        payment = receipts.new_payment(
            notice.number,
            self.fiscal_code or notice.fiscal_code,
            standin=standin,
            company_name=f"Ente creditore {notice.fiscal_code}",
        )
        body = receipts.receipt_request(
            data, payment, self.identity, version=self.version, sanp=self.target.sanp
        )
        return self._send_receipt(receipts.with_invalid_outcome(body) if invalid else body)

    def send_made_up_receipt(self, notice: Notice, iban: str) -> Answer:
        """A receipt for a notice the station never issued."""
        data = receipts.made_up_payment_data(notice.number, notice.fiscal_code, iban)
        payment = receipts.new_payment(notice.number, notice.fiscal_code)
        body = receipts.receipt_request(
            data, payment, self.identity, version=self.version, sanp=self.target.sanp
        )
        return self._send_receipt(body)

    def send_the_same_receipt_again(self) -> Answer:
        """Repeat the last receipt byte for byte, as the Node does after a lost answer."""
        if self.last_receipt is None:
            raise self.verdict.cannot_judge("the receipt: none was sent before")
        return self._send_receipt(self.last_receipt)

    def demand(self, service_data: bytes) -> Answer:
        """paDemandPaymentNotice for the configured catalogue service."""
        service = self.target.spontaneous
        if service is None:
            raise MissingData(f"no [spontaneous] service in {self.target.source}")
        body = demand_request(self.identity, service.id_servizio, service.id_soggetto_servizio, service_data)
        return self._send("paDemandPaymentNotice", body)

    def quietly(self, operation: str, envelope: bytes, *, headers: dict[str, str] | None = None) -> Answer:
        """One exchange judged by nobody: a property tries many, and records only the one it keeps."""
        exchange = self.client.call(operation, envelope, headers=headers)
        if exchange.unreachable:
            self.verdict.observe(exchange)  # records the scenario's rules as broken and raises Inconclusive
        return Answer.of(exchange, self.verdict.schema)

    def probe(self, operation: str, envelope: bytes, *, headers: dict[str, str] | None = None) -> Answer:
        """One recorded exchange judged by the scenario's own rule, not by the always-on ones."""
        return self._send(operation, envelope, headers=headers, always=False)

    def _send_receipt(self, body: bytes) -> Answer:
        self.last_receipt = body
        return self._send(receipt_operation(self.version), body)

    def _send(
        self, operation: str, envelope: bytes, *, headers: dict[str, str] | None = None, always: bool = True
    ) -> Answer:
        exchange = self.client.call(operation, envelope, headers=headers)
        self.on_exchange(exchange)  # evidence first, judgement after
        return self.verdict.observe(exchange, always=always)
