"""The sandbox's state in SQLite: a file kept across restarts (`--db FILE`), or memory.

A position is kept whole as JSON (the aggregate GPD answers with), beside index rows for its options and
transfers that carry the uniqueness GPD's own database enforces: (organization, iupd), (organization, iuv),
(organization, nav), (organization, iuv, idTransfer). Date-times are fixed-width UTC text, so they sort."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from pagoconf.engine.sqlite import SqliteConnection
from pagoconf.platform.sandbox import journal
from pagoconf.platform.sandbox.dates import from_stored, stored
from pagoconf.platform.sandbox.journal import (
    FORMAT,
    FORMAT_VERSION,
    META_FORMAT,
    META_FORMAT_VERSION,
    META_SANP,
    JournalEntry,
    JournalError,
    check_meta,
)
from pagoconf.platform.sandbox.positions import Position, Status
from pagoconf.platform.sandbox.store import (
    PositionQuery,
    ReceiptQuery,
    StoredReceipt,
    StoreError,
    Taken,
    UniqueViolation,
)
from pagoconf.platform.sandbox.upload_state import Upload, UploadOutcome

MEMORY = ":memory:"
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS positions (
    id INTEGER PRIMARY KEY,
    organization TEXT NOT NULL,
    iupd TEXT NOT NULL,
    status TEXT NOT NULL,
    company_name TEXT NOT NULL,
    inserted_date TEXT NOT NULL,
    validity_date TEXT,
    payment_date TEXT,
    max_due_date TEXT,
    switch_to_expired INTEGER NOT NULL,
    document TEXT NOT NULL,
    UNIQUE (organization, iupd)
);
CREATE TABLE IF NOT EXISTS payment_options (
    position_id INTEGER NOT NULL REFERENCES positions (id),
    organization TEXT NOT NULL,
    iuv TEXT NOT NULL,
    nav TEXT NOT NULL,
    due_date TEXT NOT NULL,
    UNIQUE (organization, iuv),
    UNIQUE (organization, nav)
);
CREATE TABLE IF NOT EXISTS transfers (
    position_id INTEGER NOT NULL REFERENCES positions (id),
    organization TEXT NOT NULL,
    iuv TEXT NOT NULL,
    id_transfer TEXT NOT NULL,
    iban TEXT,
    postal_iban TEXT,
    UNIQUE (organization, iuv, id_transfer)
);
CREATE TABLE IF NOT EXISTS receipts (
    organization TEXT NOT NULL,
    iuv TEXT NOT NULL,
    nav TEXT NOT NULL,
    receipt_id TEXT NOT NULL,
    debtor TEXT NOT NULL,
    payment_date_time TEXT NOT NULL,
    operation TEXT NOT NULL,
    status TEXT NOT NULL,
    document BLOB NOT NULL,
    UNIQUE (organization, iuv)
);
CREATE TABLE IF NOT EXISTS journal (
    seq INTEGER PRIMARY KEY,
    received_at TEXT NOT NULL,
    sandbox_time TEXT NOT NULL,
    api TEXT NOT NULL,
    operation TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    query TEXT NOT NULL,
    request_headers TEXT NOT NULL,
    request_body BLOB NOT NULL,
    status INTEGER NOT NULL,
    response_headers TEXT NOT NULL,
    response_body BLOB NOT NULL,
    elapsed_ms REAL NOT NULL,
    key_id TEXT,
    findings TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    strict INTEGER NOT NULL,
    injected TEXT
);
CREATE INDEX IF NOT EXISTS positions_by_status ON positions (status, validity_date, max_due_date);
CREATE INDEX IF NOT EXISTS options_by_position ON payment_options (position_id);
CREATE INDEX IF NOT EXISTS transfers_by_iban ON transfers (organization, iban);
"""
UPLOAD_SCHEMA = """
CREATE TABLE IF NOT EXISTS uploads (
    id TEXT PRIMARY KEY,
    organization TEXT NOT NULL,
    broker TEXT NOT NULL,
    operation TEXT NOT NULL,
    digest TEXT NOT NULL,
    submitted INTEGER NOT NULL,
    processed INTEGER NOT NULL,
    started TEXT NOT NULL,
    ended TEXT,
    key_scope TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS upload_items (
    upload_id TEXT PRIMARY KEY REFERENCES uploads (id),
    items BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS upload_outcomes (
    upload_id TEXT NOT NULL REFERENCES uploads (id),
    iupd TEXT NOT NULL,
    status INTEGER NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS uploads_by_owner ON uploads (organization, broker, started);
CREATE INDEX IF NOT EXISTS outcomes_by_upload ON upload_outcomes (upload_id);
"""
"""Bulk uploads (UploadStore): created on open, so a database made before them gains them."""
ORDER_COLUMNS = {
    "INSERTED_DATE": "inserted_date",
    "IUPD": "iupd",
    "STATUS": "status",
    "COMPANY_NAME": "company_name",
}
JOURNAL_COLUMNS = journal.COLUMNS


class SqliteStore(SqliteConnection):
    """The Store in one SQLite database; one connection, serialised by a re-entrant lock."""

    def __init__(self, path: str | Path = MEMORY, *, sanp: str) -> None:
        """Open (or create) the database; StoreError if it holds something else or another SANP version."""
        try:
            self._connect(path)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open {path}: {exc}") from None
        try:
            if self.path != MEMORY:
                self._db.execute("PRAGMA journal_mode = WAL")
                self._db.execute("PRAGMA synchronous = NORMAL")
            with self.transaction():
                self._prepare(sanp)
                _create(self._db, UPLOAD_SCHEMA)
        except (sqlite3.Error, StoreError, JournalError) as exc:
            self._db.close()
            if isinstance(exc, StoreError):
                raise
            raise StoreError(f"{self.path} cannot hold the sandbox: {exc}") from None

    def _prepare(self, sanp: str) -> None:
        tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if tables:
            meta = self.meta() if "meta" in tables else {}
            try:
                check_meta(meta, sanp=sanp, source=self.path)
            except JournalError as exc:
                raise StoreError(str(exc)) from None
            return
        for statement in SCHEMA.split(";"):
            if statement.strip():
                self._db.execute(statement)
        for key, value in ((META_FORMAT, FORMAT), (META_FORMAT_VERSION, FORMAT_VERSION), (META_SANP, sanp)):
            self.set_meta(key, value)

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """One write, in the transaction (begun here if needed): inside an enclosing transaction it runs in a
        savepoint, so that a write that fails undoes only itself and the transaction goes on, as with
        PostgreSQL; a broken uniqueness constraint raises UniqueViolation."""
        with self.transaction():
            nested = self._depth > 1
            if nested:
                self._db.execute("SAVEPOINT write")
            try:
                yield
            except BaseException as exc:
                if nested:
                    self._db.execute("ROLLBACK TO write")
                    self._db.execute("RELEASE write")
                if isinstance(exc, sqlite3.IntegrityError):
                    raise UniqueViolation(str(exc)) from None
                raise
            if nested:
                self._db.execute("RELEASE write")

    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, tuple(params)).fetchall()

    # --- meta ---------------------------------------------------------------------------------------------

    def meta(self) -> dict[str, str]:
        """The meta values."""
        return {k: v for k, v in self._rows("SELECT key, value FROM meta")}

    def set_meta(self, key: str, value: str) -> None:
        """Set one meta value."""
        with self._lock:
            self._db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # --- positions ----------------------------------------------------------------------------------------

    def position(self, organization: str, iupd: str) -> Position | None:
        """The position `iupd` of `organization`."""
        rows = self._rows(
            "SELECT document FROM positions WHERE organization = ? AND iupd = ?", (organization, iupd)
        )
        return Position.from_document(rows[0][0]) if rows else None

    def position_of_option(
        self, organization: str, *, iuv: str | None = None, nav: str | None = None
    ) -> Position | None:
        """The position holding the option with this IUV (or notice number)."""
        column, value = ("iuv", iuv) if iuv is not None else ("nav", nav)
        rows = self._rows(
            "SELECT p.document FROM positions p JOIN payment_options o ON o.position_id = p.id"
            f" WHERE o.organization = ? AND o.{column} = ?",
            (organization, value),
        )
        return Position.from_document(rows[0][0]) if rows else None

    def taken(
        self,
        organization: str,
        iupd: str | None,
        iuvs: Iterable[str],
        navs: Iterable[str],
        *,
        excluding: str | None = None,
    ) -> Taken:
        """Which of these identifiers belong to positions of `organization` other than `excluding`."""
        other = " AND p.iupd <> ?" if excluding is not None else ""
        extra = (excluding,) if excluding is not None else ()
        found_iupd = iupd is not None and bool(
            self._rows(
                f"SELECT 1 FROM positions p WHERE p.organization = ? AND p.iupd = ?{other}",
                (organization, iupd, *extra),
            )
        )
        found: dict[str, set[str]] = {"iuv": set(), "nav": set()}
        for column, values in (("iuv", list(iuvs)), ("nav", list(navs))):
            for chunk in _chunks(values):
                marks = ", ".join("?" for _ in chunk)
                rows = self._rows(
                    f"SELECT o.{column} FROM payment_options o JOIN positions p ON p.id = o.position_id"
                    f" WHERE o.organization = ? AND o.{column} IN ({marks}){other}",
                    (organization, *chunk, *extra),
                )
                found[column].update(r[0] for r in rows)
        return Taken(found_iupd, frozenset(found["iuv"]), frozenset(found["nav"]))

    def taken_iupds(self, organization: str, iupds: Iterable[str]) -> frozenset[str]:
        """Which of these IUPDs the organization's positions already have."""
        found: set[str] = set()
        for chunk in _chunks(list(iupds)):
            marks = ", ".join("?" for _ in chunk)
            rows = self._rows(
                f"SELECT iupd FROM positions WHERE organization = ? AND iupd IN ({marks})",
                (organization, *chunk),
            )
            found.update(r[0] for r in rows)
        return frozenset(found)

    def positions(self, organization: str, query: PositionQuery) -> tuple[list[Position], int]:
        """One page of the organization's positions, and how many match in all."""
        where = ["p.organization = ?"]
        params: list[Any] = [organization]
        if query.status is not None:
            where.append("p.status = ?")
            params.append(query.status)
        if query.due_from is not None or query.due_to is not None:
            where.append(
                "EXISTS (SELECT 1 FROM payment_options o WHERE o.position_id = p.id"
                " AND o.due_date >= ? AND o.due_date <= ?)"
            )
            params += [stored(query.due_from) or "", stored(query.due_to) or "9999"]
        if query.paid_from is not None or query.paid_to is not None:
            where.append("p.payment_date >= ? AND p.payment_date <= ?")
            params += [stored(query.paid_from) or "", stored(query.paid_to) or "9999"]
        if query.segregation_codes is not None:
            codes = sorted(query.segregation_codes) or [""]
            marks = ", ".join("?" for _ in codes)
            where.append(
                "EXISTS (SELECT 1 FROM payment_options o WHERE o.position_id = p.id"
                f" AND substr(o.iuv, 1, 2) IN ({marks}))"
            )
            params += codes
        clause = " AND ".join(where)
        (total,) = self._rows(f"SELECT COUNT(*) FROM positions p WHERE {clause}", params)[0]
        order = ORDER_COLUMNS.get(query.order_by, "inserted_date")
        direction = "DESC" if query.descending else "ASC"
        rows = self._rows(
            f"SELECT p.document FROM positions p WHERE {clause}"
            f" ORDER BY p.{order} {direction}, p.id {direction}"
            " LIMIT ? OFFSET ?",
            [*params, query.limit, query.page * query.limit],
        )
        return [Position.from_document(r[0]) for r in rows], int(total)

    def positions_with_iban(self, organization: str, iban: str) -> list[Position]:
        """The organization's positions with a transfer crediting `iban`."""
        rows = self._rows(
            "SELECT p.document FROM positions p WHERE p.organization = ?"
            " AND EXISTS (SELECT 1 FROM transfers t"
            " WHERE t.position_id = p.id AND (t.iban = ? OR t.postal_iban = ?)) ORDER BY p.id",
            (organization, iban, iban),
        )
        return [Position.from_document(r[0]) for r in rows]

    def scheduled_candidates(self, now: datetime) -> list[Position]:
        """PUBLISHED positions whose validity date has come; VALID expiring ones past their last due date."""
        moment = stored(now)
        rows = self._rows(
            "SELECT document FROM positions WHERE (status = ? AND validity_date <= ?)"
            " OR (status IN (?, ?) AND switch_to_expired = 1 AND max_due_date < ?) ORDER BY id",
            (Status.PUBLISHED, moment, Status.VALID, Status.PUBLISHED, moment),
        )
        return [Position.from_document(r[0]) for r in rows]

    def insert_position(self, position: Position) -> None:
        """Keep a new position; UniqueViolation if one of its identifiers is taken (nothing of it is kept)."""
        row = _position_row(position)
        with self._writing():
            cursor = self._db.execute(
                "INSERT INTO positions (organization, iupd, status, company_name, inserted_date,"
                " validity_date, payment_date, max_due_date, switch_to_expired, document)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            assert cursor.lastrowid is not None
            self._index(cursor.lastrowid, position)

    def replace_position(self, position: Position) -> None:
        """Replace the position with the same organization and IUPD (the old one stays if it fails)."""
        row = _position_row(position)
        with self._writing():
            rows = self._db.execute(
                "SELECT id FROM positions WHERE organization = ? AND iupd = ?",
                (position.organization, position.iupd),
            ).fetchall()
            if not rows:
                raise KeyError(f"no position {position.iupd} of {position.organization}")
            pid = rows[0][0]
            self._db.execute(
                "UPDATE positions SET organization = ?, iupd = ?, status = ?, company_name = ?,"
                " inserted_date = ?, validity_date = ?, payment_date = ?, max_due_date = ?,"
                " switch_to_expired = ?, document = ?"
                " WHERE id = ?",
                (*row, pid),
            )
            self._db.execute("DELETE FROM payment_options WHERE position_id = ?", (pid,))
            self._db.execute("DELETE FROM transfers WHERE position_id = ?", (pid,))
            self._index(pid, position)

    def _index(self, pid: int, position: Position) -> None:
        org = position.organization
        for option in position.options:
            self._db.execute(
                "INSERT INTO payment_options (position_id, organization, iuv, nav, due_date)"
                " VALUES (?, ?, ?, ?, ?)",
                (pid, org, option.iuv, option.nav, stored(option.due_date)),
            )
            for t in option.transfers:
                self._db.execute(
                    "INSERT INTO transfers (position_id, organization, iuv, id_transfer, iban, postal_iban)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (pid, org, option.iuv, t.id_transfer, t.iban, t.postal_iban),
                )

    def delete_position(self, organization: str, iupd: str) -> None:
        """Forget a position (its receipts stay)."""
        with self.transaction():
            rows = self._db.execute(
                "SELECT id FROM positions WHERE organization = ? AND iupd = ?", (organization, iupd)
            ).fetchall()
            for (pid,) in rows:
                self._db.execute("DELETE FROM transfers WHERE position_id = ?", (pid,))
                self._db.execute("DELETE FROM payment_options WHERE position_id = ?", (pid,))
                self._db.execute("DELETE FROM positions WHERE id = ?", (pid,))

    # --- receipts -----------------------------------------------------------------------------------------

    def insert_receipt(self, receipt: StoredReceipt) -> None:
        """Keep the receipt of an option."""
        with self.transaction():
            try:
                self._db.execute(
                    "INSERT INTO receipts (organization, iuv, nav, receipt_id, debtor, payment_date_time,"
                    " operation, status, document) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        receipt.organization,
                        receipt.iuv,
                        receipt.nav,
                        receipt.receipt_id,
                        receipt.debtor,
                        stored(receipt.payment_date_time),
                        receipt.operation,
                        receipt.status,
                        receipt.document,
                    ),
                )
            except sqlite3.IntegrityError as exc:
                raise UniqueViolation(str(exc)) from None

    def receipt(self, organization: str, iuv: str) -> StoredReceipt | None:
        """The receipt of option `iuv`."""
        rows = self._rows(
            f"SELECT {_RECEIPT} FROM receipts WHERE organization = ? AND iuv = ?", (organization, iuv)
        )
        return StoredReceipt.from_row(rows[0]) if rows else None

    def receipts(self, organization: str, query: ReceiptQuery) -> tuple[list[StoredReceipt], int]:
        """One page of the organization's receipts, and how many match in all."""
        where = ["organization = ?"]
        params: list[Any] = [organization]
        if query.debtor is not None:
            where.append("debtor = ?")
            params.append(query.debtor)
        if query.iuv_prefix is not None:
            where.append("substr(iuv, 1, ?) = ?")
            params += [len(query.iuv_prefix), query.iuv_prefix]
        if query.paid_from is not None:
            where.append("payment_date_time >= ?")
            params.append(stored(query.paid_from))
        if query.paid_to is not None:
            where.append("payment_date_time <= ?")
            params.append(stored(query.paid_to))
        if query.debtor_or_iuv is not None:
            n = len(query.debtor_or_iuv)
            where.append("(substr(iuv, 1, ?) = ? OR substr(debtor, 1, ?) = ?)")
            params += [n, query.debtor_or_iuv, n, query.debtor_or_iuv]
        if query.segregation_codes is not None:
            codes = sorted(query.segregation_codes) or [""]
            where.append(f"substr(iuv, 1, 2) IN ({', '.join('?' for _ in codes)})")
            params += codes
        clause = " AND ".join(where)
        (total,) = self._rows(f"SELECT COUNT(*) FROM receipts WHERE {clause}", params)[0]
        rows = self._rows(
            f"SELECT {_RECEIPT} FROM receipts WHERE {clause}"
            " ORDER BY payment_date_time, iuv LIMIT ? OFFSET ?",
            [*params, query.size, query.page * query.size],
        )
        return [StoredReceipt.from_row(r) for r in rows], int(total)

    # --- journal ------------------------------------------------------------------------------------------

    def record(self, entry: JournalEntry) -> int:
        """Append an exchange to the journal; return its sequence number."""
        with self.transaction():
            cursor = self._db.execute(
                f"INSERT INTO journal ({JOURNAL_COLUMNS.removeprefix('seq, ')})"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                journal.row(0, entry)[1:],  # seq is the rowid SQLite gives
            )
            assert cursor.lastrowid is not None
            return int(cursor.lastrowid)

    def journal(self, *, after: int = 0, limit: int = 100) -> list[JournalEntry]:
        """Journal entries with seq > `after`, oldest first, at most `limit`."""
        rows = self._rows(
            f"SELECT {JOURNAL_COLUMNS} FROM journal WHERE seq > ? ORDER BY seq LIMIT ?", (after, limit)
        )
        return [journal.from_row(r) for r in rows]

    def journal_count(self) -> int:
        """How many exchanges the journal holds."""
        return int(self._rows("SELECT COUNT(*) FROM journal")[0][0])

    # --- uploads (UploadStore) ----------------------------------------------------------------------------

    def insert_upload(self, upload: Upload, items: bytes) -> None:
        """Keep a new upload and its items."""
        with self.transaction():
            self._db.execute(
                f"INSERT INTO uploads ({_UPLOAD}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", _upload_row(upload)
            )
            self._db.execute("INSERT INTO upload_items (upload_id, items) VALUES (?, ?)", (upload.id, items))

    def upload(self, organization: str, broker: str, upload_id: str) -> Upload | None:
        """The upload `upload_id` of this broker and organization."""
        rows = self._rows(
            f"SELECT {_UPLOAD} FROM uploads WHERE id = ? AND organization = ? AND broker = ?",
            (upload_id, organization, broker),
        )
        return _upload(rows[0]) if rows else None

    def upload_with_digest(self, organization: str, broker: str, digest: str) -> Upload | None:
        """An earlier upload of the same file by this broker for this organization."""
        rows = self._rows(
            f"SELECT {_UPLOAD} FROM uploads WHERE organization = ? AND broker = ? AND digest = ?"
            " ORDER BY started LIMIT 1",
            (organization, broker, digest),
        )
        return _upload(rows[0]) if rows else None

    def uploads(self, organization: str, broker: str, since: datetime, until: datetime) -> list[Upload]:
        """The uploads started in [since, until], oldest first."""
        rows = self._rows(
            f"SELECT {_UPLOAD} FROM uploads WHERE organization = ? AND broker = ? AND started >= ?"
            " AND started <= ? ORDER BY started, id",
            (organization, broker, stored(since), stored(until)),
        )
        return [_upload(r) for r in rows]

    def unfinished_uploads(self) -> list[Upload]:
        """Uploads not yet fully processed, oldest first."""
        rows = self._rows(f"SELECT {_UPLOAD} FROM uploads WHERE ended IS NULL ORDER BY started, id")
        return [_upload(r) for r in rows]

    def upload_items(self, upload_id: str) -> bytes:
        """The items of an unfinished upload (b"" once it has ended)."""
        rows = self._rows("SELECT items FROM upload_items WHERE upload_id = ?", (upload_id,))
        return bytes(rows[0][0]) if rows else b""

    def record_upload_outcomes(
        self, upload_id: str, outcomes: Sequence[UploadOutcome], *, ended: datetime | None
    ) -> None:
        """Append outcomes; `ended`: the upload is done (its items are dropped)."""
        with self.transaction():
            self._db.executemany(
                "INSERT INTO upload_outcomes (upload_id, iupd, status, message) VALUES (?, ?, ?, ?)",
                [(upload_id, o.iupd, o.status, o.message) for o in outcomes],
            )
            self._db.execute(
                "UPDATE uploads SET processed = processed + ?, ended = ? WHERE id = ?",
                (len(outcomes), stored(ended), upload_id),
            )
            if ended is not None:
                self._db.execute("DELETE FROM upload_items WHERE upload_id = ?", (upload_id,))

    def upload_outcomes(self, upload_id: str) -> list[UploadOutcome]:
        """Every outcome of an upload, in processing order."""
        rows = self._rows(
            "SELECT iupd, status, message FROM upload_outcomes WHERE upload_id = ? ORDER BY rowid",
            (upload_id,),
        )
        return [UploadOutcome(r[0], int(r[1]), r[2]) for r in rows]


_RECEIPT = "organization, iuv, nav, receipt_id, debtor, payment_date_time, operation, document, status"
_UPLOAD = "id, organization, broker, operation, digest, submitted, processed, started, ended, key_scope"


def _create(db: sqlite3.Connection, schema: str) -> None:
    for statement in schema.split(";"):
        if statement.strip():
            db.execute(statement)


def _upload_row(u: Upload) -> tuple[Any, ...]:
    return (
        u.id,
        u.organization,
        u.broker,
        u.operation,
        u.digest,
        u.submitted,
        u.processed,
        stored(u.started),
        stored(u.ended),
        json.dumps(dict(u.key) if u.key is not None else None),
    )


def _upload(row: tuple[Any, ...]) -> Upload:
    started = from_stored(row[7])
    assert started is not None
    ended, key = from_stored(row[8]), json.loads(row[9])
    return Upload(row[0], row[1], row[2], row[3], row[4], int(row[5]), started, int(row[6]), ended, key)


def _chunks(values: list[str], size: int = 500) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _position_row(p: Position) -> tuple[Any, ...]:
    return (
        p.organization,
        p.iupd,
        str(p.status),
        p.company_name,
        stored(p.inserted_date) or "",
        stored(p.validity_date),
        stored(p.payment_date),
        stored(p.max_due_date),
        int(p.switch_to_expired),
        p.document(),
    )


def read_only_meta(path: str | Path) -> Mapping[str, str]:
    """The meta table of a database opened read-only ({} when it has none or is not SQLite)."""
    try:
        with _read_only(path) as db:
            return {k: v for k, v in db.execute("SELECT key, value FROM meta")}
    except sqlite3.Error:
        return {}


def read_only_journal(path: str | Path) -> list[JournalEntry]:
    """Every journal entry of a database opened read-only."""
    with _read_only(path) as db:
        rows = db.execute(f"SELECT {JOURNAL_COLUMNS} FROM journal ORDER BY seq")
        return [journal.from_row(r) for r in rows]


@contextmanager
def _read_only(path: str | Path) -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        yield db
    finally:
        db.close()
