"""ISO 13616 IBAN check (mod-97) and Italian postal accounts."""

from __future__ import annotations

import re

IBAN_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}")
POSTAL_ABI = "07601"


def is_valid_iban(iban: str) -> bool:
    """True when `iban` has the IBAN shape and passes the mod-97 check."""
    if not IBAN_SHAPE.fullmatch(iban):
        return False
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(c, 36)) for c in rearranged)
    return int(digits) % 97 == 1


def with_check_digits(country: str, bban: str) -> str:
    """An IBAN for `country` and `bban` with the right check digits."""
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


def is_postal(iban: str) -> bool:
    """True for an Italian IBAN of Poste Italiane (ABI 07601)."""
    return iban.startswith("IT") and iban[5:10] == POSTAL_ABI
