"""The rule catalogue: requirements as data, with stable ids."""

from __future__ import annotations

from .catalogue import SEVERITIES, Rule, catalogue, rule, spec_url

__all__ = ["SEVERITIES", "Rule", "catalogue", "rule", "spec_url"]
