"""The reference station's state in SQLite: the notices the EC issued and the receipts it received."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from pagoconf.engine.sqlite import SqliteConnection
from pagoconf.sync.reference.data import (
    IDENTITY,
    Debtor,
    IssuedNotice,
    Stamp,
    Transfer,
    seed_notices,
    to_pay_notices,
)

SCHEMA_VERSION = "1"
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS notices (
    fiscal_code TEXT NOT NULL,
    notice_number TEXT NOT NULL,
    kind TEXT NOT NULL,
    origin TEXT NOT NULL,         -- seeded, to_pay or spontaneous
    state TEXT NOT NULL,          -- payable, expired, annulled or paid
    description TEXT NOT NULL,
    due_date TEXT NOT NULL,
    transfers TEXT NOT NULL,      -- JSON list of transfers
    debtor TEXT NOT NULL,         -- JSON object
    PRIMARY KEY (fiscal_code, notice_number)
);
CREATE TABLE IF NOT EXISTS receipts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    receipt_id TEXT NOT NULL,
    fiscal_code TEXT NOT NULL,
    notice_number TEXT NOT NULL,
    operation TEXT NOT NULL,
    standin INTEGER NOT NULL,
    accepted INTEGER NOT NULL,    -- 1: acknowledged as paying the notice, 0: refused as a duplicate
    request BLOB NOT NULL,        -- the raw request as received
    received_at TEXT NOT NULL,
    UNIQUE (fiscal_code, notice_number, receipt_id)
);
"""


class StoreError(ValueError):
    """The database file cannot be used as the reference station's state."""


@dataclass(frozen=True, slots=True)
class StoredReceipt:
    """A receipt the station received (paSendRT / paSendRTV2)."""

    receipt_id: str
    fiscal_code: str
    notice_number: str
    operation: str
    standin: bool
    accepted: bool
    request: bytes
    received_at: str


class Store(SqliteConnection):
    """Notices and receipts in one SQLite file (or ":memory:"); every method is thread-safe."""

    def __init__(
        self, path: str | Path, *, today: date | None = None, fiscal_code: str = IDENTITY.id_pa
    ) -> None:
        """Open `path`; a new database is seeded with the notices dated from `today`."""
        self.fiscal_code = fiscal_code
        try:
            self._connect(path)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open {path}: {exc}") from None
        try:
            # WAL + NORMAL: a commit survives a crash of the station, without an fsync per receipt
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
            with self.transaction():
                for statement in SCHEMA.split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._seed_once(today)
        except (sqlite3.Error, StoreError) as exc:
            self._db.close()
            if isinstance(exc, StoreError):
                raise
            raise StoreError(f"{self.path} is not a reference station database: {exc}") from None

    # --- notices ----------------------------------------------------------------------------------------

    def _seed_once(self, today: date | None) -> None:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row is not None:
            if row[0] != SCHEMA_VERSION:
                raise StoreError(f"{self.path} holds schema version {row[0]}, not {SCHEMA_VERSION}")
            return
        for origin, groups in (("seeded", seed_notices(today)), ("to_pay", to_pay_notices(today))):
            for group in groups.values():
                for notice in group:
                    self.add(notice, origin)
        self._db.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        self._db.execute("INSERT INTO meta VALUES ('spontaneous_sequence', '0')")

    def add(self, notice: IssuedNotice, origin: str) -> None:
        """Issue `notice` (seeded, to_pay or spontaneous); an existing number is a StoreError."""
        row = (
            self.fiscal_code,
            notice.nav,
            notice.kind,
            origin,
            notice.state,
            notice.description,
            notice.due_date.isoformat(),
            json.dumps([_plain(asdict(t)) for t in notice.transfers]),
            json.dumps(asdict(notice.debtor)),
        )
        with self._lock:
            try:
                self._db.execute("INSERT INTO notices VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
            except sqlite3.IntegrityError:
                raise StoreError(f"notice {notice.nav} already exists") from None

    def find(self, fiscal_code: str, nav: str) -> IssuedNotice | None:
        """The notice `nav` issued by `fiscal_code`, in its current state, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT kind, notice_number, state, description, due_date, transfers, debtor FROM notices"
                " WHERE fiscal_code = ? AND notice_number = ?",
                (fiscal_code, nav),
            ).fetchone()
        if row is None:
            return None
        kind, number, state, description, due, transfers, debtor = row
        return IssuedNotice(
            kind,
            number,
            state,
            description,
            date.fromisoformat(due),
            tuple(_transfer(t) for t in json.loads(transfers)),
            Debtor(**json.loads(debtor)),
        )

    def numbers(self, origin: str, kind: str) -> list[str]:
        """The notice numbers of one origin and kind, in number order."""
        with self._lock:
            rows = self._db.execute(
                "SELECT notice_number FROM notices WHERE origin = ? AND kind = ? ORDER BY notice_number",
                (origin, kind),
            ).fetchall()
        return [r[0] for r in rows]

    def set_state(self, fiscal_code: str, nav: str, state: str) -> None:
        """Move notice `nav` to `state`."""
        with self._lock:
            self._db.execute(
                "UPDATE notices SET state = ? WHERE fiscal_code = ? AND notice_number = ?",
                (state, fiscal_code, nav),
            )

    def next_sequence(self) -> int:
        """The next number of the spontaneous-notice sequence (1, 2, …), persisted."""
        with self.transaction():
            key = "spontaneous_sequence"
            (value,) = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            following = int(value) + 1
            self._db.execute("UPDATE meta SET value = ? WHERE key = ?", (str(following), key))
        return following

    # --- receipts ---------------------------------------------------------------------------------------

    def add_receipt(self, receipt: StoredReceipt) -> None:
        """Keep `receipt`; one already kept (same notice and receiptId) is left as it was."""
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO receipts (receipt_id, fiscal_code, notice_number, operation, standin,"
                " accepted, request, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    receipt.receipt_id,
                    receipt.fiscal_code,
                    receipt.notice_number,
                    receipt.operation,
                    int(receipt.standin),
                    int(receipt.accepted),
                    receipt.request,
                    receipt.received_at,
                ),
            )

    def receipts(self, fiscal_code: str | None = None, nav: str | None = None) -> list[StoredReceipt]:
        """The receipts kept, oldest first, optionally only those of one notice."""
        query = (
            "SELECT receipt_id, fiscal_code, notice_number, operation, standin, accepted, request,"
            " received_at FROM receipts"
        )
        params: tuple[str, ...] = ()
        if fiscal_code is not None and nav is not None:
            query += " WHERE fiscal_code = ? AND notice_number = ?"
            params = (fiscal_code, nav)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY seq", params).fetchall()
        return [
            StoredReceipt(r[0], r[1], r[2], r[3], bool(r[4]), bool(r[5]), bytes(r[6]), r[7]) for r in rows
        ]

    def receipt(self, fiscal_code: str, nav: str, receipt_id: str) -> StoredReceipt | None:
        """The receipt `receipt_id` kept for notice `nav`, or None."""
        return next((r for r in self.receipts(fiscal_code, nav) if r.receipt_id == receipt_id), None)


def now() -> str:
    """The current time as an ISO 8601 UTC timestamp (when a receipt was received)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _plain(value: Any) -> Any:
    """`value` (from asdict) with Decimals as strings, ready for JSON."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, Decimal):
        return str(value)
    return value


def _transfer(raw: dict[str, Any]) -> Transfer:
    stamp = raw.pop("stamp")
    return Transfer(
        **{**raw, "amount": Decimal(raw["amount"])}, stamp=Stamp(**stamp) if stamp is not None else None
    )
