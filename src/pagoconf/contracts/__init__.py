"""Official pagoPA contract files (WSDL/XSD/OpenAPI): pinned manifests, resolution, fetch, schemas."""

from __future__ import annotations

from pagoconf.contracts.fetch import fetch
from pagoconf.contracts.manifest import (
    DEFAULT_SANP,
    SUPPORTED_SANP,
    ContractError,
    ContractFile,
    Manifest,
    load_manifest,
)
from pagoconf.contracts.resolve import (
    FileStatus,
    RootReport,
    VerifyReport,
    candidate_roots,
    contract_path,
    resolve_root,
    verify,
)
from pagoconf.contracts.schemas import (
    PA_FOR_NODE_NS,
    PaForNodeSchema,
    pa_for_node_schema,
    service_schema_path,
)

__all__ = [
    "DEFAULT_SANP",
    "PA_FOR_NODE_NS",
    "SUPPORTED_SANP",
    "ContractError",
    "ContractFile",
    "FileStatus",
    "Manifest",
    "PaForNodeSchema",
    "RootReport",
    "VerifyReport",
    "candidate_roots",
    "contract_path",
    "fetch",
    "load_manifest",
    "pa_for_node_schema",
    "resolve_root",
    "service_schema_path",
    "verify",
]
