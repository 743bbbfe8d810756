"""EwsMailbox / EwsTransport (exchangelib) against a local SOAP responder built from Microsoft's EWS examples."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from mailbot.backends.base import PermanentSendError, TransientSendError
from mailbot.backends.ews import EwsMailbox, EwsTransport
from mailbot.config import MailboxSettings, OutgoingSettings
from tests.recordings import Reply, Request, Responder, recording, serving

IDS = {"AAMkAD-one=": "2026-11-02T09:20:00Z", "AAMkAD-two=": "2026-11-02T09:30:00Z"}


def soap(body: str) -> Reply:
    return Reply(200, recording("ews/envelope.xml").replace("{body}", body))


def mime(item_id: str) -> bytes:
    return f"From: jan@example.nl\r\nTo: info@itsb.nu\r\nSubject: {item_id}\r\n\r\nInzage\r\n".encode()


class Ews:
    """An Exchange server's EWS endpoint: one inbox whose SyncFolderItems rounds are scripted per sync state."""

    def __init__(self, responder: Responder) -> None:
        self.r = responder
        self.rounds = {"": ("state-1", list(IDS)), "state-1": ("state-2", [])}
        self.create_error: tuple[str, str] | None = None

        @responder.route("POST", r"/EWS/Exchange\.asmx")
        def endpoint(request: Request, match: Any) -> Reply:
            if "authorization" not in request.headers:
                return Reply(401, b"", {"WWW-Authenticate": 'Basic realm="mail.itsb.nu"'})
            body = request.body.decode()
            service = re.search(r"<s:Body><m:(\w+)", body).group(1)  # type: ignore[union-attr]
            if service == "SyncFolderItems":
                state = re.search(r"<m:SyncState>(.*?)</m:SyncState>", body)
                next_state, ids = self.rounds[state.group(1) if state else ""]
                changes = "".join(
                    recording("ews/change-create.xml").format(id=i, received=IDS[i]) for i in ids
                ) + recording("ews/change-read-flag.xml").format(id="AAMkAD-old=")
                return soap(recording("ews/SyncFolderItems.xml").format(sync_state=next_state, changes=changes))
            if service == "GetItem":
                item_id = re.search(r'ItemId Id="([^"]+)"', body).group(1)  # type: ignore[union-attr]
                encoded = base64.b64encode(mime(item_id)).decode()
                return soap(recording("ews/GetItem.xml").format(mime=encoded, id=item_id, received=IDS[item_id]))
            if service == "CreateItem" and self.create_error:
                code, text = self.create_error
                return soap(recording("ews/error.xml").format(service=service, code=code, text=text))
            return soap(recording(f"ews/{service}.xml"))

    def requests(self, service: str) -> list[str]:
        return [r.body.decode() for r in self.r.requests if f"<m:{service}" in r.body.decode()]


class Cursor(dict):
    def get(self, name: str, default: Any = None) -> Any:
        return super().get(name, default)

    def set(self, name: str, value: str) -> None:
        self[name] = value


@pytest.fixture
def ews() -> Iterator[Ews]:
    with serving(Responder()) as responder:
        yield Ews(responder)


def mailbox(ews: Ews, cursor: Cursor, **extra: Any) -> EwsMailbox:
    since = extra.pop("since", None)
    settings = MailboxSettings(backend="ews", ews_url=f"{ews.r.base_url}/EWS/Exchange.asmx", username="info@itsb.nu",
                               password="pw", timeout_seconds=3, **extra)
    return EwsMailbox(settings, cursor, since=since)


def test_sync_round_yields_new_items_with_mime_and_saves_the_state_when_all_are_recorded(ews):
    cursor = Cursor()
    box = mailbox(ews, cursor)
    try:
        mails = list(box.fetch_new())
        assert [m.key for m in mails] == list(IDS)  # the read-flag change of an old mail is no new mail
        assert mails[0].raw == mime("AAMkAD-one=")
        assert mails[0].received_at == datetime(2026, 11, 2, 9, 20, tzinfo=UTC)
        assert cursor == {}
        for m in mails:
            box.commit(m)
        assert '"sync_state": "state-1"' in cursor["ews:info@itsb.nu/INBOX"]
        assert list(box.fetch_new()) == []
        assert "<m:SyncState>state-1</m:SyncState>" in ews.requests("SyncFolderItems")[-1]
    finally:
        box.close()


def test_first_start_skips_mail_before_since_without_fetching_it(ews):
    box = mailbox(ews, Cursor(), since=datetime(2026, 11, 2, 9, 25, tzinfo=UTC))
    try:
        assert [m.key for m in box.fetch_new()] == ["AAMkAD-two="]
    finally:
        box.close()
    assert len(ews.requests("GetItem")) == 1


def transport(ews: Ews) -> EwsTransport:
    settings = OutgoingSettings(backend="ews", ews_url=f"{ews.r.base_url}/EWS/Exchange.asmx",
                                username="info@itsb.nu", password="pw", from_address="info@itsb.nu")
    return EwsTransport(settings)


def test_send_creates_the_item_from_mime(ews):
    raw = b"From: info@itsb.nu\r\nTo: jan@example.nl\r\nSubject: [AVG-2026-0007]\r\n\r\nBeste Jan,\r\n"
    t = transport(ews)
    try:
        t.send(raw, "info@itsb.nu", ["jan@example.nl"])
    finally:
        t.close()
    (request,) = ews.requests("CreateItem")
    assert 'MessageDisposition="SendOnly"' in request
    sent = re.search(r"<t:MimeContent[^>]*>([^<]+)</t:MimeContent>", request).group(1)  # type: ignore[union-attr]
    assert base64.b64decode(sent) == raw


@pytest.mark.parametrize(("code", "error"), [("ErrorServerBusy", TransientSendError),
                                             ("ErrorMessageSizeExceeded", PermanentSendError)])
def test_send_errors(ews, code, error):
    ews.create_error = (code, "refused for the test")
    t = transport(ews)
    try:
        with pytest.raises(error, match=code if error is PermanentSendError else "refused"):
            t.send(b"To: jan@example.nl\r\n\r\nx\r\n", "info@itsb.nu", ["jan@example.nl"])
    finally:
        t.close()
