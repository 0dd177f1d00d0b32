"""Serving an ASGI application on a real port with uvicorn (keep-alive, httptools): in a background thread
for a run, or in the foreground for `pagoconf station` and `pagoconf sandbox`."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from types import TracebackType
from typing import Any, Self

import uvicorn

START_TIMEOUT = 10.0


class ServerError(OSError):
    """The server cannot listen where it was asked to (port in use, bad host, bad port)."""


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on (host, port); port 0 takes a free one. ServerError says why not."""
    if not 0 <= port <= 65535:
        raise ServerError(f"port {port} is not between 0 and 65535")
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(
            family, socket.SOCK_STREAM, socket.IPPROTO_TCP
        )  # asyncio sets TCP_NODELAY only then
    except OSError as exc:
        raise ServerError(f"cannot open a socket for {host}: {exc.strerror}") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
        sock.setblocking(False)
    except OSError as exc:
        sock.close()
        raise ServerError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock


def _config(app: Any, sock: socket.socket) -> uvicorn.Config:
    host, port = sock.getsockname()[:2]
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http="httptools",
        loop="asyncio",
        lifespan="off",
        access_log=False,
        log_level="warning",
        timeout_keep_alive=30,
        server_header=False,
        date_header=False,
    )


class AsgiServer:
    """One ASGI app on one listening socket."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        self.sock = bind(host, port)
        self.host = host
        self.port = int(self.sock.getsockname()[1])
        self._server = uvicorn.Server(_config(app, self.sock))
        self._thread: threading.Thread | None = None

    def start(self) -> AsgiServer:
        """Serve in a daemon thread; return once the server accepts connections."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.run, kwargs={"sockets": [self.sock]}, daemon=True, name="pagoconf-server"
            )
            self._thread.start()
            deadline = time.monotonic() + START_TIMEOUT
            while not self._server.started:
                if not self._thread.is_alive() or time.monotonic() > deadline:
                    raise ServerError(f"the server on {self.host}:{self.port} did not start")
                time.sleep(0.005)
        return self

    def serve_forever(self) -> None:
        """Serve in the foreground until Ctrl-C (uvicorn handles the signal and shuts down cleanly)."""
        try:
            self._server.run(sockets=[self.sock])
        finally:
            self.close()

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
            self._thread = None
        self.close()

    def close(self) -> None:
        """Release the listening socket."""
        with contextlib.suppress(OSError):
            self.sock.close()


class Served:
    """What the reference station and the sandbox share: an app on an AsgiServer, served in a background
    thread (`start`, or `with`) or in the foreground (`serve_forever`, the command line), and what they hold
    (a store, temporary files) released once when serving ends (`_release`)."""

    _server: AsgiServer
    _closed: bool = False

    def start(self) -> Self:
        """Serve in a background thread and return self."""
        if self._closed:
            raise RuntimeError(f"{type(self).__name__} was stopped and its state closed: start a new one")
        self._server.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the foreground until Ctrl-C, then release what is held."""
        try:
            self._server.serve_forever()
        finally:
            self._close()

    def stop(self) -> None:
        """Stop serving, release the port and what is held (a database file keeps the state)."""
        self._server.stop()
        self._close()

    def _close(self) -> None:
        if not self._closed:
            self._closed = True
            self._release()

    def _release(self) -> None:
        """Close what the server holds."""

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
