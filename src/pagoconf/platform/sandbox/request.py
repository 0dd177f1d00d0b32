"""A request as the rules see it: plain data (method, path, query, headers, body, the route it matched),
and the Case that pairs it with the state it met, whether it arrives live or is read back from the journal."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import parse_qsl

from pagoconf.engine.exchange import Exchange, redact_headers
from pagoconf.platform.sandbox.journal import JournalEntry
from pagoconf.platform.sandbox.positions import Position

MAX_BODY = 10 * 1024 * 1024
_NO_JSON = object()


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


@dataclass(frozen=True)
class SandboxRequest:
    """One HTTP request to the sandbox. `operation` is the catalogue name of the operation it matched (None:
    no operation; `allowed` then lists the methods its path has, empty for an unknown path)."""

    method: str
    path: str
    query: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    body_size: int = 0
    api: str | None = None
    operation: str | None = None
    path_params: Mapping[str, str] = field(default_factory=dict)
    allowed: tuple[str, ...] = ()
    base_url: str = "http://127.0.0.1"

    def header(self, name: str) -> str | None:
        """A header's value (names compare case-insensitively)."""
        return self._by_lower_name.get(name.lower())

    @cached_property
    def _by_lower_name(self) -> dict[str, str]:
        """The headers by lower-cased name (the first of names that differ only in case)."""
        found: dict[str, str] = {}
        for name, value in self.headers.items():
            found.setdefault(name.lower(), value)
        return found

    @property
    def too_large(self) -> bool:
        """The body went over MAX_BODY (the sandbox stopped reading it)."""
        return self.body_size > MAX_BODY

    @cached_property
    def query_values(self) -> dict[str, str]:
        """Query parameters by name (the first value of a repeated one)."""
        values: dict[str, str] = {}
        for name, value in parse_qsl(self.query, keep_blank_values=True):
            values.setdefault(name, value)
        return values

    @cached_property
    def _json(self) -> Any:
        try:
            return json.loads(self.body, parse_constant=_no_constant)
        except (ValueError, RecursionError):
            return _NO_JSON

    @property
    def json_ok(self) -> bool:
        """The body parses as JSON."""
        return self._json is not _NO_JSON

    @property
    def json(self) -> Any:
        """The parsed body (None when it does not parse)."""
        return None if self._json is _NO_JSON else self._json

    @property
    def content_type(self) -> str:
        """The media type of the body, lower-cased, without parameters ('' when absent)."""
        return (self.header("content-type") or "").split(";")[0].strip().lower()

    def exchange(
        self, status: int = 0, headers: Mapping[str, str] | None = None, response: bytes = b""
    ) -> Exchange:
        """The engine's evidence for this request (secrets redacted), with the answer when given."""
        url = self.base_url + self.path + (f"?{self.query}" if self.query else "")
        return Exchange(
            operation=self.operation or "",
            url=url,
            request=self.body,
            request_headers=redact_headers(self.headers),
            method=self.method,
            status=status,
            headers=dict(headers or {}),
            response=response,
        )


@dataclass(frozen=True)
class Case:
    """What the rules judge: a request, the state it met (a JSON snapshot), and how the sandbox answers
    (SANP version, faithful or strict)."""

    request: SandboxRequest
    snapshot: Mapping[str, Any]
    sanp: str
    strict: bool = False
    contracts: str | None = None
    derived: dict[object, Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    """What the rules work out from the case, each value once (`checks.common.once`), shared by every rule
    of the request and by its handler: the case never changes, so neither do they."""

    @property
    def exchange(self) -> Exchange:
        """The request as engine evidence (what Judgeable asks of a judged message)."""
        return self.request.exchange()

    @property
    def operation(self) -> str | None:
        """The catalogue name of the request's operation."""
        return self.request.operation

    @property
    def organization(self) -> str:
        """The organization fiscal code of the path ('' when the path has none)."""
        return self.request.path_params.get("organizationfiscalcode", "")

    @property
    def body(self) -> Any:
        """The parsed JSON body (None when there is none)."""
        return self.request.json

    @cached_property
    def position(self) -> Position | None:
        """The position the request named (by IUPD, or by notice number), as it was before the request."""
        raw = self.snapshot.get("position")
        return Position.from_record(raw) if raw else None

    @property
    def key(self) -> Mapping[str, Any] | None:
        """The subscription key's id and scope (None: missing or unknown)."""
        return self.snapshot.get("key")


def case_from_entry(entry: JournalEntry, *, sanp: str, contracts: str | None = None) -> Case:
    """The Case of a journal entry: the request as journaled, and the state it met then."""
    snapshot = entry.snapshot
    request = SandboxRequest(
        method=entry.method,
        path=entry.path,
        query=entry.query,
        headers=dict(entry.request_headers),
        body=entry.request_body,
        body_size=int(snapshot.get("body_size", len(entry.request_body))),
        api=entry.api or None,
        operation=entry.operation or None,
        path_params=dict(snapshot.get("path_params", {})),
        allowed=tuple(snapshot.get("allowed", ())),
    )
    return Case(request, snapshot, sanp, entry.strict, contracts)
