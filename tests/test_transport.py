"""The transport under a misbehaving station: deadlines, size bounds, refused connections, redaction."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pagoconf.sync.client import SoapClient, TransportSettings
from pagoconf.engine.exchange import REDACTED


class Hostile(BaseHTTPRequestHandler):
    """Answers according to the request path."""

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802 (stdlib name)
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.seen_headers = dict(self.headers)  # type: ignore[attr-defined]
        if self.path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            for _ in range(40):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.05)
        elif self.path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.end_headers()
            chunk = b"<a>" + b"x" * 65536 + b"</a>"
            try:
                for _ in range(200):
                    self.wfile.write(chunk)
            except OSError:
                pass
        elif self.path == "/silent":
            time.sleep(1.5)
        else:
            body = b"<ok/>"
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)


@pytest.fixture(scope="module")
def hostile() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def client(url: str, **kw: object) -> SoapClient:
    return SoapClient(url, TransportSettings(timeouts={"sync": 0.6}, **kw))  # type: ignore[arg-type]


def test_a_trickling_answer_is_cut_at_the_deadline(hostile: str) -> None:
    ex = client(hostile + "/trickle").call("paVerifyPaymentNotice", b"<x/>")
    assert ex.timed_out and "0.6 s deadline" in (ex.error or "")
    assert ex.elapsed_ms < 1200


def test_a_silent_station_times_out(hostile: str) -> None:
    ex = client(hostile + "/silent").call("paVerifyPaymentNotice", b"<x/>")
    assert ex.timed_out and ex.status == 0 and ex.elapsed_ms < 1200


def test_an_answer_larger_than_the_bound_is_not_read_past_it(hostile: str) -> None:
    ex = client(hostile + "/huge", max_response_bytes=100_000).call("paVerifyPaymentNotice", b"<x/>")
    assert ex.status == 200 and len(ex.response) == 100_000
    assert "exceeds the 100000-byte bound" in (ex.error or "")


def test_a_closed_port_is_unreachable_not_a_failure() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ex = client(f"http://127.0.0.1:{port}/paForNode").call("paVerifyPaymentNotice", b"<x/>")
    assert ex.unreachable and not ex.timed_out and "unreachable" in (ex.error or "")


def test_secrets_are_sent_but_redacted_from_evidence(hostile: str) -> None:
    c = client(hostile + "/ok", headers={"Ocp-Apim-Subscription-Key": "s3cret", "X-Trace": "t1"})
    ex = c.call("paVerifyPaymentNotice", b"<x/>")
    assert c._session is not None
    assert ex.status == 200 and ex.response == b"<ok/>"
    assert ex.request_headers["Ocp-Apim-Subscription-Key"] == REDACTED
    assert (
        ex.request_headers["X-Trace"] == "t1" and ex.request_headers["SOAPAction"] == "paVerifyPaymentNotice"
    )
    assert ex.request_headers["Content-Type"] == "text/xml; charset=utf-8"
    script = ex.as_curl()
    assert "s3cret" not in script and "SOAPAction: paVerifyPaymentNotice" in script
    assert "--data-binary @request.xml" in script and hostile in script


def test_the_station_receives_the_secret_header(hostile: str) -> None:
    import http.server  # noqa: F401

    c = client(hostile + "/ok", headers={"Ocp-Apim-Subscription-Key": "s3cret"})
    c.call("paVerifyPaymentNotice", b"<x/>")
