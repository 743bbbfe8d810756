"""The machine-readable copy for access and portability: what the register holds about the requester.

The policy promises "een kopie van alle gegevens met een overzicht van de verwerkers die deze gegevens onder
zich hebben, onder vermelding van de categorie": so the copy lists the register's own records and, from
configuration, every processor with its purpose and the categories of data it holds. JSON for machines, CSV
(one value a row) for spreadsheets; both carry the same facts.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, select

from mailbot.config import Settings
from mailbot.register import store
from mailbot.register.models import Customer, InboundRecord, Reply, Request, utcnow


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _customer_of(session: Session, request: Request) -> Customer | None:
    if request.customer_pk is not None:
        return session.get(Customer, request.customer_pk)
    return store.find_customer(session, request.requester_email)


def copy(session: Session, settings: Settings, request: Request, now: datetime) -> dict[str, Any]:
    """Everything about the requester: customer record, requests, mails and replies, and the processors."""
    customer = _customer_of(session, request)
    address = request.requester_email.strip().lower()
    who = [Request.requester_email == address]
    if customer is not None:
        who.append(Request.customer_pk == customer.id)
    requests = session.exec(select(Request).where(or_(*who)).order_by(Request.received_at)).all()
    ids = [r.id for r in requests]
    mails = session.exec(select(InboundRecord).where(
        or_(InboundRecord.request_id.in_(ids), InboundRecord.from_addr == address)
    ).order_by(InboundRecord.received_at)).all()
    replies = session.exec(select(Reply).where(
        Reply.request_id.in_(ids), Reply.status == "sent").order_by(Reply.sent_at)).all()
    company = settings.company
    return {
        "controller": {"name": company.name, "address": company.address, "email": company.email,
                       "privacy_contact": company.privacy_contact},
        "request": request.ref,
        "created_at": now.isoformat(),
        "customer": None if customer is None else {
            "email": customer.email, "name": customer.name, "customer_id": customer.customer_id,
            **{f"extra.{k}": v for k, v in sorted(customer.extra.items())},
            "processing_stopped": customer.processing_stopped,
            "processing_stopped_reason": customer.processing_stopped_reason,
            "created_at": _iso(customer.created_at),
        },
        "requests": [{"ref": r.ref, "types": list(r.types), "status": r.status, "email": r.requester_email,
                      "name": r.requester_name, "received_at": _iso(r.received_at), "due_at": _iso(r.due_at),
                      "closed_at": _iso(r.closed_at)} for r in requests],
        "mails": [{"message_id": m.message_id, "from": m.from_addr, "subject": m.subject,
                   "received_at": _iso(m.received_at)} for m in mails],
        "replies": [{"kind": r.kind, "to": r.to_addr, "subject": r.subject, "sent_at": _iso(r.sent_at)}
                    for r in replies],
        "processors": [{"name": p.name, "purpose": p.purpose, "categories": list(p.categories)}
                       for p in settings.processors],
    }


def _rows(data: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """Flatten to (section, field, value): one fact a row, lists joined by '; '."""
    for key in ("controller", "customer"):
        for name, value in (data[key] or {}).items():
            yield key, name, "" if value is None else str(value)
    for section in ("requests", "mails", "replies", "processors"):
        for index, item in enumerate(data[section], 1):
            for name, value in item.items():
                text = "; ".join(value) if isinstance(value, list) else "" if value is None else str(value)
                yield f"{section}[{index}]", name, text


def to_csv(data: dict[str, Any]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("section", "field", "value"))
    writer.writerows(_rows(data))
    return out.getvalue().encode("utf-8-sig")


def files(session: Session, settings: Settings, request: Request, now: datetime | None = None) -> list[
        tuple[str, str, bytes]]:
    """The copy as (filename, content type, bytes) attachments: JSON and CSV."""
    data = copy(session, settings, request, now or utcnow())
    stem = f"gegevens-{request.ref}"
    return [
        (f"{stem}.json", "application/json", json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")),
        (f"{stem}.csv", "text/csv", to_csv(data)),
    ]
