"""The state of bulk uploads: each upload (who sent it, what it asks, how far it got), the positions it still
has to apply, and the outcome of each one. `UploadStore` is what a store offers to keep them (SQLite does);
`MemoryUploads` keeps them for a store that does not, for as long as the sandbox runs."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class Upload:
    """One accepted upload. `operation` is CREATE, UPDATE or DELETE; `key` the uploader's key scope (the
    positions are judged as that key's requests); `digest` the SHA-256 of the uploaded file."""

    id: str
    organization: str
    broker: str
    operation: str
    digest: str
    submitted: int
    started: datetime
    processed: int = 0
    ended: datetime | None = None
    key: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class UploadOutcome:
    """What became of one position of an upload: its IUPD, the status GPD answered, and the message."""

    iupd: str
    status: int
    message: str


@runtime_checkable
class UploadStore(Protocol):
    """What the sandbox needs of a store to keep uploads (every method thread-safe; inside the store's
    `transaction()` they commit together with the positions)."""

    def insert_upload(self, upload: Upload, items: bytes) -> None:
        """Keep a new upload and its items (newline-separated JSON positions, or IUPDs)."""
        ...

    def upload(self, organization: str, broker: str, upload_id: str) -> Upload | None:
        """The upload `upload_id` of this broker and organization."""
        ...

    def upload_with_digest(self, organization: str, broker: str, digest: str) -> Upload | None:
        """An earlier upload of the same file by this broker for this organization."""
        ...

    def uploads(self, organization: str, broker: str, since: datetime, until: datetime) -> list[Upload]:
        """The uploads started in [since, until], oldest first."""
        ...

    def unfinished_uploads(self) -> list[Upload]:
        """Uploads not yet fully processed, oldest first."""
        ...

    def upload_items(self, upload_id: str) -> bytes:
        """The items of an unfinished upload (b"" once it has ended)."""
        ...

    def record_upload_outcomes(
        self, upload_id: str, outcomes: Sequence[UploadOutcome], *, ended: datetime | None
    ) -> None:
        """Append outcomes (the processed count grows by as many); `ended`: the upload is done."""
        ...

    def upload_outcomes(self, upload_id: str) -> list[UploadOutcome]:
        """Every outcome of an upload, in processing order."""
        ...


class MemoryUploads:
    """UploadStore in memory, for a store that keeps no uploads (they are lost on stop)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._uploads: dict[str, Upload] = {}
        self._items: dict[str, bytes] = {}
        self._outcomes: dict[str, list[UploadOutcome]] = {}

    def insert_upload(self, upload: Upload, items: bytes) -> None:
        """Keep a new upload and its items."""
        with self._lock:
            self._uploads[upload.id] = upload
            self._items[upload.id] = items
            self._outcomes[upload.id] = []

    def upload(self, organization: str, broker: str, upload_id: str) -> Upload | None:
        """The upload `upload_id` of this broker and organization."""
        with self._lock:
            found = self._uploads.get(upload_id)
        return found if found and (found.organization, found.broker) == (organization, broker) else None

    def upload_with_digest(self, organization: str, broker: str, digest: str) -> Upload | None:
        """An earlier upload of the same file."""
        with self._lock:
            return next(
                (
                    u
                    for u in self._uploads.values()
                    if (u.organization, u.broker, u.digest) == (organization, broker, digest)
                ),
                None,
            )

    def uploads(self, organization: str, broker: str, since: datetime, until: datetime) -> list[Upload]:
        """The uploads started in [since, until]."""
        with self._lock:
            found = [
                u
                for u in self._uploads.values()
                if (u.organization, u.broker) == (organization, broker) and since <= u.started <= until
            ]
        return sorted(found, key=lambda u: (u.started, u.id))

    def unfinished_uploads(self) -> list[Upload]:
        """Uploads not yet fully processed."""
        with self._lock:
            return sorted((u for u in self._uploads.values() if u.ended is None), key=lambda u: u.started)

    def upload_items(self, upload_id: str) -> bytes:
        """The items of an unfinished upload."""
        with self._lock:
            return self._items.get(upload_id, b"")

    def record_upload_outcomes(
        self, upload_id: str, outcomes: Sequence[UploadOutcome], *, ended: datetime | None
    ) -> None:
        """Append outcomes; `ended`: the upload is done."""
        with self._lock:
            upload = self._uploads[upload_id]
            self._outcomes[upload_id].extend(outcomes)
            self._uploads[upload_id] = replace(
                upload, processed=upload.processed + len(outcomes), ended=ended
            )
            if ended is not None:
                self._items.pop(upload_id, None)

    def upload_outcomes(self, upload_id: str) -> list[UploadOutcome]:
        """Every outcome of an upload."""
        with self._lock:
            return list(self._outcomes.get(upload_id, ()))
