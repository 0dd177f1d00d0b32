"""The reference client: what a conformant GPD, ACA and Checkout client does, one method per adapter action,
written to be read as the model of a correct one. Every request carries the subscription key and an
X-Request-Id; amounts are euro cents; a 429 waits its Retry-After, a 5xx or no answer is retried with
exponential backoff (at most 4 attempts, SANP allows 5); 400, 404, 409 and 422 are final; a position is read
before it is updated; a notice is held paid only once its receipt was read.

Named defects (defects.py) override one of the small methods marked "a defect's seam" below."""

from __future__ import annotations

import json
import os
import time

from pagoconf.platform.client import wire
from pagoconf.platform.client.state import ClientState

TYPE_CHECKING = False  # the command starts once per request: typing is not worth its import at run time
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any, ClassVar

KEY_HEADER = "Ocp-Apim-Subscription-Key"
REQUEST_ID = "X-Request-Id"
UPDATABLE = ("DRAFT", "PUBLISHED", "VALID")
PAID = ("PARTIALLY_PAID", "PAID", "REPORTED")
FINAL = (400, 401, 403, 404, 409, 413, 415, 422)
RETURN_PAGES = {"returnOkUrl": "ok", "returnCancelUrl": "cancel", "returnErrorUrl": "error"}
UPLOAD_POLLS = 30


class Refused(Exception):
    """The platform refused, or the client will not do what was asked: the adapter answers ok=false."""


class ReferenceClient:
    """pagoconf's conformant client of GPD, ACA and Checkout, for one creditor institution."""

    defects: ClassVar[frozenset[str]] = frozenset()
    attempts: ClassVar[int] = 4
    slot: ClassVar[float] = 0.1  # the backoff's slot time: waits of 0.1, 0.3, 0.7 s
    longest_wait: ClassVar[float] = 10.0  # a Retry-After longer than this gives up instead

    def __init__(self, platform: Mapping[str, Any], state: ClientState, *, front_end: str | None = None):
        self.platform = platform
        self.state = state
        self.front_end = front_end
        self.organization = str(platform.get("organization", ""))

    # --- GPD debt positions -------------------------------------------------------------------------------

    def create_position(self, position: Mapping[str, Any], publish: bool) -> dict[str, Any]:
        """createPosition (toPublish=true when asked to publish): the position as the institution issued."""
        body = self.position_body(position)
        query = "?toPublish=true" if self.publishes_at_once(publish) else ""
        answer = self.call("POST", self._positions() + query, body, expect=201)
        created = answer.json() or {}
        iupd = str(created.get("iupd") or body["iupd"])
        self.state.remember(self.organization, iupd, created.get("paymentOption") or body["paymentOption"])
        return _changed(iupd, created)

    def update_position(self, iupd: str, position: Mapping[str, Any], publish: bool) -> dict[str, Any]:
        """updatePosition, once the position's state allows it (a paid one is never touched)."""
        self.check_updatable(iupd)
        body = self.position_body({**position, "iupd": iupd})
        query = "?toPublish=true" if publish else ""
        answer = self.call("PUT", f"{self._positions()}/{iupd}{query}", body, expect=200)
        updated = answer.json() or {}
        self.state.remember(self.organization, iupd, updated.get("paymentOption") or body["paymentOption"])
        return _changed(iupd, updated)

    def publish_position(self, iupd: str) -> dict[str, Any]:
        """publishPosition."""
        return self._lifecycle(iupd, "publish")

    def invalidate_position(self, iupd: str) -> dict[str, Any]:
        """invalidatePosition."""
        return self._lifecycle(iupd, "invalidate")

    def delete_position(self, iupd: str) -> dict[str, Any]:
        """deletePosition."""
        self.call("DELETE", f"{self._positions()}/{iupd}", expect=200)
        self.state.forget(self.organization, iupd)
        return {"iupd": iupd, "status": "DELETED"}

    def _lifecycle(self, iupd: str, action: str) -> dict[str, Any]:
        answer = self.call("POST", f"{self._positions()}/{iupd}/{action}", expect=200)
        return {"iupd": iupd, "status": str((answer.json() or {}).get("status", ""))}

    def notice_status(self, notice_number: str, fiscal_code: str | None) -> dict[str, Any]:
        """What the institution knows of a notice: paid only once the receipt was read from GPD."""
        known = self.state.notice(notice_number)
        if known is None:
            raise Refused(f"notice {notice_number} is not one of this institution's debt positions")
        organization = fiscal_code or known["organization"]
        position = self.read_position(known["iupd"], organization)
        options = position.get("paymentOption", [])
        option: dict[str, Any] = next((o for o in options if o.get("iuv") == known["iuv"]), {})
        if option.get("status") != "PO_PAID" and position.get("status") not in PAID:
            return {"noticeNumber": notice_number, "paid": False}
        return {"noticeNumber": notice_number, **self.receipt_facts(organization, known["iuv"])}

    def receipt_facts(self, organization: str, iuv: str) -> dict[str, Any]:
        """The receipt of a paid option, read from GPD: its id and payment time (a defect's seam)."""
        base = self.platform["gpd_payments"]
        answer = self.call("GET", f"{base}/payments/{organization}/receipts/{iuv}", expect=200)
        text = answer.body.decode("utf-8", errors="replace")
        return {
            "paid": True,
            "receiptId": _element_text(text, "receiptId"),
            "paymentDateTime": _element_text(text, "paymentDateTime"),
        }

    def read_position(self, iupd: str, organization: str | None = None) -> dict[str, Any]:
        """getOrganizationDebtPositionByIUPD."""
        path = (
            f"{self.platform['gpd']}/organizations/{organization or self.organization}/debtpositions/{iupd}"
        )
        found = self.call("GET", path, expect=200).json()
        return found if isinstance(found, dict) else {}

    def check_updatable(self, iupd: str) -> None:
        """Refuse to update a position that is paid, invalid or expired (a defect's seam)."""
        status = str(self.read_position(iupd).get("status", ""))
        if status not in UPDATABLE:
            raise Refused(f"debt position {iupd} is {status}: it can no longer be updated")

    # --- GPD bulk upload ----------------------------------------------------------------------------------

    def upload_positions(self, positions: list[Mapping[str, Any]]) -> dict[str, Any]:
        """A ZIP of one JSON file of positions, uploaded; its status read until done, then its report."""
        document = {"paymentPositions": [self.position_body(p) for p in positions]}
        archive = self.zip_file(json.dumps(document).encode())
        body, content_type = _multipart("file", "debt-positions.zip", archive)
        base = self.platform["gpd_massive"]
        path = f"{base}/brokers/{self.platform.get('broker', '')}/organizations/{self.organization}"
        answer = self.call("POST", path + "/debtpositions/file", body, content_type=content_type, expect=202)
        status_url = _absolute(answer.header("location") or "", base)
        upload_id = status_url.rstrip("/").rsplit("/", 2)[-2] if status_url else ""
        for p in document["paymentPositions"]:
            self.state.remember(self.organization, str(p["iupd"]), p["paymentOption"])
        outcomes = self.upload_outcomes(status_url, _seconds(answer.header("retry-after")), document)
        return {"uploadId": upload_id, "outcomes": outcomes}

    def upload_outcomes(
        self, status_url: str, wait: float, document: Mapping[str, Any]
    ) -> list[dict[str, Any]]:
        """Each position's outcome, from the report once every item is processed (a defect's seam)."""
        for _ in range(UPLOAD_POLLS):
            time.sleep(min(wait, self.longest_wait))
            status = self.call("GET", status_url, expect=200).json() or {}
            if status.get("processedItem") == status.get("submittedItem"):
                break
            wait = max(wait, self.slot)
        else:
            raise Refused(f"the upload at {status_url} was still being processed after {UPLOAD_POLLS} polls")
        report = self.call("GET", status_url.rsplit("/", 1)[0] + "/report", expect=200).json() or {}
        return [
            {"iupd": str(iupd), "statusCode": int(entry.get("statusCode", 0))}
            for entry in report.get("responses", [])
            for iupd in entry.get("requestIDs", [])
        ]

    def zip_file(self, content: bytes) -> bytes:
        """The upload's archive: exactly one .json entry (a defect's seam)."""
        import io
        import zipfile

        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("debt-positions.json", content)
        return buffer.getvalue()

    # --- ACA ----------------------------------------------------------------------------------------------

    def aca_position(self, change: str, position: Mapping[str, Any]) -> dict[str, Any]:
        """paCreatePosition: the position registered, updated, or cancelled (amount 0 invalidates it)."""
        body = self.aca_body(change, position)
        answer = self.call("POST", f"{self.platform['aca']}/paCreatePosition", body, expect=200)
        return {"iuv": str(body["iuv"]), "status": str((answer.json() or {}).get("status", ""))}

    def aca_body(self, change: str, position: Mapping[str, Any]) -> dict[str, Any]:
        """The NewDebtPositionRequest for a change: a cancellation is the same position with amount 0 (a
        defect's seam)."""
        body = dict(position)
        if change == "cancel":
            body["amount"] = 0
        return body

    # --- Checkout -----------------------------------------------------------------------------------------

    def start_checkout(self, notices: list[Mapping[str, Any]], email: str | None) -> dict[str, Any]:
        """POST /carts with the notices and the front end's return URLs; the Location is where the browser
        goes."""
        cart = _token(10)
        urls = self.return_urls(cart)
        body: dict[str, Any] = {
            "paymentNotices": [self.cart_notice(n) for n in notices],
            "returnUrls": urls,
            "idCart": cart,
        }
        if email:
            body["emailNotice"] = email
        answer = self.call("POST", f"{self.platform['checkout']}/carts", body, expect=302)
        return {"location": answer.header("location") or "", "returnUrls": urls}

    def cart_notice(self, notice: Mapping[str, Any]) -> dict[str, Any]:
        """One PaymentNotice of the cart, amount in euro cents (a defect's seam)."""
        return {k: notice[k] for k in ("noticeNumber", "fiscalCode", "amount", "companyName", "description")}

    def return_urls(self, cart: str) -> dict[str, str]:
        """Where the citizen comes back to, on the institution's front end (a defect's seam)."""
        if not self.front_end:
            raise Refused("the reference client was started without --front-end: it has no return pages")
        return {name: f"{self.front_end}/return/{page}?cart={cart}" for name, page in RETURN_PAGES.items()}

    # --- the wire -----------------------------------------------------------------------------------------

    def call(
        self,
        method: str,
        url: str,
        body: Any = None,
        *,
        content_type: str = "application/json",
        expect: int,
    ) -> wire.Response:
        """One request, sent again while the platform is busy or failing; Refused unless it ends `expect`."""
        request_id = _token(16)
        last = ""
        for attempt in range(1, self.max_attempts() + 1):
            data = self.encode(body, attempt) if body is not None and not isinstance(body, bytes) else body
            headers = self.headers(request_id)
            if data is not None:
                headers["Content-Type"] = content_type
            try:
                answer: wire.Response | None = wire.send(method, url, headers=headers, body=data)
            except wire.Unreachable as exc:
                answer, last = None, str(exc)
            wait = self.wait_before_retry(answer, attempt)
            if wait is None:
                break
            time.sleep(wait)
        if answer is None:
            raise Refused(f"the platform did not answer {method} {_path(url)}: {last}")
        if answer.status != expect:
            raise Refused(f"{method} {_path(url)} answered {answer.status}: {answer.problem()}")
        return answer

    def max_attempts(self) -> int:
        """How many times one request may be sent (a defect's seam)."""
        return self.attempts

    def wait_before_retry(self, answer: wire.Response | None, attempt: int) -> float | None:
        """How long to wait before sending the request again, or None to stop (a defect's seam): a 429 waits
        its Retry-After; a 5xx or no answer waits slot·(2^k − 1); anything else is final."""
        if attempt >= self.max_attempts():
            return None
        if answer is not None and answer.status == 429:
            wait = _seconds(answer.header("retry-after"))
            return wait if wait <= self.longest_wait else None
        if answer is None or answer.status >= 500:
            return self.slot * (2**attempt - 1)
        return None

    def headers(self, request_id: str) -> dict[str, str]:
        """The headers of every request: the subscription key and the request's id (a defect's seam)."""
        return {KEY_HEADER: str(self.platform.get("key", "")), REQUEST_ID: request_id}

    def encode(self, body: Any, attempt: int) -> bytes:
        """A JSON body as sent on one attempt: the same on every attempt (a defect's seam)."""
        return json.dumps(body, ensure_ascii=False).encode()

    def position_body(self, position: Mapping[str, Any]) -> dict[str, Any]:
        """The PaymentPositionModel sent: as issued, amounts in euro cents (a defect's seam)."""
        return json.loads(json.dumps(position))

    def publishes_at_once(self, publish: bool) -> bool:
        """Whether a creation asks toPublish=true (a defect's seam)."""
        return publish

    def _positions(self) -> str:
        return f"{self.platform['gpd']}/organizations/{self.organization}/debtpositions"


def _changed(iupd: str, answered: Mapping[str, Any]) -> dict[str, Any]:
    notices = [
        {"iuv": str(o["iuv"]), **({"noticeNumber": str(o["nav"])} if o.get("nav") else {})}
        for o in answered.get("paymentOption", [])
        if isinstance(o, dict) and o.get("iuv")
    ]
    return {"iupd": iupd, "status": str(answered.get("status", "")), "notices": notices}


def _element_text(document: str, name: str) -> str:
    """The text of the first element `name` of a document the platform wrote (no parser needed for it)."""
    start = document.find(f"<{name}>")
    if start < 0:
        return ""
    start += len(name) + 2
    return document[start : document.find("<", start)]


def _seconds(value: str | None) -> float:
    """A Retry-After in seconds (delay-seconds; a date or junk counts as 1 s)."""
    try:
        return max(float(value or "1"), 0.0)
    except ValueError:
        return 1.0


def _absolute(location: str, base: str) -> str:
    """A Location made absolute against the API's base URL."""
    if "://" in location:
        return location
    scheme, netloc, _ = wire.split_url(base)
    return f"{scheme}://{netloc}{location}"


def _path(url: str) -> str:
    return wire.split_url(url)[2].split("?", 1)[0]


def _token(size: int) -> str:
    """A random hexadecimal token of 2·`size` digits (request ids, cart ids, multipart boundaries)."""
    return os.urandom(size).hex()


def _multipart(field: str, filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = "pagoconf-" + _token(16)
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
        "Content-Type: application/zip\r\n\r\n"
    ).encode()
    return head + content + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"
