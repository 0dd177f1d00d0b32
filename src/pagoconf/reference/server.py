"""Serve the reference station over real HTTP (wsgiref, one thread per request)."""

from __future__ import annotations

import contextlib
import os
import socketserver
import sys
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from pagoconf.reference.app import ENDPOINT, ReferenceApp
from pagoconf.reference.store import Store


class _Server(socketserver.ThreadingMixIn, WSGIServer):
    """A threading WSGI server that skips reverse DNS and reports errors in one line."""

    daemon_threads = True
    allow_reuse_address = True

    def server_bind(self) -> None:
        """Bind without socket.getfqdn (slow where DNS is missing)."""
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)
        self.setup_environ()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One stderr line instead of a traceback (e.g. a client that hung up)."""
        sys.stderr.write(f"reference station: error serving {client_address}: {sys.exc_info()[1]!r}\n")


class _QuietHandler(WSGIRequestHandler):
    """No per-request access log."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        """Stay silent."""


class _VerboseHandler(WSGIRequestHandler):
    """One short access-log line per request."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        """Write `client - message` to stderr."""
        sys.stderr.write(f"reference station: {self.address_string()} - {format % args}\n")


class ReferenceStation:
    """The reference paForNode station on a real port; a context manager."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        defects: Iterable[str] = (),
        sanp: str = "3.8.0",
        delay: float = 8.0,
        sluggish_delay: float = 2.2,
        verbose: bool = False,
        db: str | Path | None = None,
        primitive_version: int = 2,
    ) -> None:
        """Build the app on its state database; nothing listens until start().

        `db`: a SQLite file whose state (notices, receipts) survives a restart; None: a fresh temporary
        file removed on stop(). `primitive_version`: 1 serves paGetPayment/paSendRT, 2 their V2 pair.
        Unknown defects and versions other than 1 and 2 raise ValueError.
        """
        if primitive_version not in (1, 2):
            raise ValueError(f"primitive_version must be 1 or 2, not {primitive_version!r}")
        self.host = host
        self.port = port
        self.verbose = verbose
        self._temporary: Path | None = None
        if db is None:
            handle, name = tempfile.mkstemp(prefix="pagoconf-station-", suffix=".sqlite")
            os.close(handle)
            self._temporary = Path(name)
        self.db = Path(db) if db is not None else self._temporary
        try:
            self.app = ReferenceApp(
                defects=defects,
                sanp=sanp,
                delay=delay,
                sluggish_delay=sluggish_delay,
                db=self.db,
                primitive_version=primitive_version,
            )
        except BaseException:
            self._remove_temporary()
            raise
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._closed = False

    @property
    def defects(self) -> frozenset[str]:
        """The defects this station was started with."""
        return self.app.defects

    @property
    def primitive_version(self) -> int:
        """The primitive version the station is registered with (1 or 2)."""
        assert self.app.primitive_version is not None
        return self.app.primitive_version

    @property
    def store(self) -> Store:
        """The station's state: notices and the receipts received."""
        return self.app.store

    @property
    def url(self) -> str:
        """The endpoint URL, e.g. http://127.0.0.1:PORT/paForNode."""
        if self._server is None and self.port == 0:
            raise RuntimeError("the station has no port yet: call start() first")
        return f"http://{self.host}:{self.port}{ENDPOINT}"

    def _bind(self) -> _Server:
        """Listen on (host, port), recording the port actually bound."""
        if self._closed:
            raise RuntimeError("the station was stopped and its state closed: start a new ReferenceStation")
        if self._server is None:
            handler = _VerboseHandler if self.verbose else _QuietHandler
            self._server = _Server((self.host, self.port), handler)
            self._server.set_app(self.app)
            self.port = self._server.socket.getsockname()[1]
        return self._server

    def start(self) -> ReferenceStation:
        """Serve in a daemon thread and return self."""
        if self._thread is None:
            server = self._bind()
            self._thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.02},
                daemon=True,
                name="reference-station",
            )
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the foreground until interrupted (the CLI's `pagoconf station`)."""
        server = self._bind()
        try:
            server.serve_forever(poll_interval=0.2)
        finally:
            server.server_close()
            self._server = None
            self._close()

    def stop(self) -> None:
        """Stop serving, release the port and close the state (a temporary database is removed)."""
        server, thread = self._server, self._thread
        self._server, self._thread = None, None
        if server is not None:
            if thread is not None:
                server.shutdown()
                thread.join(timeout=5)
            server.server_close()
        self._close()

    def _close(self) -> None:
        if not self._closed:
            self._closed = True
            self.app.close()
            self._remove_temporary()

    def _remove_temporary(self) -> None:
        if self._temporary is not None:
            for suffix in ("", "-journal", "-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    Path(f"{self._temporary}{suffix}").unlink()

    def __enter__(self) -> ReferenceStation:
        """Start and return self."""
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Stop."""
        self.stop()
