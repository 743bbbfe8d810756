"""The outbox: every outgoing mail is a row first, sent after commit, marked sent after the server accepted it.

A crash before the send leaves the row queued (sent on the next pass); a crash between the server's 250 and
the mark is the only window for a repeat, and it is milliseconds wide. On PostgreSQL the row is locked
(``FOR UPDATE SKIP LOCKED``) while it is being sent, so several instances never send the same reply.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, make_msgid
from typing import Any

from sqlalchemy import Engine, func, update
from sqlmodel import Session, select

from mailbot.anonymise import scrub_sent
from mailbot.backends.base import PermanentSendError, TransientSendError, Transport
from mailbot.config import Settings
from mailbot.register import store
from mailbot.register.models import Reply, Request, State, utcnow
from mailbot.replies.compose import Composer, Draft, build_mime

log = logging.getLogger(__name__)

# Seconds before the next try after a transient failure: the first retry is the very next pass (a cron'ed
# `run --once` after the server is back must send), later ones back off so a broken server is not hammered.
RETRY_STEPS = (0, 60, 300, 900, 3600)
SEND_LEASE = timedelta(minutes=10)


def write(
    session: Session,
    settings: Settings,
    composer: Composer,
    request: Request | None,
    kind: str,
    *,
    to: str,
    context: Mapping[str, Any],
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
    auto: bool = False,
    attachments: Sequence[tuple[str, str, bytes]] = (),
    actor: str = "mailbot",
) -> Reply:
    """Render a reply into the outbox: queued when it may go out by itself, else a draft awaiting approval."""
    draft = composer.render(kind, request.language if request else settings.company.language, context)
    reply = Reply(
        request_id=request.id if request else None,
        kind=kind,
        language=draft.language,
        to_addr=to,
        subject=draft.subject,
        body_text=draft.text,
        body_html=draft.html,
        in_reply_to=in_reply_to or "",
        references=list(references),
        auto=auto,
        attachments=bool(attachments),
        status="draft",
    )
    if auto:
        if request is not None and over_sender_limit(session, settings, to):
            store.add_event(session, request, actor, "reply held",
                            f"{kind}: more than {settings.replies.max_per_sender_per_day} automatic replies "
                            "to this sender today; waiting for staff")
        else:
            seal(reply, settings, request, draft, attachments)
            reply.status = "queued"
    elif attachments:
        seal(reply, settings, request, draft, attachments)
    session.add(reply)
    session.flush()
    store.add_event(session, request, actor, f"reply {reply.status}", f"{kind} to {to}")
    return reply


def seal(
    reply: Reply,
    settings: Settings,
    request: Request | None,
    draft: Draft | None = None,
    attachments: Sequence[tuple[str, str, bytes]] = (),
) -> None:
    """Build the final MIME bytes from the reply's (possibly edited) text; what is sealed is what is sent."""
    if draft is None:
        draft = Draft(kind=reply.kind, language=reply.language, subject=reply.subject,
                      text=reply.body_text, html=reply.body_html)
    mime = build_mime(
        draft,
        from_address=settings.outgoing.from_address,
        from_name=settings.outgoing.from_name,
        to=reply.to_addr,
        ref=request.ref if request else "",
        in_reply_to=reply.in_reply_to or None,
        references=reply.references,
        auto=reply.auto,
        attachments=attachments,
    )
    reply.message_id = str(mime["Message-ID"])
    reply.raw = mime.as_bytes(policy=SMTP)


def over_sender_limit(session: Session, settings: Settings, to: str) -> bool:
    limit = settings.replies.max_per_sender_per_day
    since = utcnow() - timedelta(days=1)
    count = session.exec(
        select(func.count()).select_from(Reply).where(
            Reply.to_addr == to, Reply.auto.is_(True), Reply.created_at >= since, Reply.status != "draft"
        )
    ).one()
    return count >= limit


def sent_last_hour(session: Session) -> int:
    since = utcnow() - timedelta(hours=1)
    return int(session.exec(select(func.count()).select_from(Reply).where(Reply.sent_at >= since)).one())


def drain(engine: Engine, settings: Settings, transport: Transport, *, now: datetime | None = None) -> int:
    """Send every queued reply that is due; returns how many went out.

    Each reply is first claimed (queued → sending, with a lease) in its own committed transaction, so a second
    sender — another instance, or the desk while `mailbot run` works — skips it, on SQLite as on PostgreSQL.
    A claim whose holder died is taken over when its lease ends. At the hourly ceiling only staff alerts go out.
    """
    sent = 0
    while True:
        reply_id = _claim(engine, settings, now or utcnow())
        if reply_id is None:
            break
        with Session(engine, expire_on_commit=False) as session:
            reply = session.get(Reply, reply_id)
            assert reply is not None
            request = session.get(Request, reply.request_id) if reply.request_id else None
            current = now or utcnow()
            try:
                transport.send(reply.raw or b"", settings.outgoing.from_address, [reply.to_addr])
            except TransientSendError as exc:
                reply.status = "queued"
                reply.attempts += 1
                reply.last_error = str(exc)[:500]
                step = RETRY_STEPS[min(reply.attempts - 1, len(RETRY_STEPS) - 1)]
                reply.next_attempt_at = current + timedelta(seconds=step)
                session.add(reply)
                session.commit()
                log.warning("sending %s to %s deferred: %s", reply.kind, reply.to_addr, exc)
                break
            except PermanentSendError as exc:
                reply.status = "failed"
                reply.last_error = str(exc)[:500]
                store.add_event(session, request, "mailbot", "reply failed", f"{reply.kind}: {exc}")
            else:
                reply.status = "sent"
                reply.sent_at = utcnow()
                store.add_event(session, request, "mailbot", "reply sent", f"{reply.kind} to {reply.to_addr}")
                sent += 1
            session.add(reply)
            session.commit()
    with Session(engine) as session:
        # An erased requester's address stays on a reply only until it has gone out.
        if scrub_sent(session):
            session.commit()
    return sent


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _abandoned(claimed_by: str) -> bool:
    """A claim left by a process of this host that no longer runs (killed mid-send): take it over at once."""
    host, _, pid = claimed_by.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _claim(engine: Engine, settings: Settings, now: datetime) -> int | None:
    with Session(engine) as session:
        due = (Reply.status == "queued") & ((Reply.next_attempt_at.is_(None)) | (Reply.next_attempt_at <= now))
        stale = [r.id for r in session.exec(select(Reply).where(Reply.status == "sending")).all()
                 if (r.next_attempt_at and r.next_attempt_at <= now) or _abandoned(r.claimed_by)]
        query = (
            select(Reply)
            .where(due | Reply.id.in_(stale))
            .order_by(Reply.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if sent_last_hour(session) >= settings.replies.max_per_hour:
            _ceiling_reached(session, settings, now)
            query = query.where(Reply.kind == "alert")
        reply = session.exec(query).first()
        if reply is None:
            session.commit()
            return None
        claimed = session.execute(
            update(Reply)
            .where(Reply.id == reply.id, Reply.status == reply.status, Reply.claimed_by == reply.claimed_by)
            .values(status="sending", claimed_by=_owner(), next_attempt_at=now + SEND_LEASE)
        ).rowcount
        session.commit()
        return reply.id if claimed == 1 else _claim(engine, settings, now)


def _ceiling_reached(session: Session, settings: Settings, now: datetime) -> None:
    """Once an hour: log it, record it, and queue an alert to the digest recipients (alerts pass the ceiling)."""
    marker = f"ceiling-alert-{now:%Y%m%d%H}"
    if session.get(State, marker) is not None:
        return
    session.add(State(name=marker, value=now.isoformat()))
    limit = settings.replies.max_per_hour
    log.error("hourly ceiling of %d sent mails reached; replies wait", limit)
    store.add_event(session, None, "mailbot", "send ceiling reached",
                    f"{limit} mails in the last hour; sending paused")
    for recipient in settings.digest.recipients:
        alert = EmailMessage()
        alert["From"] = formataddr((settings.outgoing.from_name, settings.outgoing.from_address))
        alert["To"] = recipient
        alert["Subject"] = f"mailbot: sending paused, {limit} mails in the last hour"
        alert["Date"] = format_datetime(now)
        alert["Message-ID"] = make_msgid(domain=settings.outgoing.from_address.rpartition("@")[2])
        alert["Auto-Submitted"] = "auto-generated"
        alert.set_content(
            f"mailbot sent {limit} mails in the last hour, the configured ceiling ([replies] max_per_hour).\n"
            "It sends nothing more until the hour has passed; queued replies wait and go out then.\n"
            "A flood like this usually means a mail loop or a wave of forged mail: please look at the desk.\n"
        )
        session.add(Reply(kind="alert", to_addr=recipient, subject=str(alert["Subject"]),
                          body_text=alert.get_content(), message_id=str(alert["Message-ID"]), auto=True,
                          status="queued", raw=alert.as_bytes(policy=SMTP)))
