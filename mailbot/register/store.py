"""Queries on the register. Functions take the caller's Session so one mail is one transaction."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any

from sqlalchemy import case, func, or_, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from mailbot.register.models import Counter, Customer, Event, InboundRecord, Quarantine, Reply, Request, State

OPEN_STATUSES = ("awaiting_identity", "pending_approval", "flagged")
STATUSES = (*OPEN_STATUSES, "completed", "rejected", "withdrawn", "discarded")


def next_reference(session: Session, prefix: str, year: int) -> tuple[str, int]:
    """Allocate the next number in one atomic upsert, so concurrent writers never share or reuse one.

    A number is unique within its year whatever the prefix, so numbering continues after the year's highest
    request also when that one came with another prefix (a hand-kept register imported, the prefix changed).
    """
    name = f"{prefix}-{year}"
    highest = session.exec(select(func.max(Request.number)).where(Request.year == year)).one() or 0
    statement = (
        _insert(session)(Counter)
        .values(name=name, value=highest + 1)
        .on_conflict_do_update(index_elements=["name"], set_={
            "value": case((Counter.value + 1 > highest, Counter.value + 1), else_=highest + 1)})
        .returning(Counter.value)
    )
    number = int(session.execute(statement).scalar_one())
    return f"{prefix}-{year}-{number:04d}", number


def raise_counter(session: Session, prefix: str, year: int, at_least: int) -> None:
    """After an import, continue numbering past the highest imported reference."""
    name = f"{prefix}-{year}"
    counter = session.get(Counter, name)
    if counter is None:
        session.add(Counter(name=name, value=at_least))
    elif counter.value < at_least:
        counter.value = at_least
        session.add(counter)


def address_hash(address: str, salt: str) -> str:
    """Salted hash of an address: links a later request to an anonymised one without keeping the address."""
    return hashlib.sha256(f"{salt}:{address.strip().lower()}".encode()).hexdigest()


def salt(session: Session) -> str:
    """The register's own secret salt for address hashes, made once (also under concurrent first starts)."""
    session.execute(
        _insert(session)(State).values(name="address-salt", value=secrets.token_hex(16)).on_conflict_do_nothing()
    )
    return session.exec(select(State.value).where(State.name == "address-salt")).one()


def find_customer(session: Session, email: str) -> Customer | None:
    if not email:
        return None
    return session.exec(select(Customer).where(Customer.email == email.strip().lower())).first()


def add_event(session: Session, request: Request | None, actor: str, action: str, detail: str = "") -> Event:
    event = Event(request_id=request.id if request else None, actor=actor, action=action, detail=detail)
    session.add(event)
    return event


def claim(session: Session, message_id: str) -> None:
    """On PostgreSQL, hold a transaction-scoped advisory lock on this Message-ID, so a second instance waits for
    the first to commit and then sees the mail as handled. SQLite has one writer and needs nothing.
    The lock is on the lower-cased id, as ``seen`` compares without regard to case."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:mid, 7306641))"),
                        {"mid": message_id.lower()})


def seen(session: Session, message_id: str, from_addr: str | None = None) -> InboundRecord | None:
    """The record of this Message-ID, also when a gateway or client changed its case on the way.

    The exact id is looked up through its index; the case-blind comparison only among the sender's own mails
    (``from_addr``), which keeps it to a handful of rows instead of the whole register.
    """
    exact = session.exec(select(InboundRecord).where(InboundRecord.message_id == message_id)).first()
    if exact is not None or from_addr is None:
        return exact
    return session.exec(select(InboundRecord).where(
        InboundRecord.from_addr == from_addr, func.lower(InboundRecord.message_id) == message_id.lower()
    )).first()


def request_by_ref(session: Session, ref: str) -> Request | None:
    return session.exec(select(Request).where(Request.ref == ref.strip().upper())).first()


def request_by_thread(session: Session, ids: Iterable[str]) -> Request | None:
    """The request a mail follows up on, through any of its mails' or replies' Message-IDs."""
    wanted = [i for i in ids if i]
    if not wanted:
        return None
    inbound = session.exec(
        select(InboundRecord.request_id).where(
            InboundRecord.message_id.in_(wanted), InboundRecord.request_id.is_not(None)
        )
    ).first()
    if inbound is not None:
        return session.get(Request, inbound)
    reply = session.exec(
        select(Reply.request_id).where(Reply.message_id.in_(wanted), Reply.request_id.is_not(None))
    ).first()
    return session.get(Request, reply) if reply is not None else None


def earlier_same_text(session: Session, from_addr: str, body_digest: str, since: datetime) -> Request | None:
    """A re-sent copy of an earlier request's text by the same sender, within the window."""
    row = session.exec(
        select(InboundRecord.request_id)
        .where(
            InboundRecord.from_addr == from_addr,
            InboundRecord.body_digest == body_digest,
            InboundRecord.request_id.is_not(None),
            InboundRecord.received_at >= since,
        )
        .order_by(InboundRecord.received_at)
    ).first()
    return session.get(Request, row) if row is not None else None


def latest_open_request_of(session: Session, address: str) -> Request | None:
    """A withdrawal without thread headers or reference applies to the sender's newest open request."""
    return session.exec(
        select(Request)
        .where(Request.requester_email == address, Request.status.in_(OPEN_STATUSES))
        .order_by(Request.received_at.desc())
    ).first()


def list_requests(session: Session, status: str | None = None, search: str | None = None) -> Sequence[Request]:
    query = select(Request)
    if status:
        query = query.where(Request.status == status)
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(Request.ref).like(pattern),
                func.lower(Request.requester_email).like(pattern),
                func.lower(Request.requester_name).like(pattern),
            )
        )
    return session.exec(query.order_by(Request.due_at, Request.id)).all()


def mails_of(session: Session, request: Request) -> Sequence[InboundRecord]:
    return session.exec(
        select(InboundRecord).where(InboundRecord.request_id == request.id).order_by(InboundRecord.received_at)
    ).all()


def replies_of(session: Session, request: Request) -> Sequence[Reply]:
    return session.exec(select(Reply).where(Reply.request_id == request.id).order_by(Reply.id)).all()


def history_of(session: Session, request: Request) -> Sequence[Event]:
    return session.exec(select(Event).where(Event.request_id == request.id).order_by(Event.at, Event.id)).all()


def customer_id_of(session: Session, request: Request) -> str | None:
    if request.customer_pk is None:
        return None
    customer = session.get(Customer, request.customer_pk)
    return customer.customer_id or None if customer else None


def request_json(session: Session, request: Request, *, tz: tzinfo = UTC, full: bool = False) -> dict[str, Any]:
    """The contract's request object, times in the company's zone; ``full`` adds mails and history."""

    def _iso(value: datetime | None) -> str | None:
        return value.astimezone(tz).isoformat() if value else None

    replies = replies_of(session, request)
    mails = mails_of(session, request)
    data: dict[str, Any] = {
        "ref": request.ref,
        "status": request.status,
        "types": list(request.types),
        "language": request.language,
        "requester_email": request.requester_email,
        "requester_name": request.requester_name,
        "customer_id": customer_id_of(session, request),
        "sender_verified": request.sender_verified,
        "identity": request.identity,
        "received_at": _iso(request.received_at),
        "due_at": _iso(request.due_at),
        "message_ids": [m.message_id for m in mails],
        "replies": [
            {"kind": r.kind, "to": r.to_addr, "status": r.status, "sent_at": _iso(r.sent_at)} for r in replies
        ],
    }
    if full:
        data["confidence"] = request.confidence
        data["evidence"] = list(request.evidence)
        data["identity_reasons"] = list(request.identity_reasons)
        data["mails"] = [
            {
                "message_id": m.message_id,
                "from": m.from_addr,
                "subject": m.subject,
                "received_at": _iso(m.received_at),
                "outcome": m.outcome,
                "authentication": m.auth,
            }
            for m in mails
        ]
        for out, reply in zip(data["replies"], replies, strict=True):
            out.update({"id": reply.id, "subject": reply.subject, "message_id": reply.message_id,
                        "text": reply.body_text})
        data["history"] = [
            {"at": _iso(e.at), "actor": e.actor, "action": e.action, "detail": e.detail}
            for e in history_of(session, request)
        ]
    return data


def known_keys(engine: Any) -> set[str]:
    """Mailbox keys the register already holds, handled or quarantined."""
    with Session(engine) as session:
        keys = set(session.exec(select(InboundRecord.mailbox_key)).all())
        keys.update(session.exec(select(Quarantine.mailbox_key)).all())
    return keys


def _insert(session: Session) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


class StateStore:
    """Named values in the register; also the mailboxes' CursorStore. Writes are single atomic statements, so
    several instances starting together neither collide nor overwrite a first value."""

    def __init__(self, engine: Any) -> None:
        self._engine = engine

    def get(self, name: str) -> str | None:
        with Session(self._engine) as session:
            row = session.get(State, name)
            return row.value if row else None

    def set(self, name: str, value: str) -> None:
        with Session(self._engine) as session:
            statement = _insert(session)(State).values(name=name, value=value)
            session.execute(statement.on_conflict_do_update(index_elements=["name"], set_={"value": value}))
            session.commit()

    def set_if_absent(self, name: str, value: str) -> bool:
        """Store only when nothing is there yet; True when this call stored it (the once-only primitive)."""
        with Session(self._engine) as session:
            statement = _insert(session)(State).values(name=name, value=value).on_conflict_do_nothing()
            inserted = session.execute(statement).rowcount == 1
            session.commit()
            return inserted
