"""Hypothesis strategies: valid instances inferred from the XSDs, domain values, and one-fault mutations."""

from __future__ import annotations

from .domain import (
    Payment,
    domain_instances,
    domain_overrides,
    italian_ibans,
    iuvs,
    notice_numbers,
    payments_with_transfers,
    segregation_codes,
)
from .lexical import XsdUnsupported
from .mutations import KINDS, Mutation, expected_answer, mutations
from .xsd import from_xsd, from_xsd_type
from .xsd_regex import XsdRegexError

__all__ = [
    "KINDS",
    "Mutation",
    "Payment",
    "XsdRegexError",
    "XsdUnsupported",
    "domain_instances",
    "domain_overrides",
    "expected_answer",
    "from_xsd",
    "from_xsd_type",
    "italian_ibans",
    "iuvs",
    "mutations",
    "notice_numbers",
    "payments_with_transfers",
    "segregation_codes",
]
