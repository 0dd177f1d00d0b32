"""The sandbox itself conforms to the contracts it serves, judged by schemathesis (its pytest integration,
against the ASGI app in process): every operation of every document `contract.APIS` lists, in both SANP
versions and in both modes, answers without server errors, with documented status codes, content types and
bodies, and refuses invalid data; the allowances (schemathesis_support.ALLOWANCES) name each place where
the faithful sandbox answers as GPD does rather than as its contract says. Then the stateful flows: create
→ publish → get → pay → receipt, create → invalidate, update or delete after payment → 409.

Seeded and small by default (PAGOCONF_SCHEMATHESIS_EXAMPLES=N for more generated requests per operation,
PAGOCONF_SCHEMATHESIS_COVERAGE=1 for schemathesis' coverage phase)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule, run_state_machine_as_test
from sandbox_support import KEY, ORG, SANPS, Client, position
from schemathesis_support import (
    ALLOWANCES,
    EXAMPLES,
    FAITHFUL,
    MODES,
    OUT_OF_REACH,
    Platform,
    Sandboxes,
    Served,
    call_and_judge,
    load_schema,
    profile,
    served_apis,
    write_excused,
)

from pagoconf.platform.sandbox import Sandbox
from pagoconf.platform.sandbox.checks import OUTCOMES
from pagoconf.platform.sandbox.contract import APIS

SERVED = served_apis()


@pytest.fixture(scope="module")
def sandboxes() -> Iterator[Sandboxes]:
    """In-process sandboxes (one per SANP version and mode), shared by the module's tests."""
    opened = Sandboxes()
    yield opened
    opened.close()
    write_excused()


def _conformance_test(served: Served) -> Callable[..., None]:
    schema = load_schema(served)

    @schema.parametrize()
    @settings(profile())
    def test(case: Any, sandboxes: Sandboxes) -> None:
        for mode in MODES:  # one generated request, judged by a faithful and by a strict sandbox
            box = sandboxes.get(served.sanp, mode)
            schema.app.app = box.app
            call_and_judge(case, box, mode, served)

    test.__name__ = test.__qualname__ = f"test_the_sandbox_conforms_to_{served.id}"
    test.__doc__ = f"The sandbox serves {served.path.name} of SANP {served.sanp} as it is published."
    return test


for _served in SERVED:
    globals()[f"test_the_sandbox_conforms_to_{_served.id}"] = _conformance_test(_served)


def test_every_departure_of_the_sandbox_is_an_allowance_or_out_of_reach() -> None:
    departures = {rid for rid, outcome in OUTCOMES.items() if outcome.departure}
    named = {a.rule for a in ALLOWANCES if a.rule is not None}
    assert departures == named | set(OUT_OF_REACH), "document each departure in ALLOWANCES or OUT_OF_REACH"
    assert all(a.modes == {FAITHFUL} for a in ALLOWANCES if a.rule is not None), "strict runs without them"


def test_every_api_the_sandbox_serves_is_judged_where_it_serves_it(sandboxes: Sandboxes) -> None:
    judged = {name.removeprefix("test_the_sandbox_conforms_to_") for name in globals() if "_to_" in name}
    for sanp in SANPS:
        apis = {api.name for api in APIS if api.file_in(sanp) is not None}
        assert {s.api.name for s in SERVED if s.sanp == sanp} == apis
        routes = [getattr(r, "path", "") for r in sandboxes.get(sanp, FAITHFUL).app.routes]
        for served in (s for s in SERVED if s.sanp == sanp):
            assert served.id in judged
            assert any(path.startswith(served.base + "/") for path in routes), served.base


# --- stateful: debt positions through their lifecycle -------------------------------------------------------

POSITIONS = "/organizations/{organizationfiscalcode}/debtpositions"
POSITION = POSITIONS + "/{iupd}"
RECEIPT = "/payments/{organizationfiscalcode}/receipts/{iuv}"
PAY = "/organizations/{organizationfiscalcode}/paymentoptions/{iuv}/pay"
STEPS = max(8, EXAMPLES * 2)


class Positions:
    """The debt positions of one organization, through the published APIs and the control API's payment;
    every answer is judged by schemathesis (Platform.call) before its status is checked here."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform

    def _gpd(self, method: str, template: str, **kw: Any) -> Any:
        return self.platform.call("gpd", method, template, organizationfiscalcode=ORG, **kw)

    def create(self, body: dict[str, Any], *, publish: bool = False) -> Any:
        query = {"toPublish": "true"} if publish else {}
        return self._gpd("POST", POSITIONS, body=body, query=query)

    def get(self, iupd: str) -> Any:
        return self._gpd("GET", POSITION, iupd=iupd)

    def update(self, iupd: str, body: dict[str, Any]) -> Any:
        return self._gpd("PUT", POSITION, iupd=iupd, body=body)

    def delete(self, iupd: str) -> Any:
        return self._gpd("DELETE", POSITION, iupd=iupd)

    def publish(self, iupd: str) -> Any:
        return self._gpd("POST", POSITION + "/publish", iupd=iupd)

    def invalidate(self, iupd: str) -> Any:
        return self._gpd("POST", POSITION + "/invalidate", iupd=iupd)

    def pay(self, iuv_: str) -> Any:
        return self.platform.call("control", "POST", PAY, organizationfiscalcode=ORG, iuv=iuv_)

    def receipt(self, iuv_: str) -> Any:
        return self.platform.call("gpd_payments", "GET", RECEIPT, organizationfiscalcode=ORG, iuv=iuv_)


def _iuv(body: dict[str, Any]) -> str:
    return str(body["paymentOption"][0]["iuv"])


@pytest.fixture(params=[(s, m) for s in SANPS for m in MODES], ids=lambda p: f"{p[0]}-{p[1]}")
def positions(request: pytest.FixtureRequest, sandboxes: Sandboxes) -> Positions:
    """Debt positions of a sandbox of each SANP version and mode."""
    sanp, mode = request.param
    return Positions(sandboxes.platform(sanp, mode))


def test_a_position_is_created_published_read_paid_and_its_receipt_served(positions: Positions) -> None:
    body = position()
    assert positions.create(body).status_code == 201
    assert positions.publish(body["iupd"]).json()["status"] == "VALID"
    assert positions.get(body["iupd"]).json()["status"] == "VALID"
    paid = positions.pay(_iuv(body))
    assert paid.status_code == 200
    assert paid.json()["positionStatus"] == "PAID"
    receipt = positions.receipt(_iuv(body))
    assert receipt.status_code == 200
    assert _iuv(body).encode() in receipt.content


def test_a_published_position_is_invalidated(positions: Positions) -> None:
    body = position()
    assert positions.create(body, publish=True).json()["status"] == "VALID"
    invalidated = positions.invalidate(body["iupd"])
    assert invalidated.status_code == 200
    assert invalidated.json()["status"] == "INVALID"
    assert positions.get(body["iupd"]).json()["status"] == "INVALID"


def test_a_paid_position_is_not_updated(positions: Positions) -> None:
    body = position()
    positions.create(body, publish=True)
    positions.pay(_iuv(body))
    assert positions.update(body["iupd"], body).status_code == 409
    assert positions.get(body["iupd"]).json()["status"] == "PAID"


def test_a_paid_position_is_not_deleted(positions: Positions) -> None:
    body = position()
    positions.create(body, publish=True)
    positions.pay(_iuv(body))
    assert positions.delete(body["iupd"]).status_code == 409
    assert positions.get(body["iupd"]).json()["status"] == "PAID"


class Lifecycles(RuleBasedStateMachine):
    """Any interleaving of the lifecycle operations on a few positions: every answer conforms to the
    published contract (Platform.call), and its status is the one domain-brief §6.3 gives for the state
    the model holds (no validity date, so publishing makes a position VALID at once)."""

    positions: Positions

    def __init__(self) -> None:
        super().__init__()
        self.known: dict[str, tuple[dict[str, Any], str]] = {}
        self.deleted: list[str] = []

    def _status(self, iupd: str) -> str:
        return self.known[iupd][1]

    def _set(self, iupd: str, status: str) -> None:
        self.known[iupd] = (self.known[iupd][0], status)

    def _pick(self, data: st.DataObject) -> str:
        return data.draw(st.sampled_from(sorted(self.known)), label="iupd")

    @rule(publish=st.booleans())
    def create(self, publish: bool) -> None:
        body = position()
        answer = self.positions.create(body, publish=publish)
        assert answer.status_code == 201
        status = "VALID" if publish else "DRAFT"
        assert answer.json()["status"] == status
        self.known[body["iupd"]] = (body, status)

    @precondition(lambda self: self.known)
    @rule(data=st.data())
    def read(self, data: st.DataObject) -> None:
        iupd = self._pick(data)
        answer = self.positions.get(iupd)
        assert answer.status_code == 200
        assert answer.json()["status"] == self._status(iupd)

    @precondition(lambda self: self.deleted)
    @rule(data=st.data())
    def read_deleted(self, data: st.DataObject) -> None:
        assert self.positions.get(data.draw(st.sampled_from(self.deleted))).status_code == 404

    @precondition(lambda self: self.known)
    @rule(data=st.data())
    def publish(self, data: st.DataObject) -> None:
        iupd = self._pick(data)
        answer = self.positions.publish(iupd)
        if self._status(iupd) == "DRAFT":
            assert answer.status_code == 200
            self._set(iupd, "VALID")
        else:
            assert answer.status_code == 409

    @precondition(lambda self: self.known)
    @rule(data=st.data())
    def pay(self, data: st.DataObject) -> None:
        iupd = self._pick(data)
        answer = self.positions.pay(_iuv(self.known[iupd][0]))
        expected = {"VALID": 200, "PAID": 409}.get(self._status(iupd), 422)
        assert answer.status_code == expected
        if expected == 200:
            self._set(iupd, "PAID")

    @precondition(lambda self: self.known)
    @rule(data=st.data())
    def receipt(self, data: st.DataObject) -> None:
        iupd = self._pick(data)
        answer = self.positions.receipt(_iuv(self.known[iupd][0]))
        assert answer.status_code == (200 if self._status(iupd) == "PAID" else 404)

    @precondition(lambda self: self.known)
    @rule(data=st.data())
    def invalidate(self, data: st.DataObject) -> None:
        iupd = self._pick(data)
        answer = self.positions.invalidate(iupd)
        if self._status(iupd) == "VALID":
            assert answer.status_code == 200
            self._set(iupd, "INVALID")
        else:
            assert answer.status_code == 409

    @precondition(lambda self: self.known)
    @rule(data=st.data())
    def update(self, data: st.DataObject) -> None:
        iupd = self._pick(data)
        answer = self.positions.update(iupd, self.known[iupd][0])
        if self._status(iupd) in ("DRAFT", "VALID"):
            assert answer.status_code == 200
            self._set(iupd, "DRAFT")  # an update rebuilds the position: DRAFT again unless toPublish
        else:
            assert answer.status_code == 409

    @precondition(lambda self: self.known)
    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        iupd = self._pick(data)
        answer = self.positions.delete(iupd)
        if self._status(iupd) == "PAID":
            assert answer.status_code == 409
        else:
            assert answer.status_code == 200
            del self.known[iupd]
            self.deleted.append(iupd)


def test_any_interleaving_of_lifecycle_operations_conforms(positions: Positions) -> None:
    machine = type("Lifecycles", (Lifecycles,), {"positions": positions})
    run_state_machine_as_test(
        machine, settings=settings(profile(), max_examples=max(3, EXAMPLES), stateful_step_count=STEPS)
    )


# --- a 405 names the methods its path has (RFC 9110 §15.5.6; schemathesis unsupported_method, ST204) --------


def test_a_405_names_the_allowed_methods() -> None:
    with Sandbox(keys=[KEY]) as sandbox:
        answer = Client(sandbox).gpd("PUT", f"/organizations/{ORG}/debtpositions/IUPD-1/publish")
    assert answer.status == 405
    assert answer.headers.get("Allow") == "POST"
