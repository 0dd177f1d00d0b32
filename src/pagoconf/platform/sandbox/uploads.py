"""Accepted bulk uploads applied in the background: one worker thread per sandbox takes the unfinished uploads
from the store, oldest first, and applies their positions a chunk per transaction, each one as the request
GPD-Upload makes of GPD (createPosition or updatePosition with toPublish=true, deletePosition) and judged by
the same rules and model. Each position's outcome goes to the store with the upload's progress; an upload cut
short by a stop resumes where it was when the sandbox opens the same database again."""

from __future__ import annotations

import json
import sys
import threading
import weakref
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from pagoconf.platform.sandbox import positions as model
from pagoconf.platform.sandbox.checks import judge, to_publish
from pagoconf.platform.sandbox.checks.positions import publishing
from pagoconf.platform.sandbox.keys import HEADER, Key
from pagoconf.platform.sandbox.problems import Refused
from pagoconf.platform.sandbox.request import Case, SandboxRequest
from pagoconf.platform.sandbox.snapshot import take
from pagoconf.platform.sandbox.store import Store, Taken, UniqueViolation
from pagoconf.platform.sandbox.upload_state import MemoryUploads, Upload, UploadOutcome, UploadStore

if TYPE_CHECKING:
    from pagoconf.platform.sandbox.service import SandboxService

GPD_BASE = "/gpd/debt-positions-service/v1"
CHUNK = 500
POLL_SECONDS = 0.2
CREATE, UPDATE, DELETE = "CREATE", "UPDATE", "DELETE"
DONE = {
    CREATE: "Debt position CREATED",
    UPDATE: "Debt position operation OK",
    DELETE: "Debt position operation OK",
}
"""The messages GPD-Upload reports for a position that went through (pagopa-gpd-upload StatusService)."""
_workers: weakref.WeakKeyDictionary[object, UploadWorker] = weakref.WeakKeyDictionary()
_fallback: weakref.WeakKeyDictionary[object, MemoryUploads] = weakref.WeakKeyDictionary()


def upload_store(store: Store) -> UploadStore:
    """Where `store` keeps uploads: itself, or memory beside it when it keeps none."""
    if isinstance(store, UploadStore):
        return store
    return _fallback.setdefault(store, MemoryUploads())


def kick(store: Store) -> None:
    """Wake the worker of the sandbox over `store` (an upload was accepted)."""
    worker = _workers.get(store)
    if worker is not None:
        worker.kick()


def key_of(upload: Upload) -> Key | None:
    """The uploader's key, as the rules judge it (its scope; the value is never kept)."""
    scope = upload.key
    if scope is None:
        return None
    organizations, codes = scope.get("organizations"), scope.get("segregation_codes")
    return Key(
        str(scope.get("id")),
        "",
        frozenset(organizations) if organizations is not None else None,
        frozenset(codes) if codes is not None else None,
    )


def position_request(upload: Upload, item: bytes) -> tuple[str, SandboxRequest]:
    """The IUPD an item names and the GPD request GPD-Upload makes for it."""
    org = upload.organization
    collection = f"{GPD_BASE}/organizations/{org}/debtpositions"
    headers = {"content-type": "application/json", HEADER: "(the upload's key)"}
    if upload.operation == DELETE:
        iupd = item.decode("utf-8", "replace")
        params = {"organizationfiscalcode": org, "iupd": iupd}
        request = SandboxRequest(
            "DELETE", f"{collection}/{iupd}", "", headers, b"", 0, "gpd", "deletePosition", params
        )
        return iupd, request
    if upload.operation == CREATE:
        params = {"organizationfiscalcode": org}
        request = SandboxRequest(
            "POST", collection, "toPublish=true", headers, item, len(item), "gpd", "createPosition", params
        )
        return _iupd_of(request.json), request
    iupd = _iupd_of(json.loads(item))
    params = {"organizationfiscalcode": org, "iupd": iupd}
    request = SandboxRequest(
        "PUT",
        f"{collection}/{iupd}",
        "toPublish=true",
        headers,
        item,
        len(item),
        "gpd",
        "updatePosition",
        params,
    )
    return iupd, request


class UploadWorker:
    """The background thread that applies a sandbox's accepted uploads."""

    def __init__(self, service: SandboxService, *, chunk: int = CHUNK) -> None:
        self.service = service
        self.uploads = upload_store(service.store)
        self.chunk = chunk
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        _workers[service.store] = self

    def kick(self) -> None:
        """Look for unfinished uploads now (the thread starts on the first kick)."""
        with self._lock:
            if self._stopping.is_set():
                return
            self._idle.clear()
            self._wake.set()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="sandbox-uploads", daemon=True)
                self._thread.start()

    def resume(self) -> None:
        """Start at once if the store holds uploads a previous run left unfinished."""
        if self.uploads.unfinished_uploads():
            self.kick()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the chunk in progress (an unfinished upload resumes on the next start)."""
        with self._lock:
            self._stopping.set()
            thread = self._thread
        self._wake.set()
        if thread is not None:
            thread.join(timeout)

    def wait(self, timeout: float = 60.0) -> bool:
        """Wait until every accepted upload is applied; False on timeout."""
        return self._idle.wait(timeout)

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                busy = self._drain()
            except Exception as exc:  # a defect of the sandbox: told, and the thread lives on
                if not self._stopping.is_set():  # after a stop the store may be closed under the chunk
                    sys.stderr.write(f"sandbox uploads: {type(exc).__name__}: {exc}\n")
                busy = False
            if not busy:
                with self._lock:
                    if not self._wake.is_set():
                        self._idle.set()
                self._wake.wait(POLL_SECONDS)

    def _drain(self) -> bool:
        """Apply every unfinished upload; True if there was one."""
        pending = self.uploads.unfinished_uploads()
        for upload in pending:
            if self._stopping.is_set():
                return True
            self._apply(upload)
        return bool(pending)

    def _apply(self, upload: Upload) -> None:
        items = self.uploads.upload_items(upload.id).split(b"\n")[upload.processed :]
        if items == [b""]:
            items = []
        done = upload.processed
        key = key_of(upload)
        self.service.schedule()
        for chunk in _chunks(items, self.chunk):
            if self._stopping.is_set():
                return
            done += len(chunk)
            with self.service.store.transaction():
                now = self.service.clock.now()
                prepared = [_prepared(upload, item) for item in chunk]
                outcomes = self._in_order(upload, prepared, key, now)
                ended = now if done >= upload.submitted else None
                self.uploads.record_upload_outcomes(upload.id, outcomes, ended=ended)
        if not items:
            with self.service.store.transaction():
                self.uploads.record_upload_outcomes(upload.id, [], ended=self.service.clock.now())

    def _in_order(
        self,
        upload: Upload,
        prepared: list[tuple[str, SandboxRequest | None]],
        key: Key | None,
        now: datetime,
    ) -> list[UploadOutcome]:
        """A chunk judged and written one position after the other, in this thread."""
        bodies = [request.json for _, request in prepared if request is not None]
        creating = upload.operation == CREATE
        view = ChunkView(self.service.store, upload.organization, bodies, creating=creating)
        return [self._apply_one(upload, iupd, request, key, now, view) for iupd, request in prepared]

    def _snapshot(
        self, view: ChunkView, request: SandboxRequest, key: Key | None, now: datetime
    ) -> dict[str, Any]:
        service = self.service
        return take(
            cast(Store, view),
            request,
            key,
            now,
            sanp=service.sanp,
            strict=service.strict,
            contracts=service.contracts,
        )

    def _apply_one(
        self,
        upload: Upload,
        iupd: str,
        request: SandboxRequest | None,
        key: Key | None,
        now: datetime,
        view: ChunkView,
    ) -> UploadOutcome:
        service = self.service
        if request is None:
            return UploadOutcome(iupd, 400, "Bad request: the position is not JSON")
        try:
            snapshot = self._snapshot(view, request, key, now)
            case = Case(request, snapshot, service.sanp, service.strict, service.contracts)
            verdict = judge(case)
            if verdict.refusal is not None:
                return UploadOutcome(iupd, verdict.refusal.status, verdict.refusal.detail)
            return UploadOutcome(iupd, *self._write(upload, case, now, view))
        except UniqueViolation:
            return UploadOutcome(
                iupd, 409, "Debt position IUPD or NAV/IUV already exists for organization code"
            )
        except Refused as refused:
            return UploadOutcome(iupd, refused.problem.status, refused.problem.detail)
        except Exception as exc:  # a defect of the sandbox: reported for this position, never fatal
            return UploadOutcome(iupd, 500, f"Internal Server Error: operation not completed ({exc})")

    def _write(self, upload: Upload, case: Case, now: datetime, view: ChunkView) -> tuple[int, str]:
        store, org = self.service.store, upload.organization
        if upload.operation == DELETE:
            store.delete_position(org, case.request.path_params["iupd"])
            return 200, DONE[DELETE]
        judged = publishing(case) if to_publish(case) else None  # built once: GPD-065 judged it
        position = judged or model.from_body(case.body, org, now, previous=case.position)
        if to_publish(case):
            position = model.publish(position, now)
        if upload.operation == CREATE:
            store.insert_position(position)
            view.wrote(position)
            return 201, DONE[CREATE]
        store.replace_position(position)
        return 200, DONE[UPDATE]


class ChunkView:
    """The store as `take` reads it for one chunk of a create upload: which of the chunk's IUPDs, IUVs and
    notice numbers are taken is asked once for the whole chunk, then kept up to date as the chunk writes;
    anything else goes to the store."""

    def __init__(self, store: Store, organization: str, bodies: Iterable[Any], *, creating: bool) -> None:
        self.store = store
        self.organization = organization
        self.asked: set[str] = set()
        self.iupds: set[str] = set()
        self.iuvs: set[str] = set()
        self.navs: set[str] = set()
        self.prefetched = creating
        if creating:
            wanted_iupds, wanted_iuvs, wanted_navs = _identifiers(bodies)
            taken = store.taken(organization, None, wanted_iuvs, wanted_navs)
            self.asked = set(wanted_iupds)
            self.iupds = set(store.taken_iupds(organization, self.asked))
            self.iuvs, self.navs = set(taken.iuvs), set(taken.navs)

    def taken(
        self,
        organization: str,
        iupd: str | None,
        iuvs: Iterable[str],
        navs: Iterable[str],
        *,
        excluding: str | None = None,
    ) -> Taken:
        """As Store.taken, answered from the chunk's view for a new position of the upload's organization."""
        if not self.prefetched or excluding is not None or organization != self.organization:
            return self.store.taken(organization, iupd, iuvs, navs, excluding=excluding)
        if iupd is not None and iupd not in self.asked:
            found_iupd = self.store.taken(organization, iupd, (), ()).iupd
        else:
            found_iupd = iupd is not None and iupd in self.iupds
        return Taken(
            found_iupd,
            frozenset(i for i in iuvs if i in self.iuvs),
            frozenset(n for n in navs if n in self.navs),
        )

    def wrote(self, position: model.Position) -> None:
        """A position of the chunk was kept: its identifiers are taken from now on."""
        self.iupds.add(position.iupd)
        self.iuvs.update(o.iuv for o in position.options)
        self.navs.update(o.nav for o in position.options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def _iupd_of(body: Any) -> str:
    if not isinstance(body, dict):
        raise ValueError("a position is a JSON object")
    return str(body.get("iupd"))


def _prepared(upload: Upload, item: bytes) -> tuple[str, SandboxRequest | None]:
    try:
        return position_request(upload, item)
    except ValueError:
        return "", None


def _identifiers(bodies: Iterable[Any]) -> tuple[list[str], list[str], list[str]]:
    iupds, iuvs, navs = [], [], []
    for body in bodies:
        if isinstance(body, dict) and body.get("iupd") is not None:
            iupds.append(str(body.get("iupd")))
        for option in body.get("paymentOption") or () if isinstance(body, dict) else ():
            if isinstance(option, dict):
                iuvs.append(str(option.get("iuv")))
                navs.append(str(option.get("nav") or model.NOTICE_AUX_DIGIT + str(option.get("iuv"))))
    return iupds, iuvs, navs


def _chunks(items: Sequence[bytes], size: int) -> Iterator[Sequence[bytes]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
