"""The reference station as an ASGI application: POST /paForNode, bounded bodies, answers from the model."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from pagoconf.sync.reference.model import MAX_BODY, Reply, StationModel, plain, reason

ENDPOINT = "/paForNode"
DRAIN_LIMIT = 16 * MAX_BODY  # read (and drop) up to this much of an oversized body, so the 413 arrives

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class StationApp:
    """ASGI: POST /paForNode is answered by the station model; 404 elsewhere, 405 for other methods."""

    def __init__(self, station: StationModel) -> None:
        self.station = station

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        if scope["path"] != ENDPOINT:
            reply = plain(404, f"not found: the station listens on POST {ENDPOINT}\n")
        elif scope["method"] != "POST":
            reply = plain(405, "method not allowed: use POST\n")
        else:
            body = await _read(receive)
            action = _header(scope, b"soapaction")
            reply = self.station.answer_http(body, action)
        if reply.delay:
            await asyncio.sleep(reply.delay)
        await _send(send, reply)


async def _read(receive: Receive) -> bytes | None:
    """The request body, or None (after draining what is reasonable) when it exceeds MAX_BODY."""
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size <= MAX_BODY:
            chunks.append(chunk)
        more = message.get("more_body", False) and size <= DRAIN_LIMIT
    return b"".join(chunks) if size <= MAX_BODY else None


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


async def _send(send: Send, reply: Reply) -> None:
    headers = [
        (b"content-type", reply.content_type.encode()),
        (b"content-length", str(len(reply.body)).encode()),
    ]
    if reply.status == 405:
        headers.append((b"allow", b"POST"))
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": reply.body})


__all__ = ["ENDPOINT", "StationApp", "reason"]
