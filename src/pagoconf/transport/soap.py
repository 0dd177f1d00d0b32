"""SOAP 1.1 over HTTP(S): a deadline per exchange, a bound on the answer, captured as an Exchange."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import requests
import urllib3

from ..wire import CONTENT_TYPE
from .exchange import Exchange, redact_headers

DEFAULT_TIMEOUTS = {"sync": 7.0, "receipt": 15.0}
CHUNK = 64 * 1024


@dataclass(frozen=True)
class TransportSettings:
    """How the Node reaches a station: TLS, client certificate, extra headers, deadlines, size bound."""

    verify_tls: bool | str = True
    client_cert: str | tuple[str, str] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    timeouts: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_TIMEOUTS))
    max_response_bytes: int = 5 * 1024 * 1024
    connect_timeout: float = 3.0


class SoapClient:
    """Posts SOAP envelopes to one station URL; never raises for what the station does."""

    def __init__(self, url: str, settings: TransportSettings | None = None) -> None:
        self.url = url
        self.settings = settings or TransportSettings()
        self._session = requests.Session()
        self._session.trust_env = False
        self._session.verify = self.settings.verify_tls
        if self.settings.client_cert:
            self._session.cert = self.settings.client_cert

    def close(self) -> None:
        """Release pooled connections."""
        self._session.close()

    def deadline(self, timeout_class: str) -> float:
        """Seconds allowed for one exchange of this timeout class."""
        return float(self.settings.timeouts.get(timeout_class, DEFAULT_TIMEOUTS.get(timeout_class, 7.0)))

    def call(self, operation: str, envelope: bytes, *, timeout_class: str = "sync") -> Exchange:
        """Send one envelope with SOAPAction = operation; always return the evidence."""
        headers = {"Content-Type": CONTENT_TYPE, "SOAPAction": operation, **self.settings.headers}
        evidence_headers = redact_headers(headers)
        deadline = self.deadline(timeout_class)
        start = time.perf_counter()

        def done(**kw: object) -> Exchange:
            elapsed = (time.perf_counter() - start) * 1000
            return Exchange(operation, self.url, envelope, evidence_headers, elapsed_ms=elapsed, **kw)  # type: ignore[arg-type]

        try:
            resp = self._session.post(
                self.url,
                data=envelope,
                headers=headers,
                timeout=(min(self.settings.connect_timeout, deadline), deadline),
                stream=True,
                allow_redirects=False,
            )
        except requests.exceptions.ConnectTimeout:
            return done(error=f"could not connect within {self.settings.connect_timeout:g} s", unreachable=True)
        except requests.exceptions.ReadTimeout:
            return done(error=f"no answer within the {deadline:g} s deadline", timed_out=True)
        except requests.exceptions.SSLError as exc:
            return done(error=f"TLS handshake failed: {_reason(exc)}", unreachable=True)
        except requests.exceptions.ConnectionError as exc:
            return done(error=f"station unreachable: {_reason(exc)}", unreachable=True)
        except requests.exceptions.RequestException as exc:
            return done(error=f"HTTP exchange failed: {_reason(exc)}")
        return self._read(resp, start, deadline, done)

    def _read(self, resp: requests.Response, start: float, deadline: float, done) -> Exchange:  # type: ignore[no-untyped-def]
        """Read the body within what is left of the deadline and under the size bound."""
        status, headers = resp.status_code, dict(resp.headers)
        remaining = deadline - (time.perf_counter() - start)
        expired = threading.Event()

        def cut() -> None:
            expired.set()
            _shutdown(resp)

        watchdog = threading.Timer(max(remaining, 0.0), cut)
        watchdog.daemon = True
        watchdog.start()
        body = bytearray()
        bound = self.settings.max_response_bytes
        try:
            for chunk in resp.iter_content(CHUNK):
                body += chunk
                if len(body) > bound:
                    return done(status=status, headers=headers, response=bytes(body[:bound]),
                                error=f"answer exceeds the {bound}-byte bound; reading stopped")
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError, AttributeError) as exc:
            if expired.is_set():
                return done(status=status, headers=headers, response=bytes(body),
                            error=f"answer not complete within the {deadline:g} s deadline", timed_out=True)
            return done(status=status, headers=headers, response=bytes(body),
                        error=f"answer broken off: {_reason(exc)}")
        finally:
            watchdog.cancel()
            resp.close()
        if expired.is_set():
            return done(status=status, headers=headers, response=bytes(body),
                        error=f"answer not complete within the {deadline:g} s deadline", timed_out=True)
        return done(status=status, headers=headers, response=bytes(body))


def _shutdown(resp: requests.Response) -> None:
    """Wake a read blocked on this response's socket (closing alone does not interrupt recv)."""
    sock = getattr(getattr(resp.raw, "connection", None), "sock", None)
    if sock is None:  # http.client keeps the socket under its buffered reader
        sock = getattr(getattr(getattr(getattr(resp.raw, "_fp", None), "fp", None), "raw", None), "_sock", None)
    try:
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    resp.close()


def _reason(exc: BaseException) -> str:
    """The innermost readable reason of a requests/urllib3 error."""
    text = str(exc)
    for marker in ("Caused by ", "Errno"):
        if marker in text:
            text = text[text.index(marker):]
    return text[:300]
