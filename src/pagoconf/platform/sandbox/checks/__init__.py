"""The GPD rules the sandbox judges every request by, registered by rule id (see registry.py), and `judge`.
Importing the package registers every rule: access, then the request's shape, then debt positions."""

from __future__ import annotations

from pagoconf.platform.sandbox.checks import aca, access, checkout, gpd_node, positions, requests, upload
from pagoconf.platform.sandbox.checks.common import (
    BY_IUPD,
    DUE,
    PAID,
    PAID_TIME,
    PLATFORM_DEFAULT_LIMIT,
    honoured_segregation_codes,
    param_values,
    receipts_page_size,
    spec,
    to_publish,
    window,
)
from pagoconf.platform.sandbox.checks.registry import GPD, OUTCOMES, Outcome, Stage, Verdict, judge

__all__ = [
    "BY_IUPD",
    "DUE",
    "GPD",
    "OUTCOMES",
    "PAID",
    "PAID_TIME",
    "PLATFORM_DEFAULT_LIMIT",
    "Outcome",
    "Stage",
    "Verdict",
    "aca",
    "access",
    "checkout",
    "gpd_node",
    "honoured_segregation_codes",
    "judge",
    "param_values",
    "positions",
    "receipts_page_size",
    "requests",
    "spec",
    "to_publish",
    "upload",
    "window",
]
