"""Build the labelled .eml corpus from the hand-written mails in tests/corpus/src/*.txt.

Each source entry is::

    ### <id> | <types ;-separated, or -> | <language> | <flags ,-separated>
    Subject: ...
    From: Name <address>            (optional; a made-up sender otherwise)
    <body, written as the sender wrote it, quoted lines and signature included>

Flags: ``html`` (an HTML-only phone mail), ``machine`` (machine mail), ``authority``, ``withdrawal``,
``raw`` (the body is a complete mail with its own headers, for machine mail with real-looking headers).
Headers that vary (Date, Message-ID, mailer) are derived from the id, so a rebuild gives the same bytes.
Run: ``python tests/corpus/build.py`` — writes tests/corpus/mails/*.eml and tests/corpus/labels.csv.
Other corpora in the same format call ``build(their_folder)`` (tests/corpus_fresh/build.py).
"""

from __future__ import annotations

import csv
import hashlib
import html
import re
from datetime import UTC, datetime, timedelta
from email.header import Header
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADER = re.compile(r"^### (\S+) \| ([^|]*) \| (\w+) \|?(.*)$")
FIRST = ["Jan", "Sanne", "Pieter", "Fatima", "Kees", "Mohamed", "Lisa", "Daan", "Emma", "Thomas", "Anna", "Lukas",
         "Sophie", "Mark", "Julia", "Hans", "Claire", "Ahmet", "Ingrid", "Bram", "Noor", "Oliver", "Marie", "Tim"]
LAST = ["de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "el Amrani", "Müller", "Schmidt", "Brown",
        "Wilson", "Dubois", "Yilmaz", "van Dijk", "Mulder", "de Boer", "Peters", "Hendriks", "Schneider", "Martin"]
DOMAINS = ["gmail.com", "hotmail.com", "outlook.com", "ziggo.nl", "kpnmail.nl", "live.nl", "gmx.de", "web.de",
           "yahoo.com", "icloud.com", "planet.nl", "t-online.de", "orange.fr", "protonmail.com"]
MAILERS = ["iPhone Mail (20A362)", "Microsoft Outlook 16.0", None, "Android Gmail", None, "Thunderbird 115.3.1"]


def _pick(seq: list, key: str, salt: str) -> object:
    digest = hashlib.sha256(f"{salt}:{key}".encode()).digest()
    return seq[int.from_bytes(digest[:4], "big") % len(seq)]


def _sender(key: str) -> tuple[str, str]:
    first, last = str(_pick(FIRST, key, "f")), str(_pick(LAST, key, "l"))
    local = re.sub(r"[^a-z.]", "", f"{first}.{last}".lower().replace(" ", ""))
    return f"{first} {last}", f"{local}@{_pick(DOMAINS, key, 'd')}"


def _html(body: str) -> str:
    blocks = []
    for line in body.split("\n"):
        blocks.append(f"<div>{html.escape(line) or '<br>'}</div>")
    return ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>'
            '<body dir="auto">' + "\n".join(blocks) + "</body></html>")


def build_mail(key: str, subject: str, sender: tuple[str, str] | None, body: str, is_html: bool) -> bytes:
    name, address = sender or _sender(key)
    seed = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16)
    date = datetime(2026, 3, 2, 8, 0, tzinfo=UTC) + timedelta(minutes=seed % (60 * 24 * 90))
    part = MIMEText(_html(body) if is_html else body, "html" if is_html else "plain", "utf-8")
    part["From"] = formataddr((str(Header(name, "utf-8")), address)) if name else address
    part["To"] = "info@itsb.nu"
    part["Subject"] = Header(subject, "utf-8").encode() if not subject.isascii() else subject
    part["Date"] = format_datetime(date)
    part["Message-ID"] = f"<{seed:x}.{key}@{address.split('@')[1]}>"
    mailer = _pick(MAILERS, key, "m")
    if mailer:
        part["X-Mailer"] = str(mailer)
    part["Authentication-Results"] = (f"mx.itsb.nu; spf=pass smtp.mailfrom={address.split('@')[1]}; "
                                      f"dkim=pass header.d={address.split('@')[1]}; dmarc=pass")
    return part.as_bytes()


def entries(source: Path) -> list[tuple[str, str, str, list[str], str]]:
    """(id, types, language, flags, text) for each entry of one source file."""
    found = []
    current: list[str] | None = None
    head: re.Match[str] | None = None
    for line in source.read_text(encoding="utf-8").splitlines():
        match = HEADER.match(line)
        if match:
            if head and current is not None:
                found.append(_entry(head, current))
            head, current = match, []
        elif current is not None:
            current.append(line)
    if head and current is not None:
        found.append(_entry(head, current))
    return found


def _entry(head: re.Match[str], lines: list[str]) -> tuple[str, str, str, list[str], str]:
    flags = [f.strip() for f in head.group(4).split(",") if f.strip()]
    return head.group(1), head.group(2).strip(), head.group(3), flags, "\n".join(lines).strip("\n") + "\n"


def build(here: Path) -> int:
    """Write ``here/mails/*.eml`` and ``here/labels.csv`` from ``here/src/*.txt``; the number of mails."""
    out = here / "mails"
    out.mkdir(exist_ok=True)
    for old in out.glob("*.eml"):
        old.unlink()
    rows = []
    for index, (key, types, language, flags, text) in enumerate(
        e for source in sorted((here / "src").glob("*.txt")) for e in entries(source)
    ):
        if "raw" in flags:
            raw = text.replace("\n", "\r\n").encode("utf-8")
        else:
            subject_line, _, rest = text.partition("\n")
            assert subject_line.startswith("Subject:"), key
            sender = None
            if rest.startswith("From:"):
                from_line, _, rest = rest.partition("\n")
                match = re.match(r"From:\s*(.*?)\s*<([^>]+)>", from_line)
                assert match, key
                sender = (match.group(1), match.group(2))
            raw = build_mail(key, subject_line[8:].strip(), sender, rest.lstrip("\n"), "html" in flags)
        (out / f"{key}.eml").write_bytes(raw)
        request_types = "" if types == "-" else types
        rows.append({
            "file": f"mails/{key}.eml",
            "is_request": "true" if request_types else "false",
            "types": request_types,
            "language": language,
            "authority": str("authority" in flags).lower(),
            "withdrawal": str("withdrawal" in flags).lower(),
            "machine": str("machine" in flags).lower(),
            "split": "check" if index % 5 == 4 else "dev",
        })
    with (here / "labels.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def main() -> None:
    print(f"{build(HERE)} mails written to {HERE / 'mails'}")


if __name__ == "__main__":
    main()
