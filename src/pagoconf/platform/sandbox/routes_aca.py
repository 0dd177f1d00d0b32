"""ACA's paCreatePosition, served at /aca/v1/paCreatePosition (the path after the host of the 3.13.0 server,
https://api.dev.platform.pagopa.it/aca/v1; 3.8.0's document names no server and gets the same): the
institution's position for the IUV created, updated or invalidated as the rules let it through, idempotently
(the same request twice leaves the same position), and answered as a DebtPositionResponse."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from pagoconf.platform.sandbox import aca, snapshot
from pagoconf.platform.sandbox import positions as model
from pagoconf.platform.sandbox.context import Context, Reply
from pagoconf.platform.sandbox.keys import HEADER


def new_debt_position(ctx: Context) -> Reply:
    """newDebtPosition: create or update the ACA position, published at once; amount 0 invalidates it."""
    body: Mapping[str, Any] = ctx.case.body
    previous = ctx.case.position
    if aca.invalidates(body):
        assert previous is not None
        position = model.invalidate(previous, ctx.now)
        ctx.store.replace_position(position)
        return ctx.answer(200, aca.answer(body, position))
    request = aca.gpd_request(body, previous, ctx.case.request.header(HEADER) is not None)
    built = model.from_body(json.loads(request.body), str(body["paFiscalCode"]), ctx.now, previous=previous)
    position = aca.as_aca(model.publish(built, ctx.now))
    if previous is None:
        ctx.store.insert_position(position)
    else:
        ctx.store.replace_position(position)
    return ctx.answer(200, aca.answer(body, position))


HANDLERS: dict[str, Callable[[Context], Reply]] = {aca.OPERATION: new_debt_position}
snapshot.EXTENSIONS[aca.OPERATION] = aca.snapshot
