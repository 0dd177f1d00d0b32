"""The harness playing the Node: builds each request, sends it, hands the evidence on, judges it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from .checks import Answer
from .config import Identity, TargetConfig
from .messages import get_payment_operation, get_payment_request, verify_request
from .notices import Notice
from .transport import Exchange, SoapClient
from .verdict import Verdict

OTHER_EC = "12345678901"


class Node:
    """What a scenario can ask of the Node, on behalf of one creditor institution."""

    def __init__(self, target: TargetConfig, client: SoapClient, verdict: Verdict,
                 on_exchange: Callable[[Exchange], None]) -> None:
        self.target = target
        self.client = client
        self.verdict = verdict
        self.on_exchange = on_exchange
        self.identity: Identity = target.station.identity
        self.fiscal_code: str | None = None  # qrCode fiscal code override (another institution)

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
        body = get_payment_request(self.identity, self.fiscal_code or notice.fiscal_code, notice.number,
                                   version=self.version)
        return self._send(get_payment_operation(self.version), body)

    def _send(self, operation: str, envelope: bytes) -> Answer:
        exchange = self.client.call(operation, envelope)
        self.on_exchange(exchange)  # evidence first, judgement after
        return self.verdict.observe(exchange)
