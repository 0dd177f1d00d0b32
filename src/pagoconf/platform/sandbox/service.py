"""One request through the sandbox: the clock's scheduled transitions, the snapshot of the state it meets,
the rules' verdict, the handler (only if the verdict lets it through), the journal entry. The same path
for every API; the control API takes a shorter one (no rules)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from pagoconf.engine.exchange import redact_headers
from pagoconf.platform.sandbox import control
from pagoconf.platform.sandbox.checks import Verdict, judge
from pagoconf.platform.sandbox.clock import SandboxClock, utc_now
from pagoconf.platform.sandbox.context import Context, Reply, problem_reply
from pagoconf.platform.sandbox.contract import load_contract
from pagoconf.platform.sandbox.dates import stored
from pagoconf.platform.sandbox.findings import Finding
from pagoconf.platform.sandbox.gpd_node import GpdStation
from pagoconf.platform.sandbox.journal import JournalEntry
from pagoconf.platform.sandbox.keys import HEADER, Key, KeyRing
from pagoconf.platform.sandbox.node_side import StationLink
from pagoconf.platform.sandbox.positions import scheduled
from pagoconf.platform.sandbox.problems import Problem, Refused
from pagoconf.platform.sandbox.receipts import ReceiptSink, keep_only
from pagoconf.platform.sandbox.request import Case, SandboxRequest
from pagoconf.platform.sandbox.routes_aca import HANDLERS as ACA_HANDLERS
from pagoconf.platform.sandbox.routes_checkout import HANDLERS as CHECKOUT_HANDLERS
from pagoconf.platform.sandbox.routes_gpd import HANDLERS as GPD_HANDLERS
from pagoconf.platform.sandbox.routes_receipts import HANDLERS as RECEIPT_HANDLERS
from pagoconf.platform.sandbox.routes_upload import HANDLERS as UPLOAD_HANDLERS
from pagoconf.platform.sandbox.snapshot import take
from pagoconf.platform.sandbox.station_push import StationPush
from pagoconf.platform.sandbox.store import Store, UniqueViolation
from pagoconf.platform.sandbox.uploads import UploadWorker

CLOCK_OFFSET = "clock_offset_seconds"
REQUEST_ID = "X-Request-Id"
HANDLERS: dict[str, Callable[[Context], Reply]] = {
    **GPD_HANDLERS,
    **RECEIPT_HANDLERS,
    **CHECKOUT_HANDLERS,
    **UPLOAD_HANDLERS,
    **ACA_HANDLERS,
}
UNIQUE_BACKSTOP = Problem(
    409,
    "The debt position violated constraints of uniqueness",
    "An identifier of the debt position is already taken (found on write)",
)


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a request ended: the reply, the findings, the state it met."""

    reply: Reply
    findings: tuple[Finding, ...]
    snapshot: Mapping[str, object]
    key: Key | None
    injected: str | None = None


class SandboxService:
    """The sandbox's behaviour over one store, one clock and one key ring, for one SANP version."""

    def __init__(
        self,
        store: Store,
        keys: KeyRing,
        *,
        sanp: str,
        strict: bool = False,
        contracts: str | None = None,
        receipt_sink: ReceiptSink = keep_only,
        clock: SandboxClock | None = None,
        station: StationLink | None = None,
        gpd_station: GpdStation | None = None,
    ) -> None:
        self.store = store
        self.keys = keys
        self.sanp = sanp
        self.strict = strict
        self.contracts = contracts
        self.contract = load_contract(sanp, contracts)
        self.receipt_sink = receipt_sink
        offset = float(store.meta().get(CLOCK_OFFSET, "0"))
        self.clock = clock or SandboxClock(timedelta(seconds=offset))
        self.faults = control.Faults()
        self.station = station
        self.gpd_station = gpd_station or GpdStation()
        self.uploads = UploadWorker(self)
        self.pushes = StationPush(self)
        self.receipt_sink = self.pushes.sink(receipt_sink)

    def close(self) -> None:
        """Stop the background work (uploads, receipts pushed to the station); the store stays open."""
        self.uploads.stop()
        self.pushes.stop()

    # --- time ---------------------------------------------------------------------------------------------

    def schedule(self) -> datetime:
        """Apply the scheduler's transitions at the sandbox time; return that time."""
        now = self.clock.now()
        with self.store.transaction():
            for position in self.store.scheduled_candidates(now):
                moved = scheduled(position, now)
                if moved != position:
                    self.store.replace_position(moved)
        return now

    def advance_clock(self, delta: timedelta) -> None:
        """Move the sandbox clock forward (kept in the store), then apply the scheduler."""
        self.clock.advance(delta)
        self.store.set_meta(CLOCK_OFFSET, repr(self.clock.offset.total_seconds()))
        self.schedule()

    # --- the APIs -----------------------------------------------------------------------------------------

    def handle(self, request: SandboxRequest, fault: control.Fault | None, started: float) -> Reply:
        """Answer one request of the GPD APIs and journal it."""
        received = utc_now()
        key = self.keys.find(request.header(HEADER))
        if fault is not None and fault.kind in control.ANSWERED:
            snapshot = {"now": stored(self.clock.now()), "key": key.scope() if key else None}
            outcome = Outcome(control.fault_reply(fault), (), snapshot, key, fault.kind)
        else:
            try:
                outcome = self._answer(request, key)
            except (
                Exception
            ) as exc:  # a defect of the sandbox: answered and journaled, never swallowed silently
                defect = Problem(500, "INTERNAL SERVER ERROR", f"sandbox defect: {type(exc).__name__}: {exc}")
                outcome = Outcome(problem_reply(defect), (), {}, key)
            if fault is not None:
                outcome = Outcome(outcome.reply, outcome.findings, outcome.snapshot, key, fault.kind)
        reply = self._with_request_id(request, outcome.reply)
        self.record(request, reply, outcome, received, started)
        return reply

    def _answer(self, request: SandboxRequest, key: Key | None) -> Outcome:
        try:
            with self.store.transaction():
                now = self.schedule()
                snapshot = take(
                    self.store,
                    request,
                    key,
                    now,
                    sanp=self.sanp,
                    strict=self.strict,
                    contracts=self.contracts,
                )
                case = Case(request, snapshot, self.sanp, self.strict, self.contracts)
                verdict: Verdict = judge(case)
                if verdict.refusal is not None:
                    return Outcome(problem_reply(verdict.refusal), verdict.findings, snapshot, key)
                assert request.operation is not None
                handler = HANDLERS[request.operation]
                reply = handler(Context(case, now, self.store, self.contract, self.receipt_sink))
                return Outcome(reply, verdict.findings, snapshot, key)
        except UniqueViolation as exc:
            finding = Finding(
                "GPD-050", "identifiers unique in the organization", f"taken on write: {exc}", ""
            )
            return Outcome(problem_reply(UNIQUE_BACKSTOP), (finding,), {}, key)

    # --- the control API ----------------------------------------------------------------------------------

    def control(self, name: str, handler: control.Handler, request: SandboxRequest, started: float) -> Reply:
        """Answer one control request (no rules); journal it unless it reads the journal."""
        received = utc_now()
        try:
            reply = handler(self, request)
        except Refused as refused:
            reply = problem_reply(refused.problem)
        except ValueError as exc:
            reply = problem_reply(Problem(400, "BAD REQUEST", str(exc)))
        if name not in control.UNJOURNALED:
            snapshot = {"now": stored(self.clock.now())}
            self.record(request, reply, Outcome(reply, (), snapshot, None), received, started)
        return reply

    # --- the journal --------------------------------------------------------------------------------------

    @staticmethod
    def _with_request_id(request: SandboxRequest, reply: Reply) -> Reply:
        headers = dict(reply.headers)
        headers[REQUEST_ID] = request.header(REQUEST_ID) or str(uuid.uuid4())
        return Reply(reply.status, reply.body, reply.content_type, headers)

    def record(
        self, request: SandboxRequest, reply: Reply, outcome: Outcome, received: datetime, started: float
    ) -> None:
        """Journal one exchange of the platform's endpoints (the key redacted) with how it ended."""
        headers = {"Content-Type": reply.content_type, **reply.headers}
        entry = JournalEntry(
            api=request.api or "",
            operation=request.operation or "",
            method=request.method,
            path=request.path,
            query=request.query,
            request_headers=redact_headers(request.headers),
            request_body=request.body,
            status=reply.status,
            response_headers=headers,
            response_body=reply.body,
            elapsed_ms=(time.perf_counter() - started) * 1000,
            received_at=stored(received) or "",
            sandbox_time=str(outcome.snapshot.get("now") or stored(self.clock.now())),
            key_id=outcome.key.id if outcome.key is not None else None,
            findings=outcome.findings,
            snapshot=outcome.snapshot,
            strict=self.strict,
            injected=outcome.injected,
        )
        self.store.record(entry)
