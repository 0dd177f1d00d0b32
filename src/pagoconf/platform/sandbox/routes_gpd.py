"""The GPD debt-positions API (gpd.json): thin handlers that apply the model to a request the rules let
through, keep the result and answer it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from math import ceil

from pagoconf.platform.sandbox import positions as model
from pagoconf.platform.sandbox.checks import to_publish
from pagoconf.platform.sandbox.context import Context, Reply
from pagoconf.platform.sandbox.dates import parse_datetime
from pagoconf.platform.sandbox.queries import position_query
from pagoconf.platform.sandbox.views import option_view, position_view

DELETED = "OK"


def health_check(ctx: Context) -> Reply:
    """GET /info: the application's name, version and environment."""
    version = ctx.contract.documents[ctx.op.api].get("info", {}).get("version", "")
    return ctx.answer(
        200, {"name": f"pagoconf-sandbox ({ctx.op.api})", "version": version, "environment": "sandbox"}
    )


def list_positions(ctx: Context) -> Reply:
    """getOrganizationDebtPositions: one page of the organization's positions."""
    query = position_query(ctx.case)
    found, total = ctx.store.positions(ctx.organization, query)
    page = [position_view(p, strict=ctx.strict) for p in found]
    info = {
        "page": query.page,
        "limit": query.limit,
        "items_found": len(page),
        "total_pages": ceil(total / query.limit) if query.limit else 0,
    }
    return ctx.answer(200, {"payment_position_list": page, "page_info": info})


def _published_if_asked(ctx: Context, position: model.Position) -> model.Position:
    return model.publish(position, ctx.now) if to_publish(ctx.case) else position


def create_position(ctx: Context) -> Reply:
    """createPosition: a new DRAFT position (published at once with toPublish)."""
    position = _published_if_asked(ctx, model.from_body(ctx.case.body, ctx.organization, ctx.now))
    ctx.store.insert_position(position)
    return ctx.answer(201, position_view(position, strict=ctx.strict))


def get_position(ctx: Context) -> Reply:
    """getOrganizationDebtPositionByIUPD: the position as it is now."""
    position = ctx.store.position(ctx.organization, ctx.param("iupd"))
    assert position is not None
    return ctx.answer(200, position_view(position, strict=ctx.strict))


def update_position(ctx: Context) -> Reply:
    """updatePosition: the position rebuilt from the body, back to DRAFT unless toPublish."""
    previous = ctx.case.position
    rebuilt = model.from_body(ctx.case.body, ctx.organization, ctx.now, previous=previous)
    position = _published_if_asked(ctx, rebuilt)
    ctx.store.replace_position(position)
    return ctx.answer(200, position_view(position, strict=ctx.strict))


def delete_position(ctx: Context) -> Reply:
    """deletePosition: the position forgotten; the platform confirms in plain text, the contract in JSON."""
    ctx.store.delete_position(ctx.organization, ctx.param("iupd"))
    if ctx.strict:
        return ctx.answer(200, DELETED)
    return Reply(200, DELETED.encode(), "text/plain")


def _stored(ctx: Context) -> model.Position:
    position = ctx.store.position(ctx.organization, ctx.param("iupd"))
    assert position is not None
    return position


def publish_position(ctx: Context) -> Reply:
    """publishPosition: DRAFT → VALID or PUBLISHED."""
    position = model.publish(_stored(ctx), ctx.now)
    ctx.store.replace_position(position)
    return ctx.answer(200, position_view(position, strict=ctx.strict))


def invalidate_position(ctx: Context) -> Reply:
    """invalidatePosition: PUBLISHED or VALID → INVALID."""
    position = model.invalidate(_stored(ctx), ctx.now)
    ctx.store.replace_position(position)
    return ctx.answer(200, position_view(position, strict=ctx.strict))


def mark_option_paid(ctx: Context) -> Reply:
    """setPaymentOptionAsAlreadyPaid (SANP 3.13.0): the option paid outside pagoPA, on the date given."""
    position = ctx.case.position
    assert position is not None
    option = position.option_by_nav(ctx.param("nav"))
    assert option is not None
    body = ctx.case.body if isinstance(ctx.case.body, dict) else {}
    paid_at = parse_datetime(body["paymentDate"]) if body.get("paymentDate") else ctx.now
    facts = model.PaymentFacts(paid_at, receipt_id="", psp_company="", payment_method="")
    paid = model.pay(position, option.iuv, facts)
    ctx.store.replace_position(paid)
    updated = paid.option(option.iuv)
    assert updated is not None
    view = option_view(
        replace(updated, receipt_id=None, psp_company=None, payment_method=None),
        paid.organization,
        strict=ctx.strict,
    )
    return ctx.answer(200, view)


def update_ibans(ctx: Context) -> Reply:
    """updateTransferIbanMassive (SANP 3.13.0): transfers of updatable positions moved to a new IBAN."""
    old = ctx.case.request.query_values["oldIban"]
    new = str(ctx.case.body["newIban"])
    limit = int(ctx.case.request.query_values.get("limit") or 1000)
    changed = 0
    for position in ctx.store.positions_with_iban(ctx.organization, old):
        if position.status not in model.UPDATABLE or changed >= limit:
            continue
        options = []
        for option in position.options:
            transfers = []
            for t in option.transfers:
                if changed < limit and (t.iban == old or t.postal_iban == old):
                    t = replace(
                        t,
                        iban=new if t.iban == old else t.iban,
                        postal_iban=new if t.postal_iban == old else t.postal_iban,
                        last_updated_date=ctx.now,
                    )
                    changed += 1
                transfers.append(t)
            options.append(replace(option, transfers=tuple(transfers)))
        ctx.store.replace_position(replace(position, options=tuple(options), last_updated_date=ctx.now))
    return ctx.answer(200, {"description": f"{changed} transfers updated", "updatedTransfers": changed})


HANDLERS: dict[str, Callable[[Context], Reply]] = {
    "gpd.healthCheck": health_check,
    "getOrganizationDebtPositions": list_positions,
    "createPosition": create_position,
    "getOrganizationDebtPositionByIUPD": get_position,
    "updatePosition": update_position,
    "deletePosition": delete_position,
    "publishPosition": publish_position,
    "invalidatePosition": invalidate_position,
    "setPaymentOptionAsAlreadyPaid": mark_option_paid,
    "updateTransferIbanMassive": update_ibans,
}
