"""Registers pagoconf's pytest plugins: the engine, each suite, and every step module (pytest-bdd finds
shared steps only through pytest_plugins)."""

from pagoconf import resources, suites

pytest_plugins = ["pagoconf.engine.plugin", *suites.plugins(), *resources.step_modules()]
