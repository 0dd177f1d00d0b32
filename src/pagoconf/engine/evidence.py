"""Evidence files for one exchange: what is attached to the reports and kept for reproduction."""

from __future__ import annotations

from pagoconf.engine.exchange import Exchange

Attachment = tuple[str, bytes, str]  # (name, content, mime)

_KINDS = (
    ("json", "application/json", "json"),
    ("xml", "application/xml", "xml"),
    ("html", "text/html", "html"),
)


def prefix(exchange: Exchange) -> str:
    """'14-paGetPaymentV2': the name every file of one exchange starts with."""
    return f"{exchange.number:02d}-{exchange.operation}"


def _kind(content_type: str, body: bytes) -> tuple[str, str]:
    """(extension, mime) for a body, from its declared type and, failing that, its first byte."""
    for word, mime, ext in _KINDS:
        if word in content_type:
            return ext, mime
    head = body.lstrip()[:1]
    if head == b"<":
        return "xml", "application/xml"
    if head in (b"{", b"["):
        return "json", "application/json"
    return "txt", "text/plain"


def response_name(exchange: Exchange) -> str:
    """The attachment name of the exchange's response (its headers when there is no body)."""
    if not exchange.response:
        return f"{prefix(exchange)}.response-headers.txt"
    ext, _ = _kind(exchange.content_type, exchange.response)
    return f"{prefix(exchange)}.response.{ext}"


def evidence_files(exchange: Exchange) -> list[Attachment]:
    """The request, the response headers, the response, and a self-contained replay script."""
    p = prefix(exchange)
    request_type = next(
        (v.lower() for k, v in exchange.request_headers.items() if k.lower() == "content-type"), ""
    )
    ext, mime = _kind(request_type, exchange.request)
    files: list[Attachment] = [(f"{p}.request.{ext}", exchange.request, mime)] if exchange.request else []
    head = [f"HTTP {exchange.status}" if exchange.status else "no HTTP answer"]
    head += [f"{k}: {v}" for k, v in exchange.headers.items()]
    if exchange.error:
        head.append(f"pagoconf: {exchange.error}")
    head.append(f"pagoconf: elapsed {exchange.elapsed_ms:.1f} ms")
    files.append((f"{p}.response-headers.txt", "\n".join(head).encode(), "text/plain"))
    if exchange.response:
        ext, mime = _kind(exchange.content_type, exchange.response)
        files.append((f"{p}.response.{ext}", exchange.response, mime))
    files.append((f"{p}.reproduce.sh", exchange.as_curl().encode(), "text/x-shellscript"))
    return files
