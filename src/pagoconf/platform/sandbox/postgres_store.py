"""The sandbox's state in PostgreSQL (`--db postgresql://user:pass@host:port/db`): the tables, uniqueness and
meta of sqlite_store.py (and its uploads), kept by a server that several sandboxes may share.

Writers are serialised as SQLite's BEGIN IMMEDIATE serialises them: every transaction() first takes one
transaction-scoped advisory lock, then runs at READ COMMITTED, so each of its statements sees every write
committed before the lock was granted, and a body is never aborted for a conflict nor retried. Inside a
transaction each call runs in a savepoint, so a failed statement undoes only itself, as in SQLite, and the
transaction goes on. Reads outside a transaction take no lock (one REPEATABLE READ snapshot when they need
several statements). How values are kept: postgres_sql.py."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import psycopg
from psycopg import IsolationLevel
from psycopg_pool import ConnectionPool

from pagoconf.platform.sandbox import journal
from pagoconf.platform.sandbox import postgres_sql as sql
from pagoconf.platform.sandbox.dates import stored
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
from pagoconf.platform.sandbox.postgres_sql import Connection, fetch, marks, run
from pagoconf.platform.sandbox.store import (
    PositionQuery,
    ReceiptQuery,
    StoredReceipt,
    StoreError,
    Taken,
    UniqueViolation,
)
from pagoconf.platform.sandbox.upload_state import Upload, UploadOutcome

LOCK_KEY = 0x7061676F636F6E66  # "pagoconf": the advisory lock every sandbox transaction on the database takes
POOL_SIZE = 10
CONNECT_TIMEOUT = 10


class PostgresStore:
    """The Store (and UploadStore) in a PostgreSQL database: a pool of connections, and inside transaction()
    the one connection of that thread."""

    def __init__(self, url: str, *, sanp: str, pool_size: int = POOL_SIZE) -> None:
        """Open (or create) the sandbox's tables; StoreError if the database holds something else, another
        SANP version, or cannot be reached."""
        self.name = sql.redacted(url)
        self._secrets = sql.secrets_of(url)
        self._local = threading.local()
        try:
            first = psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT)
        except psycopg.Error as exc:
            raise StoreError(f"cannot open {self.name}: {self._text(exc)}") from None
        try:
            with first:
                _configure(first)
                with first.transaction():
                    first.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
                    self._prepare(first, sanp)
        except psycopg.Error as exc:
            raise StoreError(f"{self.name} cannot hold the sandbox: {self._text(exc)}") from None
        self._pool: ConnectionPool[Connection] = ConnectionPool(
            url,
            kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT},
            min_size=1,
            max_size=max(pool_size, 1),
            configure=_configure,
            check=ConnectionPool.check_connection,
            name="pagoconf-sandbox",
            open=False,
        )
        self._pool.open()

    def _text(self, exc: BaseException) -> str:
        """The error on one line, without the password (the server's primary message, when it sent one)."""
        primary = exc.diag.message_primary if isinstance(exc, psycopg.Error) else None
        text = " ".join((primary or str(exc)).split())
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def _prepare(self, conn: Connection, sanp: str) -> None:
        tables = {
            r[0]
            for r in fetch(
                conn, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
            )
        }
        if tables:
            meta = {k: v for k, v in fetch(conn, "SELECT key, value FROM meta")} if "meta" in tables else {}
            try:
                check_meta(meta, sanp=sanp, source=self.name)
            except JournalError as exc:
                raise StoreError(str(exc)) from None
        else:
            if fetch(conn, "SELECT current_schema()")[0][0] is None:
                raise StoreError(f"{self.name} has no schema for the sandbox's tables (see its search_path)")
            conn.execute(sql.SCHEMA)
            for name, value in (
                (META_FORMAT, FORMAT),
                (META_FORMAT_VERSION, FORMAT_VERSION),
                (META_SANP, sanp),
            ):
                run(conn, "INSERT INTO meta (key, value) VALUES (%s, %s)", (name, value))
        conn.execute(sql.UPLOAD_SCHEMA)

    def close(self) -> None:
        """Close the pool's connections (the database keeps the state)."""
        self._pool.close()

    # --- connections and transactions ---------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Take the sandbox's advisory lock and run the enclosed calls as one transaction (nested calls join
        it); the lock goes with the commit or the rollback."""
        if self._current() is not None:
            yield
            return
        with self._pool.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
            self._local.conn = conn
            try:
                yield
            finally:
                self._local.conn = None

    def _current(self) -> Connection | None:
        conn: Connection | None = getattr(self._local, "conn", None)
        return conn

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        """Where to read: in this thread's transaction, a savepoint; else a pooled connection in one read-only
        REPEATABLE READ snapshot (so that a count and its page agree)."""
        conn = self._current()
        if conn is not None:
            with conn.transaction():
                yield conn
            return
        with self._pool.connection() as pooled, pooled.transaction():
            pooled.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield pooled

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        """Where to write: inside the transaction (begun here if needed), in a savepoint; a write that breaks
        a uniqueness constraint is undone whole and raises UniqueViolation, and the transaction goes on."""
        with self.transaction():
            conn = self._current()
            assert conn is not None
            try:
                with conn.transaction():
                    yield conn
            except psycopg.IntegrityError as exc:
                columns = sql.CONSTRAINTS.get(exc.diag.constraint_name or "")
                raise UniqueViolation(
                    f"UNIQUE constraint failed: {columns}" if columns else self._text(exc)
                ) from None

    def _rows(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """The rows of one read (autocommit outside a transaction)."""
        if self._current() is None:
            with self._pool.connection() as conn:
                return fetch(conn, statement, params)
        with self._reading() as conn:
            return fetch(conn, statement, params)

    # --- meta ---------------------------------------------------------------------------------------------

    def meta(self) -> dict[str, str]:
        """The meta values."""
        return {k: v for k, v in self._rows("SELECT key, value FROM meta")}

    def set_meta(self, key: str, value: str) -> None:
        """Set one meta value."""
        with self._writing() as conn:
            run(
                conn,
                "INSERT INTO meta (key, value) VALUES (%s, %s)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # --- positions ----------------------------------------------------------------------------------------

    def position(self, organization: str, iupd: str) -> Position | None:
        """The position `iupd` of `organization`."""
        rows = self._rows(
            "SELECT document FROM positions WHERE iupd_key = %s", (sql.key(organization, iupd),)
        )
        return Position.from_document(rows[0][0]) if rows else None

    def position_of_option(
        self, organization: str, *, iuv: str | None = None, nav: str | None = None
    ) -> Position | None:
        """The position holding the option with this IUV (or notice number)."""
        column, value = ("iuv_key", iuv) if iuv is not None else ("nav_key", nav)
        rows = self._rows(
            "SELECT p.document FROM positions p JOIN payment_options o ON o.position_id = p.id"
            f" WHERE o.{column} = %s",
            (sql.key(organization, str(value)),),
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
        other = " AND p.iupd_key <> %s" if excluding is not None else ""
        extra = (sql.key(organization, excluding),) if excluding is not None else ()
        found: dict[str, set[str]] = {"iuv": set(), "nav": set()}
        with self._reading() as conn:
            found_iupd = iupd is not None and bool(
                fetch(
                    conn,
                    f"SELECT 1 FROM positions p WHERE p.iupd_key = %s{other}",
                    (sql.key(organization, iupd), *extra),
                )
            )
            for column, values in (("iuv", list(iuvs)), ("nav", list(navs))):
                if values:
                    rows = fetch(
                        conn,
                        f"SELECT o.{column} FROM payment_options o JOIN positions p ON p.id = o.position_id"
                        f" WHERE o.{column}_key = ANY(%s){other}",
                        ([sql.key(organization, v) for v in values], *extra),
                    )
                    found[column].update(r[0] for r in rows)
        return Taken(found_iupd, frozenset(found["iuv"]), frozenset(found["nav"]))

    def taken_iupds(self, organization: str, iupds: Iterable[str]) -> frozenset[str]:
        """Which of these IUPDs the organization's positions already have."""
        keys = [sql.key(organization, iupd) for iupd in iupds]
        if not keys:
            return frozenset()
        rows = self._rows("SELECT iupd FROM positions WHERE iupd_key = ANY(%s)", (keys,))
        return frozenset(r[0] for r in rows)

    def positions(self, organization: str, query: PositionQuery) -> tuple[list[Position], int]:
        """One page of the organization's positions, and how many match in all."""
        where = ["p.organization = %s"]
        params: list[Any] = [organization]
        if query.status is not None:
            where.append("p.status = %s")
            params.append(query.status)
        if query.due_from is not None or query.due_to is not None:
            where.append(
                "EXISTS (SELECT 1 FROM payment_options o WHERE o.position_id = p.id"
                " AND o.due_date >= %s AND o.due_date <= %s)"
            )
            params += [stored(query.due_from) or "", stored(query.due_to) or "9999"]
        if query.paid_from is not None or query.paid_to is not None:
            where.append("p.payment_date >= %s AND p.payment_date <= %s")
            params += [stored(query.paid_from) or "", stored(query.paid_to) or "9999"]
        if query.segregation_codes is not None:
            codes, code_params = sql.segregated("o.iuv", query.segregation_codes)
            where.append(f"EXISTS (SELECT 1 FROM payment_options o WHERE o.position_id = p.id AND {codes})")
            params += code_params
        clause = " AND ".join(where)
        order = sql.ORDER_COLUMNS.get(query.order_by, "inserted_date")
        direction = "DESC" if query.descending else "ASC"
        with self._reading() as conn:
            (total,) = fetch(conn, f"SELECT COUNT(*) FROM positions p WHERE {clause}", params)[0]
            rows = fetch(
                conn,
                f"SELECT p.document FROM positions p WHERE {clause}"
                f" ORDER BY p.{order} {direction}, p.id {direction} LIMIT %s OFFSET %s",
                [*params, query.limit, query.page * query.limit],
            )
        return [Position.from_document(r[0]) for r in rows], int(total)

    def positions_with_iban(self, organization: str, iban: str) -> list[Position]:
        """The organization's positions with a transfer crediting `iban`."""
        rows = self._rows(
            "SELECT p.document FROM positions p WHERE p.organization = %s"
            " AND EXISTS (SELECT 1 FROM transfers t"
            " WHERE t.position_id = p.id AND (t.iban = %s OR t.postal_iban = %s)) ORDER BY p.id",
            (organization, iban, iban),
        )
        return [Position.from_document(r[0]) for r in rows]

    def scheduled_candidates(self, now: datetime) -> list[Position]:
        """PUBLISHED positions whose validity date has come; VALID expiring ones past their last due date."""
        moment = stored(now)
        rows = self._rows(
            "SELECT document FROM positions WHERE (status = %s AND validity_date <= %s)"
            " OR (status IN (%s, %s) AND switch_to_expired AND max_due_date < %s) ORDER BY id",
            (Status.PUBLISHED, moment, Status.VALID, Status.PUBLISHED, moment),
        )
        return [Position.from_document(r[0]) for r in rows]

    def insert_position(self, position: Position) -> None:
        """Keep a new position; UniqueViolation if one of its identifiers is taken."""
        with self._writing() as conn:
            (pid,) = fetch(
                conn,
                f"INSERT INTO positions ({sql.POSITION_COLUMNS}) VALUES ({marks(11)}) RETURNING id",
                sql.position_row(position),
            )[0]
            _index(conn, pid, position)

    def replace_position(self, position: Position) -> None:
        """Replace the position with the same organization and IUPD."""
        with self._writing() as conn:
            rows = fetch(
                conn,
                "SELECT id FROM positions WHERE iupd_key = %s",
                (sql.key(position.organization, position.iupd),),
            )
            if not rows:
                raise KeyError(f"no position {position.iupd} of {position.organization}")
            pid = rows[0][0]
            run(
                conn,
                f"UPDATE positions SET ({sql.POSITION_COLUMNS}) = ROW({marks(11)}) WHERE id = %s",
                (*sql.position_row(position), pid),
            )
            run(conn, "DELETE FROM transfers WHERE position_id = %s", (pid,))
            run(conn, "DELETE FROM payment_options WHERE position_id = %s", (pid,))
            _index(conn, pid, position)

    def delete_position(self, organization: str, iupd: str) -> None:
        """Forget a position (its receipts stay)."""
        with self._writing() as conn:
            for (pid,) in fetch(
                conn, "SELECT id FROM positions WHERE iupd_key = %s", (sql.key(organization, iupd),)
            ):
                run(conn, "DELETE FROM transfers WHERE position_id = %s", (pid,))
                run(conn, "DELETE FROM payment_options WHERE position_id = %s", (pid,))
                run(conn, "DELETE FROM positions WHERE id = %s", (pid,))

    # --- receipts -----------------------------------------------------------------------------------------

    def insert_receipt(self, receipt: StoredReceipt) -> None:
        """Keep the receipt of an option."""
        with self._writing() as conn:
            run(
                conn,
                f"INSERT INTO receipts (receipt_key, {sql.RECEIPT_COLUMNS}) VALUES ({marks(10)})",
                sql.receipt_row(receipt),
            )

    def receipt(self, organization: str, iuv: str) -> StoredReceipt | None:
        """The receipt of option `iuv`."""
        rows = self._rows(
            f"SELECT {sql.RECEIPT_COLUMNS} FROM receipts WHERE receipt_key = %s",
            (sql.key(organization, iuv),),
        )
        return StoredReceipt.from_row(rows[0]) if rows else None

    def receipts(self, organization: str, query: ReceiptQuery) -> tuple[list[StoredReceipt], int]:
        """One page of the organization's receipts, and how many match in all."""
        where = ["organization = %s"]
        params: list[Any] = [organization]
        if query.debtor is not None:
            where.append("debtor = %s")
            params.append(query.debtor)
        if query.iuv_prefix is not None:
            where.append("starts_with(iuv, %s)")
            params.append(query.iuv_prefix)
        if query.paid_from is not None:
            where.append("payment_date_time >= %s")
            params.append(stored(query.paid_from))
        if query.paid_to is not None:
            where.append("payment_date_time <= %s")
            params.append(stored(query.paid_to))
        if query.debtor_or_iuv is not None:
            where.append("(starts_with(iuv, %s) OR starts_with(debtor, %s))")
            params += [query.debtor_or_iuv, query.debtor_or_iuv]
        if query.segregation_codes is not None:
            codes, code_params = sql.segregated("iuv", query.segregation_codes)
            where.append(codes)
            params += code_params
        clause = " AND ".join(where)
        with self._reading() as conn:
            (total,) = fetch(conn, f"SELECT COUNT(*) FROM receipts WHERE {clause}", params)[0]
            rows = fetch(
                conn,
                f"SELECT {sql.RECEIPT_COLUMNS} FROM receipts WHERE {clause}"
                " ORDER BY payment_date_time, iuv LIMIT %s OFFSET %s",
                [*params, query.size, query.page * query.size],
            )
        return [StoredReceipt.from_row(r) for r in rows], int(total)

    # --- journal ------------------------------------------------------------------------------------------

    def record(self, entry: JournalEntry) -> int:
        """Append an exchange to the journal; return its sequence number (under the lock: no gaps)."""
        with self._writing() as conn:
            (seq,) = fetch(conn, "SELECT COALESCE(MAX(seq), 0) + 1 FROM journal")[0]
            run(
                conn,
                f"INSERT INTO journal ({sql.JOURNAL_COLUMNS}) VALUES ({marks(19)})",
                journal.row(seq, entry),
            )
            return int(seq)

    def journal(self, *, after: int = 0, limit: int = 100) -> list[JournalEntry]:
        """Journal entries with seq > `after`, oldest first, at most `limit`."""
        rows = self._rows(
            f"SELECT {sql.JOURNAL_COLUMNS} FROM journal WHERE seq > %s ORDER BY seq LIMIT %s", (after, limit)
        )
        return [journal.from_row(r) for r in rows]

    def journal_count(self) -> int:
        """How many exchanges the journal holds."""
        return int(self._rows("SELECT COUNT(*) FROM journal")[0][0])

    # --- uploads (UploadStore) ----------------------------------------------------------------------------

    def insert_upload(self, upload: Upload, items: bytes) -> None:
        """Keep a new upload and its items."""
        with self._writing() as conn:
            run(
                conn,
                f"INSERT INTO uploads ({sql.UPLOAD_COLUMNS}, items) VALUES ({marks(11)})",
                (*sql.upload_row(upload), items),
            )

    def upload(self, organization: str, broker: str, upload_id: str) -> Upload | None:
        """The upload `upload_id` of this broker and organization."""
        rows = self._rows(
            f"SELECT {sql.UPLOAD_COLUMNS} FROM uploads WHERE id = %s AND organization = %s AND broker = %s",
            (upload_id, organization, broker),
        )
        return sql.upload(rows[0]) if rows else None

    def upload_with_digest(self, organization: str, broker: str, digest: str) -> Upload | None:
        """An earlier upload of the same file by this broker for this organization."""
        rows = self._rows(
            f"SELECT {sql.UPLOAD_COLUMNS} FROM uploads"
            " WHERE organization = %s AND broker = %s AND digest = %s ORDER BY started LIMIT 1",
            (organization, broker, digest),
        )
        return sql.upload(rows[0]) if rows else None

    def uploads(self, organization: str, broker: str, since: datetime, until: datetime) -> list[Upload]:
        """The uploads started in [since, until], oldest first."""
        rows = self._rows(
            f"SELECT {sql.UPLOAD_COLUMNS} FROM uploads WHERE organization = %s AND broker = %s"
            " AND started >= %s AND started <= %s ORDER BY started, id",
            (organization, broker, stored(since), stored(until)),
        )
        return [sql.upload(r) for r in rows]

    def unfinished_uploads(self) -> list[Upload]:
        """Uploads not yet fully processed, oldest first."""
        rows = self._rows(
            f"SELECT {sql.UPLOAD_COLUMNS} FROM uploads WHERE ended IS NULL ORDER BY started, id"
        )
        return [sql.upload(r) for r in rows]

    def upload_items(self, upload_id: str) -> bytes:
        """The items of an unfinished upload (b"" once it has ended)."""
        rows = self._rows("SELECT items FROM uploads WHERE id = %s", (upload_id,))
        return bytes(rows[0][0]) if rows and rows[0][0] is not None else b""

    def record_upload_outcomes(
        self, upload_id: str, outcomes: Sequence[UploadOutcome], *, ended: datetime | None
    ) -> None:
        """Append outcomes; `ended`: the upload is done (its items are dropped)."""
        with self._writing() as conn:
            sql.run_many(
                conn,
                "INSERT INTO upload_outcomes (upload_id, iupd, status, message) VALUES (%s, %s, %s, %s)",
                [(upload_id, o.iupd, o.status, o.message) for o in outcomes],
            )
            done = ", ended = %s, items = NULL" if ended is not None else ""
            run(
                conn,
                f"UPDATE uploads SET processed = processed + %s{done} WHERE id = %s",
                (len(outcomes), *((stored(ended),) if ended is not None else ()), upload_id),
            )

    def upload_outcomes(self, upload_id: str) -> list[UploadOutcome]:
        """Every outcome of an upload, in processing order."""
        rows = self._rows(
            "SELECT iupd, status, message FROM upload_outcomes WHERE upload_id = %s ORDER BY seq",
            (upload_id,),
        )
        return [UploadOutcome(r[0], int(r[1]), r[2]) for r in rows]


def _configure(conn: Connection) -> None:
    """Every connection: autocommit outside transaction(), READ COMMITTED inside, whatever the server's
    default (the advisory lock, not the isolation level, serialises the writers)."""
    conn.autocommit = True
    conn.isolation_level = IsolationLevel.READ_COMMITTED


def _index(conn: Connection, pid: int, position: Position) -> None:
    options, transfers = sql.index_rows(pid, position)
    sql.run_many(
        conn,
        "INSERT INTO payment_options (position_id, organization, iuv, nav, nav_key, iuv_key, due_date)"
        f" VALUES ({marks(7)})",
        options,
    )
    sql.run_many(
        conn,
        "INSERT INTO transfers (position_id, organization, iuv, id_transfer, transfer_key, iban, postal_iban)"
        f" VALUES ({marks(7)})",
        transfers,
    )
