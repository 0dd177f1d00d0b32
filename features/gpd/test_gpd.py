"""Binds every feature of GPD (pagoconf plays GPD for the partner's client of the asynchronous model)."""

from pytest_bdd import scenarios

scenarios(".")
