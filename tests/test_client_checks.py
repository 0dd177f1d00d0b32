"""The client checks, one rule at a time, on plain data: each is broken by what breaks its rule and kept by
what keeps it; the positions pagoconf asks for are ones the contract and GPD's rules accept; the always-on
judgement judges what the sandbox judged, up to its refusal."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pagoconf.engine.exchange import Exchange
from pagoconf.engine.verdict import NotJudgeable
from pagoconf.identifiers import has_valid_check_digit, is_valid_iban
from pagoconf.platform.calls import Call, exchange_of, subject
from pagoconf.platform.checks import asked, outcomes, sequences
from pagoconf.platform.issuing import Numbering, amended
from pagoconf.platform.judging import judged_rules, judgements
from pagoconf.platform.sandbox.checks import judge
from pagoconf.platform.sandbox.contract import load_contract
from pagoconf.platform.sandbox.findings import Finding
from pagoconf.platform.sandbox.journal import JournalEntry
from pagoconf.platform.sandbox.request import Case, SandboxRequest
from pagoconf.platform.strategies import SHAPES, debt_positions

ORG = "77777777777"
T0 = datetime(2030, 1, 1, tzinfo=UTC)
BASE = "/gpd/debt-positions-service/v1/organizations/77777777777/debtpositions"


def call(
    operation: str,
    *,
    method: str = "POST",
    path: str = BASE,
    body: Any = None,
    status: int = 200,
    at: float = 0.0,
    answer: Any = None,
    headers: dict[str, str] | None = None,
    response_headers: dict[str, str] | None = None,
    snapshot: dict[str, Any] | None = None,
    injected: str | None = None,
    api: str = "gpd",
    number: int = 1,
) -> Call:
    """A journaled request of the partner's system, as the checks see it."""
    entry = JournalEntry(
        api=api,
        operation=operation,
        method=method,
        path=path,
        query="",
        request_headers={"host": "127.0.0.1:8090", "x-request-id": "r-1", **(headers or {})},
        request_body=json.dumps(body).encode() if body is not None else b"",
        status=status,
        response_headers=response_headers or {},
        response_body=json.dumps(answer).encode() if answer is not None else b"",
        elapsed_ms=1.0,
        received_at=(T0 + timedelta(seconds=at)).isoformat().replace("+00:00", "Z"),
        sandbox_time=T0.isoformat(),
        snapshot=snapshot if snapshot is not None else {"path_params": {}, "key_presented": True},
        injected=injected,
    )
    return Call(replace(exchange_of(entry), number=number), entry)


def met(now: str) -> dict[str, Any]:
    """The state a new position's creation meets: any key, no identifier taken."""
    key = {"id": "k", "organizations": None, "segregation_codes": None}
    taken = {"iupd": False, "iuvs": [], "navs": []}
    params = {"organizationfiscalcode": ORG}
    return {
        "now": now,
        "key": key,
        "key_presented": True,
        "path_params": params,
        "taken": taken,
        "body_size": 100,
    }


def position(amount: int = 10_000, iban: str = "IT60X0542811101000000123456") -> dict[str, Any]:
    return {
        "iupd": "P-1", "type": "F", "fiscalCode": "RSSMRA80A01H501U", "fullName": "Mario Rossi",
        "companyName": "Comune", "switchToExpired": False,
        "paymentOption": [{
            "iuv": "01000000000000001", "amount": amount, "description": "TARI", "isPartialPayment": False,
            "dueDate": "2031-01-01T00:00:00Z",
            "transfer": [{"idTransfer": "1", "amount": amount, "remittanceInformation": "TARI",
                          "category": "9/0101108TS/", "iban": iban}],
        }],
    }  # fmt: skip


# --- what was asked (CLIENT-001, 011, 012) ----------------------------------------------------------------


def test_a_position_sent_as_issued_keeps_client_001_and_a_different_one_breaks_it() -> None:
    issued = position()
    same = {**position(), "iupd": "OTHER", "paymentOption": [{**position()["paymentOption"][0], "iuv": "9"}]}
    same["paymentOption"][0]["dueDate"] = "2031-01-01T01:00:00+01:00"  # the same instant, written otherwise
    assert (
        list(asked.sent_as_issued(call("createPosition", body=same), issued=issued, organization=ORG)) == []
    )
    euros = position(amount=100)
    found = list(asked.sent_as_issued(call("createPosition", body=euros), issued=issued, organization=ORG))
    assert [v.where for v in found] == ["/paymentOption/0/amount", "/paymentOption/0/transfer/0/amount"]
    assert found[0].expected == "amount 10000 cents, as issued" and found[0].actual == "100"
    other_iban = position(iban="IT45R0760103200000000001016")
    found = list(
        asked.sent_as_issued(call("createPosition", body=other_iban), issued=issued, organization=ORG)
    )
    assert [v.where for v in found] == ["/paymentOption/0/transfer/0/iban"]


def test_a_cart_names_the_notices_asked_with_their_amounts_and_return_urls() -> None:
    notice = {"noticeNumber": "301000000000000001", "fiscalCode": ORG, "amount": 1250}
    urls = {n: f"https://ente.example.it/{n}" for n in ("returnOkUrl", "returnCancelUrl", "returnErrorUrl")}
    good = {"paymentNotices": [{**notice, "companyName": "C", "description": "D"}], "returnUrls": urls}
    assert list(asked.cart_as_asked(call("PostCarts", body=good), notices=[notice])) == []
    bad = {"paymentNotices": [{**notice, "amount": 1350, "companyName": "C", "description": "D"}]}
    found = list(asked.cart_as_asked(call("PostCarts", body=bad), notices=[notice]))
    assert [v.where for v in found] == ["/paymentNotices/0/amount", *(f"/returnUrls/{n}" for n in urls)]


def test_aca_holds_the_registration_as_issued_or_says_why_not() -> None:
    issued = {"paFiscalCode": ORG, "iuv": "01000000000000001", "amount": 500, "entityType": "F"}
    accepted = call("newDebtPosition", body=issued, api="aca")
    kept = asked.registered_as_issued(
        [accepted], issued=issued, cancelled=False, held_status="VALID", held_amount=500
    )
    assert list(kept) == []
    assert [v.actual for v in asked.registered_as_issued([], issued=issued, cancelled=False,
                                                         held_status="VALID", held_amount=400)] == [
        "none was sent", "ACA holds 400"]  # fmt: skip
    cancelled = call("newDebtPosition", body={**issued, "amount": 0}, api="aca")
    found = asked.registered_as_issued(
        [cancelled], issued=issued, cancelled=True, held_status="VALID", held_amount=500
    )
    assert [v.actual for v in found] == ["ACA holds it VALID"]


# --- sequences (CLIENT-003, 005, 006, 007, 008, 009, 014) ----------------------------------------------


def test_an_update_of_a_paid_position_breaks_client_003() -> None:
    paid = call("updatePosition", method="PUT", path=BASE + "/P-1", status=409,
                snapshot={"position": {"iupd": "P-1", "status": "PAID"}})  # fmt: skip
    valid = call(
        "updatePosition", method="PUT", path=BASE + "/P-2", snapshot={"position": {"status": "VALID"}}
    )
    assert len(list(sequences.no_update_after_payment([valid, paid]))) == 1
    assert list(sequences.no_update_after_payment([valid])) == []
    with pytest.raises(NotJudgeable):
        list(sequences.no_update_after_payment([]))
    assert len(list(sequences.paid_position_untouched([paid], iupd="P-1"))) == 1
    assert list(sequences.paid_position_untouched([valid], iupd="P-1")) == []


def test_a_refused_change_sent_again_unchanged_breaks_client_005() -> None:
    first = call("createPosition", body=position(), status=409, number=1)
    again = call("createPosition", body=position(), status=409, at=0.5, number=2)
    changed = call("createPosition", body=position(amount=1), status=201, at=1.0, number=3)
    found = list(sequences.refusals_not_repeated([first, again]))
    assert len(found) == 1 and found[0].exchange == 2 and "0.500 s later" in found[0].actual
    assert list(sequences.refusals_not_repeated([first, changed])) == []
    with pytest.raises(NotJudgeable):
        list(sequences.refusals_not_repeated([changed]))


def test_a_429_retried_before_its_retry_after_breaks_client_006() -> None:
    busy = call("createPosition", body=position(), status=429, response_headers={"Retry-After": "2"})
    soon = call("createPosition", body=position(), status=201, at=0.5, number=2)
    later = call("createPosition", body=position(), status=201, at=2.1, number=2)
    assert len(list(sequences.busy_retried_after([busy, soon]))) == 1
    assert list(sequences.busy_retried_after([busy, later])) == []
    assert list(sequences.busy_retried_after([busy])) == []
    assert [v.actual for v in sequences.busy_retried_after([busy], required=True)] == [
        "it was never sent again"
    ]


def test_failures_retried_at_once_or_too_often_break_client_007() -> None:
    def attempts(times: list[float]) -> list[Call]:
        return [
            call("createPosition", body=position(), status=500, at=t, number=n + 1)
            for n, t in enumerate(times)
        ]

    assert list(sequences.failures_backed_off(attempts([0, 0.1, 0.4, 1.1]))) == []
    hammering = [
        v.expected for v in sequences.failures_backed_off(attempts([0, 0.01, 0.02, 0.03, 0.04, 0.05]))
    ]
    assert hammering == [
        "at most 5 attempts of #1 createPosition",
        "waits that grow between attempts (exponential backoff)",
    ]
    shrinking = list(sequences.failures_backed_off(attempts([0, 1.0, 1.2])))
    assert [v.expected for v in shrinking] == ["waits that grow between attempts (exponential backoff)"]
    assert [v.actual for v in sequences.failures_backed_off(attempts([0]), required=True)] == [
        "it was never sent again"]  # fmt: skip


def test_a_creation_sent_again_under_a_new_iupd_breaks_client_008() -> None:
    first = call("createPosition", body=position(), status=500)
    same = call("createPosition", body=position(), status=201, at=0.1)
    renamed = call("createPosition", body={**position(), "iupd": "P-1-R2"}, status=201, at=0.1, number=2)
    assert list(sequences.same_position_on_retry([first, same])) == []
    assert [v.actual for v in sequences.same_position_on_retry([first, renamed])] == ["P-1-R2"]


def test_a_request_without_an_id_or_a_key_breaks_client_009_or_gpd_003() -> None:
    with_id = call("createPosition", body=position())
    without = call("createPosition", body=position(), headers={"x-request-id": " "}, number=2)
    assert list(sequences.request_ids([with_id])) == []
    assert [v.exchange for v in sequences.request_ids([with_id, without])] == [2]
    keyless = call("createPosition", body=position(), snapshot={"key_presented": False})
    assert list(sequences.keys_sent([with_id])) == [] and len(list(sequences.keys_sent([keyless]))) == 1


def test_a_cart_of_a_draft_position_breaks_client_014() -> None:
    options = [{"nav": "301000000000000001"}]
    created = call(
        "createPosition", body=position(), status=201, answer={"status": "DRAFT", "paymentOption": options}
    )
    published = call(
        "publishPosition", path=BASE + "/P-1/publish", answer={"status": "VALID", "paymentOption": options}
    )
    cart = call("PostCarts", body={"paymentNotices": [{"noticeNumber": "301000000000000001"}]}, status=302,
                api="checkout", number=3)  # fmt: skip
    assert [v.exchange for v in sequences.published_before_cart([created, cart])] == [3]
    assert list(sequences.published_before_cart([created, published, cart])) == []
    with pytest.raises(NotJudgeable):
        list(sequences.published_before_cart([created]))


# --- outcomes (CLIENT-002, 004, 010, 013) ---------------------------------------------------------------


def test_a_position_left_as_it_was_breaks_client_002() -> None:
    published = call("publishPosition", path=BASE + "/P-1/publish")
    assert list(outcomes.lifecycle_reached([published], change="publish", iupd="P-1", status="VALID")) == []
    assert len(list(outcomes.lifecycle_reached([], change="publish", iupd="P-1", status="DRAFT"))) == 1
    assert len(list(outcomes.lifecycle_reached([], change="publish", iupd="P-1", status="VALID"))) == 1
    assert list(outcomes.lifecycle_reached([call("deletePosition", method="DELETE")], change="delete",
                                           iupd="P-1", status=None)) == []  # fmt: skip


def test_a_notice_held_paid_without_its_receipt_breaks_client_004() -> None:
    read = call("getReceiptByIUV", method="GET", snapshot={"path_params": {"iuv": "X"}}, api="gpd_payments")
    said = {"paid": True, "receiptId": "R-1"}
    assert list(outcomes.paid_after_receipt([read], said, iuv="X", receipt_id="R-1")) == []
    assert [v.actual for v in outcomes.paid_after_receipt([], {"paid": True}, iuv="X", receipt_id="R-1")] == [
        "never read", "None"]  # fmt: skip
    assert list(outcomes.unpaid_reported({"paid": False})) == []
    assert len(list(outcomes.unpaid_reported({"paid": True}))) == 1


def test_an_upload_outcome_not_from_its_report_breaks_client_010() -> None:
    report = call("get-debt-positions-upload-report", method="GET", api="gpd_massive",
                  answer={"responses": [{"statusCode": 201, "requestIDs": ["A"]},
                                        {"statusCode": 400, "requestIDs": ["B"]}]})  # fmt: skip
    platform = {"A": 201, "B": 400}
    told = [{"iupd": "A", "statusCode": 201}, {"iupd": "B", "statusCode": 400}]
    assert list(outcomes.upload_outcomes_from_report([report], told, platform=platform)) == []
    guessed = [{"iupd": "A", "statusCode": 201}, {"iupd": "B", "statusCode": 201}]
    assert [v.where for v in outcomes.upload_outcomes_from_report([], guessed, platform=platform)] == [
        "", "/outcomes/B"]  # fmt: skip


def test_a_return_page_that_does_not_answer_breaks_client_013() -> None:
    page = Exchange("returnPage", "http://front.example/ok", b"", {}, method="GET", status=200)
    assert list(outcomes.return_page_answers(page)) == []
    gone = Exchange("returnPage", "http://front.example/gone", b"", {}, method="GET", status=404)
    refused = Exchange("returnPage", "http://front.example/ok", b"", {}, method="GET", error="unreachable")
    assert [v.actual for v in outcomes.return_page_answers(gone)] == ["HTTP 404"]
    assert [v.actual for v in outcomes.return_page_answers(refused)] == ["unreachable"]


# --- what the partner is asked to send, and how the sandbox's judgement is read -------------------------


@pytest.mark.parametrize("sanp", ["3.8.0", "3.13.0"])
@pytest.mark.parametrize("shape", SHAPES)
def test_every_position_pagoconf_asks_for_is_one_the_contract_and_gpd_accept(sanp: str, shape: str) -> None:
    contract = load_contract(sanp)
    numbering = Numbering("01", stamp=12_345_678)
    now = datetime.now(UTC)

    @settings(max_examples=5, database=None, deadline=None)
    @given(debt_positions(contract, shape=shape, organization=ORG, now=now))
    def accepted(drawn: dict[str, Any]) -> None:
        body = numbering_of(numbering, drawn)
        request = SandboxRequest(
            "POST", BASE, headers={"content-type": "application/json", "Ocp-Apim-Subscription-Key": "k"},
            body=json.dumps(body).encode(), body_size=100, api="gpd", operation="createPosition",
            path_params={"organizationfiscalcode": ORG},
        )  # fmt: skip
        findings = judge(Case(request, met(now.isoformat().replace("+00:00", "Z")), sanp)).findings
        assert findings == (), findings
        for option in body["paymentOption"]:
            assert sum(t["amount"] for t in option["transfer"]) == option["amount"]
            assert has_valid_check_digit("3" + option["iuv"])
            assert all(is_valid_iban(t["iban"]) for t in option["transfer"] if "iban" in t)

    accepted()


def numbering_of(numbering: Numbering, drawn: dict[str, Any]) -> dict[str, Any]:
    body = json.loads(json.dumps(drawn))
    body["iupd"] = numbering.iupd()
    for option in body["paymentOption"]:
        option["iuv"] = numbering.iuv()
    return body


def test_an_amended_position_still_adds_up() -> None:
    changed = amended(position())
    option = changed["paymentOption"][0]
    assert option["amount"] == 10_150 == sum(t["amount"] for t in option["transfer"])


def test_the_rules_judged_stop_at_the_stage_that_refused() -> None:
    everything = judged_rules("createPosition", ())
    keyless = judged_rules("createPosition", (Finding("GPD-003", "a key", "none"),))
    assert "GPD-003" in keyless and "GPD-044" in everything and "GPD-044" not in keyless
    assert set(keyless) < set(everything)
    warned = judged_rules("createPosition", (Finding("GPD-020", "left out", "null", warning=True),))
    assert warned == everything  # a warning refuses nothing: every stage was judged
    assert "GPD-033" not in judged_rules("deletePosition", ())  # the platform's own departure in its answer


def test_an_injected_answer_is_judged_by_no_rule_and_a_warning_is_a_violation() -> None:
    assert judgements(call("createPosition", body=position(), status=500, injected="500"), sanp="3.8.0") == []
    nulled = {**position(), "validityDate": None}
    headers = {"content-type": "application/json", "ocp-apim-subscription-key": "***"}
    entry = call(
        "createPosition", body=nulled, status=201, snapshot=met("2029-12-31T00:00:00Z"), headers=headers
    )
    found = {j.rule_id: j.violations for j in judgements(entry, sanp="3.8.0")}
    assert found["GPD-020"] and found["GPD-044"] == ()  # a departure the platform tolerates still counts


def test_an_exchange_says_what_it_is_about() -> None:
    created = call("createPosition", body=position()).exchange
    assert subject(created) == "debt position P-1"
    path = "/gpd/payments-receipts-service/v1/payments/77777777777/receipts/0100"
    read = call("getReceiptByIUV", method="GET", api="gpd_payments", path=path).exchange
    assert subject(read) == "the receipt of IUV 0100 of 77777777777"
    assert created.url == "http://127.0.0.1:8090" + BASE and "host" not in created.request_headers


@given(st.integers(0, 10**8 - 1))
def test_numbering_gives_notice_numbers_with_their_check_digit(stamp: int) -> None:
    numbering = Numbering("42", stamp=stamp)
    navs = {numbering.nav() for _ in range(3)}
    assert len(navs) == 3 and all(has_valid_check_digit(n) and n[1:3] == "42" for n in navs)


@pytest.mark.parametrize("status", [400, 404, 409, 422])
def test_the_sandbox_refuses_the_next_request_when_asked_and_journals_it_without_findings(
    status: int,
) -> None:
    import urllib3

    from pagoconf.platform.sandbox import Sandbox

    http = urllib3.PoolManager(retries=False)
    with Sandbox(keys=["k"]) as sandbox:
        urls = sandbox.base_urls
        fault = {"operation": "createPosition", "kind": str(status), "count": 1}
        queued = http.request("POST", urls["control"] + "/faults", body=json.dumps(fault).encode())
        assert queued.status == 201, queued.data
        headers = {"Ocp-Apim-Subscription-Key": "k", "Content-Type": "application/json"}
        body = json.dumps(position()).encode()
        refused = http.request(
            "POST", urls["gpd"] + f"/organizations/{ORG}/debtpositions", body=body, headers=headers
        )
        accepted = http.request(
            "POST", urls["gpd"] + f"/organizations/{ORG}/debtpositions", body=body, headers=headers
        )
        entries = [e for e in sandbox.store.journal(after=0, limit=10) if e.operation == "createPosition"]
    assert refused.status == status and json.loads(refused.data)["status"] == status
    assert accepted.status == 201  # one refusal queued, one given
    assert entries[0].injected == str(status) and entries[0].findings == ()
