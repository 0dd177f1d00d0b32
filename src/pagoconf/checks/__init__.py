"""Checks: pure functions from an Answer to violations, registered by rule id."""

from __future__ import annotations

from . import activate, demand, faults, schema, transport, verify  # noqa: F401  (registration)
from .answer import Answer, Violation, where
from .registry import CHECKS, Judgement, judge, unchecked_always_rules

__all__ = ["CHECKS", "Answer", "Judgement", "Violation", "judge", "unchecked_always_rules", "where"]
