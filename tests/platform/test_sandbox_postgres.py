"""The sandbox on PostgreSQL (`--db postgresql://…`): databases it refuses in one line, the password kept out
of what it prints, and two sandboxes sharing one database as two processes would."""

from __future__ import annotations

from functools import partial

import pytest
from postgres import PostgresServer, postgres_server
from sandbox_support import KEY, Client, iuv, option, position, together

from pagoconf.engine.config import ConfigError
from pagoconf.platform.sandbox import Sandbox

__all__ = ["postgres_server"]  # the session's PostgreSQL server, a fixture

THREADS = 8


def test_a_database_of_another_version_or_kind_is_refused_in_one_line(
    postgres_server: PostgresServer,
) -> None:
    url = postgres_server.database()
    with Sandbox(keys=[KEY], db=url):
        pass
    with pytest.raises(ConfigError, match="recorded with SANP 3.8.0, not 3.13.0"):
        Sandbox(keys=[KEY], db=url, sanp="3.13.0")
    foreign = postgres_server.schema()
    postgres_server.execute(foreign, "CREATE TABLE notices (n TEXT)")
    with pytest.raises(ConfigError, match="not a pagoconf sandbox journal") as caught:
        Sandbox(keys=[KEY], db=foreign)
    assert "\n" not in str(caught.value)
    stranger = postgres_server.schema()
    postgres_server.execute(stranger, "CREATE TABLE meta (key TEXT, value TEXT)")
    with pytest.raises(ConfigError, match="not a pagoconf sandbox journal"):
        Sandbox(keys=[KEY], db=stranger)


def test_an_unreachable_server_or_a_wrong_password_is_one_line_without_the_password(
    postgres_server: PostgresServer,
) -> None:
    wrong = postgres_server.url(password="not-the-password")
    with pytest.raises(ConfigError, match="cannot open postgresql://pagoconf:\\*\\*\\*@") as caught:
        Sandbox(keys=[KEY], db=wrong)
    assert "not-the-password" not in str(caught.value) and "\n" not in str(caught.value)
    closed = f"postgresql://pagoconf:s3cret@127.0.0.1:{_closed_port()}/postgres"
    with pytest.raises(ConfigError, match="cannot open") as caught:
        Sandbox(keys=[KEY], db=closed)
    assert "s3cret" not in str(caught.value) and "\n" not in str(caught.value)


def test_the_sandbox_shows_its_database_with_the_password_masked(postgres_server: PostgresServer) -> None:
    url = postgres_server.database()
    with Sandbox(keys=[KEY], db=url) as sandbox:
        assert sandbox.db == url.replace(postgres_server.password, "***")
        assert postgres_server.password not in str(sandbox.db)
        assert Client(sandbox).list().status == 200


def test_two_sandboxes_on_one_database_share_the_state_and_its_guarantees(
    postgres_server: PostgresServer,
) -> None:
    url = postgres_server.database()
    with Sandbox(keys=[KEY], db=url) as one, Sandbox(keys=[KEY], db=url) as two:
        first, second = Client(one), Client(two)
        body = first.created(publish=True)
        assert second.status_of(body["iupd"]) in ("PUBLISHED", "VALID")
        clients = [first, second] * (THREADS // 2)
        statuses = together([partial(c.create, position("IUPD-both")) for c in clients])
        assert sorted(statuses) == [201] + [409] * (THREADS - 1)
        shared = iuv()
        statuses = together([partial(c.create, position(None, option(shared))) for c in clients])
        assert sorted(statuses) == [201] + [409] * (THREADS - 1)
        statuses = together([partial(c.pay, body["paymentOption"][0]["iuv"]) for c in clients])
        assert sorted(statuses) == [200] + [409] * (THREADS - 1)
        seqs = [e["seq"] for e in second.journal()]
        assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) > 3 * THREADS


def test_a_serializable_default_on_the_server_changes_nothing(postgres_server: PostgresServer) -> None:
    url = postgres_server.database()
    database = url.rsplit("/", 1)[1]
    postgres_server.execute(
        postgres_server.url(), f"ALTER DATABASE {database} SET default_transaction_isolation = 'serializable'"
    )
    with Sandbox(keys=[KEY], db=url) as sandbox:
        client = Client(sandbox)
        statuses = together([lambda: client.create(position("IUPD-serial")) for _ in range(THREADS)])
        assert sorted(statuses) == [201] + [409] * (THREADS - 1)
        body = client.created(publish=True)
        statuses = together([lambda: client.pay(body["paymentOption"][0]["iuv"]) for _ in range(THREADS)])
        assert sorted(statuses) == [200] + [409] * (THREADS - 1)


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
