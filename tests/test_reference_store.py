"""The reference station's SQLite state: seeding, round trips, persistence, receipts, bad files."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest

from pagoconf.sync.reference import IDENTITY, Store, StoredReceipt, seed_notices, to_pay_notices
from pagoconf.sync.reference.data import spontaneous_notice, spontaneous_number
from pagoconf.sync.reference.store import StoreError

EC = IDENTITY.id_pa
TODAY = date(2025, 6, 2)
SEEDED = seed_notices(TODAY)
TO_PAY = to_pay_notices(TODAY)


def receipt(nav: str, receipt_id: str = "r1", *, accepted: bool = True) -> StoredReceipt:
    """A receipt record for notice `nav`."""
    return StoredReceipt(
        receipt_id, EC, nav, "paSendRTV2", False, accepted, b"<raw/>", "2025-06-02T10:00:00+00:00"
    )


def test_a_new_database_holds_every_seeded_notice_as_issued(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite", today=TODAY)
    for origin, groups in (("seeded", SEEDED), ("to_pay", TO_PAY)):
        for kind, group in groups.items():
            assert store.numbers(origin, kind) == sorted(n.nav for n in group)
            for notice in group:
                assert store.find(EC, notice.nav) == notice
    assert store.find("01234567890", SEEDED["payable"][0].nav) is None
    assert store.find(EC, "301999999999999999") is None
    store.close()


def test_state_and_receipts_survive_reopening_and_are_not_reseeded(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    store = Store(path, today=TODAY)
    nav = TO_PAY["payable"][0].nav
    store.set_state(EC, nav, "paid")
    store.add_receipt(receipt(nav))
    created = spontaneous_notice(
        spontaneous_number(store.next_sequence()), "Tassa", SEEDED["paid"][0].amount, TODAY
    )
    store.add(created, "spontaneous")
    store.close()
    again = Store(path, today=date(2030, 1, 1))  # a later day does not reseed or redate anything
    assert again.find(EC, nav).state == "paid"  # type: ignore[union-attr]
    assert again.find(EC, SEEDED["payable"][0].nav) == SEEDED["payable"][0]
    assert again.receipts(EC, nav) == [receipt(nav)]
    assert again.find(EC, created.nav) == created
    assert again.next_sequence() == 2
    again.close()


def test_a_receipt_is_kept_once_per_notice_and_receipt_id() -> None:
    store = Store(":memory:", today=TODAY)
    nav = TO_PAY["payable"][0].nav
    store.add_receipt(receipt(nav, "a"))
    store.add_receipt(receipt(nav, "a", accepted=False))
    store.add_receipt(receipt(nav, "b", accepted=False))
    assert [(r.receipt_id, r.accepted) for r in store.receipts()] == [("a", True), ("b", False)]
    assert store.receipt(EC, nav, "b") == receipt(nav, "b", accepted=False)
    assert store.receipt(EC, nav, "c") is None


def test_a_notice_number_is_issued_once() -> None:
    store = Store(":memory:", today=TODAY)
    with pytest.raises(StoreError, match="already exists"):
        store.add(SEEDED["payable"][0], "seeded")


def test_a_failed_transaction_changes_nothing() -> None:
    store = Store(":memory:", today=TODAY)
    nav = TO_PAY["payable"][0].nav
    with pytest.raises(RuntimeError), store.transaction():
        store.set_state(EC, nav, "paid")
        store.add_receipt(receipt(nav))
        raise RuntimeError("boom")
    assert store.find(EC, nav).state == "payable"  # type: ignore[union-attr]
    assert store.receipts() == []


def test_the_sequence_is_safe_across_threads(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite", today=TODAY)
    with ThreadPoolExecutor(8) as pool:
        numbers = list(pool.map(lambda _: store.next_sequence(), range(64)))
    assert sorted(numbers) == list(range(1, 65))


def test_a_file_that_is_not_a_station_database_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StoreError, match="not a reference station database"):
        Store(junk)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("INSERT INTO meta VALUES ('schema', '99')")
    db.close()
    with pytest.raises(StoreError, match="schema version 99"):
        Store(other)
