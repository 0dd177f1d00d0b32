"""SOAP 1.1 over HTTP(S) to one station: SOAPAction = the operation, the Node's deadline for the operation."""

from __future__ import annotations

from collections.abc import Mapping

from pagoconf.engine.exchange import Exchange
from pagoconf.engine.transport import HttpClient, TransportSettings
from pagoconf.sync.config import NODE_TIMEOUTS
from pagoconf.sync.soap import CONTENT_TYPE, OPERATIONS

__all__ = ["SoapClient", "TransportSettings"]


class SoapClient:
    """Posts SOAP envelopes to one station URL; never raises for what the station does."""

    def __init__(
        self,
        url: str,
        settings: TransportSettings | None = None,
        *,
        timeouts: Mapping[str, float] = NODE_TIMEOUTS,
    ) -> None:
        self.url = url
        self.timeouts = dict(timeouts)
        self.http = HttpClient(settings)

    def close(self) -> None:
        """Release pooled connections."""
        self.http.close()

    def deadline(self, operation: str) -> float:
        """Seconds the Node allows for one exchange of this operation (receipts 15 s, the others 7 s)."""
        op = OPERATIONS.get(operation)
        kind = op.timeout if op is not None else "sync"
        return float(self.timeouts.get(kind, NODE_TIMEOUTS[kind]))

    def call(self, operation: str, envelope: bytes, *, headers: Mapping[str, str] | None = None) -> Exchange:
        """Send one envelope within the operation's deadline; `headers` override the usual ones."""
        sent = {"Content-Type": CONTENT_TYPE, "SOAPAction": operation, **(headers or {})}
        return self.http.send(operation, self.url, envelope, sent, deadline=self.deadline(operation))
