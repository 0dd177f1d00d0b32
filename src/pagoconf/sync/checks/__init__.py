"""The synchronous suite's checks: always-on rules registered by id, and the scenario expectations."""

from __future__ import annotations

from pagoconf.sync.checks import activate, demand, faults, schema, transport, verify  # noqa: F401  (registration)
from pagoconf.sync.checks.registry import CHECKS, check, has_response, judge, unchecked_always_rules

__all__ = ["CHECKS", "check", "has_response", "judge", "unchecked_always_rules"]
