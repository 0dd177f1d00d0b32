"""The catalogue service the reference station offers for spontaneous payments (paDemandPaymentNotice)."""

from __future__ import annotations

import base64
import binascii
import threading
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from lxml import etree

from pagoconf.sync.schema import load_lxml_schema, service_schema_path
from pagoconf.sync.xmlsafe import UnsafeXml, parse

MAX_SERVICE_DATA = 64 * 1024
PLATE_LIMIT = 20  # a plate read from invalid data is cut to this length before it goes in a description


@dataclass(frozen=True, slots=True)
class Service:
    """A catalogue service: its identifiers, the XSD of its data and how it prices a request."""

    id_servizio: str
    id_soggetto_servizio: str
    xsd: str
    namespace: str
    description: str


VEHICLE_TAX = Service(
    id_servizio="00001",
    id_soggetto_servizio="00042",
    xsd="TassaAutomobilistica_1_1_0",
    namespace="http://PuntoAccessoPSP.spcoop.gov.it/TassaAuto",
    description="Tassa automobilistica",
)
SERVICES = {(s.id_servizio, s.id_soggetto_servizio): s for s in (VEHICLE_TAX,)}
# tipoVeicoloTarga → amount due: 1 autoveicoli, 2 rimorchi, 4 motoveicoli (any other: the car rate)
VEHICLE_TAX_AMOUNTS = {"1": Decimal("120.00"), "2": Decimal("60.00"), "4": Decimal("30.00")}


@dataclass(frozen=True, slots=True)
class ServiceData:
    """What a demand's service data say (as far as they could be read) and why they are invalid, if so."""

    root: etree._Element | None
    problem: str | None


@dataclass(frozen=True, slots=True)
class Vehicle:
    """The vehicle a tax is asked for."""

    kind: str
    plate: str

    @property
    def amount(self) -> Decimal:
        """The tax due for this kind of vehicle."""
        return VEHICLE_TAX_AMOUNTS.get(self.kind, VEHICLE_TAX_AMOUNTS["1"])


@cache
def _schema(sanp: str, xsd: str) -> tuple[etree.XMLSchema, threading.Lock]:
    """The compiled service XSD of one SANP version and the lock its shared error log needs."""
    return load_lxml_schema(service_schema_path(sanp, xsd), sanp), threading.Lock()


def read_service_data(service: Service, encoded: str, sanp: str) -> ServiceData:
    """Decode base64, parse safely and validate against the service's XSD (no network)."""
    try:
        raw = base64.b64decode("".join(encoded.split()), validate=True)
    except (binascii.Error, ValueError):
        return ServiceData(None, "datiSpecificiServizioRequest is not base64")
    try:
        root = parse(raw, max_bytes=MAX_SERVICE_DATA)
    except UnsafeXml as exc:
        return ServiceData(None, f"the service data are not readable XML: {exc}")
    schema, lock = _schema(sanp, service.xsd)
    with lock:
        valid = schema.validate(root)
        message = "" if valid else schema.error_log[0].message
    return ServiceData(root, None if valid else f"the service data break {service.xsd}.xsd: {message}")


def vehicle_of(service: Service, data: ServiceData) -> Vehicle:
    """The vehicle named by the service data; unreadable fields become "1" and "N/D"."""
    if data.root is None:
        return Vehicle("1", "N/D")
    ns = f"{{{service.namespace}}}"
    kind = (data.root.findtext(f"{ns}veicoloConTarga/{ns}tipoVeicoloTarga") or "").strip()
    plate = (data.root.findtext(f"{ns}veicoloConTarga/{ns}veicoloTarga") or "").strip()[:PLATE_LIMIT]
    return Vehicle(kind or "1", plate or "N/D")
