"""What the benchmark scripts share: a free loopback port, and a valid GPD debt position (one option, one
transfer) numbered as a script needs. Imported by the scripts beside it (`python bench/<script>.py`)."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from typing import Any


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def due_in(days: int) -> str:
    """An RFC 3339 UTC date-time `days` from now, to the second."""
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def position(iupd: str, iuv: str, *, amount: int = 10000, due: str, label: str = "") -> dict[str, Any]:
    """A valid createPosition body: one option of `amount` cents due at `due`, one transfer to an IBAN for
    all of it (`label` is appended to the description and the remittance information)."""
    return {
        "iupd": iupd,
        "type": "F",
        "fiscalCode": "RSSMRA80A01H501U",
        "fullName": "Mario Rossi",
        "companyName": "Comune di Prova",
        "switchToExpired": False,
        "paymentOption": [
            {
                "iuv": iuv,
                "amount": amount,
                "description": f"Tassa rifiuti{label}",
                "isPartialPayment": False,
                "dueDate": due,
                "paymentOptionMetadata": [],
                "transfer": [
                    {
                        "idTransfer": "1",
                        "amount": amount,
                        "remittanceInformation": f"TARI{label}" if label else "TARI 2030",
                        "category": "9/0101108TS/",
                        "iban": "IT60X0542811101000000123456",
                        "transferMetadata": [],
                    }
                ],
            }
        ],
    }
