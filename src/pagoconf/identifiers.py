"""pagoPA identifiers both suites use: notice numbers (NAV) and IUVs with their check digit (SACI),
IBANs (ISO 13616 mod-97) and Italian postal accounts."""

from __future__ import annotations

import re

NAV_PATTERN = re.compile(r"[0-9]{18}")


class NoticeNumberError(ValueError):
    """A string that is not an 18-digit notice number."""


def check_digit(prefix: str) -> str:
    """The two-digit check: int(prefix) mod 93 (prefix = aux digit + segregation/application code + base)."""
    return f"{int(prefix) % 93:02d}"


def make_nav(aux: int, code: str, base: str) -> str:
    """Build a NAV for aux digit 0, 2 or 3 (with check digit) or 1 (none)."""
    if aux == 1:
        nav = f"1{base}"
    elif aux == 2:
        nav = f"2{base}{check_digit('2' + base)}"
    elif aux in (0, 3):
        nav = f"{aux}{code}{base}{check_digit(str(aux) + code + base)}"
    else:
        raise NoticeNumberError(f"aux digit {aux} is not 0..3")
    if not NAV_PATTERN.fullmatch(nav):
        raise NoticeNumberError(f"{nav!r} is not 18 digits")
    return nav


def iuv_of(nav: str) -> str:
    """The IUV a notice number carries (aux 0: drop aux and application code; others: drop aux)."""
    if not NAV_PATTERN.fullmatch(nav):
        raise NoticeNumberError(f"{nav!r} is not an 18-digit notice number")
    return nav[3:] if nav[0] == "0" else nav[1:]


def has_valid_check_digit(nav: str) -> bool:
    """True when the NAV's check digit is right (aux 1 has none, so it is always right)."""
    if not NAV_PATTERN.fullmatch(nav):
        return False
    aux = nav[0]
    if aux == "1":
        return True
    if aux not in "023":
        return False
    return nav[-2:] == check_digit(nav[:-2])


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
