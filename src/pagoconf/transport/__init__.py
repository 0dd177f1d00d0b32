"""The only layer that does network I/O: every call yields an Exchange, the evidence."""

from __future__ import annotations

from .exchange import Exchange, redact_headers
from .soap import SoapClient, TransportSettings

__all__ = ["Exchange", "SoapClient", "TransportSettings", "redact_headers"]
