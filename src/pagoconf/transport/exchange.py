"""The evidence of one request/response exchange."""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field

SECRET_WORDS = ("key", "token", "secret", "authorization", "password", "cookie")
REDACTED = "***redacted***"


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of `headers` with secret-looking values replaced."""
    return {k: (REDACTED if any(w in k.lower() for w in SECRET_WORDS) else v) for k, v in headers.items()}


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and whatever came back; `error` is set when no complete answer arrived."""

    operation: str
    url: str
    request: bytes
    request_headers: Mapping[str, str]
    status: int = 0
    headers: Mapping[str, str] = field(default_factory=dict)
    response: bytes = b""
    elapsed_ms: float = 0.0
    error: str | None = None
    timed_out: bool = False
    unreachable: bool = False

    @property
    def content_type(self) -> str:
        """The response Content-Type, lower-cased ('' when absent)."""
        for k, v in self.headers.items():
            if k.lower() == "content-type":
                return v.lower()
        return ""

    def as_curl(self, request_file: str = "request.xml") -> str:
        """A shell script that replays the request with curl (secrets redacted)."""
        lines = ["#!/bin/sh", f"# pagoconf: replay {self.operation}", "curl -sS -i -X POST \\"]
        for k, v in redact_headers(self.request_headers).items():
            lines.append(f"  -H {shlex.quote(f'{k}: {v}')} \\")
        lines.append(f"  --data-binary @{shlex.quote(request_file)} \\")
        lines.append(f"  {shlex.quote(self.url)}")
        return "\n".join(lines) + "\n"

    def summary(self) -> str:
        """One line: operation, status, size and time."""
        state = self.error or f"HTTP {self.status}, {len(self.response)} bytes"
        return f"{self.operation} → {state} in {self.elapsed_ms:.0f} ms"
