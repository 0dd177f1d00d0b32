"""Steps about notices: which notice a scenario talks about."""

from __future__ import annotations

import pytest
from pytest_bdd import given, parsers

from pagoconf.notices import MissingData, Notice, NoticeBook

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
    try:
        return notices.of_kind(KINDS[kind])
    except MissingData as exc:
        pytest.skip(f"not run: {exc}")


@given(parsers.re(r"an? (?P<kind>[\w@.-]+) notice the citizen is about to pay"), target_fixture="notice")
def _(notices: NoticeBook, kind: str) -> Notice:
    try:
        return notices.to_pay(KINDS[kind])
    except MissingData as exc:
        pytest.skip(f"not run: {exc}")


@given("a notice number the institution never issued", target_fixture="notice")
def _(notices: NoticeBook) -> Notice:
    return notices.never_issued()
