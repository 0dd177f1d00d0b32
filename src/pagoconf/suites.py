"""The suites of pagoconf, by name: what the command line and the conformance run choose between.

`sync`: pagoconf plays the Node against the EC's station (paForNode). `async`: pagoconf plays the platform
(GPD, ACA, Checkout) for the EC's client. Each is a package with a `rules.toml` and a pytest plugin."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

SUITES = ("sync", "async")
_PACKAGES = {"sync": "pagoconf.sync", "async": "pagoconf.platform"}


def package(name: str) -> ModuleType:
    """The package of a suite (its __init__ names its feature folders and config tables)."""
    return import_module(_PACKAGES[name])


def plugins() -> list[str]:
    """The pytest plugin modules of every suite."""
    return [f"{_PACKAGES[name]}.plugin" for name in SUITES]


def areas(names: tuple[str, ...] = SUITES) -> list[str]:
    """The feature folders of the chosen suites."""
    return [area for name in names for area in package(name).AREAS]


def config_keys() -> tuple[str, ...]:
    """Every top-level table of pagoconf.toml a suite reads."""
    return tuple(key for name in SUITES for key in package(name).CONFIG_KEYS)
