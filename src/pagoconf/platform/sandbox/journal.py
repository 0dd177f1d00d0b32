"""The journal: every exchange the sandbox had, with the state it met and what the rules found, kept in the
store so that a session can be judged again later (`pagoconf run --suite async --journal FILE`)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pagoconf.platform.sandbox import jsontext
from pagoconf.platform.sandbox.findings import Finding

FORMAT = "pagoconf-sandbox-journal"
FORMAT_VERSION = "1"
META_FORMAT = "format"
META_FORMAT_VERSION = "format_version"
META_SANP = "sanp"


class JournalError(ValueError):
    """A file that is not a sandbox journal, or one of another SANP version or journal format."""


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One exchange: the request as received (key redacted), the answer, the state it met, the findings.

    `seq` is 0 until the store keeps the entry. `snapshot` is the state the rules judged the request
    against (sandbox time, the key's scope, the position it named, identifiers already taken), so that the
    same pure rules give the same findings when the journal is read back. `injected` names the control
    API's fault: an entry injected as 429 or 500 was answered before any rule, so it has no findings."""

    api: str
    operation: str
    method: str
    path: str
    query: str
    request_headers: Mapping[str, str]
    request_body: bytes
    status: int
    response_headers: Mapping[str, str]
    response_body: bytes
    elapsed_ms: float
    received_at: str
    sandbox_time: str
    key_id: str | None = None
    findings: tuple[Finding, ...] = ()
    snapshot: Mapping[str, Any] = field(default_factory=dict)
    strict: bool = False
    injected: str | None = None
    seq: int = 0

    def as_json(self) -> dict[str, Any]:
        """The control API's JSON form (bodies as text when they are UTF-8, else base64)."""
        return {
            "seq": self.seq,
            "received_at": self.received_at,
            "sandbox_time": self.sandbox_time,
            "api": self.api,
            "operation": self.operation,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "request_headers": dict(self.request_headers),
            "request_body": _text(self.request_body),
            "status": self.status,
            "response_headers": dict(self.response_headers),
            "response_body": _text(self.response_body),
            "elapsed_ms": round(self.elapsed_ms, 3),
            "key_id": self.key_id,
            "strict": self.strict,
            "injected": self.injected,
            "findings": [f.as_dict() for f in self.findings],
            "snapshot": dict(self.snapshot),
        }


COLUMNS = (
    "seq, received_at, sandbox_time, api, operation, method, path, query, request_headers, request_body,"
    " status, response_headers, response_body, elapsed_ms, key_id, findings, snapshot, strict, injected"
)
"""The journal table's columns, in the order `row` and `from_row` use (both stores)."""


def row(seq: int, e: JournalEntry) -> tuple[Any, ...]:
    """The COLUMNS of an entry numbered `seq`, as a store keeps them (JSON text for the mappings)."""
    return (
        seq,
        e.received_at,
        e.sandbox_time,
        e.api,
        e.operation,
        e.method,
        e.path,
        e.query,
        jsontext.text(dict(e.request_headers)),
        e.request_body,
        e.status,
        jsontext.text(dict(e.response_headers)),
        e.response_body,
        e.elapsed_ms,
        e.key_id,
        jsontext.text([f.as_dict() for f in e.findings]),
        jsontext.text(e.snapshot),
        e.strict,
        e.injected,
    )


def from_row(r: Sequence[Any]) -> JournalEntry:
    """An entry from its COLUMNS."""
    return JournalEntry(
        seq=int(r[0]),
        received_at=r[1],
        sandbox_time=r[2],
        api=r[3],
        operation=r[4],
        method=r[5],
        path=r[6],
        query=r[7],
        request_headers=json.loads(r[8]),
        request_body=bytes(r[9]),
        status=int(r[10]),
        response_headers=json.loads(r[11]),
        response_body=bytes(r[12]),
        elapsed_ms=float(r[13]),
        key_id=r[14],
        findings=tuple(Finding.from_dict(f) for f in json.loads(r[15])),
        snapshot=json.loads(r[16]),
        strict=bool(r[17]),
        injected=r[18],
    )


def _text(data: bytes) -> dict[str, str] | str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        import base64

        return {"base64": base64.b64encode(data).decode("ascii")}


def check_meta(meta: Mapping[str, str], *, sanp: str | None, source: str) -> None:
    """Refuse a store whose meta table is not a sandbox journal of this format (and of `sanp`, if given)."""
    if meta.get(META_FORMAT) != FORMAT:
        raise JournalError(f"{source} is not a pagoconf sandbox journal")
    if meta.get(META_FORMAT_VERSION) != FORMAT_VERSION:
        raise JournalError(
            f"{source} is a sandbox journal of format {meta.get(META_FORMAT_VERSION)}, "
            f"this pagoconf reads format {FORMAT_VERSION}"
        )
    if sanp is not None and meta.get(META_SANP) != sanp:
        raise JournalError(f"{source} was recorded with SANP {meta.get(META_SANP)}, not {sanp}")


def read_journal(path: str | Path, *, sanp: str) -> list[JournalEntry]:
    """Every entry of the journal in `path`, oldest first; JournalError if it is not a sandbox journal of
    SANP `sanp` (the file is opened read-only and never changed)."""
    from pagoconf.platform.sandbox.sqlite_store import read_only_journal, read_only_meta

    source = str(path)
    if not Path(path).is_file():
        raise JournalError(f"{source} does not exist")
    check_meta(read_only_meta(path), sanp=sanp, source=source)
    return read_only_journal(path)
