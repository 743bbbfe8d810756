"""The queue page's queries: one page of rows (only the columns shown) and the counters, fast at 10,000 requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, func, or_
from sqlmodel import Session, col, select

from mailbot import deadlines
from mailbot.config import REQUEST_TYPES, Settings
from mailbot.register import store
from mailbot.register.models import Customer, InboundRecord, Quarantine, Request

PAGE_SIZE = 50


@dataclass(frozen=True)
class Row:
    ref: str
    status: str
    types: list[str]
    requester: str
    received_at: datetime
    due_at: datetime
    days_left: int
    extended: bool
    processing_stopped: bool

    @property
    def urgency(self) -> str:
        """The colour class: overdue, within 3 days, within 7 days, or comfortable."""
        if self.status not in store.OPEN_STATUSES:
            return "closed"
        if self.days_left < 0:
            return "overdue"
        return "urgent" if self.days_left <= 3 else "soon" if self.days_left <= 7 else "ok"


@dataclass(frozen=True)
class Filters:
    status: str = "open"
    type: str = ""
    search: str = ""
    page: int = 1

    @classmethod
    def parse(cls, values: Any) -> Filters:
        status = str(values.get("status") or "open")
        if status not in ("open", "all", *store.STATUSES, "discarded"):
            status = "open"
        kind = str(values.get("type") or "")
        try:
            page = max(1, int(values.get("page") or 1))
        except ValueError:
            page = 1
        return cls(status, kind if kind in REQUEST_TYPES else "", str(values.get("q") or "").strip()[:200], page)


def _where(filters: Filters) -> list[Any]:
    where: list[Any] = []
    if filters.status == "open":
        where.append(col(Request.status).in_(store.OPEN_STATUSES))
    elif filters.status != "all":
        where.append(Request.status == filters.status)
    if filters.type:
        where.append(cast(Request.types, String).like(f'%"{filters.type}"%'))
    if filters.search:
        pattern = f"%{filters.search.lower()}%"
        where.append(or_(func.lower(Request.ref).like(pattern), func.lower(Request.requester_email).like(pattern),
                         func.lower(Request.requester_name).like(pattern)))
    return where


def page(session: Session, settings: Settings, filters: Filters, now: datetime) -> tuple[list[Row], int]:
    """Rows of the requested page ordered by due date, and how many match in all."""
    where = _where(filters)
    total = int(session.exec(select(func.count()).select_from(Request).where(*where)).one())
    query = (
        select(Request.ref, Request.status, Request.types, Request.requester_name, Request.requester_email,
               Request.received_at, Request.due_at, Request.extended, Customer.processing_stopped)
        .outerjoin(Customer, col(Customer.id) == Request.customer_pk)
        .where(*where)
        .order_by(Request.due_at, Request.id)
        .offset((filters.page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    tz = settings.company.tz
    rows = [Row(ref, status, list(types), name or email, received, due, deadlines.days_left(due, now, tz),
                extended, bool(stopped))
            for ref, status, types, name, email, received, due, extended, stopped in session.exec(query).all()]
    return rows, total


def counters(session: Session) -> dict[str, int]:
    """What must be seen at a glance: per status, plus authority mail and held quarantine."""
    counts = {status: int(n) for status, n in session.exec(
        select(Request.status, func.count()).where(col(Request.status).in_(store.OPEN_STATUSES))
        .group_by(Request.status)).all()}
    counts["authority"] = int(session.exec(select(func.count()).select_from(InboundRecord).where(
        InboundRecord.outcome == "authority")).one())
    counts["quarantine"] = int(session.exec(select(func.count()).select_from(Quarantine).where(
        Quarantine.status == "held")).one())
    return counts
