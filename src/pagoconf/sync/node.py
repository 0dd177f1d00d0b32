"""The harness playing the Node: builds each request, sends it, keeps the evidence, has it judged."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from pagoconf.engine.properties import StopExploring
from pagoconf.engine.suite import MissingData
from pagoconf.engine.verdict import ScenarioVerdict
from pagoconf.sync.answer import Answer
from pagoconf.sync.client import SoapClient
from pagoconf.sync.config import Identity, TargetConfig
from pagoconf.sync.notices import Notice
from pagoconf.sync.requests import receipts
from pagoconf.sync.requests.primitives import (
    demand_request,
    get_payment_operation,
    get_payment_request,
    receipt_operation,
    verify_request,
)

OTHER_EC = "12345678901"
LATE_LIMIT = 2  # after this many missed deadlines of one operation, the run stops asking it
KEPT_QUIET = 5  # generated exchanges kept as evidence per scenario when they break an always-on rule


@dataclass
class NodeState:
    """What the Node remembers across the scenarios of a run."""

    late: Counter[str] = field(default_factory=Counter)  # missed deadlines by operation
    receipts_sent: set[str] = field(default_factory=set)  # notices this run sent a receipt for


class Node:
    """What a scenario can ask of the Node, on behalf of one creditor institution."""

    def __init__(
        self,
        target: TargetConfig,
        client: SoapClient,
        verdict: ScenarioVerdict,
        schema: Any,
        state: NodeState,
    ) -> None:
        self.target = target
        self.client = client
        self.verdict = verdict
        self.run = verdict.run
        self.schema = schema
        self.state = state
        self.identity: Identity = target.station.identity
        self.fiscal_code: str | None = None  # qrCode fiscal code override (another institution)
        self.last_receipt: bytes | None = None
        self._kept_quiet = 0

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
        return self._about(notice, self._send("paVerifyPaymentNotice", body))

    def activate(self, notice: Notice) -> Answer:
        """paGetPayment or paGetPaymentV2 (the station's primitive version) for this notice."""
        body = get_payment_request(
            self.identity, self.fiscal_code or notice.fiscal_code, notice.number, version=self.version
        )
        return self._about(notice, self._send(get_payment_operation(self.version), body))

    def send_receipt(
        self, notice: Notice, activation: Answer, *, standin: bool = False, invalid: bool = False
    ) -> Answer:
        """paSendRT(V2) with the receipt of paying `notice` as `activation` described it."""
        data = activation.response.find("data") if activation.response is not None else None
        if data is None:
            raise self.verdict.stop(
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
        self.state.receipts_sent.add(notice.number)
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
            raise self.verdict.stop("no receipt was sent before, so none can be sent again")
        return self._send_receipt(self.last_receipt)

    def demand(self, service_data: bytes) -> Answer:
        """paDemandPaymentNotice for the configured catalogue service."""
        service = self.target.spontaneous
        if service is None:
            raise MissingData(f"no [spontaneous] service in {self.target.source}")
        body = demand_request(self.identity, service.id_servizio, service.id_soggetto_servizio, service_data)
        return self._send("paDemandPaymentNotice", body)

    def quietly(
        self, operation: str, envelope: bytes, *, headers: dict[str, str] | None = None, contract: bool = True
    ) -> Answer:
        """One of many generated exchanges: kept as evidence only when it breaks an always-on rule (at most
        a few per scenario), judged by the always-on rules unless `contract=False` (a broken request, whose
        answer its property judges alone). A missed deadline stops the exploration: once is enough."""
        self._refuse_if_late(operation)
        exchange = self.client.call(operation, envelope, headers=headers)
        if exchange.unreachable or exchange.timed_out:
            answer = self._observe(self.run.record(exchange, self.verdict.scenario), always=True)
            self.state.late[operation] += 1
            raise StopExploring(None, (), f"{exchange.label} missed the Node's deadline (TIME-001)")
        answer = Answer.of(exchange, self.schema)
        if not contract:
            return answer
        judgements = self.verdict.judge(answer)
        if any(j.violations for j in judgements) and self._kept_quiet < KEPT_QUIET:
            self._kept_quiet += 1
            return self._observe(self.run.record(exchange, self.verdict.scenario), always=True)
        for j in judgements:
            self.run.ledger.judged(j.rule_id, self.verdict.scenario, (), j.violations)
        return answer

    def keep(self, answer: Answer) -> Answer:
        """Keep a generated exchange as evidence (the one a property reports), without judging it again."""
        return Answer.of(self.run.record(answer.exchange, self.verdict.scenario), self.schema)

    def probe(self, operation: str, envelope: bytes, *, headers: dict[str, str] | None = None) -> Answer:
        """One recorded exchange judged by the scenario's own rule, not by the always-on ones."""
        return self._send(operation, envelope, headers=headers, always=False)

    def _send_receipt(self, body: bytes) -> Answer:
        self.last_receipt = body
        return self._send(receipt_operation(self.version), body)

    def _send(
        self, operation: str, envelope: bytes, *, headers: dict[str, str] | None = None, always: bool = True
    ) -> Answer:
        if always:
            self._refuse_if_late(operation)
        exchange = self.run.record(
            self.client.call(operation, envelope, headers=headers), self.verdict.scenario
        )
        answer = self._observe(exchange, always=always)
        if always and exchange.timed_out:
            self.state.late[operation] += 1
            raise self.verdict.stop(f"{exchange.label} got no answer within the Node's deadline (TIME-001)")
        return answer

    def _observe(self, exchange: Any, *, always: bool) -> Answer:
        """Evidence first (the exchange is already recorded), then the judgement."""
        return self.verdict.observe(Answer.of(exchange, self.schema), always=always)

    def _refuse_if_late(self, operation: str) -> None:
        if self.state.late[operation] >= LATE_LIMIT:
            raise self.verdict.stop(
                f"the station already missed the Node's deadline for {operation} {LATE_LIMIT} times in this "
                "run (TIME-001); pagoconf stops asking it"
            )

    def _about(self, notice: Notice, answer: Answer) -> Answer:
        """A notice of [notices.to_pay] the station says is already paid: test data used up by an earlier
        run, not a defect. The scenario is not run; the note tells the operator what to do."""
        paid = answer.fault_code == "PAA_PAGAMENTO_DUPLICATO" and (answer.outcome or "") == "KO"
        if notice.to_pay and paid and notice.number not in self.state.receipts_sent:
            self.run.note(
                f"notice {notice.number} of [notices.to_pay] is already paid (PAA_PAGAMENTO_DUPLICATO): an "
                f"earlier run paid it; prepare fresh [notices.to_pay] {notice.kind} in {self.target.source}"
            )
            raise MissingData(
                f"notice {notice.number} of [notices.to_pay] is already paid: prepare fresh ones"
            )
        return answer
