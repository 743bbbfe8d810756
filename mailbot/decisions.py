"""Staff decisions on a request, shared by the web desk and the command line.

Every function takes the caller's Session (the caller commits), checks the actor's role and the request's
status first, raises DecisionError for a move that is not allowed, and writes one history event naming who
decided what. Nothing is sent here: approved replies are sealed and queued in the outbox, which sends them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from markupsafe import Markup, escape
from sqlmodel import Session, select

from mailbot import anonymise, deadlines, export
from mailbot.config import Settings
from mailbot.register import store
from mailbot.register.models import Customer, Reply, Request, utcnow
from mailbot.replies import outbox
from mailbot.replies.compose import Composer

ROLES = ("staff", "approver")
DRAFT_KINDS = ("completion", "rejection", "identity_confirmed", "acknowledgement")
# Kinds that may reach an address whose owner was not verified: they carry no personal data.
UNVERIFIED_KINDS = ("acknowledgement", "identity_request", "rejection", "extension")
# Types whose completion sends the register's copy as files (for an objection: policy "afschriften ... ter
# beschikking stellen en daarna de verwerking blijvend staken").
COPY_TYPES = ("access", "portability", "objection")
STOPPING_TYPES = ("objection", "restriction")


class DecisionError(Exception):
    """A decision that is not allowed now (role, status, deadline); the message is shown to staff as is."""


def _need(role: str, wanted: str) -> None:
    if role not in ROLES:
        raise DecisionError(f"unknown role {role!r}")
    if ROLES.index(role) < ROLES.index(wanted):
        raise DecisionError(f"this needs the {wanted} role")


def _need_status(request: Request, allowed: Sequence[str], action: str) -> None:
    if request.status not in allowed:
        raise DecisionError(f"{request.ref} is {request.status}: cannot {action}")


def _close(request: Request, status: str, now: datetime) -> None:
    request.status = status
    request.closed_at = now


def drafts_of(session: Session, request: Request) -> list[Reply]:
    return [r for r in store.replies_of(session, request) if r.status == "draft"]


def _drop_drafts(session: Session, request: Request, kinds: Sequence[str] | None = None) -> None:
    """Unsent drafts that no longer fit the request's state are kept (for the history) but never sent."""
    for reply in drafts_of(session, request):
        if kinds is None or reply.kind in kinds:
            reply.status = "discarded"
            session.add(reply)


def _thread(session: Session, request: Request) -> tuple[str | None, list[str]]:
    """In-Reply-To the requester's latest mail, References the whole thread, so clients keep it together."""
    mails = store.mails_of(session, request)
    if not mails:
        return None, []
    refs: list[str] = []
    for mail in mails:
        for mid in (*mail.thread_ids, mail.message_id):
            if mid and mid not in refs:
                refs.append(mid)
    return mails[-1].message_id, refs


def context(settings: Settings, request: Request, **extra: Any) -> dict[str, Any]:
    """The template context every reply gets, plus the decision's own names (reason, new_due_at, ...)."""
    return {"company": settings.company, "request": request, "processors": settings.processors, **extra}


def attachments_for(session: Session, settings: Settings, request: Request, reply: Reply) -> list[
        tuple[str, str, bytes]]:
    """A completion that carries the copy gets the files rebuilt at sealing, so they are current when sent."""
    if reply.kind == "completion" and reply.attachments:
        return export.files(session, settings, request)
    return []


def _write(session: Session, settings: Settings, composer: Composer, request: Request, kind: str, by: str,
           **extra: Any) -> Reply:
    in_reply_to, references = _thread(session, request)
    files = export.files(session, settings, request) if kind == "completion" and any(
        t in COPY_TYPES for t in request.types) else []
    return outbox.write(session, settings, composer, request, kind, to=request.requester_email,
                        context=context(settings, request, **extra), in_reply_to=in_reply_to,
                        references=references, attachments=files, actor=by)


def draft(session: Session, settings: Settings, composer: Composer, request: Request, by: str, kind: str, *,
          role: str = "staff", reason: str = "") -> Reply:
    """A reply drafted from its template for staff to edit; sending it is the approver's decision."""
    _need(role, "staff")
    if kind not in DRAFT_KINDS:
        raise DecisionError(f"no template for a {kind!r} draft here (extensions: use extend)")
    _need_status(request, ("pending_approval", "awaiting_identity"), f"draft a {kind}")
    if kind == "rejection" and not reason.strip():
        raise DecisionError("a rejection needs a reason")
    if kind == "completion" and not request.sender_verified:
        raise DecisionError("the requester's identity is not verified: no completion can be drafted")
    return _write(session, settings, composer, request, kind, by, reason=reason.strip())


def edit_reply(session: Session, settings: Settings, composer: Composer, request: Request, reply: Reply,
               by: str, *, subject: str, text: str, role: str = "staff") -> Reply:
    """Staff's own words replace the template's; the HTML part is rebuilt from them, so both parts agree."""
    _need(role, "staff")
    if reply.request_id != request.id:
        raise DecisionError("that reply belongs to another request")
    if reply.status != "draft":
        raise DecisionError(f"the {reply.kind} is {reply.status}: only a draft can be edited")
    if not subject.strip() or not text.strip():
        raise DecisionError("subject and text cannot be empty")
    reply.subject = " ".join(subject.split())
    reply.body_text = text.replace("\r\n", "\n").strip() + "\n"
    reply.body_html = text_to_html(reply.body_text, reply.language)
    reply.raw = None
    session.add(reply)
    store.add_event(session, request, by, "reply edited", reply.kind)
    return reply


def text_to_html(text: str, language: str) -> str:
    """Staff's plain text as the HTML alternative: escaped, paragraphs kept, nothing added that the text lacks."""
    paragraphs = [p for p in text.strip().split("\n\n") if p.strip()]
    body = "\n".join(f"<p>{Markup('<br>').join(escape(line) for line in p.strip().split(chr(10)))}</p>"
                     for p in paragraphs)
    return (f'<!DOCTYPE html>\n<html lang="{escape(language)}">\n<head><meta charset="utf-8"></head>\n'
            '<body style="margin:0;padding:24px;color:#1f2933;font-family:Arial,Helvetica,sans-serif;'
            f'font-size:15px;line-height:1.5;">\n<div style="max-width:600px;">\n{body}\n</div>\n</body>\n</html>\n')


def preview(session: Session, settings: Settings, request: Request, reply: Reply) -> bytes:
    """The exact bytes approval would queue (a fresh Message-ID aside), without changing the stored reply."""
    copy = Reply.model_validate(reply.model_dump())
    outbox.seal(copy, settings, request, None, attachments_for(session, settings, request, reply))
    return copy.raw or b""


def approve(session: Session, settings: Settings, composer: Composer, request: Request, by: str, *,
            role: str = "approver", reply_id: int | None = None, now: datetime | None = None) -> list[Reply]:
    """Seal and queue the request's drafts (or one of them); a completion or rejection closes the request."""
    _need(role, "approver")
    now = now or utcnow()
    if request.status == "flagged":
        raise DecisionError(f"{request.ref} is a suspected forgery: un-flag or discard it first")
    if request.anonymised:
        raise DecisionError(f"{request.ref} is anonymised: nothing can be sent")
    replies = [r for r in drafts_of(session, request) if reply_id is None or r.id == reply_id]
    if not replies:
        raise DecisionError(f"{request.ref} has no draft to approve")
    for reply in replies:
        if not request.sender_verified and reply.kind not in UNVERIFIED_KINDS:
            raise DecisionError(f"the requester is not verified: a {reply.kind} may not be sent yet")
        if reply.kind == "completion" and request.status != "pending_approval":
            raise DecisionError(f"{request.ref} is {request.status}: cannot complete")
    kinds = {r.kind for r in replies}
    for reply in replies:
        outbox.seal(reply, settings, request, None, attachments_for(session, settings, request, reply))
        reply.status = "queued"
        reply.decided_by = by
        session.add(reply)
        store.add_event(session, request, by, "approved", f"{reply.kind} queued for sending")
    if "completion" in kinds:
        _finish(session, request, by, now)
    elif "rejection" in kinds:
        _close(request, "rejected", now)
        _resume_processing(session, request, by)
        _drop_drafts(session, request)
        store.add_event(session, request, by, "rejected", "rejection sent")
    session.add(request)
    return replies


def _finish(session: Session, request: Request, by: str, now: datetime) -> None:
    _close(request, "completed", now)
    _drop_drafts(session, request)
    store.add_event(session, request, by, "completed", ", ".join(request.types))
    customer = session.get(Customer, request.customer_pk) if request.customer_pk else None
    stopping = [t for t in request.types if t in STOPPING_TYPES]
    if customer is not None and stopping:
        customer.processing_stopped = True
        customer.processing_stopped_reason = f"{', '.join(stopping)} upheld in {request.ref}: stopped for good"
        session.add(customer)
        store.add_event(session, request, by, "processing stopped", customer.processing_stopped_reason)
    if "erasure" in request.types:
        anonymise.anonymise(session, request, by)


def reject(session: Session, settings: Settings, composer: Composer, request: Request, by: str, reason: str, *,
           role: str = "approver", send: bool = False, now: datetime | None = None) -> Reply | None:
    """Draft the rejection with its reason (``send``: queue it at once); a suspected forgery is closed unanswered."""
    _need(role, "approver")
    now = now or utcnow()
    _need_status(request, store.OPEN_STATUSES, "reject")
    if not reason.strip():
        raise DecisionError("a rejection needs a reason")
    if request.status == "flagged":
        _close(request, "rejected", now)
        _drop_drafts(session, request)
        session.add(request)
        store.add_event(session, request, by, "rejected", f"no mail sent (suspected forgery): {reason.strip()}")
        return None
    _drop_drafts(session, request)
    reply = _write(session, settings, composer, request, "rejection", by, reason=reason.strip())
    store.add_event(session, request, by, "rejection drafted", reason.strip())
    if send:
        approve(session, settings, composer, request, by, role=role, reply_id=reply.id, now=now)
    return reply


def verify_identity(session: Session, settings: Settings, composer: Composer, request: Request, by: str, *,
                    role: str = "approver", note: str = "") -> Reply:
    """Staff checked who wrote: the request joins the queue, and the requester hears it was accepted."""
    _need(role, "approver")
    if request.status != "awaiting_identity" and not (
            request.status == "pending_approval" and not request.sender_verified):
        raise DecisionError(f"{request.ref} is {request.status}: there is no identity to verify")
    request.status = "pending_approval"
    request.sender_verified = True
    request.identity = "verified by staff"
    customer = store.find_customer(session, request.requester_email)
    if customer is not None and request.customer_pk is None:
        request.customer_pk = customer.id
        stop_processing(session, request, customer, by)
    session.add(request)
    store.add_event(session, request, by, "identity verified", note.strip() or "checked by staff")
    _drop_drafts(session, request, ("identity_request",))
    acknowledged = any(r.kind == "acknowledgement" and r.status in ("queued", "sent")
                       for r in store.replies_of(session, request))
    kind = "identity_confirmed" if acknowledged or _asked_identity(session, request) else "acknowledgement"
    return _write(session, settings, composer, request, kind, by)


def _asked_identity(session: Session, request: Request) -> bool:
    return any(r.kind == "identity_request" and r.status in ("queued", "sent")
               for r in store.replies_of(session, request))


def unflag(session: Session, settings: Settings, composer: Composer, request: Request, by: str, *,
           role: str = "approver", note: str = "") -> Reply:
    """Staff judged the mail genuine: it is handled as if authentication had passed; the first answer is drafted."""
    _need(role, "approver")
    _need_status(request, ("flagged",), "un-flag")
    customer = store.find_customer(session, request.requester_email)
    store.add_event(session, request, by, "unflagged", note.strip() or "judged genuine by staff")
    if customer is not None:
        request.status = "pending_approval"
        request.sender_verified = True
        request.identity = "verified by staff"
        request.customer_pk = customer.id
        stop_processing(session, request, customer, by)
        kind = "acknowledgement"
    else:
        request.status = "awaiting_identity"
        request.identity = "identify"
        kind = "identity_request"
    session.add(request)
    return _write(session, settings, composer, request, kind, by)


def discard(session: Session, settings: Settings, composer: Composer, request: Request, by: str, *,
            role: str = "approver", note: str = "", now: datetime | None = None) -> None:
    """A forgery is closed without any mail: a reply would reach the innocent owner of the address."""
    _need(role, "approver")
    _need_status(request, ("flagged",), "discard")
    _close(request, "discarded", now or utcnow())
    _drop_drafts(session, request)
    session.add(request)
    store.add_event(session, request, by, "discarded", note.strip() or "suspected forgery; nothing sent")


def extend(session: Session, settings: Settings, composer: Composer, request: Request, by: str, *, months: int,
           reason: str, role: str = "approver", send: bool = False, now: datetime | None = None) -> Reply:
    """Art. 12(3): one or two more months, with a reason, decided within the first month; the notice is drafted."""
    _need(role, "approver")
    now = now or utcnow()
    _need_status(request, ("pending_approval", "awaiting_identity"), "extend")
    tz = settings.company.tz
    if request.extended:
        raise DecisionError(f"{request.ref} was extended already")
    if not reason.strip():
        raise DecisionError("an extension needs a reason")
    if not 1 <= months <= deadlines.MAX_EXTENSION_MONTHS:
        raise DecisionError(f"an extension is 1 to {deadlines.MAX_EXTENSION_MONTHS} months")
    if now > request.due_at or not deadlines.can_extend(now, request.received_at, tz):
        raise DecisionError(f"the first month of {request.ref} has passed: it can no longer be extended")
    old = request.due_at
    request.due_at = deadlines.extended_due_at(request.received_at, tz, months)
    request.extended = True
    session.add(request)
    store.add_event(session, request, by, "extended",
                    f"{months} month(s), due {old.astimezone(tz):%Y-%m-%d} → {request.due_at.astimezone(tz):%Y-%m-%d}:"
                    f" {reason.strip()}")
    reply = _write(session, settings, composer, request, "extension", by,
                   new_due_at=request.due_at.astimezone(tz), extension_reason=reason.strip(), months=months)
    if send:
        approve(session, settings, composer, request, by, role=role, reply_id=reply.id, now=now)
    return reply


def complete(session: Session, settings: Settings, composer: Composer, request: Request, by: str, *,
             role: str = "approver", send: bool = False, now: datetime | None = None) -> Reply:
    """Draft the completion (with the copy as JSON and CSV where the type asks); ``send`` approves it at once.

    Approval closes the request; for an erasure it then replaces the requester's data by a pseudonym.
    """
    _need(role, "approver")
    _need_status(request, ("pending_approval",), "complete")
    if not request.sender_verified:
        raise DecisionError("the requester's identity is not verified: verify it first")
    existing = [r for r in drafts_of(session, request) if r.kind == "completion"]
    reply = existing[-1] if existing else _write(session, settings, composer, request, "completion", by)
    if send:
        approve(session, settings, composer, request, by, role=role, reply_id=reply.id, now=now)
    return reply


def withdraw(session: Session, settings: Settings, composer: Composer, request: Request, by: str, *,
             role: str = "approver", note: str = "", now: datetime | None = None) -> None:
    """The requester withdrew (by phone, say): closed without a reply; stopped processing resumes."""
    _need(role, "approver")
    _need_status(request, store.OPEN_STATUSES, "withdraw")
    _close(request, "withdrawn", now or utcnow())
    _drop_drafts(session, request)
    _resume_processing(session, request, by)
    session.add(request)
    store.add_event(session, request, by, "withdrawn", note.strip() or "withdrawn by the requester")


def stop_processing(session: Session, request: Request, customer: Customer, by: str) -> None:
    """The policy: processing stops at once on an objection or restriction, pending the decision."""
    stopping = [t for t in request.types if t in STOPPING_TYPES]
    if not stopping or customer.processing_stopped:
        return
    customer.processing_stopped = True
    customer.processing_stopped_reason = f"{', '.join(stopping)} in {request.ref}"
    session.add(customer)
    store.add_event(session, request, by, "processing stopped", customer.processing_stopped_reason)


def _resume_processing(session: Session, request: Request, by: str) -> None:
    """Only when no other open objection or restriction of the same customer still holds it."""
    if request.customer_pk is None or not any(t in STOPPING_TYPES for t in request.types):
        return
    customer = session.get(Customer, request.customer_pk)
    if customer is None or not customer.processing_stopped:
        return
    others = session.exec(select(Request).where(
        Request.customer_pk == customer.id, Request.id != request.id, Request.status.in_(store.OPEN_STATUSES)
    )).all()
    if any(t in STOPPING_TYPES for other in others for t in other.types):
        return
    customer.processing_stopped = False
    customer.processing_stopped_reason = ""
    session.add(customer)
    store.add_event(session, request, by, "processing resumed", f"{request.ref} {request.status}")
