"""The platform suite: pagoconf plays GPD, ACA and Checkout for the EC's client (the asynchronous model)."""

from __future__ import annotations

NAME = "async"
AREAS = {"gpd": "GPD (asynchronous)", "aca": "ACA", "checkout": "Checkout"}  # feature folder → title
CONFIG_KEYS: tuple[str, ...] = ("sandbox", "adapter", "client")
