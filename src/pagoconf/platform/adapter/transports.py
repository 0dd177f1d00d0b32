"""The adapter's two transports: a command (one JSON request on stdin, one JSON answer on stdout, within a
deadline) and an HTTP endpoint (the request POSTed, the answer in a 200's body). Either way a missing,
failing, silent or chattering adapter is AdapterBroken, with what it printed on stderr kept as evidence."""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from pagoconf.engine.transport import HttpClient, TransportSettings
from pagoconf.platform.adapter.protocol import AdapterBroken, AdapterCall, Answer, encode, read_answer

STDERR_KEPT = 64 * 1024
SHOWN_STDERR = 400


class Adapter(Protocol):
    """Asks the partner's system to do one thing."""

    def ask(self, request: Mapping[str, Any]) -> Answer:
        """Send one protocol request and read its answer; AdapterBroken when there is none to read."""
        ...

    def describe(self) -> str:
        """The transport, for reports ("command: …", "http: …")."""
        ...

    def close(self) -> None:
        """Release what the adapter holds."""
        ...


class CommandAdapter:
    """An adapter run as a command, once per request: the request on stdin, the answer on stdout."""

    def __init__(
        self, command: str | Sequence[str], *, timeout: float, env: Mapping[str, str] | None = None
    ) -> None:
        self.argv = shlex.split(command) if isinstance(command, str) else list(command)
        if not self.argv:
            raise ValueError("the adapter command is empty")
        self.timeout = timeout
        self.env = {**os.environ, **(env or {})}

    def describe(self) -> str:
        return "command: " + shlex.join(self.argv)

    def ask(self, request: Mapping[str, Any]) -> Answer:
        data = encode(request)
        started = time.perf_counter()
        action = request["action"]

        def call(out: bytes = b"", err: bytes = b"", status: int | None = None) -> AdapterCall:
            elapsed = (time.perf_counter() - started) * 1000
            return AdapterCall(self.describe(), data, out, err[-STDERR_KEPT:], elapsed, status)

        try:
            proc = subprocess.Popen(
                self.argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=self.env,
                start_new_session=True,  # a deadline ends the adapter and whatever it started
            )
        except OSError as exc:
            raise AdapterBroken(
                f"the adapter command {self.argv[0]!r} cannot be started: {exc.strerror or exc}", call()
            ) from None
        try:
            out, err = proc.communicate(data, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            _kill(proc)
            out, err = proc.communicate()
            raise AdapterBroken(
                f"the adapter did not answer {action} within {self.timeout:g} s{_tail(err)}",
                call(out, err, None),
            ) from None
        if proc.returncode != 0:
            raise AdapterBroken(
                f"the adapter exited with status {proc.returncode} on {action}{_tail(err)}",
                call(out, err, proc.returncode),
            )
        return read_answer(request, out, call(out, err, 0))

    def close(self) -> None:
        pass


class HttpAdapter:
    """An adapter served over HTTP: each request POSTed as JSON, its answer the body of a 200."""

    def __init__(self, url: str, *, timeout: float, settings: TransportSettings | None = None) -> None:
        self.url = url
        self.timeout = timeout
        self.client = HttpClient(settings)

    def describe(self) -> str:
        return f"http: {self.url}"

    def ask(self, request: Mapping[str, Any]) -> Answer:
        data = encode(request)
        action = request["action"]
        exchange = self.client.send(
            "adapter",
            self.url,
            data,
            {"Content-Type": "application/json", "Accept": "application/json"},
            deadline=self.timeout,
        )
        call = AdapterCall(
            self.describe(), data, exchange.response, b"", exchange.elapsed_ms, exchange.status
        )
        if exchange.error:
            raise AdapterBroken(
                f"the adapter at {self.url} gave no answer to {action}: {exchange.error}", call
            )
        if exchange.status != 200:
            raise AdapterBroken(
                f"the adapter at {self.url} answered {action} with HTTP {exchange.status}, not 200", call
            )
        return read_answer(request, exchange.response, call)

    def close(self) -> None:
        self.client.close()


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(OSError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        proc.kill()


def _tail(stderr: bytes) -> str:
    text = stderr.decode("utf-8", errors="replace").strip()
    if not text:
        return ""
    last = text.splitlines()[-1]
    return f"; it said on stderr: {last[:SHOWN_STDERR]}"
