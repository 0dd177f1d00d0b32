"""Where pagoconf's own files are: inside the installed wheel, or at the top of a source checkout.

The features, the step modules, `conftest.py` and the contract manifests live at the top of the checkout,
where the project's users look for them; the wheel carries them inside the package (see pyproject.toml).
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
_INSTALLED = (PACKAGE / "features").is_dir()
ROOT = PACKAGE if _INSTALLED else PACKAGE.parents[1]
"""The folder holding features/, steps/, conftest.py and contracts/ (the rootdir of a conformance run)."""

FEATURES = ROOT / "features"
MANIFESTS = ROOT / "contracts"
STEPS_PACKAGE = "pagoconf.steps" if _INSTALLED else "steps"
"""The import name of the step modules (`steps.sync.notices` in a checkout)."""


def checkout() -> Path | None:
    """The source checkout pagoconf runs from, or None when it is installed from a wheel."""
    return None if _INSTALLED else ROOT


def data_dir() -> Path:
    """Where pagoconf keeps downloaded files: `contracts/` in a checkout, else $XDG_DATA_HOME/pagoconf."""
    if not _INSTALLED:
        return ROOT / "contracts"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "pagoconf"


def step_modules() -> list[str]:
    """The import names of every step module (steps/<suite>/<noun>.py)."""
    found = sorted((ROOT / "steps").glob("*/*.py"))
    return [f"{STEPS_PACKAGE}.{p.parent.name}.{p.stem}" for p in found if p.stem != "__init__"]
