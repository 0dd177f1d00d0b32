"""Each GPD rule, broken and kept: the broken request gets the documented status and a ProblemJson, and the
journal names the rule; the kept one goes through without it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sandbox_support import ORG, Answer, Client, iuv, moment, option, position, rules_of, sandbox, transfer

from pagoconf.engine.rules import catalogue
from pagoconf.platform.sandbox import Sandbox
from pagoconf.platform.sandbox.checks import GPD, OUTCOMES

__all__ = ["sandbox"]
Call = Callable[[Client], Answer]
STAMP = {"hashDocument": "a" * 44, "stampType": "01", "provincialResidence": "RM"}


def _with_option(**changes: Any) -> dict[str, Any]:
    return position(None, option(**changes))


def _transfers(amount: int, *transfers: dict[str, Any]) -> dict[str, Any]:
    return position(None, option(None, amount, transfer=list(transfers)))


def _stamped(**extra: Any) -> dict[str, Any]:
    t = transfer("1", 10000, stamp=STAMP, **extra)
    return _transfers(10000, {k: v for k, v in t.items() if v is not None})


def _unfunded() -> dict[str, Any]:
    t = transfer()
    del t["iban"]
    return _transfers(10000, t)


def _existing(client: Client) -> dict[str, Any]:
    return client.created()


def _duplicate_iupd(client: Client) -> Answer:
    body = client.created()
    return client.create(position(body["iupd"]))


def _duplicate_iuv(client: Client) -> Answer:
    body = client.created()
    return client.create(position(None, option(body["paymentOption"][0]["iuv"])))


def _duplicate_nav(client: Client) -> Answer:
    body = client.created()
    taken = "3" + body["paymentOption"][0]["iuv"]
    return client.create(position(None, option(nav=taken)))


def _mismatched_update(client: Client) -> Answer:
    body = client.created()
    return client.update(body["iupd"], dict(body, iupd=body["iupd"] + "-other"))


def _matching_update(client: Client) -> Answer:
    body = client.created()
    return client.update(body["iupd"], body)


def _metadata(*keys: str) -> dict[str, Any]:
    return _with_option(paymentOptionMetadata=[{"key": k, "value": "v"} for k in keys])


CASES: list[tuple[str, int, Call, Call]] = [
    (
        "GPD-001",
        404,
        lambda c: c.gpd("GET", "/nowhere"),
        lambda c: c.gpd("GET", "/info"),
    ),
    (
        "GPD-001",
        405,
        lambda c: c.gpd("PATCH", f"/organizations/{ORG}/debtpositions", body={}),
        lambda c: c.list(),
    ),
    ("GPD-003", 401, lambda c: c.list(key=None), lambda c: c.list()),
    ("GPD-003", 401, lambda c: c.list(key="not-a-key"), lambda c: c.list()),
    (
        "GPD-005",
        415,
        lambda c: c.gpd(
            "POST",
            f"/organizations/{ORG}/debtpositions",
            raw=b"iupd=1",
            headers={"Content-Type": "text/plain"},
        ),
        lambda c: c.create(position()),
    ),
    (
        "GPD-007",
        400,
        lambda c: c.gpd(
            "POST",
            f"/organizations/{ORG}/debtpositions",
            raw=b'{"iupd": ',
            headers={"Content-Type": "application/json"},
        ),
        lambda c: c.create(position()),
    ),
    (
        "GPD-007",
        400,
        lambda c: c.gpd(
            "POST", f"/organizations/{ORG}/debtpositions", headers={"Content-Type": "application/json"}
        ),
        lambda c: c.create(position()),
    ),
    (
        "GPD-010",
        400,
        lambda c: c.list({"page": 0, "limit": "ten"}),
        lambda c: c.list({"page": 0, "limit": 10}),
    ),
    (
        "GPD-010",
        400,
        lambda c: c.list({"page": 0, "status": "PENDING"}),
        lambda c: c.list({"page": 0, "status": "VALID"}),
    ),
    (
        "GPD-010",
        400,
        lambda c: c.list({"page": 0, "due_date_from": "31/12/2030"}),
        lambda c: c.list({"page": 0, "due_date_from": moment()[:10]}),
    ),
    (
        "GPD-011",
        400,
        lambda c: c.create({k: v for k, v in position().items() if k != "fullName"}),
        lambda c: c.create(position()),
    ),
    ("GPD-011", 400, lambda c: c.create(position(type="X")), lambda c: c.create(position(type="G"))),
    (
        "GPD-011",
        400,
        lambda c: c.create(_with_option(amount="100")),
        lambda c: c.create(_with_option(amount=10000)),
    ),
    (
        "GPD-011",
        400,
        lambda c: c.create(position(country="Italy")),
        lambda c: c.create(position(country="IT")),
    ),
    ("GPD-025", 400, lambda c: c.list({"page": 0, "limit": 75}), lambda c: c.list({"page": 0, "limit": 50})),
    (
        "GPD-027",
        400,
        lambda c: c.list({"page": 0, "due_date_from": "2030-01-01", "payment_date_from": "2030-01-01"}),
        lambda c: c.list({"page": 0, "due_date_from": "2030-01-01"}),
    ),
    (
        "GPD-028",
        400,
        lambda c: c.list({"page": 0, "due_date_from": "2030-01-01", "due_date_to": "2030-02-01"}),
        lambda c: c.list({"page": 0, "due_date_from": "2030-01-01", "due_date_to": "2030-01-31"}),
    ),
    (
        "GPD-028",
        400,
        lambda c: c.list({"page": 0, "payment_date_from": "2030-01-10", "payment_date_to": "2030-01-01"}),
        lambda c: c.list({"page": 0, "payment_date_from": "2030-01-01", "payment_date_to": "2030-01-10"}),
    ),
    (
        "GPD-029",
        400,
        lambda c: c.create(position(), query={"segregationCodes": "1,2"}),
        lambda c: c.create(position(), query={"segregationCodes": "01,02"}),
    ),
    ("GPD-031", 400, _mismatched_update, _matching_update),
    (
        "GPD-032",
        400,
        lambda c: c.create(_with_option(amount=0, transfer=[transfer(amount=0)])),
        lambda c: c.create(position()),
    ),
    (
        "GPD-032",
        400,
        lambda c: c.create(position(email="not-an-address")),
        lambda c: c.create(position(email="m@x.it")),
    ),
    (
        "GPD-032",
        400,
        lambda c: c.create(_transfers(10000, transfer(iban="IT60-X054"))),
        lambda c: c.create(_transfers(10000, transfer(iban="IT60X0542811101000000123456"))),
    ),
    (
        "GPD-040",
        400,
        lambda c: c.create(position(validityDate=moment(timedelta(days=-1)))),
        lambda c: c.create(position(validityDate=moment(timedelta(days=1)))),
    ),
    (
        "GPD-041",
        400,
        lambda c: c.create(_with_option(dueDate=moment(timedelta(days=-1)))),
        lambda c: c.create(_with_option(dueDate=moment(timedelta(days=1)))),
    ),
    (
        "GPD-041",
        400,
        lambda c: c.create(
            position(None, option(due=timedelta(days=2)), validityDate=moment(timedelta(days=3)))
        ),
        lambda c: c.create(
            position(None, option(due=timedelta(days=4)), validityDate=moment(timedelta(days=3)))
        ),
    ),
    (
        "GPD-042",
        400,
        lambda c: c.create(_with_option(retentionDate=moment(timedelta(days=10)))),
        lambda c: c.create(_with_option(retentionDate=moment(timedelta(days=40)))),
    ),
    (
        "GPD-043",
        400,
        lambda c: c.create(_transfers(600, *(transfer(str(n % 5 + 1), 100) for n in range(6)))),
        lambda c: c.create(_transfers(500, *(transfer(str(n + 1), 100) for n in range(5)))),
    ),
    (
        "GPD-044",
        400,
        lambda c: c.create(_transfers(10000, transfer("1", 6000), transfer("2", 3000))),
        lambda c: c.create(_transfers(9000, transfer("1", 6000), transfer("2", 3000))),
    ),
    ("GPD-045", 400, lambda c: c.create(_stamped()), lambda c: c.create(_stamped(iban=None))),
    (
        "GPD-045",
        400,
        lambda c: c.create(_unfunded()),
        lambda c: c.create(_transfers(10000, transfer(postalIban="IT02A0760103200000003517230"))),
    ),
    (
        "GPD-045",
        400,
        lambda c: c.create(_stamped(iban=None, postalIban="IT02A0760103200000003517230")),
        lambda c: c.create(_stamped(iban=None)),
    ),
    ("GPD-050", 409, _duplicate_iupd, lambda c: c.create(position())),
    ("GPD-050", 409, _duplicate_iuv, lambda c: c.create(position())),
    ("GPD-050", 409, _duplicate_nav, lambda c: c.create(position())),
    (
        "GPD-050",
        409,
        lambda c: c.create(position(None, option(n := iuv()), option(n))),
        lambda c: c.create(position(None, option(), option())),
    ),
    (
        "GPD-050",
        409,
        lambda c: c.create(_transfers(200, transfer("1", 100), transfer("1", 100))),
        lambda c: c.create(_transfers(200, transfer("1", 100), transfer("2", 100))),
    ),
    ("GPD-052", 409, lambda c: c.create(_metadata("a", "a")), lambda c: c.create(_metadata("a", "b"))),
    ("GPD-052", 409, lambda c: c.create(_metadata("NOTIFICATION_FEE")), lambda c: c.create(_metadata("FEE"))),
    ("GPD-060", 404, lambda c: c.get("IUPD-never-created"), lambda c: c.get(_existing(c)["iupd"])),
    (
        "GPD-060",
        404,
        lambda c: c.payments("GET", f"/payments/{ORG}/receipts/{iuv()}"),
        lambda c: c.payments("GET", "/info"),
    ),
    (
        "GPD-061",
        404,
        lambda c: c.payments("GET", "/payments/99999999999/receipts", query={"pageNum": 0}),
        lambda c: c.payments("GET", "/info"),
    ),
]


@pytest.mark.parametrize(
    ("rule_id", "status", "bad", "good"),
    CASES,
    ids=[f"{r}-{n}" for n, (r, *_) in enumerate(CASES)],
)
def test_a_broken_rule_is_refused_with_its_status_and_named_in_the_journal(
    sandbox: Sandbox, rule_id: str, status: int, bad: Call, good: Call
) -> None:
    client = Client(sandbox)
    answer = bad(client)
    assert answer.status == status, answer.data
    assert set(answer.json) == {"title", "status", "detail"} and answer.json["status"] == status
    entry = client.last()
    assert entry["status"] == status
    assert rule_id in rules_of(entry, warning=False), entry["findings"]
    kept = good(client)
    assert kept.status < 300, kept.data
    assert rule_id not in rules_of(client.last())


def test_a_validation_error_is_titled_bad_request_and_points_into_the_body(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    body = position(None, option(transfer=[transfer(amount="x")]))
    answer = client.create(body)
    assert answer.json["title"] == "BAD REQUEST"
    assert "/paymentOption/0/transfer/0/amount" in answer.json["detail"]
    finding = next(f for f in client.last()["findings"] if f["rule"] == "GPD-011")
    assert finding["where"] == "/paymentOption/0/transfer/0/amount" and finding["warning"] is False


def test_amounts_that_do_not_add_up_say_so_as_gpd_does(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    answer = client.create(_transfers(10000, transfer("1", 6000), transfer("2", 3000)))
    assert answer.json["detail"].startswith("/paymentOption/0/amount: Amounts congruence error")
    finding = next(f for f in client.last()["findings"] if f["rule"] == "GPD-044")
    assert finding["expected"] == "sum(transfer.amount) = 10000 cents"
    assert finding["actual"] == "Amounts congruence error: 9000 cents (6000 + 3000)"


def test_every_finding_of_a_stage_is_reported_not_only_the_first(sandbox: Sandbox) -> None:
    client = Client(sandbox)
    body = position(
        None,
        option(iuv(), 500, transfer=[transfer("1", 100)]),
        option(iuv(), 700, transfer=[transfer("1", 100)]),
    )
    client.create(body)
    wheres = {f["where"] for f in client.last()["findings"] if f["rule"] == "GPD-044"}
    assert wheres == {"/paymentOption/0/amount", "/paymentOption/1/amount"}


def test_a_receipts_page_past_the_end_is_400_in_3_13() -> None:
    with Sandbox(sanp="3.13.0", keys=["k"]) as sb:
        client = Client(sb, key="k")
        answer = client.payments("GET", "/payments/99999999999/receipts")
        assert answer.status == 400 and answer.json["title"] == "Not enough elements"
        assert rules_of(client.last(), warning=False) == {"GPD-061"}


def test_every_rule_of_the_suite_has_a_check_and_an_answer() -> None:
    async_rules = {r.id for r in catalogue().values() if r.suite == "async" and r.kind == "always"}
    assert GPD.unchecked() == []
    assert set(GPD.by_rule) == async_rules == set(OUTCOMES)
    for r in catalogue().values():
        if r.suite == "async":
            assert "domain-brief" not in r.source and "§" not in r.source, r.id
            assert r.applies_to, r.id
