"""Evidence files for one exchange: what is attached to Allure and kept for reproduction."""

from __future__ import annotations

from .transport import Exchange


def evidence_files(exchange: Exchange, index: int) -> list[tuple[str, bytes, str]]:
    """(name, content, mime) for the request, the response and a replay script."""
    prefix = f"{index:02d}-{exchange.operation}"
    files = [(f"{prefix}.request.xml", exchange.request, "application/xml")]
    head = [f"HTTP {exchange.status}" if exchange.status else "no HTTP answer"]
    head += [f"{k}: {v}" for k, v in exchange.headers.items()]
    if exchange.error:
        head.append(f"pagoconf: {exchange.error}")
    head.append(f"pagoconf: elapsed {exchange.elapsed_ms:.1f} ms")
    files.append((f"{prefix}.response-headers.txt", "\n".join(head).encode(), "text/plain"))
    if exchange.response:
        is_xml = exchange.response.lstrip()[:1] == b"<"
        files.append(
            (
                f"{prefix}.response.{'xml' if is_xml else 'txt'}",
                exchange.response,
                "application/xml" if is_xml else "text/plain",
            )
        )
    script = exchange.as_curl(request_file=f"{prefix}.request.xml")
    files.append((f"{prefix}.reproduce.sh", script.encode(), "text/x-shellscript"))
    return files
