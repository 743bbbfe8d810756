"""The embedded transport: each outgoing mail becomes one .eml file in a folder."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

from mailbot.backends.base import TransientSendError


class FileTransport:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def send(self, raw: bytes, sender: str, recipients: list[str]) -> None:
        """Write atomically (temp file, then rename) so a half-written mail never appears."""
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
            match = re.search(rb"^Message-ID:\s*<([^>]+)>", raw, re.MULTILINE | re.IGNORECASE)
            name = re.sub(r"[^A-Za-z0-9.@_-]", "_", match.group(1).decode("ascii", "replace")) if match else "mail"
            final = self.path / f"{stamp}-{name}.eml"
            temp = self.path / f".{final.name}.tmp"
            temp.write_bytes(raw)
            os.replace(temp, final)
        except OSError as exc:
            raise TransientSendError(f"outgoing.path {self.path}: {exc}") from exc

    def close(self) -> None:
        """Nothing to release."""
