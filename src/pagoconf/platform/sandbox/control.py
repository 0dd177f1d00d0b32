"""The control API under /_sandbox/ (documented by control-openapi.json beside this file): pay an option as a
PSP would, report a transfer, move the clock, queue faults, read the journal."""

from __future__ import annotations

import threading
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from pagoconf.platform.sandbox import control_station
from pagoconf.platform.sandbox import positions as model
from pagoconf.platform.sandbox.context import Reply, json_reply, problem_reply
from pagoconf.platform.sandbox.control_document import document, json_body
from pagoconf.platform.sandbox.dates import parse_datetime, wire
from pagoconf.platform.sandbox.journal import FORMAT, FORMAT_VERSION
from pagoconf.platform.sandbox.problems import BAD_REQUEST, Refused, problem
from pagoconf.platform.sandbox.receipts import BuiltReceipt, build_receipt
from pagoconf.platform.sandbox.request import SandboxRequest
from pagoconf.platform.sandbox.store import StoredReceipt

if TYPE_CHECKING:
    from pagoconf.platform.sandbox.service import SandboxService

PREFIX = "/_sandbox"
FAULT_KINDS = ("429", "500", "slow", "400", "404", "409", "422")
REFUSALS = ("400", "404", "409", "422")
"""Kinds answered with that status instead of the real answer, before any rule (a refusal to provoke)."""
ANSWERED = ("429", "500", *REFUSALS)
"""Kinds answered before any rule: the request is journaled without findings."""


@dataclass(frozen=True, slots=True)
class Fault:
    """One answer the sandbox gives instead of (429, 500) or after a pause before (slow) the real one."""

    operation: str
    kind: str
    retry_after: int = 1
    delay_ms: int = 1000

    def as_json(self) -> dict[str, Any]:
        """The control API's form."""
        return {
            "operation": self.operation,
            "kind": self.kind,
            "retryAfter": self.retry_after,
            "delayMs": self.delay_ms,
        }


class Faults:
    """Faults queued per operation, served in order to its next requests."""

    def __init__(self) -> None:
        self._queue: dict[str, deque[Fault]] = {}
        self._lock = threading.Lock()

    def add(self, fault: Fault, count: int) -> None:
        """Queue `fault` for the next `count` requests of its operation."""
        with self._lock:
            self._queue.setdefault(fault.operation, deque()).extend([fault] * count)

    def take(self, operation: str | None) -> Fault | None:
        """The fault the next request of `operation` gets, if any (consumed)."""
        with self._lock:
            queue = self._queue.get(operation or "")
            return queue.popleft() if queue else None

    def pending(self) -> list[dict[str, Any]]:
        """Every queued fault, in order."""
        with self._lock:
            return [f.as_json() for q in self._queue.values() for f in q]

    def clear(self) -> None:
        """Forget every queued fault."""
        with self._lock:
            self._queue.clear()


def fault_reply(fault: Fault) -> Reply:
    """The answer an injected 429, 500 or refusal (400, 404, 409, 422) gives."""
    if fault.kind == "429":
        detail = f"Rate limit is exceeded. Try again in {fault.retry_after} seconds."
        return problem_reply(problem(429, detail), {"Retry-After": str(fault.retry_after)})
    if fault.kind in REFUSALS:
        detail = "The sandbox was asked to refuse this request (control API)."
        return problem_reply(problem(int(fault.kind), detail))
    return problem_reply(problem(500, "The sandbox was asked to fail this request (control API)."))


# --- handlers ---------------------------------------------------------------------------------------------


def openapi(service: SandboxService, request: SandboxRequest) -> Reply:
    """This API's OpenAPI document."""
    return json_reply(200, document())


def _clock(service: SandboxService) -> Reply:
    return json_reply(
        200,
        {
            "now": wire(service.clock.now(), strict=True),
            "offset_seconds": service.clock.offset.total_seconds(),
        },
    )


def clock(service: SandboxService, request: SandboxRequest) -> Reply:
    """The sandbox time."""
    return _clock(service)


def move_clock(service: SandboxService, request: SandboxRequest) -> Reply:
    """Move the clock forward, by some seconds or to a moment; scheduled transitions follow."""
    body = json_body(request, "ClockMove", required=True)
    if ("advance_seconds" in body) == ("to" in body):
        raise Refused(problem(400, "give exactly one of advance_seconds or to", BAD_REQUEST))
    if "to" in body:
        delta = parse_datetime(str(body["to"])) - service.clock.now()
        if delta < timedelta(0):
            raise Refused(
                problem(
                    400, f"{body['to']} is before the sandbox time; the clock only moves forward", BAD_REQUEST
                )
            )
    else:
        delta = timedelta(seconds=float(body["advance_seconds"]))
    service.advance_clock(delta)
    return _clock(service)


def pay(service: SandboxService, request: SandboxRequest) -> Reply:
    """Pay an option as a PSP would, keep its receipt, and hand the receipt to the sink."""
    body = json_body(request, "Payment", required=False)
    org, iuv = request.path_params["organizationfiscalcode"], request.path_params["iuv"]
    version = int(body.get("receiptVersion", 2))
    built: BuiltReceipt
    with service.store.transaction():
        now = service.schedule()
        position = service.store.position_of_option(org, iuv=iuv)
        if position is None:
            raise Refused(model.option_not_found(org, iuv))
        paid_at = parse_datetime(str(body["paymentDateTime"])) if "paymentDateTime" in body else now
        receipt_id = uuid.uuid4().hex
        paid = model.pay(position, iuv, model.PaymentFacts(paid_at, receipt_id))
        option = paid.option(iuv)
        assert option is not None
        built = build_receipt(
            paid, option, receipt_id=receipt_id, paid_at=paid_at, version=version, sanp=service.sanp,
            standin=bool(body.get("standin", False)),
        )  # fmt: skip
        service.store.replace_position(paid)
        service.store.insert_receipt(
            StoredReceipt(
                org,
                iuv,
                option.nav,
                receipt_id,
                position.debtor.fiscal_code,
                paid_at,
                built.operation,
                built.envelope,
            )
        )
    service.receipt_sink(built)
    return json_reply(
        200,
        {
            "organizationFiscalCode": org,
            "iupd": paid.iupd,
            "iuv": iuv,
            "nav": option.nav,
            "receiptId": receipt_id,
            "operation": built.operation,
            "positionStatus": str(paid.status),
            "optionStatus": str(option.status),
        },
    )


def report(service: SandboxService, request: SandboxRequest) -> Reply:
    """Report a paid transfer as a reporting flow would."""
    params = request.path_params
    org, iuv, id_transfer = params["organizationfiscalcode"], params["iuv"], params["idTransfer"]
    with service.store.transaction():
        now = service.schedule()
        position = service.store.position_of_option(org, iuv=iuv)
        if position is None:
            raise Refused(model.option_not_found(org, iuv))
        reported = model.report(position, iuv, id_transfer, now)
        service.store.replace_position(reported)
    option = reported.option(iuv)
    assert option is not None
    return json_reply(200, {"positionStatus": str(reported.status), "optionStatus": str(option.status)})


def faults(service: SandboxService, request: SandboxRequest) -> Reply:
    """The faults still queued."""
    return json_reply(200, {"pending": service.faults.pending()})


def add_fault(service: SandboxService, request: SandboxRequest) -> Reply:
    """Queue a fault for the next requests of an operation."""
    body = json_body(request, "Fault", required=True)
    operation = str(body["operation"])
    if operation not in service.contract.operations:
        known = ", ".join(sorted(service.contract.operations))
        raise Refused(problem(400, f"unknown operation {operation!r}; known: {known}", BAD_REQUEST))
    fault = Fault(
        operation, str(body["kind"]), int(body.get("retryAfter", 1)), int(body.get("delayMs", 1000))
    )
    service.faults.add(fault, int(body.get("count", 1)))
    return json_reply(201, {"pending": service.faults.pending()})


def clear_faults(service: SandboxService, request: SandboxRequest) -> Reply:
    """Forget every queued fault."""
    service.faults.clear()
    return json_reply(200, {"pending": []})


def journal(service: SandboxService, request: SandboxRequest) -> Reply:
    """A page of the journal, oldest first."""
    try:
        after = int(request.query_values.get("after", "0"))
        limit = int(request.query_values.get("limit", "100"))
    except ValueError:
        raise Refused(problem(400, "after and limit are integers", BAD_REQUEST)) from None
    if after < 0 or not 1 <= limit <= 1000:
        raise Refused(problem(400, "after ≥ 0 and 1 ≤ limit ≤ 1000", BAD_REQUEST))
    entries = service.store.journal(after=after, limit=limit)
    return json_reply(
        200,
        {
            "entries": [e.as_json() for e in entries],
            "next_after": entries[-1].seq if len(entries) == limit else None,
            "total": service.store.journal_count(),
            "sanp": service.sanp,
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
        },
    )


Handler = Callable[["SandboxService", SandboxRequest], Reply]
ROUTES: tuple[tuple[str, str, str, Handler], ...] = (
    ("GET", "/openapi.json", "sandboxOpenApi", openapi),
    ("GET", "/clock", "sandboxClock", clock),
    ("POST", "/clock", "sandboxMoveClock", move_clock),
    ("POST", "/organizations/{organizationfiscalcode}/paymentoptions/{iuv}/pay", "sandboxPay", pay),
    (
        "POST",
        "/organizations/{organizationfiscalcode}/paymentoptions/{iuv}/transfers/{idTransfer}/report",
        "sandboxReport",
        report,
    ),
    ("GET", "/faults", "sandboxFaults", faults),
    ("POST", "/faults", "sandboxAddFault", add_fault),
    ("DELETE", "/faults", "sandboxClearFaults", clear_faults),
    ("GET", "/journal", "sandboxJournal", journal),
    ("POST", "/station-config", "sandboxStationConfig", control_station.station_config),
    ("GET", "/station", "sandboxStation", control_station.station),
    ("PUT", "/station", "sandboxSetStation", control_station.set_station),
    ("DELETE", "/station", "sandboxClearStation", control_station.clear_station),
)
UNJOURNALED = frozenset({"sandboxJournal"})
"""Reading the journal is not journaled (a reader would otherwise grow what it pages through)."""
