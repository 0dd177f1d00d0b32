"""Steps about bulk uploads: many debt positions in one file, and the report that says what became of each."""

from __future__ import annotations

from typing import Any

from pytest_bdd import then, when

from pagoconf.engine.verdict import ScenarioVerdict
from pagoconf.platform.checks.asked import uploaded_as_issued
from pagoconf.platform.checks.outcomes import upload_outcomes_from_report
from pagoconf.platform.partner import Done, Partner, expect

UPLOAD = "create-debt-positions-by-file-upload"


@when("the partner's system uploads them in one file", target_fixture="upload")
def _(partner: Partner, issued: list[dict[str, Any]]) -> Done:
    return partner.ask("uploadPositions", positions=issued)


@then("the file holds each of them as it was issued")
def _(partner: Partner, verdict: ScenarioVerdict, issued: list[dict[str, Any]], upload: Done) -> None:
    call = partner.requires(upload, UPLOAD, what="the upload was not accepted")
    verdict.expect("CLIENT-001", uploaded_as_issued, call, issued=issued, organization=partner.organization)


@then("the partner's system holds each one's outcome as the upload's report gives it")
def _(partner: Partner, verdict: ScenarioVerdict, upload: Done) -> None:
    call = partner.requires(upload, UPLOAD, what="the upload was not accepted")
    if not upload.ok:
        raise verdict.stop(f"the partner's system could not say: {upload.answer.error}")
    outcomes = partner.upload_outcomes(call.response_header("location") or "")
    reported = list(upload.result.get("outcomes", []))
    expect(
        verdict,
        "CLIENT-010",
        upload_outcomes_from_report,
        list(upload.calls),
        reported=reported,
        platform=outcomes,
    )
