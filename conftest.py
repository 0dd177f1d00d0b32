"""Registers the pagoconf plugin and the shared step modules (pytest-bdd finds steps only this way)."""

pytest_plugins = [
    "pagoconf.plugin",
    "steps.notices",
    "steps.stations",
    "steps.receipts",
    "steps.services",
    "steps.generated_requests",
    "steps.hostile_requests",
]
