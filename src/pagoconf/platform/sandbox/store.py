"""The sandbox's state behind one interface: debt positions (with their options and transfers), receipts,
the journal and a few meta values. SQLite now (sqlite_store.py); any other implementation keeps the same
contract: every method is thread-safe, and the calls made inside `transaction()` see and commit together."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from pagoconf.platform.sandbox.dates import from_stored
from pagoconf.platform.sandbox.journal import JournalEntry
from pagoconf.platform.sandbox.positions import Position

ORDER_BY = ("INSERTED_DATE", "IUPD", "STATUS", "COMPANY_NAME")


class StoreError(ValueError):
    """The database cannot hold this sandbox (not a sandbox database, another SANP version, unreadable)."""


class UniqueViolation(Exception):
    """An IUPD, IUV, NAV or (IUV, idTransfer) already belongs to the organization."""


@dataclass(frozen=True, slots=True)
class PositionQuery:
    """A page of an organization's positions, filtered and ordered as getOrganizationDebtPositions asks."""

    page: int = 0
    limit: int = 10
    status: str | None = None
    due_from: datetime | None = None
    due_to: datetime | None = None
    paid_from: datetime | None = None
    paid_to: datetime | None = None
    order_by: str = "INSERTED_DATE"
    descending: bool = True
    segregation_codes: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Taken:
    """Which of some identifiers already belong to the organization's other positions."""

    iupd: bool = False
    iuvs: frozenset[str] = frozenset()
    navs: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return self.iupd or bool(self.iuvs) or bool(self.navs)


@dataclass(frozen=True, slots=True)
class StoredReceipt:
    """A receipt GPD keeps for a paid option: the paSendRT/paSendRTV2 the Node sent, as the API serves it."""

    organization: str
    iuv: str
    nav: str
    receipt_id: str
    debtor: str
    payment_date_time: datetime
    operation: str
    document: bytes
    status: str = "PAID"

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> StoredReceipt:
        """A receipt from its stored columns, in the order the fields are declared (both stores)."""
        paid = from_stored(row[5])
        assert paid is not None
        return cls(row[0], row[1], row[2], row[3], row[4], paid, row[6], bytes(row[7]), row[8])


@dataclass(frozen=True, slots=True)
class ReceiptQuery:
    """A page of an organization's receipts, filtered as getOrganizationReceipts asks."""

    page: int = 0
    size: int = 50
    debtor: str | None = None
    iuv_prefix: str | None = None
    paid_from: datetime | None = None
    paid_to: datetime | None = None
    debtor_or_iuv: str | None = None
    segregation_codes: frozenset[str] | None = None


class Store(Protocol):
    """What the sandbox needs of its state."""

    def transaction(self) -> AbstractContextManager[None]:
        """Run the enclosed calls as one transaction, serialised with every other writer."""
        ...

    def close(self) -> None:
        """Release the database (the data stays, if it is a file)."""
        ...

    def meta(self) -> dict[str, str]:
        """The meta values (format, format_version, sanp, clock_offset, …)."""
        ...

    def set_meta(self, key: str, value: str) -> None:
        """Set one meta value."""
        ...

    def position(self, organization: str, iupd: str) -> Position | None:
        """The position `iupd` of `organization`."""
        ...

    def position_of_option(
        self, organization: str, *, iuv: str | None = None, nav: str | None = None
    ) -> Position | None:
        """The position holding the option with this IUV (or this notice number)."""
        ...

    def taken(
        self,
        organization: str,
        iupd: str | None,
        iuvs: Iterable[str],
        navs: Iterable[str],
        *,
        excluding: str | None = None,
    ) -> Taken:
        """Which of these identifiers belong to the organization's positions other than `excluding` (IUPD)."""
        ...

    def taken_iupds(self, organization: str, iupds: Iterable[str]) -> frozenset[str]:
        """Which of these IUPDs the organization's positions already have (a chunk of an upload at once)."""
        ...

    def positions(self, organization: str, query: PositionQuery) -> tuple[list[Position], int]:
        """One page of the organization's positions, and how many match in all."""
        ...

    def positions_with_iban(self, organization: str, iban: str) -> list[Position]:
        """The organization's positions with a transfer crediting `iban` (as iban or postalIban)."""
        ...

    def scheduled_candidates(self, now: datetime) -> list[Position]:
        """Positions the scheduler may move at `now`: PUBLISHED ones whose validity date has come, VALID
        ones that expire and whose last due date has passed."""
        ...

    def insert_position(self, position: Position) -> None:
        """Keep a new position; UniqueViolation if one of its identifiers is taken."""
        ...

    def replace_position(self, position: Position) -> None:
        """Replace the position with the same organization and IUPD; UniqueViolation as insert."""
        ...

    def delete_position(self, organization: str, iupd: str) -> None:
        """Forget a position (its receipts stay)."""
        ...

    def insert_receipt(self, receipt: StoredReceipt) -> None:
        """Keep the receipt of an option (one per organization and IUV)."""
        ...

    def receipt(self, organization: str, iuv: str) -> StoredReceipt | None:
        """The receipt of option `iuv`."""
        ...

    def receipts(self, organization: str, query: ReceiptQuery) -> tuple[list[StoredReceipt], int]:
        """One page of the organization's receipts, and how many match in all."""
        ...

    def record(self, entry: JournalEntry) -> int:
        """Append an exchange to the journal; return its sequence number (1, 2, …)."""
        ...

    def journal(self, *, after: int = 0, limit: int = 100) -> list[JournalEntry]:
        """Journal entries with seq > `after`, oldest first, at most `limit`."""
        ...

    def journal_count(self) -> int:
        """How many exchanges the journal holds."""
        ...
