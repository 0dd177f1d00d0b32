"""Where the project's own folders are (the package is installed from a checkout, editable)."""

from __future__ import annotations

from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
FEATURES = PROJECT / "features"
REPORTS = Path("reports")
