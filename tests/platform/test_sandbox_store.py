"""The Store contract (and UploadStore's), held by both implementations alike: SQLite (a file) and PostgreSQL
(a fresh schema on the session's throwaway server). Same answers, same uniqueness, same order, same
transactions."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from postgres import PostgresServer, postgres_server

from pagoconf.platform.sandbox.findings import Finding
from pagoconf.platform.sandbox.journal import FORMAT, FORMAT_VERSION, JournalEntry
from pagoconf.platform.sandbox.positions import (
    Debtor,
    OptionStatus,
    PaymentOption,
    Position,
    Stamp,
    Status,
    Transfer,
)
from pagoconf.platform.sandbox.postgres_store import PostgresStore
from pagoconf.platform.sandbox.sqlite_store import SqliteStore
from pagoconf.platform.sandbox.store import (
    PositionQuery,
    ReceiptQuery,
    Store,
    StoredReceipt,
    StoreError,
    UniqueViolation,
)
from pagoconf.platform.sandbox.upload_state import Upload, UploadOutcome, UploadStore

__all__ = ["postgres_server"]  # the session's PostgreSQL server, a fixture

ORG = "77777777777"
OTHER = "11111111111"
NOW = datetime(2030, 1, 1, 12, tzinfo=UTC)
IBAN = "IT60X0542811101000000123456"
Opener = Callable[..., Store]


@pytest.fixture(params=["sqlite", "postgres"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """Opens stores of one kind on one database (each call the same database); all closed at the end."""
    opened: list[Store] = []
    if request.param == "sqlite":
        path = tmp_path / "s.db"

        def opener(sanp: str = "3.8.0") -> Store:
            opened.append(SqliteStore(path, sanp=sanp))
            return opened[-1]

    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        url = server.schema()

        def opener(sanp: str = "3.8.0") -> Store:
            opened.append(PostgresStore(url, sanp=sanp))
            return opened[-1]

    yield opener
    for store in opened:
        store.close()


@pytest.fixture
def store(open_store: Opener) -> Store:
    """A new, empty store."""
    return open_store()


def iuv(n: int, code: str = "01") -> str:
    """A 17-digit IUV."""
    return f"{code}{n:015d}"


def make(
    iupd: str,
    *iuvs: str,
    org: str = ORG,
    status: Status = Status.DRAFT,
    company: str = "Comune di Prova",
    inserted: datetime = NOW,
    due: datetime = NOW + timedelta(days=30),
    iban: str | None = IBAN,
    postal: str | None = None,
    paid: datetime | None = None,
    validity: datetime | None = None,
    expiring: bool = False,
) -> Position:
    """A position with one option per IUV (notice number 3 + IUV), one transfer each."""
    options = tuple(
        PaymentOption(
            iuv=i,
            nav="3" + i,
            amount=100,
            description="Tassa",
            is_partial_payment=False,
            due_date=due,
            transfers=(Transfer("1", 100, org, "TARI", "9/0101108TS/", iban=iban, postal_iban=postal),),
        )
        for i in iuvs
    )
    return Position(
        organization=org,
        iupd=iupd,
        debtor=Debtor("F", "RSSMRA80A01H501U", "Mario Rossi"),
        company_name=company,
        status=status,
        options=options,
        inserted_date=inserted,
        validity_date=validity,
        payment_date=paid,
        switch_to_expired=expiring,
    )


def renumbered(position: Position, nav: str) -> Position:
    """The position with its first option's notice number changed."""
    first, *rest = position.options
    return replace(position, options=(replace(first, nav=nav), *rest))


def receipt(
    iuv_: str, *, debtor: str = "RSSMRA80A01H501U", paid: datetime = NOW, org: str = ORG
) -> StoredReceipt:
    """The receipt of option `iuv_`."""
    return StoredReceipt(org, iuv_, "3" + iuv_, f"r-{iuv_}", debtor, paid, "paSendRTV2", b"<rt>\xff</rt>")


def iupds(found: tuple[list[Position], int]) -> tuple[list[str], int]:
    """The IUPDs of a page, and the total."""
    return [p.iupd for p in found[0]], found[1]


# --- meta, positions, uniqueness --------------------------------------------------------------------------


def test_a_new_store_holds_the_journal_meta_and_keeps_set_values(store: Store) -> None:
    meta = store.meta()
    assert (meta["format"], meta["format_version"], meta["sanp"]) == (FORMAT, FORMAT_VERSION, "3.8.0")
    store.set_meta("clock_offset_seconds", "1.5")
    store.set_meta("clock_offset_seconds", "3.0")
    assert store.meta()["clock_offset_seconds"] == "3.0"


def test_a_position_is_found_by_iupd_iuv_and_notice_number_in_its_organization_only(store: Store) -> None:
    kept = make("A", iuv(1), iuv(2))
    store.insert_position(kept)
    assert store.position(ORG, "A") == kept
    assert store.position_of_option(ORG, iuv=iuv(2)) == kept
    assert store.position_of_option(ORG, nav="3" + iuv(1)) == kept
    assert store.position(OTHER, "A") is None and store.position_of_option(OTHER, iuv=iuv(1)) is None
    assert store.position(ORG, "B") is None and store.position_of_option(ORG, nav=iuv(1)) is None


@pytest.mark.parametrize(
    ("second", "message"),
    [
        (make("A", iuv(9)), "positions.organization, positions.iupd"),
        (renumbered(make("B", iuv(1)), "3" + iuv(9)), "payment_options.organization, payment_options.iuv"),
        (renumbered(make("B", iuv(9)), "3" + iuv(1)), "payment_options.organization, payment_options.nav"),
        (make("B", iuv(8), iuv(8)), "payment_options.organization, payment_options.nav"),
    ],
    ids=["iupd", "iuv", "nav", "iuv-twice-in-one"],
)  # fmt: skip
def test_a_taken_identifier_is_refused_whole_with_one_message(
    store: Store, second: Position, message: str
) -> None:
    store.insert_position(make("A", iuv(1)))
    with pytest.raises(UniqueViolation) as caught:
        store.insert_position(second)
    assert str(caught.value) == f"UNIQUE constraint failed: {message}"
    assert store.position(ORG, "B") is None and store.position_of_option(ORG, iuv=iuv(9)) is None
    assert store.positions(ORG, PositionQuery())[1] == 1


def test_each_organization_has_its_own_identifiers(store: Store) -> None:
    store.insert_position(make("A", iuv(1)))
    store.insert_position(make("A", iuv(1), org=OTHER))
    assert store.position(OTHER, "A") == make("A", iuv(1), org=OTHER)


def test_taken_says_which_identifiers_other_positions_hold(store: Store) -> None:
    store.insert_position(make("A", iuv(1), iuv(2)))
    taken = store.taken(ORG, "A", [iuv(1), iuv(3)], ["3" + iuv(2), "3" + iuv(4)])
    assert (taken.iupd, taken.iuvs, taken.navs) == (True, {iuv(1)}, {"3" + iuv(2)})
    assert not store.taken(ORG, "A", [iuv(1)], ["3" + iuv(1)], excluding="A")
    assert not store.taken(OTHER, "A", [iuv(1)], [])
    assert not store.taken(ORG, None, [], [])


def test_a_replaced_position_frees_its_old_identifiers_and_takes_the_new_ones(store: Store) -> None:
    store.insert_position(make("A", iuv(1)))
    store.replace_position(make("A", iuv(2), status=Status.VALID))
    assert store.position(ORG, "A") == make("A", iuv(2), status=Status.VALID)
    assert store.position_of_option(ORG, iuv=iuv(1)) is None
    store.insert_position(make("B", iuv(1)))
    with pytest.raises(UniqueViolation):
        store.replace_position(make("A", iuv(1)))
    assert store.position(ORG, "A") == make("A", iuv(2), status=Status.VALID)
    with pytest.raises(KeyError):
        store.replace_position(make("C", iuv(3)))


def test_a_deleted_position_frees_its_identifiers_and_keeps_its_receipts(store: Store) -> None:
    store.insert_position(make("A", iuv(1)))
    store.insert_receipt(receipt(iuv(1)))
    store.delete_position(ORG, "A")
    store.delete_position(ORG, "never")
    assert store.position(ORG, "A") is None and not store.taken(ORG, "A", [iuv(1)], ["3" + iuv(1)])
    assert store.receipt(ORG, iuv(1)) == receipt(iuv(1))
    store.insert_position(make("A", iuv(1)))


# --- queries ----------------------------------------------------------------------------------------------


def test_positions_are_paged_filtered_and_ordered(store: Store) -> None:
    day = timedelta(days=1)
    store.insert_position(make("C", iuv(1), company="beta", inserted=NOW, due=NOW + 5 * day))
    store.insert_position(make("A", iuv(2, "02"), company="Alfa", inserted=NOW + day, status=Status.VALID))
    store.insert_position(make("B", iuv(3), company="alfa", inserted=NOW, paid=NOW + 2 * day))
    store.insert_position(make("Z", iuv(4), org=OTHER))
    assert iupds(store.positions(ORG, PositionQuery())) == (["A", "B", "C"], 3)
    assert iupds(store.positions(ORG, PositionQuery(descending=False))) == (["C", "B", "A"], 3)
    assert iupds(store.positions(ORG, PositionQuery(page=1, limit=2))) == (["C"], 3)
    by_company = PositionQuery(order_by="COMPANY_NAME", descending=False)
    assert iupds(store.positions(ORG, by_company)) == (["A", "B", "C"], 3)
    by_iupd = PositionQuery(order_by="IUPD")
    assert iupds(store.positions(ORG, by_iupd)) == (["C", "B", "A"], 3)
    by_status = PositionQuery(order_by="STATUS", descending=False)
    assert iupds(store.positions(ORG, by_status)) == (["C", "B", "A"], 3)
    assert iupds(store.positions(ORG, PositionQuery(status="VALID"))) == (["A"], 1)
    due = PositionQuery(due_from=NOW + 4 * day, due_to=NOW + 6 * day)
    assert iupds(store.positions(ORG, due)) == (["C"], 1)
    assert iupds(store.positions(ORG, PositionQuery(paid_from=NOW))) == (["B"], 1)
    assert iupds(store.positions(ORG, PositionQuery(paid_to=NOW + day))) == ([], 0)
    codes = PositionQuery(segregation_codes=frozenset({"02", "99"}))
    assert iupds(store.positions(ORG, codes)) == (["A"], 1)
    assert iupds(store.positions(ORG, PositionQuery(segregation_codes=frozenset()))) == ([], 0)
    assert iupds(store.positions(ORG, PositionQuery(segregation_codes=frozenset({"0"})))) == ([], 0)


def test_positions_crediting_an_iban_and_the_schedulers_candidates(store: Store) -> None:
    day = timedelta(days=1)
    store.insert_position(make("A", iuv(1), iban="IT01"))
    store.insert_position(make("B", iuv(2), iban=None, postal="IT01"))
    store.insert_position(make("C", iuv(3), iban="IT02"))
    assert [p.iupd for p in store.positions_with_iban(ORG, "IT01")] == ["A", "B"]
    assert store.positions_with_iban(OTHER, "IT01") == []
    store.insert_position(make("D", iuv(4), status=Status.PUBLISHED, validity=NOW))
    store.insert_position(make("E", iuv(5), status=Status.PUBLISHED, validity=NOW + day))
    store.insert_position(make("F", iuv(6), status=Status.VALID, expiring=True, due=NOW - day))
    store.insert_position(make("G", iuv(7), status=Status.VALID, expiring=False, due=NOW - day))
    store.insert_position(make("H", iuv(8), status=Status.VALID, expiring=True, due=NOW + day))
    assert [p.iupd for p in store.scheduled_candidates(NOW)] == ["D", "F"]


def test_receipts_are_kept_once_and_found_by_every_filter(store: Store) -> None:
    day = timedelta(days=1)
    store.insert_receipt(receipt(iuv(2), paid=NOW + day))
    store.insert_receipt(receipt(iuv(1), debtor="VRDGPP80A01H501U"))
    store.insert_receipt(receipt(iuv(3, "02"), paid=NOW + 2 * day))
    store.insert_receipt(receipt(iuv(1), org=OTHER))
    with pytest.raises(UniqueViolation, match="receipts.organization, receipts.iuv"):
        store.insert_receipt(receipt(iuv(1)))
    assert store.receipt(ORG, iuv(1)) == receipt(iuv(1), debtor="VRDGPP80A01H501U")
    assert store.receipt(ORG, iuv(9)) is None

    def found(**query: Any) -> tuple[list[str], int]:
        page, total = store.receipts(ORG, ReceiptQuery(**query))
        return [r.iuv for r in page], total

    assert found() == ([iuv(1), iuv(2), iuv(3, "02")], 3)
    assert found(page=1, size=2) == ([iuv(3, "02")], 3)
    assert found(debtor="VRDGPP80A01H501U") == ([iuv(1)], 1)
    assert found(iuv_prefix="02") == ([iuv(3, "02")], 1)
    assert found(paid_from=NOW + day, paid_to=NOW + day) == ([iuv(2)], 1)
    assert found(debtor_or_iuv="VRD") == ([iuv(1)], 1)
    assert found(debtor_or_iuv="0100") == ([iuv(1), iuv(2)], 2)
    assert found(segregation_codes=frozenset({"02"})) == ([iuv(3, "02")], 1)
    assert found(segregation_codes=frozenset()) == ([], 0)


# --- journal and transactions -----------------------------------------------------------------------------


ENTRY = JournalEntry(
    api="gpd",
    operation="createPosition",
    method="POST",
    path="/p",
    query="a=1",
    request_headers={"content-type": "application/json"},
    request_body=b"\x00\xff body",
    status=400,
    response_headers={"X-Request-Id": "1"},
    response_body="caffè".encode(),
    elapsed_ms=1.25,
    received_at="2030-01-01T12:00:00.000000Z",
    sandbox_time="2030-01-01T12:00:00.000000Z",
    key_id="cli-1",
    findings=(Finding("GPD-044", "expected", "actual", "/where", warning=True),),
    snapshot={"now": "2030", "taken": {"iuvs": [iuv(1)]}},
    strict=True,
)


def entry(n: int, **extra: Any) -> JournalEntry:
    """A journal entry with a bit of everything."""
    fields: dict[str, Any] = {"path": f"/p/{n}", "response_headers": {"X-Request-Id": str(n)}, **extra}
    return replace(ENTRY, **fields)


def test_the_journal_numbers_entries_from_one_and_keeps_them_whole(store: Store) -> None:
    assert store.journal() == [] and store.journal_count() == 0
    seqs = [store.record(entry(n, injected="500" if n == 3 else None, key_id=None)) for n in range(1, 6)]
    assert seqs == [1, 2, 3, 4, 5] and store.journal_count() == 5
    assert [e.seq for e in store.journal(after=1, limit=3)] == [2, 3, 4]
    third = store.journal(after=2, limit=1)[0]
    assert third == replace(entry(3, injected="500", key_id=None), seq=3)


def test_a_transaction_commits_whole_or_not_at_all(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.insert_position(make("A", iuv(1)))
        with store.transaction():
            store.set_meta("x", "1")
        raise RuntimeError("handler failed")
    assert store.position(ORG, "A") is None and "x" not in store.meta()
    with pytest.raises(UniqueViolation), store.transaction():
        store.insert_position(make("B", iuv(2)))
        store.insert_position(make("C", iuv(2)))
    assert store.position(ORG, "B") is None
    with store.transaction():
        store.insert_position(make("B", iuv(2)))
        assert store.position(ORG, "B") is not None and store.taken(ORG, "B", [], []).iupd
        store.record(entry(1))
    assert store.position(ORG, "B") is not None and store.journal_count() == 1


def test_a_write_refused_inside_a_transaction_leaves_nothing_behind(store: Store) -> None:
    with store.transaction():
        with pytest.raises(UniqueViolation):
            store.insert_position(make("B", iuv(8), iuv(8)))
        store.insert_position(make("C", iuv(9)))
    assert store.position(ORG, "B") is None and store.position(ORG, "C") is not None
    assert not store.taken(ORG, "B", [iuv(8)], []) and store.taken_iupds(ORG, ["B", "C"]) == {"C"}


def test_a_replacement_refused_inside_a_transaction_keeps_the_old_position(store: Store) -> None:
    store.insert_position(make("A", iuv(1)))
    store.insert_position(make("B", iuv(2)))
    with store.transaction():
        with pytest.raises(UniqueViolation):
            store.replace_position(make("A", iuv(3), iuv(2)))
        store.insert_position(make("C", iuv(3)))
    kept = store.position(ORG, "A")
    assert kept is not None and [o.iuv for o in kept.options] == [iuv(1)]
    assert store.taken(ORG, None, [iuv(1), iuv(2), iuv(3)], []).iuvs == {iuv(1), iuv(2), iuv(3)}
    assert store.position_of_option(ORG, iuv=iuv(1)) == kept


def test_the_document_a_store_keeps_is_the_positions_record_as_json(store: Store) -> None:
    stamp = Transfer(
        "2", 50, ORG, "Bollo «é»", "9/0101108TS/", stamp=Stamp("h" * 72, "01", "RM"), metadata=(("k", None),)
    )
    plain = make("R\u00e9\x00", iuv(1), iuv(2), validity=NOW, paid=NOW, expiring=True, postal="IT00")
    first, second = plain.options
    paid = replace(first, status=OptionStatus.PO_PAID, payment_date=NOW, metadata=(("a", ""),))
    rich = replace(
        plain,
        status=Status.PARTIALLY_PAID,
        options=(paid, replace(second, transfers=(*second.transfers, stamp), retention_date=NOW)),
        debtor=replace(plain.debtor, email="mario@example.org", country="IT"),
    )
    huge = replace(plain, options=(replace(first, amount=10**30), second))  # beyond orjson's 64 bits
    for position in (plain, rich, make("bare"), huge):
        assert json.loads(position.document()) == position.as_record()
    store.insert_position(rich)
    assert store.position(ORG, rich.iupd) == rich


# --- awkward values ---------------------------------------------------------------------------------------


def test_identifiers_with_nul_and_control_characters_are_kept_and_sort_as_code_points(store: Store) -> None:
    names = ["a", "\x00", "\x01", "\x01\x02", "\x01\x03", "\x02", "a\x00b", "é", "Z", "%00", ""]
    for n, name in enumerate(names):
        store.insert_position(make(name, iuv(n, "0\x00" if n % 2 else "01"), company=name))
    for name in names:
        found = store.position(ORG, name)
        assert found is not None and found.iupd == name and found.company_name == name
    query = PositionQuery(order_by="IUPD", descending=False, limit=50)
    assert iupds(store.positions(ORG, query)) == (sorted(names), len(names))
    by_company = PositionQuery(order_by="COMPANY_NAME", limit=50)
    assert iupds(store.positions(ORG, by_company))[0] == sorted(names, reverse=True)
    assert store.position_of_option(ORG, iuv=iuv(1, "0\x00")) == store.position(ORG, "\x00")
    with pytest.raises(UniqueViolation):
        store.insert_position(make("\x00", iuv(99)))
    store.record(entry(1, path="/organizations/a\x00b\x01/debtpositions"))
    assert store.journal()[0].path == "/organizations/a\x00b\x01/debtpositions"


def test_an_identifier_too_long_for_an_index_is_kept_and_unique(store: Store) -> None:
    import secrets

    long_iupd = secrets.token_hex(6000)
    long_iuv = secrets.token_hex(6000)
    store.insert_position(make(long_iupd, long_iuv, iban=secrets.token_hex(6000)))
    assert store.position(ORG, long_iupd) is not None
    assert store.position_of_option(ORG, iuv=long_iuv) is not None
    with pytest.raises(UniqueViolation):
        store.insert_position(make("B", long_iuv))


# --- concurrency and reopening ----------------------------------------------------------------------------


def test_transactions_of_two_stores_on_one_database_never_interleave(open_store: Opener) -> None:
    stores = [open_store(), open_store()]
    threads, rounds = 8, 15
    barrier = threading.Barrier(threads)

    def work(n: int) -> None:
        store = stores[n % 2]
        barrier.wait()
        for _ in range(rounds):
            with store.transaction():
                count = int(store.meta().get("count", "0"))
                store.set_meta("count", str(count + 1))

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(work, range(threads)))
    assert stores[0].meta()["count"] == str(threads * rounds)


def test_parallel_check_then_insert_of_one_iupd_keeps_exactly_one(store: Store) -> None:
    threads = 10
    barrier = threading.Barrier(threads)

    def create(n: int) -> bool:
        barrier.wait()
        with store.transaction():
            if store.taken(ORG, "RACE", [iuv(n)], []):
                return False
            store.insert_position(make("RACE", iuv(n)))
            return True

    with ThreadPoolExecutor(threads) as pool:
        assert sorted(pool.map(create, range(threads))) == [False] * (threads - 1) + [True]
    assert store.positions(ORG, PositionQuery())[1] == 1


def test_a_reopened_store_keeps_everything_and_refuses_another_version(open_store: Opener) -> None:
    first = open_store()
    first.insert_position(make("A", iuv(1)))
    first.insert_receipt(receipt(iuv(1)))
    first.record(entry(1))
    first.set_meta("clock_offset_seconds", "60.0")
    first.close()
    again = open_store()
    assert again.position(ORG, "A") == make("A", iuv(1)) and again.receipt(ORG, iuv(1)) == receipt(iuv(1))
    assert again.journal_count() == 1 and again.meta()["clock_offset_seconds"] == "60.0"
    assert again.record(entry(2)) == 2
    with pytest.raises(StoreError, match="recorded with SANP 3.8.0, not 3.13.0"):
        open_store("3.13.0")


# --- uploads (UploadStore) --------------------------------------------------------------------------------


def upload_of(n: int, *, broker: str = "BROKER", started: datetime = NOW, submitted: int = 3) -> Upload:
    """An upload of `submitted` positions, started at `started`."""
    return Upload(f"u{n}", ORG, broker, "CREATE", f"digest-{n}", submitted, started, key={"id": "cli-1"})


def test_both_stores_keep_uploads(store: Store) -> None:
    assert isinstance(store, UploadStore)


def test_uploads_are_found_by_id_digest_and_start_and_keep_their_items(store: Store) -> None:
    assert isinstance(store, UploadStore)
    minute = timedelta(minutes=1)
    store.insert_upload(upload_of(2, started=NOW + minute), b'{"iupd": "A"}\n{"iupd": "B"}')
    store.insert_upload(upload_of(1), b"A\nB\nC")
    store.insert_upload(upload_of(3, broker="OTHER"), b"")
    assert store.upload(ORG, "BROKER", "u1") == upload_of(1)
    assert store.upload(ORG, "OTHER", "u1") is None and store.upload(OTHER, "BROKER", "u1") is None
    assert store.upload_with_digest(ORG, "BROKER", "digest-2") == upload_of(2, started=NOW + minute)
    assert store.upload_with_digest(ORG, "OTHER", "digest-2") is None
    assert [u.id for u in store.uploads(ORG, "BROKER", NOW, NOW + minute)] == ["u1", "u2"]
    assert [u.id for u in store.uploads(ORG, "BROKER", NOW + minute, NOW + 2 * minute)] == ["u2"]
    assert [u.id for u in store.unfinished_uploads()] == ["u1", "u3", "u2"]
    assert store.upload_items("u2") == b'{"iupd": "A"}\n{"iupd": "B"}' and store.upload_items("nope") == b""


def test_upload_outcomes_add_up_and_the_end_drops_the_items(store: Store) -> None:
    assert isinstance(store, UploadStore)
    store.insert_upload(upload_of(1), b"A\nB\nC")
    first = [UploadOutcome("A", 201, "created"), UploadOutcome("B", 409, "taken")]
    with store.transaction():
        store.insert_position(make("A", iuv(1)))
        store.record_upload_outcomes("u1", first, ended=None)
    assert store.upload(ORG, "BROKER", "u1") == replace(upload_of(1), processed=2)
    assert store.upload_items("u1") == b"A\nB\nC"
    with pytest.raises(RuntimeError), store.transaction():
        store.record_upload_outcomes("u1", [UploadOutcome("C", 201, "created")], ended=NOW)
        raise RuntimeError("the chunk failed")
    assert store.upload_outcomes("u1") == first
    store.record_upload_outcomes("u1", [UploadOutcome("C", 201, "created")], ended=NOW)
    assert store.upload(ORG, "BROKER", "u1") == replace(upload_of(1), processed=3, ended=NOW)
    assert store.upload_items("u1") == b"" and store.unfinished_uploads() == []
    assert [o.iupd for o in store.upload_outcomes("u1")] == ["A", "B", "C"]
