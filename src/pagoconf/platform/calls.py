"""A request of the partner's system as the sandbox journaled it, made engine evidence: an Exchange whose curl
replays it against the sandbox (the key redacted), and what the checks read of it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any
from urllib.parse import parse_qsl

from pagoconf.engine.exchange import Exchange, redact_headers
from pagoconf.platform.sandbox.dates import parse_datetime
from pagoconf.platform.sandbox.journal import JournalEntry

PARTNER_APIS = frozenset({"gpd", "gpd_payments", "gpd_massive", "aca", "checkout", "checkout_v2", ""})
"""The APIs a partner's client calls ('' for a path no API has); the control API, the checkout page and the
Node's own exchanges are the harness's or the platform's, never the partner's."""
UNROUTED = "(no operation)"
MUTATING = frozenset({"POST", "PUT", "DELETE", "PATCH"})
NOT_REPLAYED = frozenset({"host", "content-length", "connection", "accept-encoding", "transfer-encoding"})


def is_partners(entry: JournalEntry) -> bool:
    """The entry is a request the partner's system sent to one of the platform's APIs."""
    return entry.api in PARTNER_APIS


def exchange_of(entry: JournalEntry, *, base_url: str | None = None) -> Exchange:
    """The engine's evidence for a journal entry: its URL on the sandbox (`base_url`, else the Host it was
    sent to), the request and answer as journaled, secret headers redacted."""
    host = next((v for k, v in entry.request_headers.items() if k.lower() == "host"), "127.0.0.1")
    url = (base_url or f"http://{host}") + entry.path + (f"?{entry.query}" if entry.query else "")
    headers = {k: v for k, v in entry.request_headers.items() if k.lower() not in NOT_REPLAYED}
    return Exchange(
        operation=entry.operation or UNROUTED,
        url=url,
        request=entry.request_body,
        request_headers=redact_headers(headers),
        method=entry.method,
        status=entry.status,
        headers=dict(entry.response_headers),
        response=entry.response_body,
        elapsed_ms=entry.elapsed_ms,
    )


@dataclass(frozen=True)
class Call:
    """One request of the partner's system and the sandbox's answer: what every client check judges."""

    exchange: Exchange
    entry: JournalEntry

    @property
    def operation(self) -> str:
        """The catalogue name of the operation ('' when the path has none)."""
        return self.entry.operation

    @property
    def status(self) -> int:
        """The sandbox's HTTP status."""
        return self.entry.status

    @property
    def method(self) -> str:
        """The HTTP method."""
        return self.entry.method

    @property
    def mutating(self) -> bool:
        """The request changes something (POST, PUT, DELETE, PATCH)."""
        return self.entry.method in MUTATING

    @property
    def injected(self) -> str | None:
        """The control API's fault that answered it, if any (429, 500, 400…)."""
        return self.entry.injected

    @cached_property
    def received(self) -> datetime:
        """When the sandbox received it."""
        return parse_datetime(self.entry.received_at)

    @cached_property
    def body(self) -> Any:
        """The request body as JSON (None when it is not JSON)."""
        return _json(self.entry.request_body)

    @cached_property
    def answer(self) -> Any:
        """The answer body as JSON (None when it is not JSON)."""
        return _json(self.entry.response_body)

    @property
    def params(self) -> dict[str, str]:
        """The path parameters the operation matched."""
        return {str(k): str(v) for k, v in self.entry.snapshot.get("path_params", {}).items()}

    @cached_property
    def query(self) -> dict[str, str]:
        """The query parameters (first value of each)."""
        out: dict[str, str] = {}
        for k, v in parse_qsl(self.entry.query, keep_blank_values=True):
            out.setdefault(k, v)
        return out

    def header(self, name: str) -> str | None:
        """A request header (case-insensitive)."""
        wanted = name.lower()
        return next((v for k, v in self.entry.request_headers.items() if k.lower() == wanted), None)

    def response_header(self, name: str) -> str | None:
        """An answer header (case-insensitive)."""
        wanted = name.lower()
        return next((v for k, v in self.entry.response_headers.items() if k.lower() == wanted), None)

    @property
    def signature(self) -> tuple[str, str, str, bytes]:
        """What makes two requests the same request: method, path, query and body."""
        return (self.entry.method, self.entry.path, self.entry.query, self.entry.request_body)

    @property
    def label(self) -> str:
        """'#12 createPosition'."""
        return self.exchange.label


def _json(data: bytes) -> Any:
    try:
        return json.loads(data) if data else None
    except ValueError:
        return None


_SUBJECTS = (
    (re.compile(r"/debtpositions/file/([^/]+)/(?:status|report)$"), "upload {0}"),
    (re.compile(r"/debtpositions/file$"), "a bulk upload"),
    (re.compile(r"/organizations/(\d+)/debtpositions/([^/?]+)"), "debt position {1} of {0}"),
    (re.compile(r"/paymentoptions/paids/(\d+)"), "notice {0}"),
    (re.compile(r"/payments/(\d+)/receipts/([^/?]+)"), "the receipt of IUV {1} of {0}"),
    (re.compile(r"/payments/(\d+)/receipts"), "the receipts of {0}"),
)


def subject(exchange: Exchange) -> str:
    """What a partner's request is about: 'debt position X of 777…', 'notice 3…', 'the receipt of IUV …'."""
    path = exchange.url.split("://", 1)[-1].split("?", 1)[0]
    body = _json(exchange.request) if exchange.request[:1] == b"{" else None
    if exchange.operation == "createPosition" and isinstance(body, dict) and body.get("iupd"):
        return f"debt position {body['iupd']}"
    if exchange.operation == "newDebtPosition" and isinstance(body, dict) and body.get("iuv"):
        return f"the ACA position of IUV {body['iuv']}"
    if exchange.operation in ("PostCarts", "PostCartsV2") and isinstance(body, dict):
        notices = [
            str(n.get("noticeNumber")) for n in body.get("paymentNotices") or [] if isinstance(n, dict)
        ]
        return "a cart of notice " + ", ".join(notices) if notices else "a cart"
    if exchange.operation == "returnPage":
        return f"the return page {path.split('/', 1)[-1]}"
    for pattern, template in _SUBJECTS:
        found = pattern.search(path)
        if found:
            return template.format(*found.groups())
    return ""
