"""The weekly digest for the privacy contact, and the optional daily deadline alert for approvers.

Once per ISO week (``isocalendar()``'s own year, so 1 January can belong to week 53) at the configured weekday
and local time. The week's digest counts as sent when the State row ``digest:week:<YYYY-Www>`` exists; that row
is inserted in the same transaction that puts the digest mails in the outbox, so a crash, a restart or a second
instance can neither lose nor repeat it. A week whose moment passed while mailbot was down is sent on start.
On the very first check the latest past moment is only noted, so installing mailbot does not mail a digest.
Digests name references, types and days left only, never the requester.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any, Protocol

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from mailbot import deadlines
from mailbot.backends.base import Transport
from mailbot.config import Settings
from mailbot.register import store
from mailbot.register.models import Reply, Request, Staff, State, utcnow
from mailbot.replies import outbox
from mailbot.replies.compose import type_name

TEMPLATES = Path(__file__).resolve().parent / "desk" / "templates" / "mail"
SINCE_KEY = "digest:since"
WEEK_KEY = "digest:week:{}"
ALERT_KEY = "alert:day:{}"


class StateLike(Protocol):
    def get(self, name: str) -> str | None: ...

    def set_if_absent(self, name: str, value: str) -> bool: ...


@dataclass(frozen=True)
class Item:
    ref: str
    types: str
    days_left: int
    link: str


@dataclass(frozen=True)
class Mail:
    subject: str
    text: str
    html: str


# -- when -------------------------------------------------------------------------------------------------


def _at(day: date, hhmm: str, tz: Any) -> datetime:
    hours, minutes = (int(p) for p in hhmm.split(":"))
    # The UTC round trip settles a moment inside a DST gap on its real offset.
    return datetime.combine(day, time(hours, minutes), tzinfo=tz).astimezone(UTC)


def week_slot(now: datetime, settings: Settings) -> tuple[str, datetime]:
    """The latest weekly moment at or before ``now`` and its ISO week key (``2026-W53``)."""
    tz = settings.company.tz
    year, week, _ = now.astimezone(tz).isocalendar()
    day = date.fromisocalendar(year, week, settings.digest.weekday)
    moment = _at(day, settings.digest.time, tz)
    if now < moment:
        day -= timedelta(days=7)
        moment = _at(day, settings.digest.time, tz)
    iso = day.isocalendar()
    return f"{iso.year:04d}-W{iso.week:02d}", moment


def due(now: datetime, settings: Settings, state: StateLike) -> bool:
    """Whether this week's digest is owed. The first call ever only records the starting week (and says no)."""
    key, _ = week_slot(now, settings)
    since = state.get(SINCE_KEY)
    if since is None:
        state.set_if_absent(SINCE_KEY, key)
        return False
    return key > since and state.get(WEEK_KEY.format(key)) is None


def alert_due(now: datetime, settings: Settings, state: StateLike) -> bool:
    """The daily alert: switched on, today's moment passed, not sent today."""
    if not settings.digest.daily_alert:
        return False
    today = now.astimezone(settings.company.tz).date()
    return now >= _at(today, settings.digest.time, settings.company.tz) and state.get(
        ALERT_KEY.format(today.isoformat())) is None


# -- what -------------------------------------------------------------------------------------------------


def _items(rows: Sequence[Request], settings: Settings, now: datetime, lang: str) -> list[Item]:
    tz = settings.company.tz
    base = settings.digest.desk_url.rstrip("/")
    return [Item(r.ref, ", ".join(type_name(t, lang) for t in r.types),
                 deadlines.days_left(r.due_at, now, tz), f"{base}/requests/{r.ref}") for r in rows]


def sections(session: Session, settings: Settings, now: datetime) -> dict[str, list[Item]]:
    """The digest's lists, each ordered by due date; 'this week' is the seven days before ``now``."""
    lang = settings.company.language
    week_ago = now - timedelta(days=7)
    soon = now + timedelta(days=8)
    open_ = col(Request.status).in_(store.OPEN_STATUSES)

    def query(*where: Any) -> list[Item]:
        rows = session.exec(select(Request).where(*where).order_by(Request.due_at, Request.id)).all()
        return _items(rows, settings, now, lang)

    due_soon = [i for i in query(open_, Request.due_at < soon) if 0 <= i.days_left <= 7]
    return {
        "new": query(Request.received_at >= week_ago),
        "awaiting_approval": query(Request.status == "pending_approval"),
        "awaiting_identity": query(Request.status == "awaiting_identity"),
        "due_soon": due_soon,
        "overdue": [i for i in query(open_, Request.due_at < now + timedelta(days=1)) if i.days_left < 0],
        "flagged": query(Request.status == "flagged"),
        "completed": query(Request.status == "completed", Request.closed_at >= week_ago),
    }


def _env() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, trim_blocks=True,
                       lstrip_blocks=True, autoescape=select_autoescape(enabled_extensions=("html",),
                                                                         default=False))


def _render(name: str, settings: Settings, now: datetime, values: dict[str, Any]) -> Mail:
    from mailbot.desk.texts import texts

    lang = settings.company.language if settings.company.language in ("nl", "en") else "en"
    context = {"t": texts(lang), "company": settings.company, "desk_url": settings.digest.desk_url,
               "today": now.astimezone(settings.company.tz).date().isoformat(), **values}
    env = _env()
    text = env.get_template(f"{name}.txt").render(context)
    subject, _, body = text.partition("\n")
    return Mail(subject.strip(), body.strip() + "\n", env.get_template(f"{name}.html").render(context))


def build(session: Session, settings: Settings, now: datetime) -> Mail:
    key, _ = week_slot(now, settings)
    return _render("digest", settings, now, {"sections": sections(session, settings, now), "week": key})


def build_alert(session: Session, settings: Settings, now: datetime) -> Mail | None:
    """Requests due within ``alert_days`` or overdue; None when there are none (no empty alerts)."""
    rows = session.exec(select(Request).where(
        col(Request.status).in_(store.OPEN_STATUSES),
        Request.due_at < now + timedelta(days=settings.digest.alert_days + 1),
    ).order_by(Request.due_at, Request.id)).all()
    items = [i for i in _items(rows, settings, now, settings.company.language)
             if i.days_left <= settings.digest.alert_days]
    if not items:
        return None
    return _render("alert", settings, now, {"items": items, "days": settings.digest.alert_days})


# -- sending ----------------------------------------------------------------------------------------------


def _queue(session: Session, settings: Settings, mail: Mail, kind: str, recipients: Sequence[str]) -> int:
    """One outbox row per recipient, marked machine-made so nobody's auto-responder answers it."""
    out = settings.outgoing
    sender = Address(addr_spec=out.from_address)
    for to in recipients:
        msg = EmailMessage()
        msg["Subject"] = mail.subject
        msg["From"] = Address(display_name=out.from_name, username=sender.username, domain=sender.domain)
        msg["To"] = Address(addr_spec=to)
        msg["Date"] = format_datetime(datetime.now(UTC))
        msg["Message-ID"] = make_msgid(domain=sender.domain)
        msg["Auto-Submitted"] = "auto-generated"
        msg["X-Auto-Response-Suppress"] = "All"
        msg.set_content(mail.text, cte="quoted-printable")
        msg.add_alternative(mail.html, subtype="html", cte="quoted-printable")
        session.add(Reply(kind=kind, language=settings.company.language, to_addr=to, subject=mail.subject,
                          body_text=mail.text, body_html=mail.html, message_id=str(msg["Message-ID"]),
                          auto=True, status="queued", raw=bytes(msg), decided_by="mailbot"))
    return len(recipients)


def approver_addresses(session: Session, settings: Settings) -> list[str]:
    """Approvers with an address (`mailbot staff add --email`); else the digest recipients."""
    found = session.exec(select(Staff.email).where(Staff.role == "approver", Staff.disabled.is_(False),
                                                   Staff.email != "")).all()
    return sorted(found) or list(settings.digest.recipients)


def queue_digest(session: Session, settings: Settings, now: datetime, *, week: str | None = None) -> int:
    """Put the digest in the outbox; with ``week`` also mark that week done (the insert is the once-only guard)."""
    if week is not None:
        session.add(State(name=WEEK_KEY.format(week), value=now.isoformat()))
        session.flush()
    count = _queue(session, settings, build(session, settings, now), "digest", settings.digest.recipients)
    store.add_event(session, None, "mailbot", "digest queued", f"week {week or 'on request'}, {count} recipient(s)")
    return count


def run_due(app: Any, transport: Transport, now: datetime) -> int:
    """The runner's check each pass: queue what is owed (weekly digest, daily alert), then send it."""
    settings: Settings = app.settings
    queued = 0
    if due(now, settings, app.state):
        key, _ = week_slot(now, settings)
        queued += _once(app, lambda s: queue_digest(s, settings, now, week=key))
    if alert_due(now, settings, app.state):
        queued += _once(app, lambda s: _queue_alert(s, settings, now))
    if queued:
        outbox.drain(app.engine, settings, transport)
    return queued


def _queue_alert(session: Session, settings: Settings, now: datetime) -> int:
    today = now.astimezone(settings.company.tz).date().isoformat()
    session.add(State(name=ALERT_KEY.format(today), value=now.isoformat()))
    session.flush()
    mail = build_alert(session, settings, now)
    if mail is None:
        return 0
    count = _queue(session, settings, mail, "alert", approver_addresses(session, settings))
    store.add_event(session, None, "mailbot", "alert queued", f"{count} recipient(s)")
    return count


def _once(app: Any, work: Any) -> int:
    with app.session() as session:
        try:
            count = int(work(session))
            session.commit()
        except IntegrityError:  # another instance marked it first
            session.rollback()
            return 0
    return count


def send_now(app: Any, transport: Transport, now: datetime | None = None) -> int:
    """`mailbot digest --send`: an extra digest at once; the weekly schedule is not affected."""
    now = now or utcnow()
    count = _once(app, lambda s: queue_digest(s, app.settings, now))
    outbox.drain(app.engine, app.settings, transport)
    return count


def preview(app: Any, now: datetime | None = None) -> str:
    """`mailbot digest --preview`: the text version as it would be sent now."""
    with app.session() as session:
        mail = build(session, app.settings, now or utcnow())
    return f"Subject: {mail.subject}\n\n{mail.text}"

