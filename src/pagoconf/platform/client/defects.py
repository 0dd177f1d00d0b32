"""Named defects of the reference client, each breaking one catalogue rule on the wire.

A defect is a small subclass of the conformant client that overrides one of its seams (what it sends, when
it retries, what it reads). `client_class` composes the chosen defects over the client. The harness learns
nothing from a defect's name: it only sees what reaches the sandbox and what the adapter answers; the
meta-test (tests/test_client_defects.py) proves each is caught by its rule and by no unrelated one (`also`
lists the rules a defect cannot help breaking too).
"""

from __future__ import annotations

import json

from pagoconf.engine.defects import Defect, Named, chosen, collect, layered
from pagoconf.platform.client import wire
from pagoconf.platform.client.reference import KEY_HEADER, REQUEST_ID, ReferenceClient

TYPE_CHECKING = False  # see reference.py
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any


class Defective(Named, ReferenceClient):
    """A defect of the client: the rule it breaks, what it does, the rules it cannot help breaking too."""


def _amounts(position: Mapping[str, Any], convert: Any) -> dict[str, Any]:
    body = json.loads(json.dumps(position))
    for option in body.get("paymentOption", []):
        transfers = option.get("transfer", [])
        for t in transfers:
            t["amount"] = convert(t["amount"])
        option["amount"] = sum(t["amount"] for t in transfers) if transfers else convert(option["amount"])
    return body


# --- what it sends --------------------------------------------------------------------------------------


class AmountsInEuros(Defective):
    defect, rule = "amounts-in-euros", "CLIENT-001"
    description = "Sends GPD amounts in whole euros instead of cents (transfers still add up)."

    def position_body(self, position: Mapping[str, Any]) -> dict[str, Any]:
        return _amounts(position, lambda cents: max(1, round(cents / 100)))


class TransfersDoNotAddUp(Defective):
    defect, rule = "transfers-do-not-add-up", "GPD-044"
    description = "Each payment option's amount is one euro more than its transfers add up to."
    also = ("CLIENT-001",)  # a bulk file is accepted whole: its report alone says its positions were refused

    def position_body(self, position: Mapping[str, Any]) -> dict[str, Any]:
        body = super().position_body(position)
        for option in body.get("paymentOption", []):
            option["amount"] += 100
        return body


class NoKey(Defective):
    defect, rule = "no-key", "GPD-003"
    description = "Sends no Ocp-Apim-Subscription-Key to any API."
    also = ("UPLOAD-001", "ACA-001", "CHECKOUT-001")

    def headers(self, request_id: str) -> dict[str, str]:
        return {k: v for k, v in super().headers(request_id).items() if k != KEY_HEADER}


class NoRequestId(Defective):
    defect, rule = "no-request-id", "CLIENT-009"
    description = "Sends no X-Request-Id."

    def headers(self, request_id: str) -> dict[str, str]:
        return {k: v for k, v in super().headers(request_id).items() if k != REQUEST_ID}


class NeverPublishes(Defective):
    defect, rule = "never-publishes", "CLIENT-002"
    description = "Answers that it published a position without asking GPD (and creates without toPublish)."

    def publishes_at_once(self, publish: bool) -> bool:
        return False

    def publish_position(self, iupd: str) -> dict[str, Any]:
        return {"iupd": iupd, "status": "VALID"}


class UpdatesPaidPosition(Defective):
    defect, rule = "updates-paid-position", "CLIENT-003"
    description = "Updates a position without reading its state first, a paid one too."
    also = ("GPD-062",)

    def check_updatable(self, iupd: str) -> None:
        pass


class NeverReadsReceipt(Defective):
    defect, rule = "never-reads-receipt", "CLIENT-004"
    description = "Holds a notice paid as soon as its position says PAID, without reading the receipt."

    def receipt_facts(self, organization: str, iuv: str) -> dict[str, Any]:
        return {"paid": True}


# --- when it retries ------------------------------------------------------------------------------------


class RetriesRefusals(Defective):
    defect, rule = "retries-refusals", "CLIENT-005"
    description = "Sends a change the platform refused (400, 404, 409, 422) again, unchanged, up to 4 times."

    def wait_before_retry(self, answer: wire.Response | None, attempt: int) -> float | None:
        if answer is not None and answer.status in (400, 404, 409, 422) and attempt < self.max_attempts():
            return self.slot
        return super().wait_before_retry(answer, attempt)


class IgnoresRetryAfter(Defective):
    defect, rule = "ignores-retry-after", "CLIENT-006"
    description = "Sends a request answered 429 again at once, without waiting the Retry-After."

    def wait_before_retry(self, answer: wire.Response | None, attempt: int) -> float | None:
        wait = super().wait_before_retry(answer, attempt)
        return 0.0 if wait is not None and answer is not None and answer.status == 429 else wait


class HammersOn5xx(Defective):
    defect, rule = "hammers-on-5xx", "CLIENT-007"
    description = "Sends a request answered 5xx again at once, up to 8 times."

    def max_attempts(self) -> int:
        return 8

    def wait_before_retry(self, answer: wire.Response | None, attempt: int) -> float | None:
        wait = super().wait_before_retry(answer, attempt)
        return 0.0 if wait is not None and (answer is None or answer.status >= 500) else wait


class NewIupdPerRetry(Defective):
    defect, rule = "new-iupd-per-retry", "CLIENT-008"
    description = "Gives a creation sent again a new IUPD on every attempt."

    def encode(self, body: Any, attempt: int) -> bytes:
        if attempt > 1 and isinstance(body, dict) and "iupd" in body:
            body = {**body, "iupd": f"{body['iupd']}-R{attempt}"}
        return super().encode(body, attempt)


# --- bulk upload ----------------------------------------------------------------------------------------


class BulkTwoEntries(Defective):
    defect, rule = "bulk-two-entries", "UPLOAD-007"
    description = "Uploads a ZIP holding a README beside the JSON file."

    def zip_file(self, content: bytes) -> bytes:
        import io
        import zipfile

        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("debt-positions.json", content)
            archive.writestr("README.txt", b"debt positions of the institution\n")
        return buffer.getvalue()


class IgnoresUploadReport(Defective):
    defect, rule = "ignores-upload-report", "CLIENT-010"
    description = "Holds every position of a bulk upload created as soon as the upload is accepted."

    def upload_outcomes(
        self, status_url: str, wait: float, document: Mapping[str, Any]
    ) -> list[dict[str, Any]]:
        return [{"iupd": str(p["iupd"]), "statusCode": 201} for p in document["paymentPositions"]]


# --- ACA ------------------------------------------------------------------------------------------------


class AcaZeroAmount(Defective):
    defect, rule = "aca-zero-amount", "ACA-008"
    description = "Registers a new position with ACA with amount 0 (the amount to be set later)."

    def aca_body(self, change: str, position: Mapping[str, Any]) -> dict[str, Any]:
        body = super().aca_body(change, position)
        if change == "create":
            body["amount"] = 0
        return body


class ForgetsAcaUpdate(Defective):
    defect, rule = "forgets-aca-update", "CLIENT-011"
    description = "Answers that it updated a position's ACA registration without telling ACA."

    def aca_position(self, change: str, position: Mapping[str, Any]) -> dict[str, Any]:
        if change == "update":
            return {"iuv": str(position["iuv"]), "status": "VALID"}
        return super().aca_position(change, position)


# --- Checkout -------------------------------------------------------------------------------------------


class CartWrongAmount(Defective):
    defect, rule = "cart-wrong-amount", "CLIENT-012"
    description = "Puts each notice in the Checkout cart for one euro more than it is."

    def cart_notice(self, notice: Mapping[str, Any]) -> dict[str, Any]:
        out = super().cart_notice(notice)
        out["amount"] = int(out["amount"]) + 100
        return out


class DeadReturnUrls(Defective):
    defect, rule = "dead-return-urls", "CLIENT-013"
    description = "Gives Checkout return URLs the front end does not serve."

    def return_urls(self, cart: str) -> dict[str, str]:
        return {name: url.replace("/return/", "/gone/") for name, url in super().return_urls(cart).items()}


# --- the registry ---------------------------------------------------------------------------------------


DEFECTS: dict[str, Defect] = collect(Defective, lambda c: (c.rule.split("-")[0] != "CLIENT", c.rule))


def defect_names(names: Iterable[str]) -> frozenset[str]:
    """The given defect names as a frozenset, or a ValueError naming the first unknown one."""
    return chosen(names, DEFECTS, what="client defect", listing="pagoconf client --list-defects")


def client_class(names: Iterable[str]) -> type[ReferenceClient]:
    """The conformant client with the chosen defects layered over it."""
    return layered(ReferenceClient, DEFECTS, defect_names(names), "DefectiveClient")


__all__ = ["DEFECTS", "Defect", "client_class", "defect_names"]
