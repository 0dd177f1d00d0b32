"""Helpers for the Checkout tests: the reference station and a sandbox configured to pay through it, the EC's
front end (its three or four return pages), cart bodies, and a client for the cart API and the page."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import urllib3
from sandbox_support import Answer

from pagoconf.platform.sandbox import Sandbox
from pagoconf.sync.reference import IDENTITY, IssuedNotice, ReferenceStation, to_pay_notices

KEY = "checkout-key-0123456789"
EC = IDENTITY.id_pa
RETURN_PAGES = {
    "returnOkUrl": "/pagopa/ok",
    "returnCancelUrl": "/pagopa/cancel",
    "returnErrorUrl": "/pagopa/error",
    "returnWaitingUrl": "/pagopa/waiting",
}
_pool = urllib3.PoolManager(maxsize=8, retries=False, timeout=urllib3.Timeout(connect=5, read=60))


def cents(amount: Decimal) -> int:
    """Euros as integer cents."""
    return int(amount * 100)


def notice(issued: IssuedNotice, **changes: Any) -> dict[str, Any]:
    """A cart entry for a notice of the reference station, for its amount in cents."""
    entry = {
        "noticeNumber": issued.nav,
        "fiscalCode": EC,
        "amount": cents(issued.amount),
        "companyName": "Comune di Pagoconf",
        "description": issued.description,
    }
    entry.update(changes)
    return entry


def made_up(number: int = 1, **changes: Any) -> dict[str, Any]:
    """A well-formed cart entry for a notice nobody issued."""
    entry = {
        "noticeNumber": f"3999{number:014d}",
        "fiscalCode": "99999999999",
        "amount": 1000,
        "companyName": "Ente di prova",
        "description": "Notice nobody issued",
    }
    entry.update(changes)
    return entry


def cart(*notices: dict[str, Any], base: str = "https://ec.example.it", **extra: Any) -> dict[str, Any]:
    """A CartRequest body (one made-up notice unless some are given), return URLs under `base`."""
    body: dict[str, Any] = {
        "paymentNotices": list(notices) or [made_up()],
        "returnUrls": {k: base + v for k, v in RETURN_PAGES.items() if k != "returnWaitingUrl"},
    }
    body.update(extra)
    return body


class FrontEnd:
    """The EC's front end: answers its return pages with 200 and remembers which were visited."""

    def __init__(self) -> None:
        visited = self.visited = []

        class Pages(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                visited.append(self.path)
                known = self.path.split("?")[0] in RETURN_PAGES.values()
                page = f"<!doctype html><title>EC</title><h1>EC front end: {self.path}</h1>".encode()
                self.send_response(200 if known else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, name: str) -> str:
        """The absolute URL of a return page."""
        return self.base + RETURN_PAGES[name]

    def __enter__(self) -> FrontEnd:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def station_config(
    path: Path, url: str | None, *, primitive_version: int = 2, sanp: str | None = None
) -> Path:
    """A pagoconf.toml whose [sandbox] has the test key and, given a URL, the reference station's identity."""
    lines = [f'sanp = "{sanp}"'] if sanp else []
    lines += ["[sandbox]", "[[sandbox.key]]", f'value = "{KEY}"']
    if url is not None:
        lines += [
            "[sandbox.station]",
            f'url = "{url}"',
            f'id_pa = "{IDENTITY.id_pa}"',
            f'id_broker_pa = "{IDENTITY.id_broker_pa}"',
            f'id_station = "{IDENTITY.id_station}"',
            f"primitive_version = {primitive_version}",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@dataclass
class Desk:
    """A sandbox paying through a reference station, the EC's front end, and the station's unpaid notices."""

    sandbox: Sandbox
    station: ReferenceStation
    front: FrontEnd
    unpaid: Iterator[IssuedNotice] = field(default_factory=lambda: iter(to_pay_notices()["payable"]))

    def notices(self, count: int) -> list[IssuedNotice]:
        """`count` notices of the station nobody has used yet."""
        return [next(self.unpaid) for _ in range(count)]

    def cart(self, *notices: dict[str, Any], **extra: Any) -> dict[str, Any]:
        """A cart whose return URLs are the front end's."""
        return cart(*notices, base=self.front.base, **extra)

    def post(self, body: Any, *, key: str | None = KEY, version: str = "checkout", **kw: Any) -> Answer:
        """POST /carts (the v1 API unless `version` names another)."""
        return post_cart(self.sandbox, body, key=key, version=version, **kw)

    def receipts(self, issued: IssuedNotice) -> list[str]:
        """The operations of the receipts the station kept for a notice."""
        return [r.operation for r in self.station.store.receipts(EC, issued.nav)]

    def state(self, issued: IssuedNotice) -> str:
        """The notice's state at the station."""
        found = self.station.store.find(EC, issued.nav)
        assert found is not None
        return found.state


def post_cart(
    sandbox: Sandbox,
    body: Any,
    *,
    key: str | None = KEY,
    version: str = "checkout",
    raw: bytes | None = None,
    headers: Mapping[str, str] | None = None,
) -> Answer:
    """POST a cart as the EC's back end does (no redirect followed)."""
    sent = {"Content-Type": "application/json"}
    if key:
        sent["Ocp-Apim-Subscription-Key"] = key
    sent.update(headers or {})
    data = raw if raw is not None else json.dumps(body).encode()
    r = _pool.request("POST", sandbox.base_urls[version] + "/carts", body=data, headers=sent, redirect=False)
    return Answer(r.status, r.headers, r.data)


def browse(method: str, url: str) -> Answer:
    """What a browser without JavaScript does on the page: GET it, or POST one of its forms."""
    r = _pool.request(method, url, redirect=False)
    return Answer(r.status, r.headers, r.data)


def journal(sandbox: Sandbox) -> list[dict[str, Any]]:
    """Every journal entry."""
    r = _pool.request("GET", sandbox.base_urls["control"] + "/journal", fields={"limit": "1000"})
    return list(json.loads(r.data)["entries"])


@contextmanager
def desk(
    tmp: Path, *, sanp: str = "3.8.0", primitive_version: int = 2, db: Path | None = None
) -> Iterator[Desk]:
    """Start a reference station, the EC's front end, and a sandbox configured with the station (its state
    in `db`, else in memory)."""
    with (
        ReferenceStation(sanp=sanp, primitive_version=primitive_version) as station,
        FrontEnd() as front,
        Sandbox(
            sanp=sanp,
            db=db,
            config=station_config(tmp / "pagoconf.toml", station.url, primitive_version=primitive_version),
        ) as sb,
    ):
        yield Desk(sb, station, front)
