"""The GPD sandbox: pagoconf plays the pagoPA platform (GPD debt positions, GPD receipts) for a partner's
client, with the contract's validation, the platform's rules and state machine, real state and a journal."""

from __future__ import annotations

from typing import Any

__all__ = ["Sandbox"]


def __getattr__(name: str) -> Any:
    """`Sandbox`, imported on first use (the command line's other commands need none of it)."""
    if name == "Sandbox":
        from pagoconf.platform.sandbox.server import Sandbox

        return Sandbox
    raise AttributeError(name)
