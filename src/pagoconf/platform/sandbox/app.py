"""The sandbox as a Starlette application: every API of the SANP version under its real path, the control
API under /_sandbox/, everything else a journaled 404. Bodies are read up to a bound. An ordinary API
request is answered on the event loop (see INLINE_LIMIT); bulk uploads, large bodies and the control API's
work (which may call a station) run in a worker thread, so that they never hold the loop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from re import Pattern

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route, compile_path

from pagoconf.platform.sandbox import checkout_page, control, pa_for_node
from pagoconf.platform.sandbox.asgi import as_sandbox_request, read_body, to_response
from pagoconf.platform.sandbox.context import Reply
from pagoconf.platform.sandbox.contract import APIS, OperationSpec
from pagoconf.platform.sandbox.request import MAX_BODY, SandboxRequest
from pagoconf.platform.sandbox.routing import declared_params, route_path
from pagoconf.platform.sandbox.service import SandboxService

ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]
DRAIN_LIMIT = 4 * MAX_BODY
CONTROL_API = "_sandbox"
Endpoint = Callable[[Request], Awaitable[Response]]
UPLOAD_API = "gpd_massive"
INLINE_LIMIT = 64 * 1024
"""API requests with bodies up to this size are answered on the event loop: their work is about a
millisecond of CPU under the store's lock, which a hop to a worker thread only delays and contends for the
GIL (bench/sandbox_vs_prism.py: about twice the createPosition throughput, a third of the p99)."""


def build_app(service: SandboxService) -> Starlette:
    """The ASGI application of a sandbox service."""
    routes: list[BaseRoute] = []
    for api in APIS:
        base = api.base_in(service.sanp)
        by_path = service.contract.by_path(api.name)
        templates = sorted(by_path, key=lambda t: (t.count("{"), -len(t)))
        siblings = [(compile_path(route_path(base + t))[0], by_path[t]) for t in templates]
        for template in templates:
            endpoint = _api_endpoint(service, api.name, by_path[template], siblings)
            routes.append(Route(route_path(base + template), endpoint, methods=ALL_METHODS))
    for method, path, name, handler in control.ROUTES:
        routes.append(
            Route(control.PREFIX + path, _control_endpoint(service, name, handler), methods=[method])
        )
    for method, path, name, handler in checkout_page.ROUTES:
        endpoint = _control_endpoint(service, name, handler, api=checkout_page.API)
        routes.append(Route(path, endpoint, methods=[method]))
    routes += pa_for_node.routes(service)
    routes.append(Route("/{rest:path}", _unknown_endpoint(service), methods=ALL_METHODS))
    return Starlette(routes=routes)


def _api_endpoint(
    service: SandboxService,
    api: str,
    ops: Mapping[str, OperationSpec],
    siblings: Sequence[tuple[Pattern[str], Mapping[str, OperationSpec]]],
) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        started = time.perf_counter()
        body, size = await read_body(request, MAX_BODY, DRAIN_LIMIT)
        op = ops.get(request.method)
        if op is None:
            op, params = _sibling(request, siblings)
            if op is not None:
                request.scope["path_params"] = params
        request.scope["path_params"] = declared_params(request.path_params, op)
        allowed = () if op is not None else tuple(sorted(ops))
        sandbox_request = as_sandbox_request(request, body, size, api, op.name if op else None, allowed)
        fault = service.faults.take(op.name) if op is not None else None
        if fault is not None and fault.kind == "slow":
            await asyncio.sleep(fault.delay_ms / 1000)
        return to_response(await _handled(service, sandbox_request, fault, started))

    return endpoint


async def _handled(
    service: SandboxService, request: SandboxRequest, fault: control.Fault | None, started: float
) -> Reply:
    """service.handle: on the loop for an ordinary request, in a worker thread for an upload or a big body."""
    if request.api == UPLOAD_API or request.body_size > INLINE_LIMIT:
        return await run_in_threadpool(service.handle, request, fault, started)
    return service.handle(request, fault, started)


def _sibling(
    request: Request, siblings: Sequence[tuple[Pattern[str], Mapping[str, OperationSpec]]]
) -> tuple[OperationSpec | None, dict[str, str]]:
    """Another path of the same API that matches this path and has this method (GET …/debtpositions/transfers
    is the position whose IUPD is "transfers", as the platform's routing reads it)."""
    for pattern, ops in siblings:
        if request.method in ops:
            match = pattern.match(request.url.path)
            if match:
                return ops[request.method], match.groupdict()
    return None, {}


def _control_endpoint(
    service: SandboxService, name: str, handler: control.Handler, *, api: str = CONTROL_API
) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        started = time.perf_counter()
        body, size = await read_body(request, MAX_BODY, DRAIN_LIMIT)
        sandbox_request = as_sandbox_request(request, body, size, api, name)
        reply = await run_in_threadpool(service.control, name, handler, sandbox_request, started)
        return to_response(reply)

    return endpoint


def _unknown_endpoint(service: SandboxService) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        started = time.perf_counter()
        body, size = await read_body(request, MAX_BODY, DRAIN_LIMIT)
        request.scope["path_params"] = {}
        sandbox_request = as_sandbox_request(request, body, size, None, None)
        return to_response(await _handled(service, sandbox_request, None, started))

    return endpoint
