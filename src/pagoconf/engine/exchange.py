"""The evidence of one HTTP exchange, whatever the protocol: what was sent, what came back, how long it
took."""

from __future__ import annotations

import base64
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field

SECRET_WORDS = ("key", "token", "secret", "authorization", "password", "cookie")
REDACTED = "***redacted***"
HEREDOC_END = "PAGOCONF_REQUEST"


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of `headers` with secret-looking values replaced."""
    return {k: (REDACTED if any(w in k.lower() for w in SECRET_WORDS) else v) for k, v in headers.items()}


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and whatever came back; `error` is set when no complete answer arrived.

    `operation` names the contract operation (a SOAPAction, an OpenAPI operationId); `number` is the
    exchange's place in the run (1, 2, …), given when the run records it, 0 before."""

    operation: str
    url: str
    request: bytes
    request_headers: Mapping[str, str]
    method: str = "POST"
    status: int = 0
    headers: Mapping[str, str] = field(default_factory=dict)
    response: bytes = b""
    elapsed_ms: float = 0.0
    error: str | None = None
    timed_out: bool = False
    unreachable: bool = False
    number: int = 0

    @property
    def answered(self) -> bool:
        """A complete HTTP answer arrived in time."""
        return self.status != 0 and not self.error

    @property
    def content_type(self) -> str:
        """The response Content-Type, lower-cased ('' when absent)."""
        for k, v in self.headers.items():
            if k.lower() == "content-type":
                return v.lower()
        return ""

    @property
    def label(self) -> str:
        """'#12 paVerifyPaymentNotice' (the exchange's number and operation)."""
        return f"#{self.number} {self.operation}" if self.number else self.operation

    def as_curl(self) -> str:
        """A shell script that replays the request with curl, secrets redacted, self-contained: the body
        travels in a here-document, cut to its exact length (text) or base64-decoded (anything else)."""
        parts = ["curl -sS -i", f"-X {self.method}"]
        parts += [f"-H {shlex.quote(f'{k}: {v}')}" for k, v in redact_headers(self.request_headers).items()]
        if self.request:
            parts.append("--data-binary @-")
        parts.append(shlex.quote(self.url))
        curl = " \\\n  ".join(parts)
        lines = ["#!/bin/sh", f"# pagoconf: replay {self.label}"]
        text = _text(self.request)
        if not self.request:
            lines.append(curl)
        elif text is not None:
            lines.append(f"head -c {len(self.request)} <<'{HEREDOC_END}' | {curl}")
            lines.append(text[:-1] if text.endswith("\n") else text)  # the here-document adds a newline back
            lines.append(HEREDOC_END)
        else:
            lines.append(f"base64 -d <<'{HEREDOC_END}' | {curl}")
            lines.append(base64.encodebytes(self.request).decode("ascii").rstrip("\n"))
            lines.append(HEREDOC_END)
        return "\n".join(lines) + "\n"

    def summary(self) -> str:
        """One line: operation, status, size and time."""
        state = self.error or f"HTTP {self.status}, {len(self.response)} bytes"
        return f"{self.label} → {state} in {self.elapsed_ms:.0f} ms"


def _text(data: bytes) -> str | None:
    """`data` as text safe inside a here-document, or None (binary, or holding the terminator)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "\x00" in text or "\r" in text or HEREDOC_END in text:
        return None
    return text
