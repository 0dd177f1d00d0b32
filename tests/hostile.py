"""A hostile station for the harness's own tests: a raw TCP server that misbehaves on purpose."""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections.abc import Callable

BUDGET_S = 20.0  # every misbehaviour stops by itself after this long

ENVELOPE = (
    b'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv='
    b'"http://schemas.xmlsoap.org/soap/envelope/" xmlns:pafn="http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd">'
    b"<soapenv:Body>%s</soapenv:Body></soapenv:Envelope>"
)
KO = (
    b"<pafn:paVerifyPaymentNoticeRes><outcome>KO</outcome><fault><faultCode>PAA_SYSTEM_ERROR</faultCode>"
    b"<faultString>x</faultString><id>77777777777</id></fault></pafn:paVerifyPaymentNoticeRes>"
)
BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>&lol3;'
    b"</soapenv:Body></soapenv:Envelope>"
)


def _head(status: str = "200 OK", ctype: str = "text/xml; charset=utf-8", length: int | None = None) -> bytes:
    lines = [f"HTTP/1.1 {status}", f"Content-Type: {ctype}", "Connection: close"]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _full(body: bytes, **kw: object) -> Callable[[socket.socket], None]:
    return lambda s: s.sendall(_head(length=len(body), **kw) + body)  # type: ignore[arg-type]


def _trickle(prefix: bytes, unit: bytes, every: float) -> Callable[[socket.socket], None]:
    def send(s: socket.socket) -> None:
        s.sendall(prefix)
        end = time.monotonic() + BUDGET_S
        while time.monotonic() < end:
            s.sendall(unit)
            time.sleep(every)

    return send


def _flood(s: socket.socket) -> None:
    s.sendall(_head(length=10**10))
    chunk = b"<a>" + b"x" * 65530 + b"</a>"
    end = time.monotonic() + BUDGET_S
    while time.monotonic() < end:
        s.sendall(chunk)


BEHAVIOURS: dict[str, Callable[[socket.socket], None]] = {
    "entity-bomb": _full(BOMB),
    "deep-nesting": _full(ENVELOPE % (b"<a>" * 5000 + b"</a>" * 5000)),
    "not-utf8": _full(ENVELOPE % KO.replace(b"<faultString>x", b"<faultString>\xff\xfe\xc3\x28")),
    "wrong-content-type": _full(ENVELOPE % KO, ctype="application/json"),
    "not-http": lambda s: s.sendall(b"SSH-2.0-OpenSSH_9.2\r\nProtocol mismatch.\r\n"),
    "trickled-headers": _trickle(b"HTTP/1.1 200 OK\r\n", b"X", 0.05),
    "never-ends": _trickle(_head(length=10**9), b" ", 0.05),
    "flood": _flood,
    "silence": lambda s: time.sleep(BUDGET_S),
}


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        self.request.settimeout(BUDGET_S)
        try:
            head = self.request.recv(65536)
            path = head.split(b" ", 2)[1].decode() if head.count(b" ") >= 2 else "/"
            BEHAVIOURS[path.strip("/")](self.request)
        except (OSError, KeyError, IndexError):
            pass


class HostileStation:
    """Serves each behaviour at /<name> on a free loopback port."""

    def __init__(self) -> None:
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]

    def url(self, behaviour: str) -> str:
        return f"http://127.0.0.1:{self.port}/{behaviour}"

    def __enter__(self) -> HostileStation:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
