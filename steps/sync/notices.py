"""Steps about notices: which notice a scenario talks about."""

from __future__ import annotations

from pytest_bdd import given, parsers

from pagoconf.sync.notices import Notice, NoticeBook

KINDS = {
    "payable": "payable",
    "multi-beneficiary": "multi_beneficiary",
    "postal": "postal",
    "@e.bollo": "bollo",
    "expired": "expired",
    "annulled": "annulled",
    "paid": "paid",
}


@given(parsers.re(r"an? (?P<kind>[\w@.-]+) notice of the institution"), target_fixture="notice")
def _(notices: NoticeBook, kind: str) -> Notice:
    return notices.of_kind(KINDS[kind])  # MissingData: the scenario is reported not run


@given(parsers.re(r"an? (?P<kind>[\w@.-]+) notice the citizen is about to pay"), target_fixture="notice")
def _(notices: NoticeBook, kind: str) -> Notice:
    return notices.to_pay(KINDS[kind])


@given("a notice number the institution never issued", target_fixture="notice")
def _(notices: NoticeBook) -> Notice:
    return notices.never_issued()
