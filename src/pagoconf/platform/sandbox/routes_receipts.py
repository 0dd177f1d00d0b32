"""The GPD receipts API (gpd_payments.json): the receipts of paid options, listed and read."""

from __future__ import annotations

from collections.abc import Callable
from math import ceil

from pagoconf.platform.sandbox.context import Context, Reply
from pagoconf.platform.sandbox.dates import wire
from pagoconf.platform.sandbox.queries import receipt_query
from pagoconf.platform.sandbox.receipts import receipt_document
from pagoconf.platform.sandbox.routes_gpd import health_check
from pagoconf.platform.sandbox.store import StoredReceipt

XML_TYPE = "application/xml"


def _item(r: StoredReceipt, *, strict: bool) -> dict[str, str | None]:
    return {
        "organizationFiscalCode": r.organization,
        "iuv": r.iuv,
        "debtor": r.debtor,
        "paymentDateTime": wire(r.payment_date_time, strict=strict),
        "status": r.status,
    }


def list_receipts(ctx: Context) -> Reply:
    """getOrganizationReceipts: one page of receipts (ReceiptsInfo in 3.8.0, PaymentsResult in 3.13.0)."""
    query = receipt_query(ctx.case)
    found, total = ctx.store.receipts(ctx.organization, query)
    items = [_item(r, strict=ctx.strict) for r in found]
    if ctx.case.sanp == "3.8.0":
        return ctx.answer(200, {"receipts_list": items})
    pages = ceil(total / query.size) if query.size else 0
    return ctx.answer(
        200, {"currentPageNumber": query.page, "length": len(items), "totalPages": pages, "results": items}
    )


def get_receipt(ctx: Context) -> Reply:
    """getReceiptByIUV: the paSendRT/paSendRTV2 request of the option's payment, as XML."""
    stored = ctx.store.receipt(ctx.organization, ctx.param("iuv"))
    assert stored is not None
    return Reply(200, receipt_document(stored.document), XML_TYPE)


HANDLERS: dict[str, Callable[[Context], Reply]] = {
    "gpd_payments.healthCheck": health_check,
    "getOrganizationReceipts": list_receipts,
    "getReceiptByIUV": get_receipt,
}
