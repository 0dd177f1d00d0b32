"""Binds every feature of ACA (pagoconf plays ACA for the client of a synchronous institution)."""

from pytest_bdd import scenarios

scenarios(".")
