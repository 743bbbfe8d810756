"""Erasure: the requester's personal data in the register is replaced by a pseudonym.

The policy: "in het geval van een vergeetverzoek administreren wij geanonimiseerde gegevens". What stays is
what proves the request was handled: reference, types, dates, status and the decisions, plus a salted hash
of the address (the register's own salt, ``store.salt``) so a later request from the same address can still
be linked. Everything else that names the person goes: address, name, mail bytes and subjects, reply texts,
the customer record. A completion still waiting in the outbox keeps its address until it has been sent;
``scrub_sent`` finishes the job after each drain.
"""

from __future__ import annotations

from sqlalchemy import or_
from sqlmodel import Session, select

from mailbot.register import store
from mailbot.register.models import Customer, Event, InboundRecord, Reply, Request

PSEUDONYM_DOMAIN = "anonymised.invalid"  # .invalid never resolves, so nothing can ever be sent there


def pseudonym(address_hash: str) -> str:
    return f"anon-{address_hash[:12]}@{PSEUDONYM_DOMAIN}"


def is_pseudonym(address: str) -> bool:
    return address.endswith("@" + PSEUDONYM_DOMAIN)


def _scrub_text(text: str, secrets: list[str], replacement: str) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, replacement)
    return text


def anonymise(session: Session, request: Request, by: str) -> str:
    """Pseudonymise every request, mail and reply of the requester's address (and customer); returns the pseudonym."""
    address = request.requester_email.strip().lower()
    if is_pseudonym(address):
        return address
    hashed = store.address_hash(address, store.salt(session))
    alias = pseudonym(hashed)
    customer = session.get(Customer, request.customer_pk) if request.customer_pk else store.find_customer(
        session, address)
    who = [Request.requester_email == address]
    if customer is not None:
        who.append(Request.customer_pk == customer.id)
    requests = session.exec(select(Request).where(or_(*who))).all()
    secrets = sorted({address, *(r.requester_name for r in requests if len(r.requester_name) > 2),
                      *((customer.email, customer.name) if customer else ())}, key=len, reverse=True)
    secrets = [s for s in secrets if s]
    for item in requests:
        item.requester_email = alias
        item.requester_name = ""
        item.requester_hash = hashed
        item.customer_pk = None
        item.identity_reasons = [_scrub_text(t, secrets, alias) for t in item.identity_reasons]
        item.evidence = []
        item.anonymised = True
        session.add(item)
    ids = [r.id for r in requests]
    for mail in session.exec(select(InboundRecord).where(
            or_(InboundRecord.request_id.in_(ids), InboundRecord.from_addr == address))).all():
        mail.from_addr = alias
        mail.subject = ""
        mail.raw = None
        mail.auth = ""
        mail.evidence = []
        mail.reason = _scrub_text(mail.reason, secrets, alias)
        session.add(mail)
    for reply in session.exec(select(Reply).where(Reply.request_id.in_(ids))).all():
        if reply.status != "queued":
            _scrub_reply(reply, alias)
            session.add(reply)
    for event in session.exec(select(Event).where(Event.request_id.in_(ids))).all():
        event.detail = _scrub_text(event.detail, secrets, alias)
        session.add(event)
    if customer is not None:
        session.flush()
        session.delete(customer)
    session.flush()
    store.add_event(session, request, by, "anonymised",
                    f"{len(requests)} request(s): personal data replaced by {alias}")
    return alias


def _scrub_reply(reply: Reply, alias: str) -> None:
    reply.to_addr = alias
    reply.subject = ""
    reply.body_text = ""
    reply.body_html = ""
    reply.raw = None


def scrub_sent(session: Session) -> int:
    """After the outbox sent an anonymised request's last mail: drop its address and text too."""
    rows = session.exec(select(Reply, Request).join(Request, Reply.request_id == Request.id).where(
        Request.anonymised.is_(True), Reply.status != "queued", Reply.raw.is_not(None))).all()
    for reply, request in rows:
        secret = reply.to_addr
        for event in session.exec(select(Event).where(Event.request_id == request.id)).all():
            if secret and secret in event.detail:
                event.detail = event.detail.replace(secret, request.requester_email)
                session.add(event)
        _scrub_reply(reply, request.requester_email)
        session.add(reply)
    return len(rows)
