"""Path templates as the router reads them: OpenAPI allows `{broker-code}`, Starlette routes only parameter
names that are identifiers, so hyphens travel as underscores and come back under the declared name."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pagoconf.platform.sandbox.contract import OperationSpec

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_-]*)\}")


def route_path(path: str) -> str:
    """A path template Starlette can route: `{broker-code}` spelled `{broker_code}`."""
    return PLACEHOLDER.sub(lambda m: "{" + m.group(1).replace("-", "_") + "}", path)


def declared_params(params: Mapping[str, Any], op: OperationSpec | None) -> dict[str, str]:
    """Path parameters under the names the operation declares (`broker-code`, not `broker_code`)."""
    declared = op.parameters if op is not None else ()
    names = {p.name.replace("-", "_"): p.name for p in declared if p.location == "path"}
    return {names.get(k, k): str(v) for k, v in params.items()}
