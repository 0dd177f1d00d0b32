"""What the reference client remembers between requests, as an institution's system does: the notices of the
positions it created (notice number → organization, IUPD, IUV), in a small JSON file (`--state FILE`)."""

from __future__ import annotations

import json
import os

TYPE_CHECKING = False  # see reference.py
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any


class ClientState:
    """The client's memory; nothing is kept when it has no file."""

    def __init__(self, path: str | None) -> None:
        self.path = path or None
        self.notices: dict[str, dict[str, str]] = {}
        if self.path is not None and os.path.exists(self.path):
            with open(self.path, encoding="utf-8") as f:
                self.notices = json.load(f).get("notices", {})

    def remember(self, organization: str, iupd: str, options: Iterable[Mapping[str, Any]]) -> None:
        """The notices of a position the platform now holds."""
        for option in options:
            iuv = str(option.get("iuv", ""))
            nav = str(option.get("nav") or "3" + iuv)
            self.notices[nav] = {"organization": organization, "iupd": iupd, "iuv": iuv}

    def forget(self, organization: str, iupd: str) -> None:
        """The notices of a deleted position."""
        self.notices = {
            nav: n
            for nav, n in self.notices.items()
            if not (n["organization"] == organization and n["iupd"] == iupd)
        }

    def notice(self, notice_number: str) -> dict[str, str] | None:
        """What is known of a notice."""
        return self.notices.get(notice_number)

    def save(self) -> None:
        """Write the memory back (atomically)."""
        if self.path is None:
            return
        temporary = self.path + ".tmp"
        with open(temporary, "w", encoding="utf-8") as f:
            json.dump({"notices": self.notices}, f)
        os.replace(temporary, self.path)
