"""The harness asking the partner's system for one thing at a time, through the adapter: every request that
system then sent the platform is taken from the sandbox's journal, recorded as the run's evidence, then
judged by the always-on rules (evidence first, as the Node does for SOAP). A broken adapter breaks the
scenario (inconclusive), with what the adapter said on stderr attached."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from pagoconf.engine import plugin as engine
from pagoconf.engine.exchange import Exchange
from pagoconf.engine.verdict import INCONCLUSIVE_PREFIX, Inconclusive, ScenarioVerdict
from pagoconf.engine.violation import Violation
from pagoconf.platform.adapter import AdapterBroken, AdapterCall, Answer
from pagoconf.platform.adapter.protocol import request as protocol_request
from pagoconf.platform.calls import Call, exchange_of, is_partners
from pagoconf.platform.sandbox.control import Fault
from pagoconf.platform.sandbox.positions import Position
from pagoconf.platform.sandbox.uploads import upload_store
from pagoconf.platform.session import PlatformSession

CONTROL_DEADLINE = 15.0
UPLOAD_WAIT = 20.0


def expect(
    verdict: ScenarioVerdict,
    rule_id: str,
    check: Callable[..., Iterable[Violation]],
    calls: Sequence[Call],
    **kw: Any,
) -> None:
    """Judge `rule_id` with a check over a sequence of the partner's requests (they are its evidence)."""
    verdict.expect(rule_id, lambda *found, **k: check(list(found), **k), *calls, **kw)


@dataclass(frozen=True)
class Done:
    """What asking the partner's system for one thing came to: its answer and the requests it sent."""

    action: str
    request: Mapping[str, Any]
    answer: Answer
    calls: tuple[Call, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """The partner's system says it did it."""
        return self.answer.ok

    @property
    def result(self) -> Mapping[str, Any]:
        """What it says it did."""
        return self.answer.result

    def of(self, *operations: str) -> list[Call]:
        """Its requests of these operations, in order."""
        return [c for c in self.calls if c.operation in operations]

    def accepted(self, *operations: str) -> Call | None:
        """Its last request of these operations that the platform accepted (2xx, or Checkout's 302)."""
        return next((c for c in reversed(self.of(*operations)) if 200 <= c.status < 400), None)

    def refusal(self, *operations: str) -> str | None:
        """Why the platform refused its last request of these operations, if it did."""
        last = next(iter(reversed(self.of(*operations))), None)
        if last is None or last.status < 400:
            return None
        detail = last.answer.get("detail", "") if isinstance(last.answer, dict) else ""
        return f"{last.label} was answered {last.status}" + (f" ({detail})" if detail else "")


@dataclass(frozen=True)
class Created:
    """A debt position the partner's system created: as issued, and under the IUPD the platform holds it."""

    issued: Mapping[str, Any]
    iupd: str
    done: Done


@dataclass(frozen=True)
class Amendment:
    """A change of a position the institution asked for, and what asking for it came to."""

    position: Mapping[str, Any]
    done: Done


@dataclass(frozen=True)
class Registration:
    """A debt position of a synchronous institution for ACA (a NewDebtPositionRequest), and the last change
    of it the partner's system was asked for (`cancelled`: that change cancels it)."""

    issued: Mapping[str, Any]
    done: Done | None = None
    cancelled: bool = False

    def then(self, done: Done, *, cancelled: bool = False) -> Registration:
        """The same registration after the change `done` came to."""
        return Registration(self.issued, done, cancelled)


@dataclass(frozen=True)
class Handover:
    """The notices the citizen is handed over to Checkout for, and what asking the front end came to."""

    notices: tuple[Mapping[str, Any], ...]
    done: Done


@dataclass(frozen=True)
class Page:
    """A page the citizen's browser reached (what a return-page check judges)."""

    exchange: Exchange


@dataclass(frozen=True)
class Payment:
    """The citizen's payment of one option: its IUV, notice number and the receipt the platform made."""

    iuv: str
    nav: str
    receipt_id: str


class Partner:
    """What a scenario can ask of the partner's system, and of the platform it talks to."""

    def __init__(self, session: PlatformSession, verdict: ScenarioVerdict, config: pytest.Config) -> None:
        self.session = session
        self.verdict = verdict
        self.run = verdict.run
        self.config = config
        self.organization = session.identity.organization
        self.calls: list[Call] = []

    def ask(self, action: str, **arguments: Any) -> Done:
        """One adapter request, and every request of the partner's system it caused (recorded, judged)."""
        request = protocol_request(action, self.session.request_id(), self.session.platform, **arguments)
        try:
            answer = self.session.adapter.ask(request)
        except AdapterBroken as broken:
            self.collect()
            self._attach(action, broken.call)
            reason = f"the partner adapter broke: {broken.reason}"
            for rid in self.verdict.tagged:
                self.run.ledger.broke(rid, self.verdict.scenario, reason)
            raise Inconclusive(f"{INCONCLUSIVE_PREFIX} {reason}") from None
        self._attach(action, answer.call)
        self.session.adapter_ms += answer.call.elapsed_ms if answer.call is not None else 0.0
        return Done(action, request, answer, tuple(self.collect()))

    def collect(self) -> list[Call]:
        """The partner's requests since the last look at the journal, each recorded then judged."""
        calls = []
        for entry in self.session.new_entries():
            if not is_partners(entry):
                continue
            exchange = exchange_of(entry, base_url=self.session.sandbox.url)
            call = Call(self.run.record(exchange, self.verdict.scenario), entry)
            self.verdict.observe(call)
            calls.append(call)
        self.calls += calls
        return calls

    def requires(self, done: Done, *operations: str, what: str) -> Call:
        """The request of these operations the platform accepted; if there is none, the scenario cannot go
        on (the rule that explains it, if any, has failed on its own)."""
        accepted = done.accepted(*operations)
        if accepted is not None:
            return accepted
        why = done.refusal(*operations) or (
            f"the partner's system answered: {done.answer.error}"
            if not done.ok
            else "it sent no such request"
        )
        raise self.verdict.stop(f"{what}: {why}")

    # --- the platform's side (the harness plays the citizen and the platform's operators) ----------------

    def create(self, position: Mapping[str, Any], *, publish: bool, published: bool = False) -> Created:
        """The partner's system creates a position; the scenario stops if the platform does not hold it
        (nor, with `published`, if it does not hold it published: a scenario that needs a payable position
        cannot go on, and CLIENT-002 says why elsewhere)."""
        done = self.ask("createPosition", position=dict(position), publish=publish)
        call = self.requires(done, "createPosition", what="the debt position was not created")
        iupd = str(done.result.get("iupd") or (call.body or {}).get("iupd") or position["iupd"])
        if published:
            held = self.position(iupd)
            status = str(held.status) if held is not None else "absent"
            if status not in ("PUBLISHED", "VALID"):
                raise self.verdict.stop(f"debt position {iupd} was to be published at once, and is {status}")
        return Created(position, iupd, done)

    def pay(self, created: Created, option: int = 0) -> Payment:
        """The citizen pays an option of the position (the sandbox's control API pays it as a PSP would)."""
        held = self.position(created.iupd)
        if held is None or len(held.options) <= option:
            raise self.verdict.stop(f"the platform holds no debt position {created.iupd} to pay")
        iuv, org = held.options[option].iuv, held.organization
        url = f"{self.session.sandbox.base_urls['control']}/organizations/{org}/paymentoptions/{iuv}/pay"
        exchange = self.session.http.send(
            "sandboxPay", url, b"{}", {"Content-Type": "application/json"}, deadline=CONTROL_DEADLINE
        )
        self.session.new_entries()  # the harness's own request: not the partner's evidence
        if exchange.status != 200:
            detail = exchange.response[:300].decode("utf-8", errors="replace") or exchange.error or ""
            raise self.verdict.stop(f"the citizen could not pay IUV {iuv}: HTTP {exchange.status} {detail}")
        paid = json.loads(exchange.response)
        return Payment(iuv, str(paid["nav"]), str(paid["receiptId"]))

    def pay_on_checkout(self, location: str) -> Page:
        """The citizen opens Checkout's page at `location`, pays, and follows the redirect back to the
        institution's front end: that last page is the scenario's evidence."""
        http = self.session.http
        page = http.send("checkoutPage", location, b"", {}, deadline=CONTROL_DEADLINE, method="GET")
        if page.status != 200:
            raise self.verdict.stop(f"Checkout's page {location} answered {page.status or page.error}")
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        paid = http.send("checkoutPay", location.rstrip("/") + "/pay", b"", form, deadline=CONTROL_DEADLINE)
        self.session.new_entries()  # the browser's requests to the platform's own page
        back = next((v for k, v in paid.headers.items() if k.lower() == "location"), "")
        if paid.status != 303 or not back:
            raise self.verdict.stop(
                f"paying on Checkout's page answered {paid.status or paid.error}, no redirect"
            )
        returned = http.send("returnPage", back, b"", {}, deadline=CONTROL_DEADLINE, method="GET")
        return Page(self.run.record(returned, self.verdict.scenario))

    def upload_outcomes(self, location: str) -> dict[str, int]:
        """Each position's outcome of the upload at `location` (its status URL), once the platform has
        processed them all (the scenario stops if it has not in time)."""
        upload_id = location.rstrip("/").rsplit("/", 2)[-2] if location else ""
        uploads = upload_store(self.session.sandbox.store)
        deadline = time.monotonic() + UPLOAD_WAIT
        while True:
            found = uploads.upload(self.organization, self.session.identity.broker, upload_id)
            if found is None:
                raise self.verdict.stop(f"the platform holds no upload {upload_id!r}")
            if found.processed >= found.submitted:
                return {o.iupd: o.status for o in uploads.upload_outcomes(upload_id)}
            if time.monotonic() > deadline:
                raise self.verdict.stop(f"the platform had not processed upload {upload_id} in time")
            time.sleep(0.05)

    def answer_next(self, operation: str, kind: str, *, count: int = 1, retry_after: int = 1) -> None:
        """The platform answers the next `count` requests of `operation` with `kind` (429, 500, 400, 404,
        409, 422) instead of the real answer."""
        self.session.sandbox.service.faults.add(Fault(operation, kind, retry_after=retry_after), count)

    def clear_faults(self) -> None:
        """Forget the answers queued and not used."""
        self.session.sandbox.service.faults.clear()

    def position(self, iupd: str, organization: str | None = None) -> Position | None:
        """The debt position as the platform now holds it."""
        return self.session.sandbox.store.position(organization or self.organization, iupd)

    def _attach(self, action: str, call: AdapterCall | None) -> None:
        """The adapter's request and answer (and stderr) as Allure attachments of the scenario."""
        state = engine.plugin_of(self.config)
        if call is None or state.allure is None or not state.in_scenario:
            return
        import allure

        json_type, text_type = "application/json", "text/plain"
        name = f"adapter {action}"
        allure.attach(call.request, name=f"{name}: request", attachment_type=json_type, extension="json")
        if call.answer:
            allure.attach(call.answer, name=f"{name}: answer", attachment_type=json_type, extension="json")
        if call.stderr:
            allure.attach(call.stderr, name=f"{name}: stderr", attachment_type=text_type, extension="txt")
