"""Write the pagoconf.toml that describes the reference station (a worked example for partners)."""

from __future__ import annotations

import json
from pathlib import Path

from pagoconf.engine.contracts import SUPPORTED_SANP
from pagoconf.sync.config import NODE_TIMEOUTS
from pagoconf.sync.reference.data import IDENTITY, KINDS, TO_PAY_KINDS, seed_notices, to_pay_notices
from pagoconf.sync.reference.services import VEHICLE_TAX

HEADER = "# pagoconf.toml — describes the station under test (written by `pagoconf station --write-config`)\n"
NOTICE_COMMENTS = {
    "payable": "notices the station must describe and activate (outcome OK)",
    "multi_beneficiary": "payable, with transfers to more than one creditor institution",
    "postal": "payable, every transfer on a postal account (allCCP true)",
    "bollo": "payable, one transfer is an @e.bollo digital stamp (paGetPaymentV2 only)",
    "expired": "past their due date: PAA_PAGAMENTO_SCADUTO",
    "annulled": "cancelled by the institution: PAA_PAGAMENTO_ANNULLATO",
    "paid": "already paid: PAA_PAGAMENTO_DUPLICATO",
}
TO_PAY_COMMENTS = {
    "payable": "one transfer",
    "multi_beneficiary": "transfers to more than one creditor institution",
    "bollo": "one transfer is an @e.bollo digital stamp (paGetPaymentV2 and paSendRTV2 only)",
}


def _string(value: str) -> str:
    """A TOML basic string (JSON escaping is a subset TOML accepts)."""
    return json.dumps(value, ensure_ascii=False)


def _strings(values: list[str]) -> str:
    return "[" + ", ".join(_string(v) for v in values) + "]"


def render_config(url: str, *, primitive_version: int = 2, sanp: str = "3.8.0") -> str:
    """The text of the pagoconf.toml describing the reference station at `url`."""
    if primitive_version not in (1, 2):
        raise ValueError(f"primitive_version must be 1 or 2, not {primitive_version!r}")
    if sanp not in SUPPORTED_SANP:
        raise ValueError(f"unsupported SANP version {sanp!r}; supported: {', '.join(SUPPORTED_SANP)}")
    capabilities = ["multi", "postal"] + (["bollo"] if primitive_version == 2 else []) + ["spontaneous"]
    kinds = [k for k in KINDS if k != "bollo" or primitive_version == 2]
    seeded, to_pay = seed_notices(), to_pay_notices()
    lines = [
        HEADER,
        "# SANP version whose contracts (paForNode.xsd) judge the answers: 3.8.0 or 3.13.0",
        f"sanp = {_string(sanp)}",
        "",
        "[station]",
        "# the paForNode endpoint the harness calls, as the Node would",
        f"url = {_string(url)}",
        "# creditor institution (EC) fiscal code, its broker (intermediario) and the station id",
        f"id_pa = {_string(IDENTITY.id_pa)}",
        f"id_broker_pa = {_string(IDENTITY.id_broker_pa)}",
        f"id_station = {_string(IDENTITY.id_station)}",
        "# 1: paGetPayment + paSendRT; 2: paGetPaymentV2 + paSendRTV2 (needed for @e.bollo)",
        f"primitive_version = {primitive_version}",
        "# what the station supports: multi (several beneficiaries), postal (postal accounts), bollo (V2),",
        "# spontaneous (paDemandPaymentNotice for the service in [spontaneous])",
        f"capabilities = {_strings(capabilities)}",
        "# keep true: check the station's TLS certificate on https URLs",
        "verify_tls = true",
        "",
        "[station.headers]",
        '# "Ocp-Apim-Subscription-Key" = "..."   (sent on every call, redacted from evidence)',
        "",
        "[timeouts]",
        "# seconds the Node waits: verify/activation (sync) and receipts (receipt)",
        *(f"{kind} = {seconds}" for kind, seconds in NODE_TIMEOUTS.items()),
        "",
        "[service_level]",
        "# share of answers that must arrive within `seconds`, measured over `samples` calls",
        "seconds = 2.0",
        "share = 0.98",
        "samples = 20",
        "",
        "[notices]",
        "# notice numbers (18-digit NAV) the institution issued, one list per kind",
    ]
    for kind in kinds:
        lines.append(f"# {NOTICE_COMMENTS[kind]}")
        lines.append(f"{kind} = {_strings([n.nav for n in seeded[kind]])}")
    lines += [
        "",
        "[notices.to_pay]",
        "# payable notices the harness may pay (a receipt closes them), each once: keep these apart",
    ]
    for kind in TO_PAY_KINDS:
        if kind != "bollo" or primitive_version == 2:
            lines.append(f"# {TO_PAY_COMMENTS[kind]}")
            lines.append(f"{kind} = {_strings([n.nav for n in to_pay[kind]])}")
    lines += [
        "",
        "[spontaneous]    # paDemandPaymentNotice: a service of the catalogue the station offers",
        "# idServizio and idSoggettoServizio of the service (5 characters each)",
        f"id_servizio = {_string(VEHICLE_TAX.id_servizio)}",
        f"id_soggetto_servizio = {_string(VEHICLE_TAX.id_soggetto_servizio)}",
        "# the catalogo-servizi XSD that datiSpecificiServizioRequest must satisfy",
        f"service_xsd = {_string(VEHICLE_TAX.xsd)}",
    ]
    return "\n".join(lines) + "\n"


def write_config(path: str | Path, url: str, *, primitive_version: int = 2, sanp: str = "3.8.0") -> Path:
    """Write the pagoconf.toml describing the reference station at `url`; return its path."""
    target = Path(path)
    target.write_text(render_config(url, primitive_version=primitive_version, sanp=sanp), encoding="utf-8")
    return target
