"""The reference client's HTTP: one HTTP/1.1 exchange per connection (Connection: close), no redirects
followed, a deadline on each, answers read up to a bound. Plain sockets: the command starts once per
adapter request, and http.client's imports would cost it more than the exchange."""

from __future__ import annotations

import json
import socket

TYPE_CHECKING = False  # see reference.py
if TYPE_CHECKING:
    from typing import Any

DEADLINE = 10.0
MAX_ANSWER = 5 * 1024 * 1024


class Unreachable(Exception):
    """No complete HTTP answer came back (refused, reset, timed out, not HTTP)."""


class Response:
    """An HTTP answer: status, headers (names lower-cased) and body."""

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name: str) -> str | None:
        """A header's value."""
        return self.headers.get(name.lower())

    def json(self) -> Any:
        """The body as JSON (None when it is not)."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def problem(self) -> str:
        """A ProblemJson's title and detail, or the start of the body."""
        value = self.json()
        if isinstance(value, dict) and ("title" in value or "detail" in value):
            return f"{value.get('title', '')}: {value.get('detail', '')}".strip(": ")
        return self.body[:200].decode("utf-8", errors="replace")


def send(method: str, url: str, *, headers: dict[str, str], body: bytes | None = None) -> Response:
    """One exchange; Unreachable when no complete answer arrives within the deadline."""
    scheme, netloc, target = split_url(url)
    secure = scheme == "https"
    host, _, port_text = netloc.rpartition(":") if netloc.rpartition(":")[2].isdigit() else (netloc, "", "")
    host = host.strip("[]")
    port = int(port_text) if port_text else (443 if secure else 80)
    lines = [f"{method} {target} HTTP/1.1", f"Host: {netloc}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if body is not None or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body or b'')}")
    request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")
    try:
        with socket.create_connection((host, port), timeout=DEADLINE) as raw:
            conn = _tls(raw, host) if secure else raw
            conn.sendall(request)
            data = _read_all(conn)
    except OSError as exc:
        raise Unreachable(f"{method} {url}: {exc or type(exc).__name__}") from None
    return _parse(data, method, url)


def split_url(url: str) -> tuple[str, str, str]:
    """(scheme, host[:port], path?query) of an absolute URL (urllib.parse costs the command its import)."""
    scheme, _, rest = url.partition("://")
    netloc, slash, path = rest.partition("/")
    return scheme.lower(), netloc, slash + path if slash else "/"


def _tls(raw: socket.socket, host: str) -> socket.socket:
    import ssl

    return ssl.create_default_context().wrap_socket(raw, server_hostname=host)


def _read_all(conn: socket.socket) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size <= MAX_ANSWER:
        chunk = conn.recv(65536)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _parse(data: bytes, method: str, url: str) -> Response:
    head, sep, rest = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    pieces = status_line.split(" ", 2)
    if not sep or len(pieces) < 2 or not pieces[0].startswith("HTTP/") or not pieces[1].isdigit():
        raise Unreachable(f"{method} {url}: not an HTTP answer ({status_line[:80]!r})")
    headers: dict[str, str] = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        rest = _dechunk(rest)
    elif headers.get("content-length", "").isdigit():
        rest = rest[: int(headers["content-length"])]
    return Response(int(pieces[1]), headers, rest[:MAX_ANSWER])


def _dechunk(data: bytes) -> bytes:
    out: list[bytes] = []
    at = 0
    while True:
        end = data.find(b"\r\n", at)
        if end < 0:
            return b"".join(out)
        size = int(data[at:end].split(b";")[0] or b"0", 16)
        if size == 0:
            return b"".join(out)
        out.append(data[end + 2 : end + 2 + size])
        at = end + 2 + size + 2
