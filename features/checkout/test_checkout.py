"""Binds every feature of Checkout (pagoconf plays Checkout for the institution's front end)."""

from pytest_bdd import scenarios

scenarios(".")
