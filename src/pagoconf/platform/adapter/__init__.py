"""The partner adapter: how pagoconf asks the partner's system to do something (create this debt position,
pay attention to that notice…) in a small versioned JSON protocol, over a command or an HTTP endpoint."""

from __future__ import annotations

from pagoconf.platform.adapter.protocol import (
    ACTIONS,
    PROTOCOL,
    AdapterBroken,
    AdapterCall,
    Answer,
)
from pagoconf.platform.adapter.transports import Adapter, CommandAdapter, HttpAdapter

__all__ = [
    "ACTIONS",
    "PROTOCOL",
    "Adapter",
    "AdapterBroken",
    "AdapterCall",
    "Answer",
    "CommandAdapter",
    "HttpAdapter",
]
