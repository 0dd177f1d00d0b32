"""Hypothesis strategies: valid instances inferred from the XSDs, domain values, and one-fault mutations."""

from __future__ import annotations

from pagoconf.sync.strategies.domain import (
    Payment,
    domain_instances,
    domain_overrides,
    italian_ibans,
    iuvs,
    notice_numbers,
    payments_with_transfers,
    segregation_codes,
)
from pagoconf.sync.strategies.lexical import XsdUnsupported
from pagoconf.sync.strategies.mutations import KINDS, Mutation, expected_answer, mutations
from pagoconf.sync.strategies.xsd import from_xsd, from_xsd_type
from pagoconf.sync.strategies.xsd_regex import XsdRegexError

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
