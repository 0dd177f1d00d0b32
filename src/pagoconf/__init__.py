"""pagoconf: a conformance harness for pagoPA creditor-institution stations."""

from __future__ import annotations

__version__ = "0.1.0"
