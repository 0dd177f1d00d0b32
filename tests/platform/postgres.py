"""A throwaway PostgreSQL server for the tests: initdb in a temp dir, postgres on a free port of 127.0.0.1,
stopped and deleted at the end. Run as root (as CI is), the server runs as an unprivileged account, since
postgres refuses root: `postgres` where the packages made it, else `nobody`. One per test process."""

from __future__ import annotations

import atexit
import glob
import itertools
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest

SUPERUSER = "pagoconf"
ACCOUNTS = ("postgres", "nobody")
START_TIMEOUT = 30.0
SETTINGS = {  # a throwaway server: nothing needs to survive a crash
    "listen_addresses": "127.0.0.1",
    "unix_socket_directories": "",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "shared_buffers": "32MB",
}


def binaries() -> Path | None:
    """The folder holding initdb and postgres: initdb's on PATH, else the newest /usr/lib/postgresql/*/bin."""
    on_path = shutil.which("initdb")
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: [int(n) for n in re.findall(r"[0-9]+", Path(p).parent.name)],
        reverse=True,
    )
    candidates = ([Path(os.path.realpath(on_path)).parent] if on_path else []) + [Path(p) for p in versions]
    return next((c for c in candidates if (c / "initdb").exists() and (c / "postgres").exists()), None)


@dataclass
class PostgresServer:
    """A running server: its folder, port and superuser password; `url()` and fresh databases."""

    root: Path
    port: int
    password: str
    process: subprocess.Popen[bytes]
    account: str | None
    started_in: float
    _names: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def url(self, database: str = "postgres", *, password: str | None = None) -> str:
        """postgresql://pagoconf:PASSWORD@127.0.0.1:PORT/DATABASE."""
        return f"postgresql://{SUPERUSER}:{password or self.password}@127.0.0.1:{self.port}/{database}"

    def database(self) -> str:
        """The URL of a new empty database (about 0.4 s: `schema()` is cheaper)."""
        name = f"sandbox_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def schema(self) -> str:
        """The URL of a new empty schema in the `postgres` database (search_path set by the URL)."""
        name = f"sandbox_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{name}"')
        return self.url() + f"?options=-csearch_path%3D{name}"

    def execute(self, url: str, *statements: str) -> None:
        """Run statements in a database (to set up foreign ones)."""
        with psycopg.connect(url, autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)

    def stop(self) -> None:
        """Fast shutdown (SIGINT), kill if it lingers, delete the folder."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def _account() -> pwd.struct_passwd | None:
    """Whom to run the server as: None (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in ACCOUNTS:
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError(f"running as root and none of the accounts {ACCOUNTS} exists to run postgres as")


def _as(account: pwd.struct_passwd | None) -> dict[str, Any]:
    """subprocess arguments that run a command as `account`, in a plain C-locale environment."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "LANG": "C"}
    if account is None:
        return {"env": env}
    env["HOME"] = tempfile.gettempdir()
    return {"env": env, "user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _temp_root(account: pwd.struct_passwd | None) -> Path:
    """A private folder the server's account owns, under a temp dir that account can reach."""
    base = tempfile.gettempdir()
    if account is not None and not all(
        os.stat(p).st_mode & 0o001 for p in [base, *map(str, Path(base).parents)]
    ):
        base = "/tmp"
    root = Path(tempfile.mkdtemp(prefix="pagoconf-pg-", dir=base))
    if account is not None:
        os.chown(root, account.pw_uid, account.pw_gid)
    return root


def start(folder: Path) -> PostgresServer:
    """initdb and start a server; RuntimeError with its log if it does not come up."""
    began = time.perf_counter()
    account = _account()
    root = _temp_root(account)
    password = secrets.token_hex(12)
    pwfile = root / "password"
    pwfile.write_text(password + "\n", encoding="ascii")
    if account is not None:
        os.chown(pwfile, account.pw_uid, account.pw_gid)
    data = root / "data"
    run = _as(account)
    init = subprocess.run(
        [
            str(folder / "initdb"),
            *("-D", str(data), "-U", SUPERUSER, f"--pwfile={pwfile}", "-E", "UTF8"),
            *("--no-locale", "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync"),
        ],
        capture_output=True,
        check=False,
        **run,
    )
    if init.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {init.stderr.decode(errors='replace')}")
    for _ in range(3):  # another process may take the free port first
        port = _free_port()
        log = (root / "server.log").open("wb")
        options = [a for k, v in SETTINGS.items() for a in ("-c", f"{k}={v}")]
        process = subprocess.Popen(
            [str(folder / "postgres"), "-D", str(data), "-p", str(port), *options],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            **run,
        )
        log.close()
        server = PostgresServer(root, port, password, process, account and account.pw_name, 0.0)
        if _ready(server):
            server.started_in = time.perf_counter() - began
            return server
        server.process.kill()
        server.process.wait()
    text = (root / "server.log").read_text(errors="replace")
    shutil.rmtree(root, ignore_errors=True)
    raise RuntimeError(f"postgres did not start: {text[-2000:]}")


def _ready(server: PostgresServer) -> bool:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            return False
        try:
            psycopg.connect(server.url(), connect_timeout=2).close()
            return True
        except psycopg.OperationalError:
            time.sleep(0.05)
    return False


_server: PostgresServer | None = None


def shared() -> PostgresServer:
    """This process's server, started on first use (skips the test if PostgreSQL is not installed)."""
    global _server
    if _server is None:
        folder = binaries()
        if folder is None:
            pytest.skip(
                "PostgreSQL server binaries (initdb, postgres) not found on PATH or /usr/lib/postgresql"
            )
        _server = start(folder)
        atexit.register(stop_shared)
    return _server


def stop_shared() -> None:
    """Stop this process's server, if it runs."""
    global _server
    if _server is not None:
        _server.stop()
        _server = None


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The test session's PostgreSQL server (one per process: started once, however many modules use it)."""
    yield shared()
    stop_shared()


def pytest_configure(config: pytest.Config) -> None:
    """Only when loaded as a plugin (`PYTHONPATH=tests/platform pytest tests/platform -p postgres`): every
    sandbox a test opens in memory opens on a fresh PostgreSQL schema instead, so that the whole suite runs
    against PostgreSQL."""
    from pagoconf.platform.sandbox import server

    chosen = server.open_store

    def on_postgres(db: str | Path | None, *, sanp: str) -> tuple[Any, Path | str | None]:
        return chosen(shared().schema() if db is None else db, sanp=sanp)

    server.open_store = on_postgres
