"""Official pagoPA contract files (WSDL/XSD/OpenAPI): pinned manifests, resolution and fetch."""

from __future__ import annotations

from pagoconf.engine.contracts.fetch import fetch
from pagoconf.engine.contracts.manifest import (
    DEFAULT_SANP,
    SUPPORTED_SANP,
    ContractError,
    ContractFile,
    Manifest,
    load_manifest,
)
from pagoconf.engine.contracts.resolve import (
    FileStatus,
    RootReport,
    VerifyReport,
    candidate_roots,
    contract_path,
    resolve_root,
    verify,
)

__all__ = [
    "DEFAULT_SANP",
    "SUPPORTED_SANP",
    "ContractError",
    "ContractFile",
    "FileStatus",
    "Manifest",
    "RootReport",
    "VerifyReport",
    "candidate_roots",
    "contract_path",
    "fetch",
    "load_manifest",
    "resolve_root",
    "verify",
]
