"""Steps about the platform saying no, or not now: refusals, 429s and failures the sandbox is told to answer,
and how the partner's system takes them."""

from __future__ import annotations

from pytest_bdd import given, parsers, then

from pagoconf.engine.verdict import ScenarioVerdict
from pagoconf.platform.checks.sequences import (
    busy_retried_after,
    failures_backed_off,
    refusals_not_repeated,
    same_position_on_retry,
    same_target,
)
from pagoconf.platform.partner import Done, Partner, expect

OPERATIONS = {"creation": "createPosition", "publication": "publishPosition"}
REPEATED = 3  # enough for a client that retries refusals to show it


@given(parsers.parse("the platform will refuse the next {what}s with {status:d}"))
def _(partner: Partner, what: str, status: int) -> None:
    partner.answer_next(OPERATIONS[what], str(status), count=REPEATED)


@given(
    parsers.parse("the platform will answer the next creation with 429, asking to wait {seconds:d} second")
)
def _(partner: Partner, seconds: int) -> None:
    partner.answer_next("createPosition", "429", retry_after=seconds)


@given(parsers.re(r"the platform will fail the next (?:(?P<count>\d+) )?creations? with 500"))
def _(partner: Partner, count: str | None) -> None:
    partner.answer_next("createPosition", "500", count=int(count or 1))


@then(parsers.re(r"the partner's system did not send the refused (creation|publication) again"))
def _(verdict: ScenarioVerdict, done: Done) -> None:
    expect(verdict, "CLIENT-005", refusals_not_repeated, list(done.calls))


@then("the partner's system sent the creation again, after waiting as asked")
def _(verdict: ScenarioVerdict, done: Done) -> None:
    expect(verdict, "CLIENT-006", busy_retried_after, list(done.calls), required=True, same=same_target)


@then("the partner's system tried again with growing waits, at most 5 times")
def _(verdict: ScenarioVerdict, done: Done) -> None:
    expect(verdict, "CLIENT-007", failures_backed_off, list(done.calls), required=True, same=same_target)


@then("every attempt carried the same debt position")
def _(verdict: ScenarioVerdict, done: Done) -> None:
    expect(verdict, "CLIENT-008", same_position_on_retry, list(done.calls))
