"""Staff decisions on requests opened by the real pipeline from real mail: what each may do, and what it leaves."""

from __future__ import annotations

import email
import json
from datetime import UTC, datetime, timedelta
from email import policy
from pathlib import Path

import pytest
from sqlmodel import select

from mailbot import anonymise, decisions
from mailbot.app import App
from mailbot.decisions import DecisionError
from mailbot.register import store
from mailbot.register.models import Customer, Event, InboundRecord, Reply, Request
from mailbot.replies import outbox
from tests.desk.factory import add_customer, make_app, open_request
from tests.mailmaker import FAIL


@pytest.fixture
def app(tmp_path: Path) -> App:
    app = make_app(tmp_path)
    add_customer(app)
    return app


def get(session, ref: str) -> Request:  # type: ignore[no-untyped-def]
    request = store.request_by_ref(session, ref)
    assert request is not None
    return request


def test_complete_access_attaches_the_copy_and_closes_on_approval(app: App) -> None:
    ref = open_request(app)
    with app.session() as s:
        request = get(s, ref)
        reply = decisions.complete(s, app.settings, app.composer, request, "anna")
        assert reply.status == "draft" and reply.attachments
        assert request.status == "pending_approval"
        decisions.approve(s, app.settings, app.composer, request, "anna")
        s.commit()
        assert request.status == "completed" and request.closed_at is not None
        assert reply.status == "queued" and reply.decided_by == "anna"
        mime = email.message_from_bytes(reply.raw or b"", policy=policy.default)
        names = sorted(p.get_filename() for p in mime.iter_attachments())
        assert names == [f"gegevens-{ref}.csv", f"gegevens-{ref}.json"]
        assert mime["In-Reply-To"] == store.mails_of(s, request)[0].message_id
        history = [(e.actor, e.action) for e in store.history_of(s, request)]
        assert ("anna", "approved") in history and ("anna", "completed") in history


def test_edited_text_is_what_gets_sealed(app: App) -> None:
    ref = open_request(app)
    with app.session() as s:
        request = get(s, ref)
        reply = decisions.draft(s, app.settings, app.composer, request, "bert", "completion")
        decisions.edit_reply(s, app.settings, app.composer, request, reply, "bert",
                             subject="Uw gegevens", text="Beste Jan,\n\nHier is alles <b>vet</b>.\n")
        preview = decisions.preview(s, app.settings, request, reply)
        decisions.approve(s, app.settings, app.composer, request, "anna")
        for raw in (preview, reply.raw or b""):
            mime = email.message_from_bytes(raw, policy=policy.default)
            assert mime["Subject"] == f"[{ref}] Uw gegevens"
            plain = mime.get_body(("plain",)).get_content().replace("\r\n", "\n")  # CRLF on the wire
            assert plain == "Beste Jan,\n\nHier is alles <b>vet</b>.\n"
            assert "&lt;b&gt;vet&lt;/b&gt;" in mime.get_body(("html",)).get_content()
        with pytest.raises(DecisionError, match="only a draft"):
            decisions.edit_reply(s, app.settings, app.composer, request, reply, "bert", subject="x", text="y")


def test_roles_and_statuses_are_enforced(app: App) -> None:
    ref = open_request(app)
    with app.session() as s:
        request = get(s, ref)
        with pytest.raises(DecisionError, match="approver"):
            decisions.complete(s, app.settings, app.composer, request, "bert", role="staff")
        with pytest.raises(DecisionError, match="no draft"):
            decisions.approve(s, app.settings, app.composer, request, "anna")
        with pytest.raises(DecisionError, match="reason"):
            decisions.reject(s, app.settings, app.composer, request, "anna", "  ")
        with pytest.raises(DecisionError, match="un-flag"):
            decisions.unflag(s, app.settings, app.composer, request, "anna")
        decisions.withdraw(s, app.settings, app.composer, request, "anna", note="by phone")
        assert request.status == "withdrawn"
        with pytest.raises(DecisionError, match="withdrawn"):
            decisions.complete(s, app.settings, app.composer, request, "anna")


def test_reject_with_send_queues_the_rejection_and_closes(app: App) -> None:
    ref = open_request(app)
    with app.session() as s:
        request = get(s, ref)
        reply = decisions.reject(s, app.settings, app.composer, request, "anna", "Geen klant van ons.", send=True)
        assert reply is not None and reply.status == "queued" and reply.kind == "rejection"
        assert "Geen klant van ons." in reply.body_text
        assert request.status == "rejected"


def test_forgery_is_unflagged_or_discarded_and_nothing_is_sent(app: App) -> None:
    forged = open_request(app, auth=FAIL)
    second = open_request(app, auth=FAIL, subject="Nog een verzoek", body="Ik wil graag inzage in mijn gegevens.")
    with app.session() as s:
        request = get(s, forged)
        assert request.status == "flagged" and store.replies_of(s, request) == []
        with pytest.raises(DecisionError, match="forgery"):
            decisions.approve(s, app.settings, app.composer, request, "anna")
        decisions.discard(s, app.settings, app.composer, request, "anna")
        assert request.status == "discarded" and store.replies_of(s, request) == []
        other = get(s, second)
        reply = decisions.unflag(s, app.settings, app.composer, other, "anna", note="called the customer")
        assert other.status == "pending_approval" and other.sender_verified
        assert reply.kind == "acknowledgement" and reply.status == "draft"


def test_verify_identity_moves_to_the_queue_and_drafts_the_confirmation(app: App) -> None:
    ref = open_request(app, sender="J. de Vries <jdv@elders.example>")
    with app.session() as s:
        request = get(s, ref)
        assert request.status == "awaiting_identity"
        with pytest.raises(DecisionError, match="not verified"):
            decisions.draft(s, app.settings, app.composer, request, "bert", "completion")
        reply = decisions.verify_identity(s, app.settings, app.composer, request, "anna", note="ID checked")
        assert request.status == "pending_approval" and request.sender_verified
        assert reply.kind == "identity_confirmed" and reply.status == "draft"
        assert any(e.action == "identity verified" and e.actor == "anna" for e in store.history_of(s, request))


def test_extension_only_within_the_first_month_with_reason_and_notice(app: App) -> None:
    received = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    ref = open_request(app, received=received)
    with app.session() as s:
        request = get(s, ref)
        with pytest.raises(DecisionError, match="reason"):
            decisions.extend(s, app.settings, app.composer, request, "anna", months=2, reason="",
                             now=received + timedelta(days=3))
        with pytest.raises(DecisionError, match="1 to 2"):
            decisions.extend(s, app.settings, app.composer, request, "anna", months=3, reason="veel werk",
                             now=received + timedelta(days=3))
        with pytest.raises(DecisionError, match="passed"):
            decisions.extend(s, app.settings, app.composer, request, "anna", months=1, reason="veel werk",
                             now=request.due_at + timedelta(seconds=1))
        reply = decisions.extend(s, app.settings, app.composer, request, "anna", months=2,
                                 reason="Gegevens bij drie verwerkers opvragen", now=received + timedelta(days=3))
        assert request.extended
        assert request.due_at.astimezone(app.settings.company.tz).date().isoformat() == "2026-06-10"
        assert reply.kind == "extension" and reply.status == "draft"
        assert "10 juni 2026" in reply.body_text and "drie verwerkers" in reply.body_text
        with pytest.raises(DecisionError, match="already"):
            decisions.extend(s, app.settings, app.composer, request, "anna", months=1, reason="nog meer",
                             now=received + timedelta(days=4))


def test_objection_stops_processing_and_rejection_resumes_it(app: App) -> None:
    ref = open_request(app, subject="Bezwaar", body="Ik maak bezwaar tegen de verwerking van mijn gegevens.")
    with app.session() as s:
        request = get(s, ref)
        assert "objection" in request.types
        customer = s.get(Customer, request.customer_pk)
        assert customer is not None and customer.processing_stopped
        decisions.reject(s, app.settings, app.composer, request, "anna", "Gerechtvaardigd belang", send=True)
        assert not customer.processing_stopped
        assert any(e.action == "processing resumed" for e in store.history_of(s, request))


def test_erasure_completion_pseudonymises_the_register(app: App) -> None:
    earlier = open_request(app)
    ref = open_request(app, subject="Verwijder mijn gegevens", body="Verwijder al mijn gegevens alstublieft.")
    with app.session() as s:
        request = get(s, ref)
        assert "erasure" in request.types
        salt = store.salt(s)
        decisions.complete(s, app.settings, app.composer, request, "anna", send=True)
        s.commit()
    with app.session() as s:
        for r in (get(s, ref), get(s, earlier)):
            assert r.anonymised and anonymise.is_pseudonym(r.requester_email)
            assert r.requester_name == "" and r.customer_pk is None
            assert r.requester_hash == store.address_hash("jan@example.nl", salt)
            assert r.types and r.received_at and r.due_at
        assert s.exec(select(Customer)).all() == []
        for mail in s.exec(select(InboundRecord)).all():
            assert mail.raw is None and mail.subject == "" and "jan@" not in mail.from_addr
        completion = s.exec(select(Reply).where(Reply.kind == "completion")).one()
        assert completion.status == "queued" and completion.to_addr == "jan@example.nl"  # until it is sent
    assert outbox.drain(app.engine, app.settings, app.transport()) == 3
    with app.session() as s:
        assert anonymise.scrub_sent(s) == 0  # the drain already scrubbed what it sent
        dump = json.dumps([store.request_json(s, r, full=True) for r in s.exec(select(Request)).all()])
        dump += json.dumps([e.detail for e in s.exec(select(Event)).all()])
        assert "jan@example.nl" not in dump.lower() and "de vries" not in dump.lower()
