"""The two small interfaces every mail backend implements, chosen by configuration."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class BackendError(Exception):
    """A mailbox or transport failed; the message says which server and what happened."""


class TransientSendError(BackendError):
    """The transport could not send now (server down, 4xx); the outbox keeps the mail and tries later."""


class PermanentSendError(BackendError):
    """The transport refused this mail for good (5xx); the outbox marks it failed for staff."""


def trusted_context(ca_file: str, where: str) -> ssl.SSLContext | None:
    """A TLS context trusting only the PEM bundle ``ca_file`` (an internal CA); None when empty: the system's CAs."""
    if not ca_file:
        return None
    try:
        return ssl.create_default_context(cafile=ca_file)
    except OSError as exc:  # missing, unreadable, or no certificate in it (ssl.SSLError is an OSError)
        raise BackendError(f"{where}: ca_file {ca_file}: {exc}") from None


@dataclass(frozen=True)
class InboundMail:
    """One mail as a mailbox hands it over, before parsing.

    ``key`` identifies it within the mailbox for as long as it stays there (Maildir file name,
    ``"INBOX/uidvalidity/uid"``, a Graph id). ``received_at`` is the server's arrival time (IMAP INTERNALDATE,
    Graph receivedDateTime, Maildir delivery time) when known.
    """

    key: str
    raw: bytes
    received_at: datetime | None = None


class CursorStore(Protocol):
    """Where a mailbox keeps its place (UIDVALIDITY/UID, delta token) between runs: the register."""

    def get(self, name: str) -> str | None: ...

    def set(self, name: str, value: str) -> None: ...


class Mailbox(Protocol):
    """Where mail comes in."""

    def fetch_new(self) -> Iterator[InboundMail]:
        """Mail that arrived since the saved place, oldest first; never marks anything read."""
        ...

    def commit(self, mail: InboundMail) -> None:
        """Move the saved place past ``mail`` once it is safely recorded."""
        ...

    def dispose(self, mail: InboundMail, is_request: bool) -> None:
        """Apply the configured action to request mail (leave, flag, move); other mail stays untouched."""
        ...

    def wait(self, timeout: float) -> bool:
        """Block until new mail may have arrived (IMAP IDLE) or ``timeout`` passes; True when woken by the server."""
        ...

    def close(self) -> None: ...


class Transport(Protocol):
    """How mail leaves."""

    def send(self, raw: bytes, sender: str, recipients: list[str]) -> None:
        """Deliver one RFC 5322 message; raise TransientSendError or PermanentSendError."""
        ...

    def close(self) -> None: ...
