"""Binds every feature under this folder: the certification catalogue a QA person reads."""

from pytest_bdd import scenarios

scenarios(".")
