"""The platform suite's pytest plugin (pagoconf plays GPD, ACA and Checkout): its suite registration."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from pagoconf.engine import plugin as engine
from pagoconf.engine.config import ConfigError, RunConfig
from pagoconf.engine.suite import SuiteSession
from pagoconf.platform import AREAS, CONFIG_KEYS, NAME


class PlatformSuite:
    """pagoconf plays the platform for the EC's GPD, ACA and Checkout client."""

    name: str = NAME
    areas: Mapping[str, str] = AREAS
    config_keys: tuple[str, ...] = CONFIG_KEYS

    def open(self, config: pytest.Config, run_config: RunConfig) -> SuiteSession:
        raise ConfigError(
            "the asynchronous suite (GPD, ACA, Checkout client) is not available in this version"
        )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    engine.register(config, PlatformSuite())
