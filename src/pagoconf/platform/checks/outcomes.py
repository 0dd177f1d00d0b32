"""What the partner's system ended up doing, and what it says it knows (CLIENT-002, 004, 010, 013): the
position published, invalidated or deleted as asked; a notice held paid only after its receipt was read;
a bulk upload's outcome taken from its report; a return page that answers. Pure: data in, violations out."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pagoconf.engine.exchange import Exchange
from pagoconf.engine.verdict import NotJudgeable
from pagoconf.engine.violation import Violation
from pagoconf.platform.calls import Call

LIFECYCLE = {
    "publish": (("publishPosition",), frozenset({"PUBLISHED", "VALID"}), "published (PUBLISHED or VALID)"),
    "invalidate": (("invalidatePosition",), frozenset({"INVALID"}), "invalidated (INVALID)"),
    "delete": (("deletePosition",), frozenset({"(gone)"}), "deleted"),
}


def lifecycle_reached(
    calls: Sequence[Call], *, change: str, iupd: str, status: str | None
) -> Iterator[Violation]:
    """CLIENT-002: the platform holds the position as the change asked (`status` as it now holds it, None
    when it holds none), reached with the change's own operation (or, to publish, a creation toPublish)."""
    operations, wanted, what = LIFECYCLE[change]
    now = status or "(gone)"
    if now not in wanted:
        yield Violation(f"debt position {iupd} {what}", f"the platform holds it {now}", "")
        return
    used = [c for c in calls if c.operation in operations and 200 <= c.status < 300]
    at_once = [
        c
        for c in calls
        if change == "publish" and c.operation == "createPosition" and c.query.get("toPublish") == "true"
    ]
    if not used and not at_once:
        yield Violation(f"{' or '.join(operations)} for debt position {iupd}", "no such request", "")


def paid_after_receipt(
    calls: Sequence[Call], reported: Mapping[str, Any], *, iuv: str, receipt_id: str
) -> Iterator[Violation]:
    """CLIENT-004 for a paid notice: the partner read its receipt (getReceiptByIUV), then said it is paid,
    with the receipt's id."""
    read = [
        c
        for c in calls
        if c.operation == "getReceiptByIUV" and c.status == 200 and c.params.get("iuv") == iuv
    ]
    if not read:
        yield Violation(f"the receipt of IUV {iuv} read (getReceiptByIUV)", "never read", "")
    if reported.get("paid") is not True:
        yield Violation("the notice reported paid", f"paid: {reported.get('paid')}", "/paid")
    elif reported.get("receiptId") != receipt_id:
        yield Violation(
            f"receiptId {receipt_id}, the receipt's", str(reported.get("receiptId")), "/receiptId"
        )


def unpaid_reported(reported: Mapping[str, Any]) -> Iterator[Violation]:
    """CLIENT-004 for a notice nobody paid: the partner does not say it is paid."""
    if reported.get("paid") is not False:
        yield Violation(
            "the notice reported not paid: no receipt exists", f"paid: {reported.get('paid')}", "/paid"
        )


def report_outcomes(calls: Sequence[Call]) -> dict[str, int]:
    """Each position's status code, as the last upload report read gives it."""
    reports = [c for c in calls if c.operation == "get-debt-positions-upload-report" and c.status == 200]
    if not reports or not isinstance(reports[-1].answer, Mapping):
        return {}
    return {
        str(iupd): int(entry.get("statusCode", 0))
        for entry in reports[-1].answer.get("responses") or []
        if isinstance(entry, Mapping)
        for iupd in entry.get("requestIDs") or []
    }


def upload_outcomes_from_report(
    calls: Sequence[Call], reported: Sequence[Mapping[str, Any]], *, platform: Mapping[str, int]
) -> Iterator[Violation]:
    """CLIENT-010: the partner read the upload's report, and holds each position's outcome as the platform
    gives it (`platform`: IUPD → status code of the positions it processed)."""
    if not platform:
        raise NotJudgeable("the platform processed no position of the upload")
    read = report_outcomes(calls)
    if not read:
        yield Violation("the upload's report read (…/file/{file-id}/report)", "never read", "")
    said = {str(o.get("iupd")): int(o.get("statusCode", 0)) for o in reported}
    for iupd, code in platform.items():
        if said.get(iupd) != code:
            yield Violation(
                f"debt position {iupd}: {code}, as the report gives it",
                str(said.get(iupd, "absent")),
                f"/outcomes/{iupd}",
            )


def return_page_answers(page: Exchange) -> Iterator[Violation]:
    """CLIENT-013: the return URL the citizen is sent back to answers with a page (2xx)."""
    if page.error:
        yield Violation("a page of the institution's front end (HTTP 2xx)", page.error, page.url)
    elif not 200 <= page.status < 300:
        yield Violation("a page of the institution's front end (HTTP 2xx)", f"HTTP {page.status}", page.url)
