"""The embedded mailbox: a Maildir folder, read without moving or flagging anything."""

from __future__ import annotations

import mailbox
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from mailbot.backends.base import BackendError, InboundMail
from mailbot.config import MailboxSettings


class MaildirMailbox:
    """Mail in ``new/`` and ``cur/``, oldest delivery first.

    Maildir has no UIDs, so the place kept is the set of file keys the register already holds (``known_keys``);
    a key never comes twice. Files stay where they are, so a mail client still shows them unread.
    """

    def __init__(self, settings: MailboxSettings, known_keys: Callable[[], Iterable[str]]) -> None:
        self.path = Path(settings.path)
        self.poll_seconds = settings.poll_seconds
        for sub in ("new", "cur", "tmp"):
            (self.path / sub).mkdir(parents=True, exist_ok=True)
        try:
            self._box = mailbox.Maildir(self.path, create=False)
        except OSError as exc:
            raise BackendError(f"mailbox.path {self.path}: not a Maildir: {exc}") from None
        self._done = {key.removeprefix("maildir/") for key in known_keys() if key.startswith("maildir/")}

    def fetch_new(self) -> Iterator[InboundMail]:
        entries = []
        for sub in ("new", "cur"):
            for file in (self.path / sub).iterdir():
                if file.name.startswith("."):
                    continue
                key = file.name.split(":2,")[0]
                if key in self._done:
                    continue
                try:
                    entries.append((file.stat().st_mtime, key, file))
                except FileNotFoundError:
                    continue
        for mtime, key, file in sorted(entries):
            try:
                raw = file.read_bytes()
            except FileNotFoundError:
                continue  # moved by a mail client meanwhile; seen again under its new name
            yield InboundMail(key=f"maildir/{key}", raw=raw, received_at=datetime.fromtimestamp(mtime, UTC))

    def commit(self, mail: InboundMail) -> None:
        self._done.add(mail.key.removeprefix("maildir/"))

    def dispose(self, mail: InboundMail, is_request: bool) -> None:
        """The embedded mailbox always leaves mail in place."""

    def wait(self, timeout: float) -> bool:
        time.sleep(min(timeout, self.poll_seconds))
        return False

    def close(self) -> None:
        """Nothing to release."""
