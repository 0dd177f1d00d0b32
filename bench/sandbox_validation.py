"""Request-validation cost of the candidate libraries on a createPosition body (SANP 3.8.0 gpd.json).

Run: .venv/bin/python bench/sandbox_validation.py   (candidates that are not installed are skipped)
Figures: microseconds per request, JSON parsing included, best of 5 rounds."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable
from typing import Any

from pagoconf.engine.contracts import contract_path
from pagoconf.platform.sandbox.validation import operation_validator

ROUNDS, N = 5, 2000
BODY: dict[str, Any] = {
    "iupd": "77777777777-IUPD-0001",
    "type": "F",
    "fiscalCode": "RSSMRA80A01H501U",
    "fullName": "Mario Rossi",
    "companyName": "Comune di Prova",
    "switchToExpired": False,
    "email": "mario@example.org",
    "country": "IT",
    "paymentOption": [
        {
            "iuv": "01000000000000001",
            "amount": 10000,
            "description": "TARI 2030",
            "isPartialPayment": False,
            "dueDate": "2030-12-31T23:59:59Z",
            "paymentOptionMetadata": [{"key": "a", "value": "b"}],
            "transfer": [
                {"idTransfer": "1", "amount": 6000, "remittanceInformation": "r", "category": "9/0101108TS/",
                 "iban": "IT60X0542811101000000123456"},
                {"idTransfer": "2", "amount": 4000, "remittanceInformation": "r", "category": "9/0101108TS/",
                 "stamp": {"hashDocument": "a" * 44, "stampType": "01", "provincialResidence": "RM"}},
            ],
        }
    ],
}  # fmt: skip
RAW = json.dumps(BODY).encode()


def per_request(fn: Callable[[], object], n: int = N) -> float:
    """Best-of-ROUNDS microseconds per call."""
    fn()
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter() - start) / n * 1e6)
    return best


def main() -> None:
    """Print one line per candidate."""
    spec = json.loads(contract_path("3.8.0", "openapi/gpd.json").read_text(encoding="utf-8"))
    chosen = operation_validator("3.8.0", "createPosition")
    cost = per_request(lambda: chosen.body_errors(json.loads(RAW)))
    print(f"{'jsonschema_rs (chosen, via validation.py)':48} {cost:8.1f} µs")
    print(f"{'json.loads alone':48} {per_request(lambda: json.loads(RAW)):8.1f} µs")
    try:
        import fastjsonschema

        root = {"$ref": "#/components/schemas/PaymentPositionModel", "components": spec["components"]}
        fast = fastjsonschema.compile(root)
        print(
            f"{'fastjsonschema (first error only)':48} {per_request(lambda: fast(json.loads(RAW))):8.1f} µs"
        )
    except ImportError:
        print("fastjsonschema: not installed")
    try:
        from openapi_core import OpenAPI
        from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest
        from werkzeug.test import EnvironBuilder
        from werkzeug.wrappers import Request

        served = copy.deepcopy(spec)
        served["servers"] = [{"url": "http://127.0.0.1/gpd/debt-positions-service/v1"}]
        openapi = OpenAPI.from_dict(served)
        path = "/gpd/debt-positions-service/v1/organizations/77777777777/debtpositions"

        def request() -> WerkzeugOpenAPIRequest:
            environ = EnvironBuilder(
                base_url="http://127.0.0.1", path=path, query_string="toPublish=true", method="POST",
                data=RAW, content_type="application/json", headers={"Ocp-Apim-Subscription-Key": "k"},
            ).get_environ()  # fmt: skip
            return WerkzeugOpenAPIRequest(Request(environ))

        build = per_request(request, 300)
        total = per_request(lambda: openapi.validate_request(request()), 300)
        print(f"{'openapi-core (whole request, minus building it)':48} {total - build:8.1f} µs")
    except ImportError:
        print("openapi-core: not installed")


if __name__ == "__main__":
    main()
