"""Receipts pushed to the institution's station, as the Node sends paSendRT/paSendRTV2 to a broadcast station.

When a PSP pays an option through the control API and a station is configured (`[sandbox.station]`, or the
control API's PUT /_sandbox/station), the receipt of that payment goes to the station if the station's
institution is the position's or a beneficiary of the option's transfers: built from the position as the
platform built it (same receiptId, payment date and stand-in flag), carrying the station's identity, in its
primitive version (1: paSendRT, 2: paSendRTV2). It leaves from a background thread, never from the request
that paid, and every attempt is journaled (api `station_push`, its outcome in the entry's snapshot).

Retries (decision): the Node resends a receipt after a timeout or a malformed answer, up to a configured
number of times on a schedule that is not public (scheduler.paSendRtMaxRetry). The sandbox retries a
timeout, an unreachable station, an HTTP status other than 200, and an answer that is not a paSendRT(V2)
response valid against paForNode.xsd: at most 3 times, 1, 2 and 4 seconds after the failed attempt, each
attempt within the Node's receipt deadline (15 s). A well-formed answer ends it: OK delivered, KO refused."""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pagoconf.platform.sandbox.clock import utc_now
from pagoconf.platform.sandbox.dates import stored
from pagoconf.platform.sandbox.journal import JournalEntry
from pagoconf.platform.sandbox.node_side import StationLink
from pagoconf.platform.sandbox.positions import PaymentOption, Position
from pagoconf.platform.sandbox.receipts import ROME, BuiltReceipt, ReceiptSink, payment_data
from pagoconf.sync.answer import Answer
from pagoconf.sync.client import SoapClient
from pagoconf.sync.config import NODE_TIMEOUTS, Identity
from pagoconf.sync.requests.primitives import receipt_operation
from pagoconf.sync.requests.receipts import Payment, receipt_request
from pagoconf.sync.schema import pa_for_node_schema
from pagoconf.sync.xmlsafe import UnsafeXml, parse

if TYPE_CHECKING:
    from pagoconf.platform.sandbox.service import SandboxService

API = "station_push"
RETRY_DELAYS = (1.0, 2.0, 4.0)
MAX_RETRIES = 5
DELIVERED, REFUSED, RETRYING, GAVE_UP = "delivered", "refused", "retrying", "gave up"


@dataclass(frozen=True, slots=True)
class PushPolicy:
    """How long the sandbox waits for the station's answer, and after which pauses it tries again."""

    timeout: float = NODE_TIMEOUTS["receipt"]
    retry_delays: tuple[float, ...] = RETRY_DELAYS

    def as_json(self) -> dict[str, Any]:
        """The control API's form."""
        return {"timeoutSeconds": self.timeout, "retryDelaysSeconds": list(self.retry_delays)}


@dataclass(frozen=True, slots=True)
class Attempt:
    """What one attempt came to: delivered, refused (a well-formed KO), or worth retrying, and why."""

    outcome: str
    detail: str
    fault_code: str | None = None


@dataclass(frozen=True, slots=True)
class Push:
    """One receipt to deliver: which payment, to which station, under which policy."""

    receipt: BuiltReceipt
    station: StationLink
    policy: PushPolicy


def concerns(station: StationLink, position: Position, option: PaymentOption) -> bool:
    """The station's institution owns the position or is a beneficiary of one of the option's transfers."""
    institution = station.identity.id_pa
    return position.organization == institution or any(
        t.organization_fiscal_code == institution for t in option.transfers
    )


def standin_of(envelope: bytes) -> bool:
    """The stand-in flag of a receipt envelope (3.8.0 `standin`, 3.13.0 `receipt/standIn`)."""
    try:
        root = parse(envelope)
    except UnsafeXml:
        return False
    flags = [el.text for el in root.iter("standin", "standIn")]
    return any((f or "").strip() in ("true", "1") for f in flags)


def station_receipt(
    receipt: BuiltReceipt, position: Position, option: PaymentOption, station: StationLink, *, sanp: str
) -> tuple[str, bytes]:
    """The operation and envelope the station gets for a payment: the platform's receipt, in the station's
    primitive version and with the station's identity (idPA: the station's institution)."""
    version = station.primitive_version
    paid_at: datetime = option.payment_date or utc_now()
    payment = Payment(
        option.nav,
        position.organization,
        receipt.receipt_id,
        paid_at.astimezone(ROME).replace(microsecond=0),
        standin_of(receipt.envelope),
    )
    identity = Identity(station.identity.id_pa, station.identity.id_broker_pa, station.identity.id_station)
    data = payment_data(position, option, version=version)
    envelope = receipt_request(data, payment, identity, version=version, sanp=sanp)
    return receipt_operation(version), envelope


def judged(answer: Answer, errors: Sequence[tuple[str, str]]) -> Attempt:
    """What the Node makes of one answer to a receipt."""
    exchange = answer.exchange
    if exchange.timed_out or exchange.unreachable:
        return Attempt(RETRYING, f"no answer: {exchange.error}")
    if exchange.status != 200:
        return Attempt(RETRYING, f"HTTP {exchange.status}")
    if answer.response is None:
        return Attempt(RETRYING, f"not a {answer.op.response}: {answer.parse_error or 'another Body'}")
    if errors:
        return Attempt(RETRYING, f"not valid against paForNode.xsd: {errors[0][0]}")
    if (answer.outcome or "").strip() == "OK":
        return Attempt(DELIVERED, "outcome OK")
    code = answer.fault_code
    return Attempt(REFUSED, f"outcome KO {code or ''}".strip(), code)


class StationPush:
    """The receipts a sandbox owes the configured station, delivered one at a time by a background thread."""

    def __init__(self, service: SandboxService, policy: PushPolicy = PushPolicy()) -> None:
        self.service = service
        self.policy = policy
        self._queue: queue.Queue[Push | None] = queue.Queue()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pending = 0
        self._idle = threading.Condition(self._lock)

    def sink(self, inner: ReceiptSink) -> ReceiptSink:
        """A receipt sink that hands the receipt to `inner`, then pushes it."""

        def both(receipt: BuiltReceipt) -> None:
            inner(receipt)
            self.push(receipt)

        return both

    def configure(self, station: StationLink | None, policy: PushPolicy | None = None) -> None:
        """Push to `station` from now on (None: push nothing), under `policy` (default: the decision's)."""
        self.service.station = station
        self.policy = policy or PushPolicy()

    def push(self, receipt: BuiltReceipt) -> None:
        """Queue a receipt for the configured station, if any (returns at once)."""
        station = self.service.station
        if station is None or self._stopping.is_set():
            return
        with self._lock:
            self._pending += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="sandbox-station-push", daemon=True)
                self._thread.start()
        self._queue.put(Push(receipt, station, self.policy))

    def wait(self, timeout: float = 60.0) -> bool:
        """Wait until every queued receipt is delivered, refused or given up; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop: the receipt being delivered finishes its attempt, queued ones are dropped."""
        self._stopping.set()
        self._queue.put(None)
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None or self._stopping.is_set():
                return
            try:
                self._deliver(job)
            except Exception as exc:  # a defect of the sandbox: told, and the thread lives on
                if not self._stopping.is_set():  # after a stop the store may be closed under the attempt
                    sys.stderr.write(f"sandbox station push: {type(exc).__name__}: {exc}\n")
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()

    def _deliver(self, job: Push) -> None:
        store, receipt = self.service.store, job.receipt
        position = store.position_of_option(receipt.organization, iuv=receipt.iuv)
        option = position.option(receipt.iuv) if position is not None else None
        if position is None or option is None or not concerns(job.station, position, option):
            return
        operation, envelope = station_receipt(receipt, position, option, job.station, sanp=self.service.sanp)
        client = SoapClient(
            job.station.url, timeouts={"receipt": job.policy.timeout, "sync": job.policy.timeout}
        )
        schema = pa_for_node_schema(self.service.sanp)
        attempts = 1 + min(len(job.policy.retry_delays), MAX_RETRIES)
        try:
            for number in range(1, attempts + 1):
                exchange = client.call(operation, envelope)
                answer = Answer.of(exchange, schema)
                errors = schema.errors(answer.response) if answer.response is not None else []
                attempt = judged(answer, errors)
                if attempt.outcome == RETRYING and number == attempts:
                    attempt = Attempt(GAVE_UP, attempt.detail)
                self._journal(job, answer, attempt, number, attempts)
                if attempt.outcome != RETRYING or self._stopping.wait(job.policy.retry_delays[number - 1]):
                    return
        finally:
            client.close()

    def _journal(self, job: Push, answer: Answer, attempt: Attempt, number: int, attempts: int) -> None:
        exchange, receipt = answer.exchange, job.receipt
        parts = urlsplit(exchange.url)
        now = utc_now()
        self.service.store.record(
            JournalEntry(
                api=API,
                operation=exchange.operation,
                method=exchange.method,
                path=parts.path or "/",
                query=parts.query,
                request_headers=dict(exchange.request_headers),
                request_body=exchange.request,
                status=exchange.status,
                response_headers=dict(exchange.headers),
                response_body=exchange.response,
                elapsed_ms=exchange.elapsed_ms,
                received_at=stored(now) or "",
                sandbox_time=stored(self.service.clock.now()) or "",
                snapshot={
                    "station": job.station.url,
                    "station_identity": [
                        job.station.identity.id_pa,
                        job.station.identity.id_broker_pa,
                        job.station.identity.id_station,
                    ],
                    "organization": receipt.organization,
                    "iuv": receipt.iuv,
                    "receipt_id": receipt.receipt_id,
                    "attempt": number,
                    "attempts": attempts,
                    "outcome": attempt.outcome,
                    "detail": attempt.detail,
                    "fault_code": attempt.fault_code,
                },
                strict=self.service.strict,
            )
        )
