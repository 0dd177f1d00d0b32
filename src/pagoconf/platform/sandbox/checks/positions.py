"""Rules on debt positions: existence, state transitions, data congruence (dates, amounts, transfers),
uniqueness and publishing."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from pagoconf.engine.violation import Violation
from pagoconf.platform.sandbox import positions as model
from pagoconf.platform.sandbox.checks.common import (
    BY_IUPD,
    RESERVED_METADATA_KEY,
    WRITES,
    body_options,
    moment_of,
    now,
    once,
    param_values,
    receipts_page_size,
    stamp,
    to_publish,
)
from pagoconf.platform.sandbox.checks.registry import Stage, rule
from pagoconf.platform.sandbox.findings import Finding
from pagoconf.platform.sandbox.problems import Problem
from pagoconf.platform.sandbox.request import Case

# --- EXISTS ---------------------------------------------------------------------------------------------


def _absent_problem(case: Case, finding: Finding) -> Problem:
    org, params = case.organization, case.request.path_params
    if case.operation == "setPaymentOptionAsAlreadyPaid":
        nav = params.get("nav", "")
        return Problem(
            404,
            "Not found the payment option",
            f"Not found a payment option for Organization Fiscal Code {org} and NAV {nav}",
        )
    if case.operation == "getReceiptByIUV":
        iuv = params.get("iuv", "")
        return Problem(
            404,
            "Not found the receipt",
            f"Not found a receipt for Organization Fiscal Code {org} and IUV {iuv}",
        )
    iupd = params.get("iupd", "")
    return Problem(
        404,
        "Not found the debt position",
        f"Not found a debt position for Organization Fiscal Code {org} and IUPD {iupd}",
    )


@rule("GPD-060", stage=Stage.EXISTS, status=404, title="NOT FOUND", refine=_absent_problem)
def the_named_resource_exists(case: Case) -> Iterator[Violation]:
    """The debt position, payment option or receipt a request names exists."""
    params = case.request.path_params
    if case.operation in BY_IUPD and case.position is None:
        yield Violation("an existing debt position", f"no position {params.get('iupd')}", "path:iupd")
    elif case.operation == "setPaymentOptionAsAlreadyPaid" and case.position is None:
        yield Violation(
            "an existing payment option", f"no option with notice number {params.get('nav')}", "path:nav"
        )
    elif case.operation == "getReceiptByIUV" and not case.snapshot.get("receipt"):
        yield Violation("a receipt of a paid option", f"no receipt for IUV {params.get('iuv')}", "path:iuv")


def _page_problem(case: Case, finding: Finding) -> Problem:
    if case.sanp == "3.8.0":
        page = case.request.query_values.get("pageNum", "0")
        return Problem(
            404,
            "Not found the receipts",
            f"Not found receipts for Organization Fiscal Code {case.organization} and page {page}",
        )
    return Problem(400, "Not enough elements", "The page number is too big for the filtered elements")


@rule("GPD-061", stage=Stage.EXISTS, status=404, title="Not found the receipts", refine=_page_problem)
def the_receipts_page_exists(case: Case) -> Iterator[Violation]:
    """A receipts list asks for a page within its results."""
    found = int(case.snapshot.get("receipts_found", 0))
    values = param_values(case, "query")
    size = values.get("pageSize") if isinstance(values.get("pageSize"), int) else receipts_page_size(case)
    page = values.get("pageNum") if isinstance(values.get("pageNum"), int) else 0
    assert isinstance(size, int) and isinstance(page, int)
    pages = -(-found // size) if size > 0 else 0
    if page >= pages:
        yield Violation(f"pageNum < {pages} (pages of results)", str(page), "query:pageNum")


# --- STATE ----------------------------------------------------------------------------------------------


def _status_is(case: Case, allowed: frozenset[model.Status]) -> Violation | None:
    position = case.position
    if position is not None and position.status not in allowed:
        expected = " or ".join(sorted(allowed))
        return Violation(f"a position in {expected}", str(position.status), "path:iupd")
    return None


def _detail(action: str) -> str:
    return (
        "A payment transaction has already been carried out or, the debt position with "
        "Organization Fiscal Code "
        f"{{org}} and IUPD {{iupd}}, is not in {action} state"
    )


@rule(
    "GPD-062",
    stage=Stage.STATE,
    status=409,
    title="Existing related payment found or not in updatable state",
    detail=_detail("updatable"),
)
def only_open_positions_are_updated(case: Case) -> Iterator[Violation]:
    """Only a DRAFT, PUBLISHED or VALID position is updated."""
    if case.operation == "updatePosition" and (v := _status_is(case, model.UPDATABLE)):
        yield v


@rule(
    "GPD-063",
    stage=Stage.STATE,
    status=409,
    title="Existing related payment found",
    detail="A payment transaction has already been carried out on the debt position with "
    "Organization Fiscal Code {org} and IUPD {iupd}",
)
def positions_with_payments_are_not_deleted(case: Case) -> Iterator[Violation]:
    """A position with payments (PARTIALLY_PAID, PAID, REPORTED) is not deleted."""
    if case.operation == "deletePosition" and (v := _status_is(case, model.DELETABLE)):
        yield v


@rule(
    "GPD-064",
    stage=Stage.STATE,
    status=409,
    title="Existing related payment found or not in publishable state",
    detail=_detail("publishable"),
)
def only_drafts_are_published(case: Case) -> Iterator[Violation]:
    """Only a DRAFT position is published."""
    if case.operation == "publishPosition" and (v := _status_is(case, frozenset({model.Status.DRAFT}))):
        yield v


@rule(
    "GPD-066",
    stage=Stage.STATE,
    status=409,
    title="Existing related payment found or not in invalidable state",
    detail=_detail("invalidable"),
)
def only_published_or_valid_positions_are_invalidated(case: Case) -> Iterator[Violation]:
    """Only a PUBLISHED or VALID position is invalidated."""
    if case.operation == "invalidatePosition" and (v := _status_is(case, model.INVALIDABLE)):
        yield v


def _payability_problem(case: Case, finding: Finding) -> Problem:
    position = case.position
    option = None if position is None else position.option_by_nav(case.request.path_params.get("nav", ""))
    refusal = None if position is None or option is None else model.payability(position, option.iuv)
    return refusal or Problem(409, "Existing related payment found", finding.actual)


@rule(
    "GPD-067",
    stage=Stage.STATE,
    status=409,
    title="Existing related payment found",
    refine=_payability_problem,
)
def only_payable_options_are_marked_paid(case: Case) -> Iterator[Violation]:
    """Only an unpaid option of a VALID or PARTIALLY_PAID position is marked as already paid."""
    position = case.position
    option = None if position is None else position.option_by_nav(case.request.path_params.get("nav", ""))
    if position is None or option is None:
        return
    refusal = model.payability(position, option.iuv)
    if refusal is not None:
        yield Violation(
            "an unpaid option of a VALID or PARTIALLY_PAID position",
            f"{position.status}, {option.status}",
            "path:nav",
        )


# --- DATA (DebtPositionValidation) ----------------------------------------------------------------------


@once
def body_validity(case: Case) -> datetime | None:
    """The body's validity date, when it has one that reads as a date-time."""
    body = case.body
    return moment_of(body.get("validityDate")) if isinstance(body, Mapping) else None


@rule("GPD-040", stage=Stage.DATA, status=400)
def the_validity_date_is_not_past(case: Case) -> Iterator[Violation]:
    """A validity date, when set, is not in the past."""
    validity = body_validity(case)
    current = now(case)
    if validity is not None and validity < current:
        yield Violation(
            f"validity_date ≥ current_date ({stamp(current)})",
            f"Dates congruence error: validity_date={stamp(validity)}",
            "/validityDate",
        )


@rule("GPD-041", stage=Stage.DATA, status=400)
def due_dates_follow_the_validity_date(case: Case) -> Iterator[Violation]:
    """Every due date follows the validity date, or the current date when there is none."""
    validity = body_validity(case)
    floor = validity or now(case)
    for n, option in body_options(case):
        due = moment_of(option.get("dueDate"))
        if due is not None and due < floor:
            what = "validity_date" if validity is not None else "current_date"
            yield Violation(
                f"due_date ≥ {what} ({stamp(floor)})",
                f"Dates congruence error: due_date={stamp(due)}",
                f"/paymentOption/{n}/dueDate",
            )


@rule("GPD-042", stage=Stage.DATA, status=400)
def retention_dates_follow_due_dates(case: Case) -> Iterator[Violation]:
    """A retention date does not precede its option's due date."""
    for n, option in body_options(case):
        due, retention = moment_of(option.get("dueDate")), moment_of(option.get("retentionDate"))
        if due is not None and retention is not None and retention < due:
            yield Violation(
                f"retention_date ≥ due_date ({stamp(due)})",
                f"Dates congruence error: retention_date={stamp(retention)}",
                f"/paymentOption/{n}/retentionDate",
            )


@rule("GPD-043", stage=Stage.DATA, status=400)
def an_option_has_at_most_five_transfers(case: Case) -> Iterator[Violation]:
    """A payment option has at most 5 transfers."""
    for n, option in body_options(case):
        transfers = option.get("transfer") or []
        if len(transfers) > model.MAX_TRANSFERS:
            yield Violation(
                f"at most {model.MAX_TRANSFERS} transfers",
                f"Number of transfers congruence error: {len(transfers)} transfers",
                f"/paymentOption/{n}/transfer",
            )


@rule("GPD-044", stage=Stage.DATA, status=400)
def transfers_add_up_to_the_option_amount(case: Case) -> Iterator[Violation]:
    """The transfers' amounts add up to the option's amount, in cents."""
    for n, option in body_options(case):
        amounts = [t.get("amount") for t in option.get("transfer") or [] if isinstance(t, Mapping)]
        total = sum(a for a in amounts if isinstance(a, int))
        declared = option.get("amount")
        if isinstance(declared, int) and total != declared:
            parts = " + ".join(str(a) for a in amounts)
            yield Violation(
                f"sum(transfer.amount) = {declared} cents",
                f"Amounts congruence error: {total} cents ({parts or 'no transfers'})",
                f"/paymentOption/{n}/amount",
            )


@rule("GPD-045", stage=Stage.DATA, status=400)
def a_transfer_credits_an_iban_or_asks_for_astamp(case: Case) -> Iterator[Violation]:
    """Each transfer credits an IBAN or asks for a complete stamp, not both; postalIban only with an IBAN."""
    for n, option in body_options(case):
        for m, transfer in enumerate(option.get("transfer") or []):
            if not isinstance(transfer, Mapping):
                continue
            stamp = transfer.get("stamp")
            complete = isinstance(stamp, Mapping) and all(
                stamp.get(k) for k in ("hashDocument", "stampType", "provincialResidence")
            )
            iban, postal = bool(transfer.get("iban")), bool(transfer.get("postalIban"))
            where = f"/paymentOption/{n}/transfer/{m}"
            if iban == complete:
                actual = "both an IBAN and a stamp" if iban else "neither an IBAN nor a complete stamp"
                yield Violation("exactly one of iban or a complete stamp", actual, where)
            elif postal and not iban:
                yield Violation(
                    "postalIban only beside an iban", "postalIban with a stamp", f"{where}/postalIban"
                )


# --- UNIQUE ---------------------------------------------------------------------------------------------


@rule(
    "GPD-050",
    stage=Stage.UNIQUE,
    status=409,
    title="The debt position violated constraints of uniqueness",
    detail="Already exists a debt position for the Organization Fiscal Code {org} "
    "or one of its payment options is not unique",
)
def identifiers_are_unique_in_the_organization(case: Case) -> Iterator[Violation]:
    """IUPD, IUV and notice number are unique within the organization; idTransfer within its option."""
    taken = case.snapshot.get("taken") or {}
    body = case.body
    if taken.get("iupd") and isinstance(body, Mapping):
        yield Violation("an IUPD the organization does not use yet", str(body.get("iupd")), "/iupd")
    seen_iuv: set[str] = set()
    seen_nav: set[str] = set()
    for n, option in body_options(case):
        iuv = str(option.get("iuv"))
        nav = str(option.get("nav") or model.NOTICE_AUX_DIGIT + iuv)
        if iuv in taken.get("iuvs", ()) or iuv in seen_iuv:
            yield Violation("an IUV the organization does not use yet", iuv, f"/paymentOption/{n}/iuv")
        elif nav in taken.get("navs", ()) or nav in seen_nav:
            yield Violation(
                "a notice number the organization does not use yet", nav, f"/paymentOption/{n}/nav"
            )
        seen_iuv.add(iuv)
        seen_nav.add(nav)
        ids = [str(t.get("idTransfer")) for t in option.get("transfer") or [] if isinstance(t, Mapping)]
        for m, tid in enumerate(ids):
            if tid in ids[:m]:
                yield Violation(
                    "idTransfer unique within the option", tid, f"/paymentOption/{n}/transfer/{m}/idTransfer"
                )


def _metadata_lists(case: Case) -> Iterator[tuple[str, list[Any]]]:
    for n, option in body_options(case):
        yield f"/paymentOption/{n}/paymentOptionMetadata", list(option.get("paymentOptionMetadata") or [])
        for m, transfer in enumerate(option.get("transfer") or []):
            if isinstance(transfer, Mapping):
                yield (
                    f"/paymentOption/{n}/transfer/{m}/transferMetadata",
                    list(transfer.get("transferMetadata") or []),
                )


@rule(
    "GPD-052",
    stage=Stage.UNIQUE,
    status=409,
    title="The debt position violated constraints of uniqueness",
    detail="Metadata keys must be unique and not reserved: {details}",
)
def metadata_keys_are_unique_and_not_reserved(case: Case) -> Iterator[Violation]:
    """Metadata keys are unique in their option or transfer; NOTIFICATION_FEE is reserved to the platform."""
    for where, entries in _metadata_lists(case):
        keys = [str(e.get("key")) for e in entries if isinstance(e, Mapping)]
        for k, key in enumerate(keys):
            if key in keys[:k]:
                yield Violation("a key not used before in this list", key, f"{where}/{k}/key")
            if where.endswith("paymentOptionMetadata") and key == RESERVED_METADATA_KEY:
                yield Violation(
                    f"a key other than {RESERVED_METADATA_KEY} (reserved)", key, f"{where}/{k}/key"
                )


# --- PUBLISH --------------------------------------------------------------------------------------------

PUBLISH_TITLES = {
    "DEBT_POSITION_PUBLISH_DUE_DATE_MISMATCH": (
        "Publish request occurred after the due date of a payment options has expired"
    ),
    "DEBT_POSITION_PUBLISH_VALIDITY_DATE_MISMATCH": "Publish request occurred after the validity date began",
}


@once
def publishing(case: Case) -> model.Position | None:
    """The position the request would publish: the stored one (publishPosition), or the one the body
    describes (create or update with toPublish), as the write builds it before publishing it."""
    if case.operation == "publishPosition":
        return case.position
    if case.operation in WRITES and to_publish(case) and isinstance(case.body, Mapping):
        try:
            return model.from_body(case.body, case.organization, now(case), previous=case.position)
        except (KeyError, TypeError, ValueError):
            return None
    return None


def _iupd_of(case: Case) -> str:
    body = case.body if isinstance(case.body, Mapping) else {}
    return str(case.request.path_params.get("iupd") or body.get("iupd"))


def _publish_problem(case: Case, finding: Finding) -> Problem:
    code = finding.actual.split(":")[0]
    what = "due date of a payment options has expired" if "DUE_DATE" in code else "validity date began"
    return Problem(
        409,
        PUBLISH_TITLES.get(code, "Publishing not possible"),
        f"A publish request occurred after the {what} for the debt position with Organization Fiscal Code "
        f"{case.organization} and IUPD {_iupd_of(case)}",
    )


@rule("GPD-065", stage=Stage.PUBLISH, status=409, refine=_publish_problem)
def positions_are_published_before_they_start_or_fall_due(case: Case) -> Iterator[Violation]:
    """A position is published before its validity date, and before its earliest due date when it has none."""
    position = publishing(case)
    if position is None:
        return
    refusal = model.publish_refusal(position, now(case))
    if refusal is not None:
        yield Violation(
            "validity date and earliest due date still ahead",
            f"{refusal}: validity {stamp(position.validity_date)}, "
            f"earliest due {stamp(position.min_due_date)}",
            "/validityDate" if "VALIDITY" in refusal else "/paymentOption",
        )
