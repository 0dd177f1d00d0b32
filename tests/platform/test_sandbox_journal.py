"""The journal: every exchange with its findings, the key redacted, the same findings when judged again from
the file; and a --db file that keeps the state across restarts and refuses another SANP version."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from postgres import postgres_server
from sandbox_support import KEY, ORG, Client, moment, option, position, transfer

from pagoconf.engine.config import ConfigError
from pagoconf.platform.sandbox import Sandbox
from pagoconf.platform.sandbox.checks import judge
from pagoconf.platform.sandbox.journal import FORMAT, FORMAT_VERSION, JournalError, read_journal
from pagoconf.platform.sandbox.request import case_from_entry

__all__ = ["postgres_server"]  # the session's PostgreSQL server, a fixture


def _session(client: Client) -> None:
    """A session with a bit of everything: good and bad requests, departures, a payment, a fault."""
    body = client.created(publish=True)
    client.create(position(body["iupd"]))
    client.create(position(None, option(transfer=[transfer(amount=1)])))
    client.create(position(validityDate=None), to_publish="True")
    client.create(position(None, option(dueDate=moment(timedelta(days=9)).removesuffix("Z"))))
    client.list("")
    client.list({"page": 0, "limit": 80})
    client.get("nope")
    client.list(key="wrong")
    client.gpd("GET", "/nowhere")
    client.pay(body["paymentOption"][0]["iuv"])
    client.payments("GET", f"/payments/{ORG}/receipts/{body['paymentOption'][0]['iuv']}")
    client.control("POST", "/faults", body={"operation": "getOrganizationDebtPositions", "kind": "500"})
    client.list()
    client.delete(body["iupd"])


def test_an_entry_holds_the_exchange_with_the_key_redacted(tmp_path: Path) -> None:
    with Sandbox(keys=[KEY], db=tmp_path / "s.db") as sandbox:
        client = Client(sandbox)
        body = position(None, option(transfer=[transfer(amount=1)]))
        answer = client.create(body, headers={"X-Request-Id": "req-1"})
        entry = client.last()
    assert (
        entry["method"] == "POST"
        and entry["path"] == f"/gpd/debt-positions-service/v1/organizations/{ORG}/debtpositions"
    )
    assert entry["operation"] == "createPosition" and entry["api"] == "gpd"
    assert entry["request_headers"]["ocp-apim-subscription-key"] == "***redacted***"
    assert entry["key_id"] == "cli-1"
    assert entry["request_body"] and '"iupd"' in entry["request_body"]
    assert entry["status"] == answer.status == 400
    assert entry["response_headers"]["X-Request-Id"] == "req-1"
    assert entry["response_body"] == answer.data.decode()
    assert entry["elapsed_ms"] > 0 and entry["received_at"].endswith("Z")
    assert entry["findings"] == [
        {
            "rule": "GPD-044",
            "expected": "sum(transfer.amount) = 10000 cents",
            "actual": "Amounts congruence error: 1 cents (1)",
            "where": "/paymentOption/0/amount",
            "warning": False,
        }
    ]
    assert KEY.encode() not in (tmp_path / "s.db").read_bytes()
    for suffix in ("-wal",):
        extra = tmp_path / f"s.db{suffix}"
        assert not extra.exists() or KEY.encode() not in extra.read_bytes()


def test_the_findings_are_the_same_when_the_journal_is_judged_again(tmp_path: Path) -> None:
    path = tmp_path / "session.db"
    for strict in (False, True):
        with Sandbox(keys=[KEY], db=path, strict=strict) as sandbox:
            _session(Client(sandbox))
    entries = read_journal(path, sanp="3.8.0")
    judged = [e for e in entries if e.api != "_sandbox" and e.injected not in ("429", "500")]
    assert len(judged) > 20 and any(e.findings for e in judged) and any(e.strict for e in judged)
    for entry in judged:
        assert judge(case_from_entry(entry, sanp="3.8.0")).findings == entry.findings, (entry.seq, entry.path)


def test_a_journal_of_another_version_or_no_journal_at_all_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with Sandbox(keys=[KEY], db=path):
        pass
    with pytest.raises(JournalError, match="recorded with SANP 3.8.0, not 3.13.0"):
        read_journal(path, sanp="3.13.0")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE notices (n TEXT)")
    with pytest.raises(JournalError, match="is not a pagoconf sandbox journal"):
        read_journal(other, sanp="3.8.0")
    text = tmp_path / "notes.txt"
    text.write_text("hello", encoding="utf-8")
    with pytest.raises(JournalError, match="is not a pagoconf sandbox journal"):
        read_journal(text, sanp="3.8.0")
    with pytest.raises(JournalError, match="does not exist"):
        read_journal(tmp_path / "missing.db", sanp="3.8.0")
    meta = dict(sqlite3.connect(path).execute("SELECT key, value FROM meta").fetchall())
    assert (meta["format"], meta["format_version"], meta["sanp"]) == (FORMAT, FORMAT_VERSION, "3.8.0")


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_a_db_file_keeps_positions_receipts_clock_and_journal_across_restarts(
    tmp_path: Path, request: pytest.FixtureRequest, kind: str
) -> None:
    path: str | Path = tmp_path / "state.db"
    if kind == "postgres":
        path = request.getfixturevalue("postgres_server").database()
    with Sandbox(keys=[KEY], db=path) as sandbox:
        client = Client(sandbox)
        body = client.created(publish=True)
        client.pay(body["paymentOption"][0]["iuv"])
        client.advance(days=3)
        offset = client.control("GET", "/clock").json["offset_seconds"]
        total = client.control("GET", "/journal").json["total"]
    with Sandbox(keys=[KEY], db=path) as sandbox:
        client = Client(sandbox)
        assert client.status_of(body["iupd"]) == "PAID"
        iuv = body["paymentOption"][0]["iuv"]
        assert client.payments("GET", f"/payments/{ORG}/receipts/{iuv}").status == 200
        assert client.control("GET", "/clock").json["offset_seconds"] == pytest.approx(offset)
        assert client.control("GET", "/journal").json["total"] == total + 3
        assert client.create(position(body["iupd"])).status == 409


def test_a_db_file_of_another_version_or_kind_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with Sandbox(keys=[KEY], db=path):
        pass
    with pytest.raises(ConfigError, match="recorded with SANP 3.8.0, not 3.13.0"):
        Sandbox(keys=[KEY], db=path, sanp="3.13.0")
    station = tmp_path / "station.db"
    with sqlite3.connect(station) as db:
        db.execute("CREATE TABLE notices (n TEXT)")
    with pytest.raises(ConfigError, match="not a pagoconf sandbox journal"):
        Sandbox(keys=[KEY], db=station)
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(ConfigError) as caught:
        Sandbox(keys=[KEY], db=garbage)
    assert "\n" not in str(caught.value)


def test_the_journal_pages_oldest_first(tmp_path: Path) -> None:
    with Sandbox(keys=[KEY]) as sandbox:
        client = Client(sandbox)
        for _ in range(5):
            client.list()
        first = client.control("GET", "/journal", query={"limit": 2}).json
        assert [e["seq"] for e in first["entries"]] == [1, 2] and first["next_after"] == 2
        rest = client.control("GET", "/journal", query={"after": 2, "limit": 10}).json
        assert [e["seq"] for e in rest["entries"]] == [3, 4, 5] and rest["next_after"] is None
        assert first["total"] == 5 and first["sanp"] == "3.8.0" and first["format"] == FORMAT
        assert client.control("GET", "/journal", query={"limit": 0}).status == 400
