"""The client checks: pure functions over the partner's requests (as the sandbox journaled them) and what the
institution asked for, each judging one CLIENT-* rule (or, as a scenario judges it, GPD-003)."""
