"""The reference station: a conformant EC station (paForNode over SOAP 1.1) and its named defects."""

from __future__ import annotations

from pagoconf.sync.reference.config import render_config, write_config
from pagoconf.sync.reference.data import IDENTITY, IssuedNotice, seed_notices, to_pay_notices
from pagoconf.sync.reference.defects import DEFECTS, Defect, station_class
from pagoconf.sync.reference.model import StationModel
from pagoconf.sync.reference.server import ReferenceStation
from pagoconf.sync.reference.store import Store, StoredReceipt

__all__ = [
    "DEFECTS",
    "IDENTITY",
    "Defect",
    "IssuedNotice",
    "ReferenceStation",
    "StationModel",
    "Store",
    "StoredReceipt",
    "render_config",
    "seed_notices",
    "station_class",
    "to_pay_notices",
    "write_config",
]
