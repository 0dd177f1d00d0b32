"""The reference station: a conformant pagoPA EC station (paForNode over SOAP 1.1) with named defects."""

from __future__ import annotations

from pagoconf.reference.app import ReferenceApp
from pagoconf.reference.config import write_config
from pagoconf.reference.data import IDENTITY, Identity, IssuedNotice, seed_notices, to_pay_notices
from pagoconf.reference.defects import DEFECTS, Defect
from pagoconf.reference.server import ReferenceStation
from pagoconf.reference.store import Store, StoredReceipt

__all__ = [
    "DEFECTS",
    "IDENTITY",
    "Defect",
    "Identity",
    "IssuedNotice",
    "ReferenceApp",
    "ReferenceStation",
    "Store",
    "StoredReceipt",
    "seed_notices",
    "to_pay_notices",
    "write_config",
]
