"""The synchronous suite: pagoconf plays the Node against the EC's station (paForNode over SOAP 1.1)."""

from __future__ import annotations

NAME = "sync"
AREAS = {"pa_for_node": "paForNode (synchronous)"}  # feature folder → the title reports give it
CONFIG_KEYS = ("station", "timeouts", "service_level", "notices", "spontaneous")
