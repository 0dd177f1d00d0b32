"""What every endpoint of the sandbox does with Starlette: read a body within a bound, see the request as a
SandboxRequest, and turn a Reply into a response."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from pagoconf.platform.sandbox.context import Reply
from pagoconf.platform.sandbox.request import SandboxRequest


async def read_body(request: Request, limit: int, drain: int) -> tuple[bytes, int]:
    """The body (empty when it exceeds `limit`) and how many bytes were seen; an oversized body is drained
    up to `drain` bytes so the client reads the answer, then left unread."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size <= limit:
            chunks.append(chunk)
        elif size > drain:
            break
    return (b"".join(chunks) if size <= limit else b""), size


def to_response(reply: Reply) -> Response:
    """A Starlette response for a reply."""
    return Response(reply.body, reply.status, headers=dict(reply.headers), media_type=reply.content_type)


def as_sandbox_request(
    request: Request,
    body: bytes,
    size: int,
    api: str | None,
    operation: str | None,
    allowed: tuple[str, ...] = (),
) -> SandboxRequest:
    """The sandbox's view of a Starlette request, its body already read."""
    return SandboxRequest(
        method=request.method,
        path=request.url.path,
        query=request.url.query,
        headers=dict(request.headers.items()),
        body=body,
        body_size=size,
        api=api,
        operation=operation,
        path_params={k: str(v) for k, v in request.path_params.items()},
        allowed=allowed,
        base_url=str(request.base_url).rstrip("/"),
    )
