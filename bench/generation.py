"""Generation speed of the XSD strategies: examples per second, per element, with no validation.

For a few representative elements (a small request, a response with transfers, the largest receipt, a
catalogue payload) it draws valid instances with `from_xsd`, domain-coherent ones with
`domain_instances`, and one-fault messages with `mutations`, through hypothesis's own engine (a no-op
test body under @given, generate phase only, no database). Each measurement runs in chunks of 50
examples until it has N examples or its time budget is spent, so every loop is bounded in count and time.
The one-time costs (building the xmlschema model, compiling the model walk) are printed separately.

    /work/main/.venv/bin/python bench/generation.py [-n 400] [--budget 4] [--sanp 3.8.0]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import xmlschema
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.strategies import SearchStrategy
from lxml import etree

from pagoconf.sync.schema import pa_for_node_schema, service_schema_path
from pagoconf.sync.strategies import domain_instances, from_xsd, mutations
from pagoconf.sync.strategies.xsd import plan

CHUNK = 50
PA_ELEMENTS = ("paVerifyPaymentNoticeReq", "paGetPaymentV2Response", "paSendRTV2Request")
CATALOGUE = ("TassaAutomobilistica_1_1_0", "tassaAuto")


def measure(
    strategy: SearchStrategy[Any], size: Callable[[Any], int], count: int, budget: float
) -> dict[str, float]:
    """Draw up to `count` examples within `budget` seconds; examples/s and the mean size in bytes."""
    sizes: list[int] = []
    run_settings = settings(
        max_examples=CHUNK,
        database=None,
        deadline=None,
        derandomize=False,
        phases=(Phase.generate,),
        suppress_health_check=list(HealthCheck),
    )

    @run_settings
    @given(strategy)
    def draw(value: Any) -> None:
        sizes.append(size(value))

    start = time.perf_counter()
    while len(sizes) < count and time.perf_counter() - start < budget:
        draw()
    elapsed = time.perf_counter() - start
    return {
        "examples": len(sizes),
        "seconds": elapsed,
        "rate": len(sizes) / elapsed,
        "bytes": statistics.fmean(sizes) if sizes else 0.0,
    }


def element_bytes(el: etree._Element) -> int:
    """Serialized size of an element."""
    return len(etree.tostring(el))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=400, help="examples per measurement (default 400)")
    parser.add_argument("--budget", type=float, default=4.0, help="seconds per measurement (default 4)")
    parser.add_argument("--sanp", default="3.8.0", help="SANP version (default 3.8.0)")
    args = parser.parse_args()

    t0 = time.perf_counter()
    pa = pa_for_node_schema(args.sanp).xmlschema
    t1 = time.perf_counter()
    service_path = service_schema_path(args.sanp, CATALOGUE[0])
    service = xmlschema.XMLSchema(str(service_path), allow="local", defuse="always")
    t2 = time.perf_counter()
    compile_times = {}
    for name in PA_ELEMENTS:
        start = time.perf_counter()
        plan(pa, name)  # cached: the strategies below reuse it
        compile_times[name] = (time.perf_counter() - start) * 1000
    print(
        f"SANP {args.sanp}; one-time costs: paForNode xmlschema model {t1 - t0:.2f} s, "
        f"{CATALOGUE[0]} model {t2 - t1:.2f} s"
    )
    print("model walk compile (ms): " + ", ".join(f"{k} {v:.1f}" for k, v in compile_times.items()))
    print()
    cases: list[tuple[str, str, SearchStrategy[Any], Callable[[Any], int]]] = []
    for name in PA_ELEMENTS:
        cases.append(("from_xsd", name, from_xsd(pa, name), element_bytes))
    cases.append(("from_xsd", CATALOGUE[1], from_xsd(service, CATALOGUE[1]), element_bytes))
    cases.append(
        (
            "domain_instances",
            "paGetPaymentV2Response",
            domain_instances(pa, "paGetPaymentV2Response"),
            element_bytes,
        )
    )
    for name in ("paVerifyPaymentNoticeReq", "paGetPaymentV2Response"):
        cases.append(("mutations", name, mutations(pa, name), lambda m: len(m.payload)))
    print(f"{'strategy':<17} {'element':<26} {'examples':>8} {'seconds':>8} {'ex/s':>8} {'mean bytes':>10}")
    for kind, name, strategy, size in cases:
        result = measure(strategy, size, args.n, args.budget)
        print(
            f"{kind:<17} {name:<26} {result['examples']:>8.0f} {result['seconds']:>8.2f} "
            f"{result['rate']:>8.0f} {result['bytes']:>10.0f}"
        )


if __name__ == "__main__":
    main()
