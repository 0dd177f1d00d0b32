"""The arrows of ARCHITECTURE.md, read from the sources: the engine imports no suite, and the synchronous
suite never imports the platform suite."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "pagoconf"


def imported(path: Path) -> set[str]:
    """Every pagoconf module a source file imports (absolute imports; the project uses no relative ones)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {n for n in names if n == "pagoconf" or n.startswith("pagoconf.")}


@pytest.mark.parametrize(
    ("part", "forbidden"),
    [("engine", ("pagoconf.sync", "pagoconf.platform", "pagoconf.suites")), ("sync", ("pagoconf.platform",))],
)
def test_a_part_never_imports_what_sits_above_it(part: str, forbidden: tuple[str, ...]) -> None:
    crossing = {
        f"{path.relative_to(PACKAGE)}: {name}"
        for path in (PACKAGE / part).rglob("*.py")
        for name in imported(path)
        if name.startswith(forbidden)
    }
    assert not crossing, sorted(crossing)


def test_the_reader_sees_imports_across_the_package() -> None:
    assert "pagoconf.engine.exchange" in imported(PACKAGE / "sync" / "client.py")
