"""Loading what existed before mailbot: the customer list and a register of requests kept by hand."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session

from mailbot import deadlines
from mailbot.config import REQUEST_TYPES, Settings
from mailbot.register import store
from mailbot.register.models import Customer, InboundRecord, Request

EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
REF = re.compile(r"^([A-Z][A-Z0-9]{0,9})-(\d{4})-(\d{1,6})$")


class ImportError_(Exception):
    """A row or column the import cannot take; the message names the file and line."""


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged"


def _rows(path: Path, required: tuple[str, ...], delimiters: str = ",") -> Iterator[tuple[int, dict[str, str]]]:
    """Data rows with lower-cased column names; rows of empty cells (as spreadsheets save them) are skipped.

    ``delimiters``: the separators the file may use; the header row's first match wins, so a Dutch Excel
    export with ``;`` loads as well as a comma-separated one.
    """
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise ImportError_(f"{path}: cannot read: {exc.strerror}") from None
    with handle:
        try:
            first = handle.readline()
        except UnicodeDecodeError as exc:
            raise ImportError_(f"{path}: line 1: {exc}") from None
        handle.seek(0)
        delimiter = next((d for d in delimiters if d in first), delimiters[0])
        reader = csv.DictReader(handle, delimiter=delimiter)
        header = [h.strip().lower() for h in reader.fieldnames or []]
        missing = [c for c in required if c not in header]
        if missing:
            raise ImportError_(f"{path}: missing column(s) {', '.join(missing)} in the header row")
        reader.fieldnames = header
        try:
            for row in reader:
                values = {k: (v or "").strip() for k, v in row.items() if k is not None}
                if any(values.values()):
                    yield reader.line_num, values
        except (csv.Error, UnicodeDecodeError) as exc:
            raise ImportError_(f"{path}: line {reader.line_num}: {exc}") from None


def import_customers(session: Session, path: Path) -> ImportReport:
    """Idempotent: the address (lower-cased) is the key; a second run with the same file changes nothing."""
    report = ImportReport()
    for line, row in _rows(path, ("email", "name", "customer_id"), delimiters=",;\t"):
        email = row.pop("email").lower()
        if not EMAIL.match(email):
            raise ImportError_(f"{path}: line {line}: not an email address: {email!r}")
        name, customer_id = row.pop("name"), row.pop("customer_id")
        extra = {k: v for k, v in row.items() if v}
        customer = store.find_customer(session, email)
        if customer is None:
            session.add(Customer(email=email, name=name, customer_id=customer_id, extra=extra))
            session.flush()
            report.added += 1
        elif (customer.name, customer.customer_id, customer.extra) != (name, customer_id, extra):
            customer.name, customer.customer_id, customer.extra = name, customer_id, extra
            session.add(customer)
            report.updated += 1
        else:
            report.unchanged += 1
    return report


def _when(value: str, settings: Settings) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not an ISO date: {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=settings.company.tz)
    return parsed.astimezone(UTC)


def import_requests(session: Session, settings: Settings, path: Path) -> ImportReport:
    """Load a hand-kept register; numbering continues after the highest imported number of each year."""
    report = ImportReport()
    highest: dict[tuple[str, int], int] = {}
    salt = store.salt(session)
    for line, row in _rows(path, ("ref", "requester_email", "types", "received_at", "status")):
        where = f"{path}: line {line}"
        ref = row["ref"].upper()
        match = REF.match(ref)
        if not match:
            raise ImportError_(f"{where}: reference {row['ref']!r} is not like AVG-2026-0007")
        prefix, year, number = match.group(1), int(match.group(2)), int(match.group(3))
        types = [t.strip().lower() for t in row["types"].split(";") if t.strip()]
        unknown = [t for t in types if t not in REQUEST_TYPES]
        if unknown or not types:
            raise ImportError_(f"{where}: types must be among {', '.join(REQUEST_TYPES)} (got {row['types']!r})")
        status = row["status"].lower()
        if status not in store.STATUSES:
            raise ImportError_(f"{where}: status must be one of {', '.join(store.STATUSES)}")
        email = row["requester_email"].lower()
        if email and not EMAIL.match(email):
            raise ImportError_(f"{where}: not an email address: {email!r}")
        try:
            received = _when(row["received_at"], settings)
        except ValueError as exc:
            raise ImportError_(f"{where}: received_at: {exc}") from None
        highest[(prefix, year)] = max(highest.get((prefix, year), 0), number)
        ref = f"{prefix}-{year}-{number:04d}"
        if store.request_by_ref(session, ref) is not None:
            report.unchanged += 1
            continue
        customer = store.find_customer(session, email)
        request = Request(
            ref=ref, year=year, number=number, status=status, types=types,
            language=row.get("language", "").lower() or settings.company.language, requester_email=email,
            requester_name=row.get("requester_name", ""), requester_hash=store.address_hash(email, salt),
            customer_pk=customer.id if customer else None, sender_verified=False, identity="imported",
            received_at=received,
            due_at=deadlines.due_at(received, settings.company.tz, settings.company.response_days),
        )
        session.add(request)
        session.flush()
        for message_id in (m.strip() for m in row.get("message_ids", "").split(";")):
            if not message_id:
                continue
            message_id = message_id if message_id.startswith("<") else f"<{message_id}>"
            if store.seen(session, message_id) is None:
                session.add(InboundRecord(message_id=message_id, outcome="imported", request_id=request.id,
                                          from_addr=email, reason=f"imported with {ref}", received_at=received))
        store.add_event(session, request, "import", "imported", f"from {path.name}, line {line}")
        report.added += 1
    for (prefix, year), number in highest.items():
        store.raise_counter(session, prefix, year, number)
    return report
