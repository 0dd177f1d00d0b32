"""The SQL side of postgres_store.py: the schema, text as PostgreSQL can hold it, and the store's values as
rows and back.

Text sorts with the "C" collation, as SQLite's BINARY does. PostgreSQL text cannot hold U+0000, which the
sandbox accepts in identifiers and paths, so every text parameter goes through `enc` and every value read
through `dec`: U+0001 is kept as U+0001 U+0003 and U+0000 as U+0001 U+0002, a prefix code that keeps order,
equality and prefixes. Uniqueness is enforced on SHA-256 keys of the identifiers (`key`), so that no
identifier is too long for an index."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import psycopg

from pagoconf.platform.sandbox import journal
from pagoconf.platform.sandbox.dates import from_stored, stored
from pagoconf.platform.sandbox.positions import Position
from pagoconf.platform.sandbox.store import StoredReceipt
from pagoconf.platform.sandbox.upload_state import Upload

Connection = psycopg.Connection[tuple[Any, ...]]
SCHEMA = """
CREATE TABLE meta (key TEXT COLLATE "C" PRIMARY KEY, value TEXT COLLATE "C" NOT NULL);
CREATE TABLE positions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization TEXT COLLATE "C" NOT NULL,
    iupd TEXT COLLATE "C" NOT NULL,
    iupd_key BYTEA NOT NULL CONSTRAINT positions_iupd UNIQUE,
    status TEXT COLLATE "C" NOT NULL,
    company_name TEXT COLLATE "C" NOT NULL,
    inserted_date TEXT COLLATE "C" NOT NULL,
    validity_date TEXT COLLATE "C",
    payment_date TEXT COLLATE "C",
    max_due_date TEXT COLLATE "C",
    switch_to_expired BOOLEAN NOT NULL,
    document TEXT NOT NULL
);
CREATE TABLE payment_options (
    position_id BIGINT NOT NULL REFERENCES positions (id),
    organization TEXT COLLATE "C" NOT NULL,
    iuv TEXT COLLATE "C" NOT NULL,
    nav TEXT COLLATE "C" NOT NULL,
    nav_key BYTEA NOT NULL CONSTRAINT payment_options_nav UNIQUE,
    iuv_key BYTEA NOT NULL CONSTRAINT payment_options_iuv UNIQUE,
    due_date TEXT COLLATE "C" NOT NULL
);
CREATE TABLE transfers (
    position_id BIGINT NOT NULL REFERENCES positions (id),
    organization TEXT COLLATE "C" NOT NULL,
    iuv TEXT COLLATE "C" NOT NULL,
    id_transfer TEXT COLLATE "C" NOT NULL,
    transfer_key BYTEA NOT NULL CONSTRAINT transfers_id UNIQUE,
    iban TEXT COLLATE "C",
    postal_iban TEXT COLLATE "C"
);
CREATE TABLE receipts (
    organization TEXT COLLATE "C" NOT NULL,
    iuv TEXT COLLATE "C" NOT NULL,
    receipt_key BYTEA NOT NULL CONSTRAINT receipts_iuv UNIQUE,
    nav TEXT COLLATE "C" NOT NULL,
    receipt_id TEXT COLLATE "C" NOT NULL,
    debtor TEXT COLLATE "C" NOT NULL,
    payment_date_time TEXT COLLATE "C" NOT NULL,
    operation TEXT COLLATE "C" NOT NULL,
    status TEXT COLLATE "C" NOT NULL,
    document BYTEA NOT NULL
);
CREATE TABLE journal (
    seq BIGINT PRIMARY KEY,
    received_at TEXT COLLATE "C" NOT NULL,
    sandbox_time TEXT COLLATE "C" NOT NULL,
    api TEXT COLLATE "C" NOT NULL,
    operation TEXT COLLATE "C" NOT NULL,
    method TEXT COLLATE "C" NOT NULL,
    path TEXT COLLATE "C" NOT NULL,
    query TEXT COLLATE "C" NOT NULL,
    request_headers TEXT NOT NULL,
    request_body BYTEA NOT NULL,
    status INTEGER NOT NULL,
    response_headers TEXT NOT NULL,
    response_body BYTEA NOT NULL,
    elapsed_ms DOUBLE PRECISION NOT NULL,
    key_id TEXT COLLATE "C",
    findings TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    strict BOOLEAN NOT NULL,
    injected TEXT COLLATE "C"
);
CREATE INDEX positions_by_status ON positions (status, validity_date, max_due_date);
CREATE INDEX options_by_position ON payment_options (position_id);
CREATE INDEX transfers_by_position ON transfers (position_id);
CREATE INDEX transfers_by_iban ON transfers USING hash (iban);
"""
UPLOAD_SCHEMA = """
CREATE TABLE IF NOT EXISTS uploads (
    id TEXT COLLATE "C" PRIMARY KEY,
    organization TEXT COLLATE "C" NOT NULL,
    broker TEXT COLLATE "C" NOT NULL,
    operation TEXT COLLATE "C" NOT NULL,
    digest TEXT COLLATE "C" NOT NULL,
    submitted BIGINT NOT NULL,
    processed BIGINT NOT NULL,
    started TEXT COLLATE "C" NOT NULL,
    ended TEXT COLLATE "C",
    key_scope TEXT NOT NULL,
    items BYTEA
);
CREATE TABLE IF NOT EXISTS upload_outcomes (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    upload_id TEXT COLLATE "C" NOT NULL REFERENCES uploads (id),
    iupd TEXT COLLATE "C" NOT NULL,
    status INTEGER NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS uploads_by_start ON uploads (started);
CREATE INDEX IF NOT EXISTS outcomes_by_upload ON upload_outcomes (upload_id);
"""
"""Bulk uploads (UploadStore): created on open, as SQLite does, so a database made before them gains them."""
CONSTRAINTS = {  # what SQLite says of the same violation, so that the journal reads the same on both stores
    "positions_iupd": "positions.organization, positions.iupd",
    "payment_options_iuv": "payment_options.organization, payment_options.iuv",
    "payment_options_nav": "payment_options.organization, payment_options.nav",
    "transfers_id": "transfers.organization, transfers.iuv, transfers.id_transfer",
    "receipts_iuv": "receipts.organization, receipts.iuv",
}
ORDER_COLUMNS = {
    "INSERTED_DATE": "inserted_date",
    "IUPD": "iupd",
    "STATUS": "status",
    "COMPANY_NAME": "company_name",
}
POSITION_COLUMNS = (
    "organization, iupd, iupd_key, status, company_name, inserted_date, validity_date, payment_date,"
    " max_due_date, switch_to_expired, document"
)
RECEIPT_COLUMNS = "organization, iuv, nav, receipt_id, debtor, payment_date_time, operation, document, status"
JOURNAL_COLUMNS = journal.COLUMNS
UPLOAD_COLUMNS = (
    "id, organization, broker, operation, digest, submitted, processed, started, ended, key_scope"
)


# --- statements -------------------------------------------------------------------------------------------


def fetch(conn: Connection, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """The rows of a statement, parameters escaped and values unescaped."""
    return [tuple(dec(v) for v in row) for row in conn.execute(sql, [enc(p) for p in params]).fetchall()]


def run(conn: Connection, sql: str, params: Sequence[Any] = ()) -> None:
    """Execute a statement, parameters escaped."""
    conn.execute(sql, [enc(p) for p in params])


def run_many(conn: Connection, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """Execute a statement once per row (pipelined), parameters escaped."""
    if rows:
        with conn.cursor() as cursor:
            cursor.executemany(sql, [[enc(v) for v in row] for row in rows])


def marks(n: int) -> str:
    """n placeholders."""
    return ", ".join(["%s"] * n)


def segregated(column: str, codes: frozenset[str]) -> tuple[str, list[Any]]:
    """SQL that holds when the first two characters of `column` are one of `codes`, as SQLite's
    `substr(column, 1, 2) IN (codes)` reads it (no codes: only an empty value)."""
    chosen = sorted(codes) or [""]
    exact = [c for c in chosen if len(c) < 2]
    prefixes = [c for c in chosen if len(c) == 2]
    sql = (
        f"({column} = ANY(%s) OR EXISTS (SELECT 1 FROM unnest(%s::text[]) c WHERE starts_with({column}, c)))"
    )
    return sql, [exact, prefixes]


# --- values -----------------------------------------------------------------------------------------------


def key(*parts: str) -> bytes:
    """The key a uniqueness constraint holds for these identifiers (organization first)."""
    return hashlib.sha256(json.dumps(parts).encode()).digest()


_ESCAPED = re.compile("\x01[\x02\x03]")


def enc(value: Any) -> Any:
    """A parameter as PostgreSQL can hold it: text escaped (lists too), anything else as it is."""
    if isinstance(value, str):
        text = str(value)
        if "\x00" in text or "\x01" in text:
            return text.replace("\x01", "\x01\x03").replace("\x00", "\x01\x02")
        return text
    if isinstance(value, list):
        return [enc(v) for v in value]
    return value


def dec(value: Any) -> Any:
    """A value read back: the escapes of `enc` undone."""
    if isinstance(value, str) and "\x01" in value:
        return _ESCAPED.sub(lambda m: "\x00" if m.group(0)[1] == "\x02" else "\x01", value)
    return value


def position_row(p: Position) -> tuple[Any, ...]:
    """POSITION_COLUMNS of a position."""
    return (
        p.organization,
        p.iupd,
        key(p.organization, p.iupd),
        str(p.status),
        p.company_name,
        stored(p.inserted_date) or "",
        stored(p.validity_date),
        stored(p.payment_date),
        stored(p.max_due_date),
        bool(p.switch_to_expired),
        p.document(),
    )


def index_rows(pid: int, p: Position) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The payment_options and transfers rows of a position."""
    org = p.organization
    options = [
        (pid, org, o.iuv, o.nav, key(org, o.nav), key(org, o.iuv), stored(o.due_date)) for o in p.options
    ]
    transfers = [
        (pid, org, o.iuv, t.id_transfer, key(org, o.iuv, t.id_transfer), t.iban, t.postal_iban)
        for o in p.options
        for t in o.transfers
    ]
    return options, transfers


def receipt_row(r: StoredReceipt) -> tuple[Any, ...]:
    """receipt_key and RECEIPT_COLUMNS of a receipt."""
    paid = stored(r.payment_date_time)
    return (key(r.organization, r.iuv), r.organization, r.iuv, r.nav, r.receipt_id, r.debtor, paid,
            r.operation, r.document, r.status)  # fmt: skip


def upload_row(u: Upload) -> tuple[Any, ...]:
    """UPLOAD_COLUMNS of an upload."""
    scope = json.dumps(dict(u.key) if u.key is not None else None)
    return (u.id, u.organization, u.broker, u.operation, u.digest, u.submitted, u.processed,
            stored(u.started), stored(u.ended), scope)  # fmt: skip


def upload(row: Sequence[Any]) -> Upload:
    """An upload from UPLOAD_COLUMNS."""
    started = from_stored(row[7])
    assert started is not None
    scope: Mapping[str, Any] | None = json.loads(row[9])
    return Upload(
        row[0], row[1], row[2], row[3], row[4], int(row[5]), started, int(row[6]), from_stored(row[8]), scope
    )


# --- URLs -------------------------------------------------------------------------------------------------


def redacted(url: str) -> str:
    """The URL with its password masked, as messages and the start-up line show it."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        user, host = netloc.rpartition("@")[::2]
        netloc = f"{user.partition(':')[0]}:***@{host}"
    query = [(k, "***" if k == "password" else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit(parts._replace(netloc=netloc, query=urlencode(query, safe="*")))


def secrets_of(url: str) -> list[str]:
    """The password of a URL, as written and decoded, longest first, to keep out of messages."""
    parts = urlsplit(url)
    found = [parts.password or ""] + [v for k, v in parse_qsl(parts.query) if k == "password"]
    return sorted({s for p in found for s in (p, unquote(p)) if s}, key=len, reverse=True)
