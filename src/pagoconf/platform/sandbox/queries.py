"""List queries as the platform reads them from a request: paging, filters, order, segregation codes."""

from __future__ import annotations

from datetime import date, datetime

from pagoconf.platform.sandbox.checks import (
    DUE,
    PAID,
    PAID_TIME,
    PLATFORM_DEFAULT_LIMIT,
    honoured_segregation_codes,
    param_values,
    receipts_page_size,
    spec,
    window,
)
from pagoconf.platform.sandbox.dates import end_of, parse_date, parse_datetime, start_of
from pagoconf.platform.sandbox.request import Case
from pagoconf.platform.sandbox.store import ORDER_BY, PositionQuery, ReceiptQuery


def page_limit(case: Case) -> int:
    """The page size of a debt-position list: the one asked, else the platform's default (faithful) or the
    contract's (strict)."""
    asked = param_values(case, "query").get("limit")
    if isinstance(asked, int):
        return asked
    if case.strict:
        param = spec(case).parameter("limit")
        return (
            int(param.schema.get("default", PLATFORM_DEFAULT_LIMIT))
            if param is not None
            else PLATFORM_DEFAULT_LIMIT
        )
    return PLATFORM_DEFAULT_LIMIT


def position_query(case: Case) -> PositionQuery:
    """getOrganizationDebtPositions' query (the request passed the rules)."""
    values = param_values(case, "query")
    query = case.request.query_values
    due = _bounds(window(query, DUE))
    paid = _bounds(window(query, PAID)) or _bounds(window(query, PAID_TIME))
    order = values.get("orderby") if values.get("orderby") in ORDER_BY else "INSERTED_DATE"
    return PositionQuery(
        page=int(values.get("page", 0)),
        limit=page_limit(case),
        status=values.get("status"),
        due_from=due[0] if due else None,
        due_to=due[1] if due else None,
        paid_from=paid[0] if paid else None,
        paid_to=paid[1] if paid else None,
        order_by=str(order),
        descending=values.get("ordering", "DESC") != "ASC",
        segregation_codes=honoured_segregation_codes(case),
    )


def receipt_query(case: Case) -> ReceiptQuery:
    """getOrganizationReceipts' query: `service` and `debtorOrIuv` match IUV (and debtor) prefixes, `from`
    and `to` bound the payment date (a date means the whole day)."""
    values = param_values(case, "query")
    query = case.request.query_values
    page = values.get("pageNum", 0)
    size = values.get("pageSize", receipts_page_size(case))
    return ReceiptQuery(
        page=page if isinstance(page, int) else 0,
        size=size if isinstance(size, int) and size > 0 else receipts_page_size(case),
        debtor=query.get("debtor") or None,
        iuv_prefix=query.get("service") or None,
        paid_from=_moment(query.get("from"), end=False),
        paid_to=_moment(query.get("to"), end=True),
        debtor_or_iuv=query.get("debtorOrIuv") or None,
        segregation_codes=honoured_segregation_codes(case),
    )


def _bounds(days: tuple[date, date] | None) -> tuple[datetime, datetime] | None:
    return None if days is None else (start_of(days[0]), end_of(days[1]))


def _moment(text: str | None, *, end: bool) -> datetime | None:
    if not text:
        return None
    try:
        if "T" in text:
            return parse_datetime(text)
        day = parse_date(text)
    except ValueError:
        return None
    return end_of(day) if end else start_of(day)
