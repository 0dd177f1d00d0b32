"""The state a request meets, read from the store before the rules judge it, as plain JSON data: the
journal keeps it beside the request, so the same rules give the same findings when it is read back."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from pagoconf.platform.sandbox.checks import BY_IUPD
from pagoconf.platform.sandbox.dates import stored
from pagoconf.platform.sandbox.keys import HEADER, Key
from pagoconf.platform.sandbox.positions import NOTICE_AUX_DIGIT
from pagoconf.platform.sandbox.queries import receipt_query
from pagoconf.platform.sandbox.request import Case, SandboxRequest
from pagoconf.platform.sandbox.store import Store

Extension = Callable[..., dict[str, Any]]
EXTENSIONS: dict[str, Extension] = {}
"""What other APIs' operations add to the snapshot, by operation: `fn(store, request, key, now, *, sanp,
strict, contracts)`, registered by the modules that serve them (the bulk upload, ACA)."""


def take(
    store: Store,
    request: SandboxRequest,
    key: Key | None,
    now: datetime,
    *,
    sanp: str,
    strict: bool,
    contracts: str | None = None,
) -> dict[str, Any]:
    """What the rules need to know of the state for `request`: sandbox time, the key's scope, the position
    it names, which of its identifiers are taken, whether its receipt exists, how many receipts match."""
    snapshot: dict[str, Any] = {
        "now": stored(now),
        "key": key.scope() if key is not None else None,
        "key_presented": request.header(HEADER) is not None,
        "path_params": dict(request.path_params),
        "allowed": list(request.allowed),
        "body_size": request.body_size,
    }
    op, params = request.operation, request.path_params
    org = params.get("organizationfiscalcode", "")
    if op in BY_IUPD:
        found = store.position(org, params.get("iupd", ""))
        snapshot["position"] = found.as_record() if found is not None else None
    if op == "setPaymentOptionAsAlreadyPaid":
        found = store.position_of_option(org, nav=params.get("nav", ""))
        snapshot["position"] = found.as_record() if found is not None else None
    if op in ("createPosition", "updatePosition") and isinstance(request.json, Mapping):
        snapshot["taken"] = _taken(
            store, org, request.json, update=op == "updatePosition", iupd=params.get("iupd")
        )
    if op == "getReceiptByIUV":
        snapshot["receipt"] = store.receipt(org, params.get("iuv", "")) is not None
    if op == "getOrganizationReceipts":
        _, found_receipts = store.receipts(
            org, receipt_query(Case(request, snapshot, sanp, strict, contracts))
        )
        snapshot["receipts_found"] = found_receipts
    extend = EXTENSIONS.get(op or "")
    if extend is not None:
        snapshot.update(extend(store, request, key, now, sanp=sanp, strict=strict, contracts=contracts))
    return snapshot


def _taken(
    store: Store, org: str, body: Mapping[str, Any], *, update: bool, iupd: str | None
) -> dict[str, Any]:
    options = [o for o in body.get("paymentOption") or [] if isinstance(o, Mapping)]
    iuvs = [str(o.get("iuv")) for o in options]
    navs = [str(o.get("nav") or NOTICE_AUX_DIGIT + str(o.get("iuv"))) for o in options]
    wanted = None if update else (str(body.get("iupd")) if body.get("iupd") is not None else None)
    taken = store.taken(org, wanted, iuvs, navs, excluding=iupd if update else None)
    return {"iupd": taken.iupd, "iuvs": sorted(taken.iuvs), "navs": sorted(taken.navs)}
