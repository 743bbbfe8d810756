"""The ordered steps for one mail, in the manner of Mailman's chain of rules.

Each step looks at the mail and either stops it (quarantine, duplicate, before --since, our own, machine mail,
not a request), attaches it (a follow-up or a re-sent copy joins its request), or decides (a new request:
verified, identify first, or flagged). Everything a step decides is recorded in the caller's transaction;
nothing is sent here — replies go to the outbox and leave after commit.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from sqlmodel import Session

from mailbot import deadlines, decisions, identity
from mailbot.backends.base import InboundMail
from mailbot.config import Settings
from mailbot.mail.message import Message
from mailbot.mail.parse import ParseError, parse, peek_message_id
from mailbot.register import store
from mailbot.register.models import InboundRecord, Quarantine, Request, utcnow
from mailbot.replies import outbox
from mailbot.replies.compose import Composer, valid_address
from mailbot.understand.classify import classify
from mailbot.understand.verdict import Classification

ACTOR = "mailbot"


@dataclass(frozen=True)
class Outcome:
    """What happened to one mail: ``kind`` is the inbound outcome, ``ref`` the request it belongs to, if any."""

    kind: str
    reason: str = ""
    ref: str | None = None
    is_request: bool = False


def body_digest(msg: Message) -> str:
    """Fingerprint of the sender's own words, blind to white space and case, to spot a re-sent copy."""
    words = re.sub(r"\s+", " ", msg.text).strip().lower()
    return hashlib.sha256(words.encode()).hexdigest() if words else ""


def quarantine(session: Session, mail: InboundMail, reason: str, message_id: str = "") -> Outcome:
    """Keep the mail whole for staff; `mailbot quarantine retry` runs it again.

    The Message-ID is read from the headers when the caller has none (the mail failed to parse, or handling it
    failed), so staff can find the mail in their own client.
    """
    message_id = message_id or peek_message_id(mail.raw)
    session.add(Quarantine(mailbox_key=mail.key, message_id=message_id, reason=reason, raw=mail.raw,
                           received_at=mail.received_at or utcnow()))
    store.add_event(session, None, ACTOR, "quarantined", reason)
    return Outcome("quarantined", reason)


class Pipeline:
    def __init__(self, settings: Settings, composer: Composer) -> None:
        self.settings = settings
        self.composer = composer
        self._ref_pattern = re.compile(
            rf"\[\s*({re.escape(settings.company.reference_prefix)}-\d{{4}}-\d{{3,}})\s*\]", re.IGNORECASE
        )

    def handle(self, session: Session, mail: InboundMail, since: datetime | None) -> Outcome:
        if since is not None and mail.received_at is not None and mail.received_at < since:
            # Old mail is staff's, not ours: not even parsed, so a first start on years of mail is quick.
            # Nothing needs recording: it is before `since` whenever it is seen again.
            return Outcome("before_since", f"arrived {mail.received_at.isoformat()} before {since.isoformat()}")
        try:
            msg = parse(mail.raw)
        except ParseError as exc:
            return quarantine(session, mail, f"cannot parse: {exc}")
        received = mail.received_at or msg.date or utcnow()
        store.claim(session, msg.message_id)
        if store.seen(session, msg.message_id, msg.from_addr) is not None:
            return Outcome("duplicate", f"Message-ID {msg.message_id} was handled before")
        if since is not None and received < since:
            return self._record(session, mail, msg, received, "before_since",
                                f"arrived {received.isoformat()} before {since.isoformat()}")
        if self._is_own(msg):
            return self._record(session, mail, msg, received, "own", "sent by mailbot itself")
        verdict = classify(msg, default_language=self.settings.company.language)
        if verdict.auto_generated and verdict.authority:
            return self._record(session, mail, msg, received, "authority",
                                "machine-sent mail from an authority: for staff", evidence=verdict.evidence,
                                keep_raw=True)
        if verdict.auto_generated:
            return self._record(session, mail, msg, received, "machine", "; ".join(verdict.evidence),
                                evidence=verdict.evidence)
        joined = self._join_thread(session, mail, msg, received, verdict)
        if joined is not None:
            return joined
        if not verdict.is_request:
            if verdict.authority:
                return self._record(session, mail, msg, received, "authority",
                                    "mail from or about an authority: for staff", evidence=verdict.evidence,
                                    keep_raw=True)
            return self._record(session, mail, msg, received, "not_request", "not a data-subject request",
                                evidence=verdict.evidence)
        if not valid_address(msg.from_addr):
            return quarantine(session, mail, f"a request without a usable From address "
                              f"({msg.from_addr or 'none'}): nobody to answer, for staff", msg.message_id)
        resent = self._join_resent(session, mail, msg, received)
        if resent is not None:
            return resent
        return self._open_request(session, mail, msg, received, verdict)

    # -- steps ---------------------------------------------------------------------------------------------

    def _is_own(self, msg: Message) -> bool:
        """Mail from the desk's own address (our replies coming back, staff writing to themselves) is never a
        data subject's request, and answering it could start a loop."""
        ours = {self.settings.outgoing.from_address.lower(), self.settings.mailbox.username.lower()}
        return msg.from_addr in ours

    def _join_thread(self, session: Session, mail: InboundMail, msg: Message, received: datetime,
                     verdict: Classification) -> Outcome | None:
        request = None
        match = self._ref_pattern.search(msg.subject)
        if match:
            request = store.request_by_ref(session, match.group(1))
        if request is None:
            request = store.request_by_thread(session, msg.thread_ids)
        if request is None and verdict.withdrawal:
            request = store.latest_open_request_of(session, msg.from_addr)
        if request is None:
            return None
        self._record(session, mail, msg, received, "joined", f"follow-up to {request.ref}", request=request,
                     evidence=verdict.evidence, keep_raw=True)
        refused = withdrawal_refused(msg, request, verdict) if verdict.withdrawal else None
        if verdict.withdrawal and refused is None and request.status in store.OPEN_STATUSES:
            request.status = "withdrawn"
            request.closed_at = utcnow()
            session.add(request)
            store.add_event(session, request, ACTOR, "withdrawn", f"the requester withdrew it ({msg.message_id})")
        elif refused is not None:
            store.add_event(session, request, ACTOR, "mail joined",
                            f"from {msg.from_addr}; asks to withdraw, not done by itself ({refused}): staff to check")
        else:
            detail = f"from {msg.from_addr}"
            if request.status == "awaiting_identity":
                detail += "; may identify the requester: staff to check"
            store.add_event(session, request, ACTOR, "mail joined", detail)
        return Outcome("joined", f"follow-up to {request.ref}", request.ref, is_request=True)

    def _join_resent(self, session: Session, mail: InboundMail, msg: Message, received: datetime) -> Outcome | None:
        digest = body_digest(msg)
        if not digest:
            return None
        window = received - timedelta(days=self.settings.replies.resend_window_days)
        request = store.earlier_same_text(session, msg.from_addr, digest, window)
        if request is None:
            return None
        self._record(session, mail, msg, received, "joined", f"re-sent copy of {request.ref}", request=request,
                     keep_raw=True)
        store.add_event(session, request, ACTOR, "mail joined", "the same text sent again; not answered again")
        return Outcome("joined", f"re-sent copy of {request.ref}", request.ref, is_request=True)

    def _open_request(self, session: Session, mail: InboundMail, msg: Message, received: datetime,
                      verdict: Classification) -> Outcome:
        company = self.settings.company
        customer = store.find_customer(session, msg.from_addr)
        judged = identity.judge(msg, known_customer=customer is not None)
        status = {"verified": "pending_approval", "identify": "awaiting_identity", "forged": "flagged"}[
            judged.outcome]
        local_year = received.astimezone(company.tz).year
        ref, number = store.next_reference(session, company.reference_prefix, local_year)
        request = Request(
            ref=ref, year=local_year, number=number, status=status, types=list(verdict.types),
            language=verdict.language if verdict.language in company.languages else company.language,
            requester_email=msg.from_addr, requester_name=msg.from_name,
            requester_hash=store.address_hash(msg.from_addr, store.salt(session)),
            customer_pk=customer.id if customer else None,  # the customer the From address claims to be
            sender_verified=judged.outcome == "verified", identity=judged.outcome,
            identity_reasons=list(judged.reasons), confidence=verdict.confidence,
            evidence=list(verdict.evidence), received_at=received,
            due_at=deadlines.due_at(received, company.tz, company.response_days),
        )
        session.add(request)
        session.flush()
        self._record(session, mail, msg, received, "request", f"opened {ref}", request=request,
                     evidence=verdict.evidence, keep_raw=True)
        store.add_event(session, request, ACTOR, "received",
                        f"{', '.join(verdict.types)} ({verdict.language}, confidence {verdict.confidence:.2f})")
        store.add_event(session, request, ACTOR, f"identity: {judged.outcome}", "; ".join(judged.reasons))
        if customer is not None and judged.outcome != "forged":
            decisions.stop_processing(session, request, customer, ACTOR)
        self._answer(session, request, msg, judged.outcome, verdict)
        return Outcome("request", f"opened {ref} ({status})", ref, is_request=True)

    def _answer(self, session: Session, request: Request, msg: Message, outcome: str,
                verdict: Classification) -> None:
        """Acknowledge or ask for identity, to the From address only; a suspected forgery gets nothing."""
        if outcome == "forged":
            store.add_event(session, request, ACTOR, "flagged",
                            "authentication failed: no mail sent (a reply could reach an innocent party)")
            return
        kind = "acknowledgement" if outcome == "verified" else "identity_request"
        auto = kind in self.settings.replies.auto_send
        if verdict.confidence < self.settings.replies.confidence_threshold:
            auto = False
            store.add_event(session, request, ACTOR, "held for a human look",
                            f"confidence {verdict.confidence:.2f} below "
                            f"{self.settings.replies.confidence_threshold:.2f}")
        # A Message-ID we derived ourselves means nothing to the sender's mail program: do not thread on it.
        in_reply_to = None if msg.message_id_derived else msg.message_id
        outbox.write(session, self.settings, self.composer, request, kind, to=msg.from_addr,
                     context=reply_context(self.settings, request), in_reply_to=in_reply_to,
                     references=msg.references, auto=auto)

    def _record(self, session: Session, mail: InboundMail, msg: Message, received: datetime, outcome: str,
                reason: str, *, request: Request | None = None, evidence: tuple[str, ...] = (),
                keep_raw: bool = False) -> Outcome:
        """One row per Message-ID; the mail's bytes are kept only where staff need them."""
        session.add(InboundRecord(
            message_id=msg.message_id, mailbox_key=mail.key, outcome=outcome, reason=reason[:1000],
            request_id=request.id if request else None, from_addr=msg.from_addr, subject=msg.subject[:500],
            body_digest=body_digest(msg) if request else "", thread_ids=list(msg.thread_ids),
            auth=msg.auth.raw or "", evidence=list(evidence), raw=mail.raw if keep_raw else None,
            received_at=received,
        ))
        session.flush()
        return Outcome(outcome, reason, request.ref if request else None)


def withdrawal_refused(msg: Message, request: Request, verdict: Classification) -> str | None:
    """Why a withdrawal mail may not close ``request`` by itself, or None when it may.

    Only the requester may withdraw, and no less authenticated than the request was: otherwise anyone who
    knows a reference (or forges the From address) could close someone else's request unseen. And only in so many
    words: a withdrawal the text model read, or one that still asks for something, is for staff to confirm.
    """
    if verdict.withdrawal_by_model:
        return "read as a withdrawal by the text model, not by an explicit phrase"
    if verdict.is_request:
        return f"it still asks for {', '.join(verdict.types)}"
    if msg.from_addr != request.requester_email:
        return f"sent by {msg.from_addr or 'no address'}, not by the requester"
    judged = identity.judge(msg, known_customer=True)
    if judged.outcome == "forged":
        return "the receiving server found the From address forged"
    if request.sender_verified and judged.outcome != "verified":
        return "the request was verified, this mail is not"
    return None


def reply_context(settings: Settings, request: Request) -> dict[str, object]:
    return {
        "company": settings.company,
        "request": request,
        "processors": settings.processors,
    }


def parse_since(value: str, tz: tzinfo) -> datetime:
    """``--since`` accepts an ISO date or date-time; without an offset it is the company's local time (a date
    means the start of that day there), as staff think of it."""
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
