"""Binds every feature of the synchronous suite (pagoconf plays the Node against the station)."""

from pytest_bdd import scenarios

scenarios(".")
