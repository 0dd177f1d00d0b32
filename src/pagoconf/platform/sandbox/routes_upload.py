"""The bulk-upload API (gpd_massive.json): a file the rules let through is kept as an upload and answered 202
with its status URL in Location and a Retry-After; the worker (uploads.py) applies it in the background. Its
status and report are read from the store; SANP 3.13.0 also lists a week's uploads.

Paths: 3.8.0 `/gpd/debt-positions-service/v1/brokers/{broker-code}/organizations/{organization-fiscal-code}/
debtpositions/file` (POST create, PUT update, DELETE delete) and `…/file/{file-id}/status|report`; 3.13.0 the
same under `/upload/gpd/debt-positions-service/v1`, with `{upload-id}` and `GET …/debtpositions/files`."""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable
from datetime import datetime, time
from typing import Any

from pagoconf.platform.sandbox import snapshot, uploads
from pagoconf.platform.sandbox.checks.common import now as snapshot_now
from pagoconf.platform.sandbox.checks.upload import (
    BROKER,
    CREATE,
    DELETE,
    FILE_OPERATIONS,
    FILES,
    ORGANIZATION,
    REPORT,
    STATUS,
    UPDATE,
    file_window,
    reading,
    upload_id,
)
from pagoconf.platform.sandbox.context import Context, Reply
from pagoconf.platform.sandbox.dates import wire
from pagoconf.platform.sandbox.keys import Key
from pagoconf.platform.sandbox.receipts import ROME
from pagoconf.platform.sandbox.request import Case, SandboxRequest
from pagoconf.platform.sandbox.routes_gpd import health_check
from pagoconf.platform.sandbox.store import Store
from pagoconf.platform.sandbox.upload import forget
from pagoconf.platform.sandbox.upload_state import Upload, UploadOutcome

RETRY_AFTER_SECONDS = 1
"""decision: Retry-After in seconds, as RFC 9110 defines it (gpd-upload writes '<millis> ms')."""
CONTINUATION = "x-continuation-token"
OPERATIONS = {CREATE: uploads.CREATE, UPDATE: uploads.UPDATE, DELETE: uploads.DELETE}


def _owner(ctx: Context) -> tuple[str, str]:
    params = ctx.case.request.path_params
    return params[ORGANIZATION], params[BROKER]


def accept(ctx: Context) -> Reply:
    """POST, PUT or DELETE …/debtpositions/file: the upload kept, to be applied in the background."""
    read = reading(ctx.case)
    assert read is not None and read.ok
    organization, broker = _owner(ctx)
    operation = OPERATIONS[str(ctx.case.operation)]
    lines = [i.encode() for i in read.iupds] if operation == uploads.DELETE else list(read.items)
    upload = Upload(
        id=uuid.uuid4().hex,
        organization=organization,
        broker=broker,
        operation=operation,
        digest=read.digest,
        submitted=len(lines),
        started=ctx.now,
        key=ctx.case.key,
    )
    uploads.upload_store(ctx.store).insert_upload(upload, b"\n".join(lines))
    forget()
    uploads.kick(ctx.store)
    request = ctx.case.request
    location = f"{request.base_url}{request.path}/{upload.id}/status"
    headers = {"Location": location, "Retry-After": str(RETRY_AFTER_SECONDS)}
    return Reply(202, b"", "text/plain", headers)


def _found(ctx: Context) -> Upload:
    organization, broker = _owner(ctx)
    found = uploads.upload_store(ctx.store).upload(organization, broker, upload_id(ctx.case))
    assert found is not None
    return found


def status(ctx: Context) -> Reply:
    """…/file/{id}/status: how many positions were submitted and how many are processed."""
    found = _found(ctx)
    return ctx.answer(200, _status(found, strict=ctx.strict))


def _status(upload: Upload, *, strict: bool) -> dict[str, Any]:
    return {
        "uploadID": upload.id,
        "processedItem": upload.processed,
        "submittedItem": upload.submitted,
        "startTime": wire(upload.started, strict=strict),
    }


def report(ctx: Context) -> Reply:
    """…/file/{id}/report: the outcome of every position processed so far, grouped by status and message."""
    found = _found(ctx)
    outcomes = uploads.upload_store(ctx.store).upload_outcomes(found.id)
    value = {
        **_status(found, strict=ctx.strict),
        "responses": responses(outcomes),
        "endTime": wire(found.ended, strict=ctx.strict),
    }
    return ctx.answer(200, {k: v for k, v in value.items() if v is not None})


def responses(outcomes: list[UploadOutcome]) -> list[dict[str, Any]]:
    """ResponseEntry items: one per (statusCode, statusMessage), its IUPDs in processing order."""
    grouped: dict[tuple[int, str], list[str]] = {}
    for o in outcomes:
        grouped.setdefault((o.status, o.message), []).append(o.iupd)
    return [{"statusCode": s, "statusMessage": m, "requestIDs": ids} for (s, m), ids in grouped.items()]


def files(ctx: Context) -> Reply:
    """GET …/debtpositions/files (SANP 3.13.0): the ids of the uploads started in the window, a page at a time
    (the next page's x-continuation-token comes back in the header of the same name)."""
    organization, broker = _owner(ctx)
    window = file_window(ctx.case, snapshot_now(ctx.case).astimezone(ROME).date())
    assert window is not None
    since = datetime.combine(window[0], time.min, ROME)
    until = datetime.combine(window[1], time.max, ROME)
    found = uploads.upload_store(ctx.store).uploads(organization, broker, since, until)
    size = int(ctx.case.request.query_values.get("size") or 100)
    start = _offset(ctx.case.request.header(CONTINUATION))
    page = found[start : start + size]
    more = start + size < len(found)
    headers = {CONTINUATION: _token(start + size)} if more else {}
    value = {"fileIds": [u.id for u in page], "size": len(page), "hasMore": more}
    reply = ctx.answer(200, value)
    return Reply(reply.status, reply.body, reply.content_type, {**reply.headers, **headers})


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
        return max(0, int(text.removeprefix("offset:")))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return 0


def extend_snapshot(
    store: Store,
    request: SandboxRequest,
    key: Key | None,
    now: datetime,
    *,
    sanp: str,
    strict: bool,
    contracts: str | None = None,
) -> dict[str, Any]:
    """What the upload rules need of the state: the upload a status or report names, or an earlier upload of
    the same file (3.8.0 refuses it)."""
    params = request.path_params
    organization, broker = params.get(ORGANIZATION, ""), params.get(BROKER, "")
    store_of_uploads = uploads.upload_store(store)
    if request.operation in (STATUS, REPORT):
        found = store_of_uploads.upload(organization, broker, upload_id(Case(request, {}, sanp)))
        return {"upload": found.id if found is not None else None}
    if request.operation in FILE_OPERATIONS and sanp == "3.8.0":
        read = reading(Case(request, {}, sanp))
        if read is not None and read.ok:
            earlier = store_of_uploads.upload_with_digest(organization, broker, read.digest)
            return {"duplicate_of": earlier.id if earlier is not None else None}
    return {}


HANDLERS: dict[str, Callable[[Context], Reply]] = {
    CREATE: accept,
    UPDATE: accept,
    DELETE: accept,
    STATUS: status,
    REPORT: report,
    FILES: files,
    "gpd_massive.healthCheck": health_check,
}
for _operation in (*FILE_OPERATIONS, STATUS, REPORT):
    snapshot.EXTENSIONS[_operation] = extend_snapshot
