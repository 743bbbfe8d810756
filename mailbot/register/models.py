"""The register's tables. Times are stored as UTC; every change goes through an Alembic migration."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, Column, LargeBinary, UniqueConstraint
from sqlalchemy.types import DateTime, TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and hands them back aware, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the register")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _time(nullable: bool = False, index: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable, index=index)


class Customer(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, index=True)
    name: str = ""
    customer_id: str = Field(default="", index=True)
    extra: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    processing_stopped: bool = False
    processing_stopped_reason: str = ""
    created_at: datetime = Field(default_factory=utcnow, sa_column=_time())


class Request(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("year", "number", name="uq_request_year_number"),)

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(unique=True, index=True)
    year: int
    number: int
    status: str = Field(index=True)
    types: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    language: str = "nl"
    requester_email: str = Field(default="", index=True)
    requester_name: str = ""
    requester_hash: str = Field(default="", index=True)
    customer_pk: int | None = Field(default=None, foreign_key="customer.id", index=True)
    sender_verified: bool = False
    identity: str = ""
    identity_reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    confidence: float = 0.0
    evidence: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    received_at: datetime = Field(sa_column=_time(index=True))
    due_at: datetime = Field(sa_column=_time(index=True))
    extended: bool = False
    anonymised: bool = False
    closed_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_time())


class InboundRecord(SQLModel, table=True):
    """Every mail mailbot has seen, once per Message-ID: the guard against answering twice."""

    __tablename__ = "inbound"

    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(unique=True, index=True)
    mailbox_key: str = ""
    outcome: str = Field(index=True)
    reason: str = ""
    request_id: int | None = Field(default=None, foreign_key="request.id", index=True)
    from_addr: str = Field(default="", index=True)
    subject: str = ""
    body_digest: str = Field(default="", index=True)
    thread_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    auth: str = ""
    evidence: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    raw: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    received_at: datetime = Field(sa_column=_time(index=True))
    seen_at: datetime = Field(default_factory=utcnow, sa_column=_time())


class Reply(SQLModel, table=True):
    """The outbox: a reply is written here first, sent after commit, and marked sent after the server's 250."""

    id: int | None = Field(default=None, primary_key=True)
    request_id: int | None = Field(default=None, foreign_key="request.id", index=True)
    kind: str
    language: str = "nl"
    to_addr: str
    subject: str = ""
    body_text: str = ""
    body_html: str = ""
    message_id: str = Field(default="", index=True)
    in_reply_to: str = ""
    references: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    auto: bool = False
    attachments: bool = False
    status: str = Field(index=True)
    raw: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    attempts: int = 0
    claimed_by: str = ""
    last_error: str = ""
    next_attempt_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_time())
    decided_by: str = ""
    sent_at: datetime | None = Field(default=None, sa_column=_time(nullable=True, index=True))


class Event(SQLModel, table=True):
    """Append-only history of every event and decision on a request."""

    id: int | None = Field(default=None, primary_key=True)
    request_id: int | None = Field(default=None, foreign_key="request.id", index=True)
    at: datetime = Field(default_factory=utcnow, sa_column=_time(index=True))
    actor: str
    action: str
    detail: str = ""


class Quarantine(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    mailbox_key: str = ""
    message_id: str = ""
    reason: str
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    status: str = Field(default="held", index=True)
    received_at: datetime = Field(sa_column=_time())
    created_at: datetime = Field(default_factory=utcnow, sa_column=_time())


class Counter(SQLModel, table=True):
    """Reference numbers per prefix and year; incremented in one atomic statement."""

    name: str = Field(primary_key=True)
    value: int = 0


class State(SQLModel, table=True):
    """Small named values: mailbox places, the first-seen moment, digests sent."""

    name: str = Field(primary_key=True)
    value: str


class Staff(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True)
    role: str
    email: str = ""
    password_hash: str
    disabled: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_column=_time())
