"""Notice numbers (NAV) and IUVs: layout and check digit (SACI, domain-brief §3)."""

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
