"""SOAP 1.1 over HTTP(S): one deadline per exchange, a bound on the answer, captured as an Exchange."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from ..wire import CONTENT_TYPE, OPERATIONS
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


class _Watchdog:
    """Cuts the connection of one exchange when its deadline passes, wherever the exchange is blocked."""

    _current = threading.local()

    def __init__(self, seconds: float) -> None:
        self.expired = threading.Event()
        self.connection: Any = None
        self.response: requests.Response | None = None
        self._timer = threading.Timer(max(seconds, 0.0), self._cut)
        self._timer.daemon = True

    def __enter__(self) -> _Watchdog:
        _Watchdog._current.dog = self
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        _Watchdog._current.dog = None

    @classmethod
    def watch(cls, connection: Any) -> None:
        """Called by the connection about to carry the current thread's exchange."""
        dog = getattr(cls._current, "dog", None)
        if dog is not None:
            dog.connection = connection

    def _cut(self) -> None:
        self.expired.set()
        for sock in (getattr(self.connection, "sock", None), _socket_of(self.response)):
            try:
                if sock is not None:
                    sock.shutdown(socket.SHUT_RDWR)  # wakes a blocked recv, which close() alone does not
            except OSError:
                pass


def _socket_of(resp: requests.Response | None) -> socket.socket | None:
    """The socket a streaming response reads from (urllib3 hands it from the connection to the response)."""
    fp = getattr(getattr(resp, "raw", None), "_fp", None)
    return getattr(getattr(getattr(fp, "fp", None), "raw", None), "_sock", None)


class _WatchedHTTPConnection(HTTPConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        _Watchdog.watch(self)
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        _Watchdog.watch(self)
        super().request(*args, **kwargs)


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _WatchedAdapter(HTTPAdapter):
    """An adapter whose connections report themselves to the exchange's watchdog."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


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
        for prefix in ("http://", "https://"):
            self._session.mount(prefix, _WatchedAdapter())

    def close(self) -> None:
        """Release pooled connections."""
        self._session.close()

    def deadline(self, timeout_class: str) -> float:
        """Seconds allowed for one exchange of this timeout class."""
        return float(self.settings.timeouts.get(timeout_class, DEFAULT_TIMEOUTS.get(timeout_class, 7.0)))

    def call(
        self,
        operation: str,
        envelope: bytes,
        *,
        timeout_class: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Exchange:
        """Send one envelope, SOAPAction = operation (`headers` override); always the evidence, in time.
        The deadline is the operation's timeout class (receipts 15 s, the others 7 s) unless given."""
        headers = {
            "Content-Type": CONTENT_TYPE,
            "SOAPAction": operation,
            **self.settings.headers,
            **(headers or {}),
        }
        evidence_headers = redact_headers(headers)
        op = OPERATIONS.get(operation)
        deadline = self.deadline(timeout_class or (op.timeout if op else "sync"))
        start = time.perf_counter()

        def done(**kw: Any) -> Exchange:
            elapsed = (time.perf_counter() - start) * 1000
            return Exchange(operation, self.url, envelope, evidence_headers, elapsed_ms=elapsed, **kw)

        late = f"answer not complete within the {deadline:g} s deadline"
        with _Watchdog(deadline) as dog:
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
                return done(
                    error=f"could not connect within {self.settings.connect_timeout:g} s", unreachable=True
                )
            except requests.exceptions.ReadTimeout:
                return done(error=f"no answer within the {deadline:g} s deadline", timed_out=True)
            except requests.exceptions.SSLError as exc:
                return done(error=f"TLS handshake failed: {_reason(exc)}", unreachable=True)
            except requests.exceptions.ConnectionError as exc:
                if dog.expired.is_set():
                    return done(error=late, timed_out=True)
                if _refused(exc):
                    return done(error=f"station unreachable: {_reason(exc)}", unreachable=True)
                return done(error=f"not an HTTP answer: {_reason(exc)}")
            except requests.exceptions.RequestException as exc:
                return done(error=f"HTTP exchange failed: {_reason(exc)}")
            dog.response = resp
            if dog.expired.is_set():  # the deadline passed between the headers and now
                dog._cut()
            return self._read(resp, dog, late, done)

    def _read(
        self, resp: requests.Response, dog: _Watchdog, late: str, done: Callable[..., Exchange]
    ) -> Exchange:
        """Read the body under the size bound, until the watchdog's deadline."""
        status, headers = resp.status_code, dict(resp.headers)
        body = bytearray()
        bound = self.settings.max_response_bytes
        try:
            for chunk in resp.iter_content(CHUNK):
                body += chunk
                if len(body) > bound:
                    return done(
                        status=status,
                        headers=headers,
                        response=bytes(body[:bound]),
                        error=f"answer exceeds the {bound}-byte bound; reading stopped",
                    )
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            if dog.expired.is_set():
                return done(status=status, headers=headers, response=bytes(body), error=late, timed_out=True)
            return done(
                status=status,
                headers=headers,
                response=bytes(body),
                error=f"answer broken off: {_reason(exc)}",
            )
        finally:
            resp.close()
        if dog.expired.is_set():
            return done(status=status, headers=headers, response=bytes(body), error=late, timed_out=True)
        return done(status=status, headers=headers, response=bytes(body))


def _refused(exc: requests.exceptions.ConnectionError) -> bool:
    """The station could not be reached at all (as opposed to answering with something that is not HTTP)."""
    reason = exc.args[0] if exc.args else None
    inner = getattr(reason, "reason", None)
    return isinstance(
        inner, urllib3.exceptions.NewConnectionError | urllib3.exceptions.NameResolutionError
    ) or (
        isinstance(reason, urllib3.exceptions.MaxRetryError)
        and not isinstance(inner, urllib3.exceptions.ProtocolError)
    )


def _reason(exc: BaseException) -> str:
    """The innermost readable reason of a requests/urllib3 error ("[Errno 111] Connection refused")."""
    text = str(exc)
    m = re.search(r"\[Errno [^\]]+\][^'\")]*", text)
    if m:
        return m.group(0).strip()
    if "Caused by " in text:
        text = text[text.index("Caused by ") + len("Caused by ") :]
    return text.strip(" ()'\"")[:300]
