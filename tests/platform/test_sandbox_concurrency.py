"""Concurrent clients never lose a position nor get two with the same IUPD, IUV or notice number (on SQLite
and on PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from postgres import postgres_server
from sandbox_support import KEY, Client, iuv, option, position, together

from pagoconf.platform.sandbox import Sandbox

__all__ = ["postgres_server"]  # the session's PostgreSQL server, a fixture

THREADS = 12


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def client(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    """A sandbox on a SQLite file, or on a PostgreSQL database of the session's server."""
    if request.param == "postgres":
        db: str | Path = request.getfixturevalue("postgres_server").database()
    else:
        db = tmp_path_factory.mktemp("db") / "s.db"
    with Sandbox(keys=[KEY], db=db) as sandbox:
        yield Client(sandbox)


def test_parallel_creates_of_one_iupd_make_exactly_one_position(client: Client) -> None:
    iupd = "IUPD-race"
    statuses = together([lambda: client.create(position(iupd)) for _ in range(THREADS)])
    assert sorted(statuses) == [201] + [409] * (THREADS - 1)
    assert client.get(iupd).status == 200


def test_parallel_creates_of_one_iuv_make_exactly_one_position(client: Client) -> None:
    shared = iuv()
    statuses = together([lambda: client.create(position(None, option(shared))) for _ in range(THREADS)])
    assert sorted(statuses) == [201] + [409] * (THREADS - 1)


def test_parallel_creates_of_distinct_positions_lose_none(client: Client) -> None:
    org = "22222222222"
    statuses = together([lambda: client.create(position(), org=org) for _ in range(THREADS)])
    assert statuses == [201] * THREADS
    listed = client.list({"page": 0, "limit": 50}, org=org).json
    assert len(listed["payment_position_list"]) == THREADS


def test_parallel_payments_of_one_option_pay_it_once(client: Client, tmp_path: Path) -> None:
    body = client.created(publish=True)
    target = body["paymentOption"][0]["iuv"]
    statuses = together([lambda: client.pay(target) for _ in range(THREADS)])
    assert sorted(statuses) == [200] + [409] * (THREADS - 1)
