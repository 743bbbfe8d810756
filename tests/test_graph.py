"""GraphMailbox / GraphTransport against a local responder replaying Microsoft's documented Graph exchanges."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from email.parser import BytesParser
from typing import Any

import pytest

from mailbot.backends.base import PermanentSendError, TransientSendError
from mailbot.backends.graph import GraphMailbox, GraphTransport
from mailbot.config import MailboxSettings, OutgoingSettings
from tests.recordings import Reply, Request, Responder, recording, serving

USER = r"/v1\.0/users/info(?:@|%40)itsb\.nu"
FIRST, SECOND, THIRD, LATER = (
    "AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0AdmcalPHHG020sQUoUcFNIwAADK7KEgAA",
    "AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0AdmcalPHHG020sQUoUcFNIwAADK7KEwAA",
    "AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0AdmcalPHHG020sQUoUcFNIwAADK7KEQAA",
    "AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0AdmcalPHHG020sQUoUcFNIwAADK7KFQAA",
)


class Tokens:
    def __init__(self) -> None:
        self.issued = 0

    def token(self) -> str:
        return f"graph-token-{self.issued}"

    def invalidate(self) -> None:
        self.issued += 1


class Cursor(dict):
    def get(self, name: str, default: Any = None) -> Any:
        return super().get(name, default)

    def set(self, name: str, value: str) -> None:
        self[name] = value


def mime(message_id: str) -> bytes:
    return f"From: jan@example.nl\r\nTo: info@itsb.nu\r\nSubject: {message_id[-8:]}\r\n\r\nInzage\r\n".encode()


class Graph:
    """Graph for one mailbox: delta rounds from the recordings, MIME per id, folders, sendMail."""

    def __init__(self, responder: Responder) -> None:
        self.r = responder
        self.expired_tokens: set[str] = set()
        self.delta_status: list[int] = []  # statuses to answer the next delta requests with first
        self.send_status: list[int] = []
        self.folders: list[dict[str, Any]] = []

        def page(name: str) -> Reply:
            text = json.dumps(recording(f"graph/{name}.json")).replace("{base}", responder.base_url)
            return Reply(200, json.loads(text))

        @responder.route("GET", USER + r"/mailFolders/inbox/messages/delta")
        def delta(request: Request, match: Any) -> Reply:
            if self.delta_status:
                status = self.delta_status.pop(0)
                name = "throttled" if status == 429 else "sync-state-not-found"
                return Reply(status, recording(f"graph/{name}.json"), {"Retry-After": "0"})
            token = request.query.get("$deltatoken", [""])[0]
            if token == "round2":
                link = f"{responder.base_url}{request.path}?$deltatoken=round2"
                return Reply(200, {"value": [], "@odata.deltaLink": link})
            if token:
                return page("delta-next-round")
            if "$skiptoken" in request.query:
                return page("delta-page-2")
            return page("delta-page-1")

        @responder.route("GET", USER + r"/messages/([^/]+)/\$value")
        def value(request: Request, match: Any) -> Reply:
            return Reply(200, mime(match.group(1)), {"Content-Type": "message/rfc822"})

        @responder.route("PATCH", USER + r"/messages/([^/]+)")
        def patch(request: Request, match: Any) -> Reply:
            return Reply(200, {"id": match.group(1)})

        @responder.route("POST", USER + r"/messages/([^/]+)/move")
        def move(request: Request, match: Any) -> Reply:
            return Reply(201, {"id": match.group(1)})

        @responder.route("GET", USER + r"/mailFolders")
        def folders(request: Request, match: Any) -> Reply:
            return Reply(200, {"value": self.folders})

        @responder.route("POST", USER + r"/mailFolders")
        def create(request: Request, match: Any) -> Reply:
            folder = recording("graph/mail-folder.json")
            self.folders.append(folder)
            return Reply(201, folder)

        @responder.route("POST", USER + r"/sendMail")
        def send(request: Request, match: Any) -> Reply:
            if request.headers["authorization"].removeprefix("Bearer ") in self.expired_tokens:
                return Reply(401, {"error": {"code": "InvalidAuthenticationToken", "message": "expired"}})
            status = self.send_status.pop(0) if self.send_status else 202
            if status == 403:
                return Reply(403, recording("graph/access-denied.json"))
            if status == 429:
                return Reply(429, recording("graph/throttled.json"), {"Retry-After": "1"})
            return Reply(status, b"" if status == 202 else {"error": {"code": "x", "message": "y"}})

    def mailbox(self, cursor: Cursor, **extra: Any) -> GraphMailbox:
        since = extra.pop("since", None)
        settings = MailboxSettings(backend="graph", graph_url=f"{self.r.base_url}/v1.0", poll_seconds=1,
                                   timeout_seconds=5, **extra)
        return GraphMailbox(settings, cursor, token_provider=Tokens(), since=since)

    def transport(self, tokens: Tokens | None = None) -> GraphTransport:
        settings = OutgoingSettings(backend="graph", graph_url=f"{self.r.base_url}/v1.0")
        return GraphTransport(settings, token_provider=tokens or Tokens())


@pytest.fixture
def graph() -> Iterator[Graph]:
    with serving(Responder()) as responder:
        yield Graph(responder)


def drain(box: GraphMailbox, commit: bool = True) -> list[str]:
    keys = []
    for mail in box.fetch_new():
        assert mail.raw == mime(mail.key)
        keys.append(mail.key)
        if commit:
            box.commit(mail)
    return keys


def test_first_round_follows_pages_fetches_mime_and_keeps_the_delta_link(graph):
    cursor = Cursor()
    box = graph.mailbox(cursor)
    try:
        mails = list(box.fetch_new())
        assert [m.key for m in mails] == [FIRST, SECOND, THIRD]  # per page oldest first; @removed skipped
        assert mails[0].received_at == datetime(2026, 11, 2, 9, 20, tzinfo=UTC)
        assert cursor == {}  # nothing recorded yet
        for m in mails:
            box.commit(m)
    finally:
        box.close()
    (saved,) = cursor.values()
    assert "$deltatoken=LztZ" in json.loads(saved)["delta"]
    first = graph.r.hits("GET", USER + r"/mailFolders/inbox/messages/delta")[0]
    assert 'IdType="ImmutableId"' in first.headers["prefer"]
    assert first.headers["authorization"] == "Bearer graph-token-0"


def test_next_round_uses_the_saved_link_and_skips_mail_that_only_changed(graph):
    cursor = Cursor()
    box = graph.mailbox(cursor)
    drain(box)
    box.close()
    again = graph.mailbox(cursor)
    try:
        assert drain(again) == [LATER]  # FIRST came back only because staff read it
        assert graph.r.hits("GET", USER + rf"/messages/{FIRST}/\$value").__len__() == 1
        assert drain(again) == []
    finally:
        again.close()


def test_a_round_not_fully_recorded_is_read_again(graph):
    cursor = Cursor()
    box = graph.mailbox(cursor)
    stream = box.fetch_new()
    box.commit(next(stream))
    box.close()  # crash before the rest was recorded
    again = graph.mailbox(cursor)
    try:
        assert drain(again) == [FIRST, SECOND, THIRD]
    finally:
        again.close()


def test_first_start_filters_by_since(graph):
    box = graph.mailbox(Cursor(), since=datetime(2026, 11, 1, 12, 0, tzinfo=UTC))
    try:
        drain(box)
    finally:
        box.close()
    first = graph.r.hits("GET", USER + r"/mailFolders/inbox/messages/delta")[0]
    assert first.query["$filter"] == ["receivedDateTime ge 2026-11-01T12:00:00Z"]


def test_throttling_is_waited_out_and_logged_once(graph, caplog):
    graph.delta_status = [429, 503]
    box = graph.mailbox(Cursor())
    try:
        with caplog.at_level(logging.INFO, logger="mailbot.backends.graph"):
            assert drain(box) == [FIRST, SECOND, THIRD]
    finally:
        box.close()
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1


def test_expired_delta_token_starts_over(graph):
    cursor = Cursor()
    box = graph.mailbox(cursor)
    drain(box)
    graph.delta_status = [410]
    try:
        assert drain(box) == [FIRST, SECOND, THIRD]  # the register's Message-ID check answers each once
    finally:
        box.close()
    restart = graph.r.hits("GET", USER + r"/mailFolders/inbox/messages/delta")[-2]
    assert restart.query["$filter"] == ["receivedDateTime ge 2026-11-01T09:40:00Z"]


@pytest.mark.parametrize("action", ["flag", "move"])
def test_dispose_touches_request_mail_only(graph, action):
    box = graph.mailbox(Cursor(), request_action=action)
    try:
        request, other, _ = list(box.fetch_new())
        box.dispose(other, is_request=False)
        box.dispose(request, is_request=True)
        box.dispose(request, is_request=True)
    finally:
        box.close()
    assert graph.r.hits("PATCH", USER + rf"/messages/{other.key}") == []
    if action == "flag":
        (patch, _) = graph.r.hits("PATCH", USER + r"/messages/.*")
        assert patch.json() == {"flag": {"flagStatus": "flagged"}}
    else:
        moves = graph.r.hits("POST", USER + r"/messages/.*/move")
        assert [m.json()["destinationId"] for m in moves] == [recording("graph/mail-folder.json")["id"]] * 2
        assert len(graph.r.hits("POST", USER + r"/mailFolders")) == 1  # created once, then found


def test_sendmail_posts_base64_mime_and_adds_missing_envelope_recipients_as_bcc(graph):
    raw = b"From: info@itsb.nu\r\nTo: jan@example.nl\r\nSubject: [AVG-2026-0007]\r\n\r\nBeste Jan,\r\n"
    transport = graph.transport()
    try:
        transport.send(raw, "info@itsb.nu", ["jan@example.nl", "privacy@itsb.nu"])
    finally:
        transport.close()
    (request,) = graph.r.hits("POST", USER + r"/sendMail")
    assert request.headers["content-type"] == "text/plain"
    sent = base64.b64decode(request.body)
    assert sent.endswith(raw)
    assert BytesParser().parsebytes(sent)["Bcc"] == "privacy@itsb.nu"


def test_expired_token_is_renewed_once(graph):
    graph.expired_tokens = {"graph-token-0"}
    tokens = Tokens()
    transport = graph.transport(tokens)
    try:
        transport.send(b"To: jan@example.nl\r\n\r\nx\r\n", "info@itsb.nu", ["jan@example.nl"])
    finally:
        transport.close()
    assert tokens.issued == 1
    assert len(graph.r.hits("POST", USER + r"/sendMail")) == 2


@pytest.mark.parametrize(("status", "error"), [(429, TransientSendError), (503, TransientSendError),
                                               (403, PermanentSendError), (400, PermanentSendError)])
def test_send_failures(graph, status, error):
    graph.send_status = [status]
    transport = graph.transport()
    try:
        with pytest.raises(error, match=str(status)):
            transport.send(b"To: jan@example.nl\r\n\r\nx\r\n", "info@itsb.nu", ["jan@example.nl"])
    finally:
        transport.close()


def test_unreachable_graph_is_transient():
    settings = OutgoingSettings(backend="graph", graph_url="http://127.0.0.1:9/v1.0", timeout_seconds=2)
    transport = GraphTransport(settings, token_provider=Tokens())
    try:
        with pytest.raises(TransientSendError):
            transport.send(b"To: jan@example.nl\r\n\r\nx\r\n", "info@itsb.nu", ["jan@example.nl"])
    finally:
        transport.close()
