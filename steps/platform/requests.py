"""Steps about what every request of the partner's system carries: the subscription key, a request id."""

from __future__ import annotations

from pytest_bdd import then

from pagoconf.engine.verdict import ScenarioVerdict
from pagoconf.platform.checks.sequences import keys_sent, request_ids
from pagoconf.platform.partner import Partner, expect


@then("every request of the partner's system carried the subscription key")
def _(partner: Partner, verdict: ScenarioVerdict) -> None:
    expect(verdict, "GPD-003", keys_sent, partner.calls)


@then("every request of the partner's system carried an X-Request-Id")
def _(partner: Partner, verdict: ScenarioVerdict) -> None:
    expect(verdict, "CLIENT-009", request_ids, partner.calls)
