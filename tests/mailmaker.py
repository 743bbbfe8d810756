"""Building real .eml files for tests and delivering them into a Maildir the way an MTA does."""

from __future__ import annotations

import email
import itertools
import os
import time
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from mailbot.register.models import utcnow

PASS = ("mx.itsb.nu; spf=pass smtp.mailfrom={domain}; dkim=pass header.d={domain}; "
        "dmarc=pass (p=quarantine) header.from={domain}")
FAIL = ("mx.itsb.nu; spf=fail smtp.mailfrom={domain}; dkim=none; "
        "dmarc=fail (p=reject) header.from={domain}")
_counter = itertools.count()


def make_mail(
    sender: str = "Jan de Vries <jan@example.nl>",
    subject: str = "Inzage in mijn gegevens",
    body: str = "Geachte heer/mevrouw,\n\nGraag wil ik inzage in alle persoonsgegevens die u van mij "
    "verwerkt. Stuur mij een kopie van mijn gegevens.\n\nMet vriendelijke groet,\nJan de Vries\n",
    *,
    auth: str | None = PASS,
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    msg = EmailMessage()
    domain = sender.rpartition("@")[2].rstrip(">")
    if auth is not None:
        msg["Authentication-Results"] = auth.format(domain=domain)
    msg["From"] = sender
    msg["To"] = "IT Services Best <info@itsb.nu>"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = message_id or make_msgid(domain=domain)
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    return bytes(msg)


def deliver(maildir: Path, raw: bytes, *, mtime: float | None = None) -> Path:
    """tmp/ then rename into new/, as Maildir delivery is specified."""
    for sub in ("tmp", "new", "cur"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    name = f"{time.time():.6f}.{os.getpid()}_{next(_counter)}.test"
    temp = maildir / "tmp" / name
    temp.write_bytes(raw)
    if mtime is not None:
        os.utime(temp, (mtime, mtime))
    final = maildir / "new" / name
    temp.rename(final)
    return final


def sent(folder: Path) -> list[EmailMessage]:
    """The mails the file transport wrote to ``folder``, oldest first (none when it does not exist)."""
    files = sorted(folder.glob("*.eml")) if folder.is_dir() else []
    return [email.message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
