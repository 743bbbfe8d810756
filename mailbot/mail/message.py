"""The inbound mail as the pure parts of mailbot see it: decoded, split, and frozen."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class AuthResults:
    """The verdicts of the receiving server's own, topmost Authentication-Results header.

    Each value is the method's result word as the server wrote it (``"pass"``, ``"fail"``, ``"none"``,
    ``"softfail"``...), or ``None`` when the header did not mention the method. ``compauth`` is Exchange
    Online's composite verdict. ``raw`` keeps the header text for the desk.
    """

    dmarc: str | None = None
    compauth: str | None = None
    spf: str | None = None
    dkim: str | None = None
    raw: str | None = None


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class Message:
    """One parsed mail.

    Addresses are lower-cased bare addresses (``"jan@example.nl"``); Message-IDs keep their angle brackets
    (``"<abc@example.nl>"``). ``text`` is the sender's own words only; ``quoted`` the earlier mail they quoted
    or forwarded; ``signature`` the sign-off and disclaimer split from the end of ``text``.
    """

    message_id: str
    from_addr: str
    from_name: str = ""
    subject: str = ""
    text: str = ""
    quoted: str = ""
    signature: str = ""
    html: str | None = None
    date: datetime | None = None
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    reply_to: tuple[str, ...] = ()
    in_reply_to: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    return_path: str | None = None
    content_type: str = "text/plain"
    headers: tuple[tuple[str, str], ...] = ()
    attachments: tuple[Attachment, ...] = ()
    auth: AuthResults = field(default_factory=AuthResults)
    message_id_derived: bool = False
    defects: tuple[str, ...] = ()
    raw: bytes = b""

    def header(self, name: str) -> str | None:
        """First value of a header, compared without regard to case."""
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None

    def header_all(self, name: str) -> list[str]:
        wanted = name.lower()
        return [value for key, value in self.headers if key.lower() == wanted]

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """Every Message-ID this mail says it follows up on."""
        return self.in_reply_to + tuple(r for r in self.references if r not in self.in_reply_to)
