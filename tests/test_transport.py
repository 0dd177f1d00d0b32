"""The transport under a misbehaving station: deadlines, size bounds, refused connections, kept-alive
connections, redaction, and a replay script that really replays."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from pagoconf.engine.exchange import REDACTED
from pagoconf.engine.transport import TransportSettings
from pagoconf.sync.client import SoapClient


@dataclass
class Seen:
    """What the server received."""

    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    peers: list[tuple[str, int]] = field(default_factory=list)


class Hostile(BaseHTTPRequestHandler):
    """Answers according to the request path."""

    protocol_version = "HTTP/1.1"  # keep-alive, as a station's server does
    seen: Seen

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802 (stdlib name)
        self.seen.body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.seen.headers = dict(self.headers)
        self.seen.peers.append(self.client_address)
        if self.path == "/trickle":
            self._head(1000)
            for _ in range(40):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.05)
        elif self.path == "/huge":
            self._head(None)
            chunk = b"<a>" + b"x" * 65536 + b"</a>"
            try:
                for _ in range(200):
                    self.wfile.write(chunk)
            except OSError:
                pass
            self.close_connection = True
        elif self.path == "/silent":
            time.sleep(1.5)
            self.close_connection = True
        else:
            body = b"<ok/>"
            self._head(len(body))
            self.wfile.write(body)

    def _head(self, length: int | None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        if length is not None:
            self.send_header("Content-Length", str(length))
        else:
            self.send_header("Connection", "close")
        self.end_headers()


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, Seen]]:
    seen = Seen()
    handler = type("Handler", (Hostile,), {"seen": seen})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", seen
    httpd.shutdown()


def client(url: str, **kw: Any) -> SoapClient:
    return SoapClient(url, TransportSettings(**kw), timeouts={"sync": 0.6, "receipt": 0.6})


def test_a_trickling_answer_is_cut_at_the_deadline(server: tuple[str, Seen]) -> None:
    ex = client(server[0] + "/trickle").call("paVerifyPaymentNotice", b"<x/>")
    assert ex.timed_out and "0.6 s deadline" in (ex.error or "")
    assert ex.elapsed_ms < 1200


def test_a_silent_station_times_out(server: tuple[str, Seen]) -> None:
    ex = client(server[0] + "/silent").call("paVerifyPaymentNotice", b"<x/>")
    assert ex.timed_out and ex.status == 0 and ex.elapsed_ms < 1200


def test_an_answer_larger_than_the_bound_is_not_read_past_it(server: tuple[str, Seen]) -> None:
    ex = client(server[0] + "/huge", max_response_bytes=100_000).call("paVerifyPaymentNotice", b"<x/>")
    assert ex.status == 200 and len(ex.response) == 100_000
    assert "exceeds the 100000-byte bound" in (ex.error or "")


def test_a_closed_port_is_unreachable_not_a_failure() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ex = client(f"http://127.0.0.1:{port}/paForNode").call("paVerifyPaymentNotice", b"<x/>")
    assert ex.unreachable and not ex.timed_out and "unreachable" in (ex.error or "")


def test_connections_are_kept_alive_between_exchanges(server: tuple[str, Seen]) -> None:
    url, seen = server
    c = client(url + "/ok")
    before = len(seen.peers)
    for _ in range(3):
        assert c.call("paVerifyPaymentNotice", b"<x/>").status == 200
    assert len(set(seen.peers[before:])) == 1  # one connection carried all three


def test_a_connection_cut_at_the_deadline_is_not_reused(server: tuple[str, Seen]) -> None:
    url, _ = server
    c = client(url + "/silent")
    assert c.call("paVerifyPaymentNotice", b"<x/>").timed_out
    c.url = url + "/ok"
    ex = c.call("paVerifyPaymentNotice", b"<x/>")
    assert ex.status == 200 and ex.response == b"<ok/>", ex.error


def test_secrets_are_sent_but_redacted_from_evidence(server: tuple[str, Seen]) -> None:
    url, seen = server
    c = client(url + "/ok", headers={"Ocp-Apim-Subscription-Key": "s3cret", "X-Trace": "t1"})
    ex = c.call("paVerifyPaymentNotice", b"<x/>")
    assert ex.status == 200 and ex.response == b"<ok/>"
    assert seen.headers["Ocp-Apim-Subscription-Key"] == "s3cret"
    assert ex.request_headers["Ocp-Apim-Subscription-Key"] == REDACTED
    assert (
        ex.request_headers["X-Trace"] == "t1" and ex.request_headers["SOAPAction"] == "paVerifyPaymentNotice"
    )
    assert ex.request_headers["Content-Type"] == "text/xml; charset=utf-8"
    script = ex.as_curl()
    assert "s3cret" not in script and "SOAPAction: paVerifyPaymentNotice" in script and url in script


@pytest.mark.parametrize(
    "body",
    [b"<x/>", b"<a>\n  <b>two lines</b>\n</a>\n", b"no final newline\n\n\n", b"\x00\x01 binary \xff"],
    ids=["one-line", "final-newline", "many-newlines", "binary"],
)
def test_the_replay_script_sends_the_same_request_byte_for_byte(
    server: tuple[str, Seen], tmp_path: Path, body: bytes
) -> None:
    url, seen = server
    ex = client(url + "/ok").call("paVerifyPaymentNotice", body)
    script = tmp_path / "reproduce.sh"
    script.write_text(ex.as_curl(), encoding="utf-8")
    seen.body = b""
    done = subprocess.run(["sh", str(script)], capture_output=True, timeout=30, check=False)
    assert done.returncode == 0, done.stderr
    assert seen.body == body and b"200" in done.stdout.splitlines()[0]
