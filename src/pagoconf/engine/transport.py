"""The harness's HTTP client, the only client-side network I/O: one deadline over the whole exchange, a
bound on the answer, kept-alive connections, and an Exchange (the evidence) out of every call."""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import ssl
import threading
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import certifi
import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    InsecureRequestWarning,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)

from pagoconf.engine.exchange import Exchange, redact_headers

CHUNK = 64 * 1024
DEFAULT_MAX_RESPONSE = 5 * 1024 * 1024


@dataclass(frozen=True)
class TransportSettings:
    """How the harness reaches its peer: TLS, client certificate, extra headers, size bound, connect time."""

    verify_tls: bool | str = True  # True: system CA bundle (certifi); a path: that bundle; False: no check
    client_cert: str | tuple[str, str] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    max_response_bytes: int = DEFAULT_MAX_RESPONSE
    connect_timeout: float = 3.0


class _Watch:
    """One exchange under the watchdog: its deadline, its socket once known, whether it expired."""

    __slots__ = ("active", "expired", "sock", "when")

    def __init__(self, when: float) -> None:
        self.when = when
        self.sock: socket.socket | None = None  # kept even when http.client hands it to the response
        self.expired = False
        self.active = True

    def cut(self) -> None:
        """Shut the socket down: wakes a blocked send or recv, which closing alone does not."""
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.shutdown(socket.SHUT_RDWR)


class _Watchdog:
    """One daemon thread for all exchanges: cuts the connection of each exchange whose deadline passed,
    wherever it is blocked (headers trickling in, a body that never ends, silence)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, _Watch]] = []
        self._seq = itertools.count()
        self._wake_at = float("inf")
        self._local = threading.local()
        self._thread: threading.Thread | None = None

    def start(self, seconds: float) -> _Watch:
        """Watch the calling thread's next exchange for `seconds`."""
        watch = _Watch(time.monotonic() + max(seconds, 0.0))
        self._local.current = watch
        with self._cond:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="pagoconf-watchdog", daemon=True)
                self._thread.start()
            heapq.heappush(self._heap, (watch.when, next(self._seq), watch))
            if watch.when < self._wake_at:
                self._cond.notify()
        return watch

    def stop(self, watch: _Watch) -> None:
        """The exchange is over: from now on its connection is never cut (the entry is dropped lazily)."""
        with self._cond:
            watch.active = False
        self._local.current = None

    def attach(self, sock: socket.socket | None) -> None:
        """Called with the socket about to carry the calling thread's exchange."""
        watch: _Watch | None = getattr(self._local, "current", None)
        if watch is not None and sock is not None:
            watch.sock = sock
            if watch.expired:
                watch.cut()

    def _run(self) -> None:
        while True:
            with self._cond:
                now = time.monotonic()
                while self._heap and (self._heap[0][0] <= now or not self._heap[0][2].active):
                    _, _, watch = heapq.heappop(self._heap)
                    if watch.active:
                        watch.expired = True
                        watch.cut()
                self._wake_at = self._heap[0][0] if self._heap else float("inf")
                self._cond.wait(None if not self._heap else max(self._wake_at - now, 0.0))


WATCHDOG = _Watchdog()


class _WatchedHTTPConnection(HTTPConnection):
    """Hands its socket to the watchdog: a fresh one when it connects, a kept-alive one when reused."""

    def connect(self) -> None:
        super().connect()
        WATCHDOG.attach(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        WATCHDOG.attach(self.sock)
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    """The same, over TLS."""

    def connect(self) -> None:
        super().connect()
        WATCHDOG.attach(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        WATCHDOG.attach(self.sock)
        super().request(*args, **kwargs)


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class HttpClient:
    """Sends requests and returns their Exchange; never raises for what the peer does. Connections are
    kept alive and reused; a connection whose exchange failed is dropped."""

    def __init__(self, settings: TransportSettings | None = None) -> None:
        self.settings = s = settings or TransportSettings()
        tls: dict[str, Any] = {}
        if s.verify_tls is False:
            tls["cert_reqs"] = ssl.CERT_NONE
            warnings.filterwarnings("ignore", category=InsecureRequestWarning)
        else:
            tls["cert_reqs"] = ssl.CERT_REQUIRED
            tls["ca_certs"] = certifi.where() if s.verify_tls is True else str(s.verify_tls)
        if isinstance(s.client_cert, tuple):
            tls["cert_file"], tls["key_file"] = s.client_cert
        elif s.client_cert:
            tls["cert_file"] = s.client_cert
        self._pool = urllib3.PoolManager(num_pools=8, maxsize=4, **tls)
        self._pool.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}

    def close(self) -> None:
        """Release pooled connections."""
        self._pool.clear()

    def send(
        self,
        operation: str,
        url: str,
        body: bytes,
        headers: Mapping[str, str],
        *,
        deadline: float,
        method: str = "POST",
    ) -> Exchange:
        """One exchange within `deadline` seconds (connecting, sending, headers and body); always the
        evidence, in time. The settings' headers are sent first; `headers` override them."""
        sent = {**self.settings.headers, **headers, "Accept-Encoding": "identity"}
        evidence = redact_headers(sent)
        start = time.perf_counter()

        def done(**kw: Any) -> Exchange:
            elapsed = (time.perf_counter() - start) * 1000
            return Exchange(operation, url, body, evidence, method=method, elapsed_ms=elapsed, **kw)

        late = f"answer not complete within the {deadline:g} s deadline"
        connect = min(self.settings.connect_timeout, deadline)
        watch = WATCHDOG.start(deadline)
        try:
            try:
                resp = self._pool.urlopen(
                    method,
                    url,
                    body=body or None,
                    headers=sent,
                    retries=False,
                    redirect=False,
                    timeout=urllib3.Timeout(connect=connect, read=deadline),
                    preload_content=False,
                    decode_content=False,
                )
            except (NewConnectionError, NameResolutionError) as exc:  # before its base, ConnectTimeoutError
                return done(error=f"unreachable: {_reason(exc)}", unreachable=True)
            except ConnectTimeoutError:
                return done(error=f"could not connect within {connect:g} s", unreachable=True)
            except SSLError as exc:
                return done(error=f"TLS handshake failed: {_reason(exc)}", unreachable=True)
            except ReadTimeoutError:
                return done(error=f"no answer within the {deadline:g} s deadline", timed_out=True)
            except (HTTPError, OSError) as exc:
                if watch.expired:
                    return done(error=late, timed_out=True)
                return done(error=f"not an HTTP answer: {_reason(exc)}")
            return self._read(resp, watch, late, done)
        finally:
            WATCHDOG.stop(watch)

    def _read(self, resp: Any, watch: _Watch, late: str, done: Any) -> Exchange:
        """Read the body under the size bound, until the watchdog's deadline."""
        status, headers = resp.status, dict(resp.headers)
        body = bytearray()
        bound = self.settings.max_response_bytes
        reusable = False
        try:
            while chunk := resp.read(CHUNK):
                body += chunk
                if len(body) > bound:
                    return done(
                        status=status,
                        headers=headers,
                        response=bytes(body[:bound]),
                        error=f"answer exceeds the {bound}-byte bound; reading stopped",
                    )
            WATCHDOG.stop(watch)  # before the connection goes back to the pool: never cut it there
            reusable = not watch.expired
        except (HTTPError, OSError) as exc:
            if watch.expired:
                return done(status=status, headers=headers, response=bytes(body), error=late, timed_out=True)
            return done(
                status=status,
                headers=headers,
                response=bytes(body),
                error=f"answer broken off: {_reason(exc)}",
            )
        finally:
            if not reusable:
                resp.close()
            resp.release_conn()
        if not reusable:
            return done(status=status, headers=headers, response=bytes(body), error=late, timed_out=True)
        return done(status=status, headers=headers, response=bytes(body))


def _reason(exc: BaseException) -> str:
    """The innermost readable reason of a urllib3 error ("[Errno 111] Connection refused")."""
    inner: BaseException = exc
    while True:
        nxt = getattr(inner, "reason", None) or inner.__cause__ or inner.__context__
        if not isinstance(nxt, BaseException) or nxt is inner:
            break
        inner = nxt
    if isinstance(inner, ProtocolError) and inner.args:
        inner = inner.args[-1] if isinstance(inner.args[-1], BaseException) else inner
    errno = getattr(inner, "errno", None)
    text = getattr(inner, "strerror", None) or str(inner) or type(inner).__name__
    return (f"[Errno {errno}] {text}" if errno else text)[:300]
