"""EwsMailbox / EwsTransport (exchangelib) against a local SOAP responder built from Microsoft's EWS examples."""

from __future__ import annotations

import base64
import re
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from mailbot.backends.base import BackendError, InboundMail, PermanentSendError, TransientSendError
from mailbot.backends.ews import EwsMailbox, EwsTransport
from mailbot.config import MailboxSettings, OutgoingSettings
from tests.recordings import Reply, Request, Responder, recording, serving
from tests.servers import self_signed_cert

IDS = {"AAMkAD-one=": "2026-11-02T09:20:00Z", "AAMkAD-two=": "2026-11-02T09:30:00Z"}
ROOT, TOP, INBOX = "AAMkAD-root=", "AAMkAD-msgfolderroot=", "AAMkAD-inbox="
NS = {"m": "http://schemas.microsoft.com/exchange/services/2006/messages",
      "t": "http://schemas.microsoft.com/exchange/services/2006/types"}


def soap(body: str) -> Reply:
    return Reply(200, recording("ews/envelope.xml").replace("{body}", body))


def error(service: str, code: str, text: str) -> Reply:
    return soap(recording("ews/error.xml").format(service=service, code=code, text=text))


def mime(item_id: str) -> bytes:
    return f"From: jan@example.nl\r\nTo: info@itsb.nu\r\nSubject: {item_id}\r\n\r\nInzage\r\n".encode()


class Ews:
    """An Exchange server's EWS endpoint: one inbox whose SyncFolderItems rounds are scripted per sync state, the
    folder tree above it (root, Top of Information Store, Inbox and what ``add_folder`` adds), flags and moves."""

    def __init__(self, responder: Responder) -> None:
        self.r = responder
        self.rounds = {"": ("state-1", list(IDS)), "state-1": ("state-2", [])}
        self.create_error: tuple[str, str] | None = None
        self.update_error: tuple[str, str] | None = None
        self.gone: set[str] = set()
        # id -> (distinguished id, parent id, display name); the root's parent is itself, as Exchange reports it
        self.folders: dict[str, tuple[str | None, str, str]] = {
            ROOT: ("root", ROOT, ""), TOP: ("msgfolderroot", ROOT, "Top of Information Store"),
            INBOX: ("inbox", TOP, "Inbox"),
        }

        @responder.route("POST", r"/EWS/Exchange\.asmx")
        def endpoint(request: Request, match: Any) -> Reply:
            if "authorization" not in request.headers:
                return Reply(401, b"", {"WWW-Authenticate": 'Basic realm="mail.itsb.nu"'})
            body = request.body.decode()
            service = re.search(r"<s:Body><m:(\w+)", body).group(1)  # type: ignore[union-attr]
            item = re.search(r'ItemId Id="([^"]+)"', body)
            item_id = item.group(1) if item else ""
            if service == "SyncFolderItems":
                state = re.search(r"<m:SyncState>(.*?)</m:SyncState>", body)
                next_state, ids = self.rounds[state.group(1) if state else ""]
                changes = "".join(
                    recording("ews/change-create.xml").format(id=i, received=IDS[i]) for i in ids
                ) + recording("ews/change-read-flag.xml").format(id="AAMkAD-old=")
                return soap(recording("ews/SyncFolderItems.xml").format(sync_state=next_state, changes=changes))
            if service == "GetItem" and item_id in self.gone:
                return error(service, "ErrorItemNotFound", "The specified object was not found in the store.")
            if service == "GetItem" and 'PropertyTag="0x1090"' in body:
                return soap(recording("ews/GetItem-flag.xml").replace("{id}", item_id))
            if service == "GetItem":
                encoded = base64.b64encode(mime(item_id)).decode()
                return soap(recording("ews/GetItem.xml").format(mime=encoded, id=item_id, received=IDS[item_id]))
            if service == "GetFolder":
                return soap(recording("ews/GetFolder.xml").format(messages="".join(
                    self._get_folder(wanted) for _, wanted in re.findall(
                        r'<t:(DistinguishedFolderId|FolderId) Id="([^"]+)"', body.split("<m:FolderIds>")[1]
                    )
                )))
            if service == "FindFolder":  # Traversal="Deep" from the root: every folder below it
                below = [self._folder(i) for i in self.folders if i != ROOT]
                return soap(recording("ews/FindFolder.xml").format(count=len(below), folders="".join(below)))
            if service == "CreateFolder":
                name = re.search(r"<t:DisplayName>(.*?)</t:DisplayName>", body).group(1)  # type: ignore[union-attr]
                parent = re.search(r'<m:ParentFolderId><t:\w+ Id="([^"]+)"', body).group(1)  # type: ignore[union-attr]
                new_id = self.add_folder(name, self.resolve(parent) or "")
                return soap(recording("ews/CreateFolder.xml").replace("{id}", new_id))
            if service == "CreateItem" and self.create_error:
                return error(service, *self.create_error)
            if service == "UpdateItem" and self.update_error:
                return error(service, *self.update_error)
            return soap(recording(f"ews/{service}.xml").replace("{id}", item_id))

    def _folder(self, folder_id: str) -> str:
        _, parent, name = self.folders[folder_id]
        return recording("ews/folder.xml").format(id=folder_id, parent=parent, name=name)

    def resolve(self, wanted: str) -> str | None:
        """A folder id or distinguished id (``inbox``) → the folder's id, None when there is no such folder."""
        return next((i for i, (known, _, _) in self.folders.items() if wanted in (i, known)), None)

    def _get_folder(self, wanted: str) -> str:
        found = self.resolve(wanted)
        if found is None:
            return recording("ews/GetFolder-not-found.xml")
        return recording("ews/GetFolder-found.xml").format(folder=self._folder(found))

    def add_folder(self, name: str, parent: str = TOP) -> str:
        folder_id = f"AAMkAD-{name.lower()}="
        self.folders[folder_id] = (None, parent, name)
        return folder_id

    def requests(self, service: str) -> list[str]:
        return [r.body.decode() for r in self.r.requests if f"<m:{service}" in r.body.decode()]

    def calls(self, service: str) -> list[ET.Element]:
        """The ``<m:service>`` elements clients sent, parsed."""
        return [ET.fromstring(body).find(f".//m:{service}", NS) for body in self.requests(service)]  # type: ignore[misc]


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
    values: dict[str, Any] = {"username": "info@itsb.nu", "password": "pw", "timeout_seconds": 3, **extra}
    settings = MailboxSettings(backend="ews", ews_url=f"{ews.r.base_url}/EWS/Exchange.asmx", **values)
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


def request_mail(key: str = "AAMkAD-one=") -> InboundMail:
    return InboundMail(key=key, raw=mime(key))


def dispose(ews: Ews, action: str, *mails: tuple[InboundMail, bool], **extra: Any) -> None:
    box = mailbox(ews, Cursor(), request_action=action, **extra)
    try:
        for mail, is_request in mails:
            box.dispose(mail, is_request)
    finally:
        box.close()


def test_leave_and_other_mail_touch_nothing(ews):
    dispose(ews, "leave", (request_mail(), True))
    dispose(ews, "move", (request_mail(), False))
    dispose(ews, "flag", (request_mail(), False))
    assert ews.r.requests == []


def test_flag_sets_outlooks_follow_up_flag_on_that_item_only(ews):
    dispose(ews, "flag", (request_mail("AAMkAD-one="), True), (request_mail("AAMkAD-two="), False))
    (update,) = ews.calls("UpdateItem")
    change = update.find("m:ItemChanges/t:ItemChange", NS)
    assert change is not None
    item = change.find("t:ItemId", NS)
    assert item is not None and item.get("Id") == "AAMkAD-one="
    assert item.get("ChangeKey")  # from the GetItem just before: EWS refuses a stale one rather than overwrite
    (field,) = change.findall("t:Updates/t:SetItemField", NS)
    uri = field.find("t:ExtendedFieldURI", NS)
    assert uri is not None and (uri.get("PropertyTag"), uri.get("PropertyType")) == ("0x1090", "Integer")
    assert field.findtext("t:Message/t:ExtendedProperty/t:Value", namespaces=NS) == "2"  # followupFlagged
    assert update.get("MessageDisposition") == "SaveOnly"  # never sent anywhere
    assert ews.calls("MoveItem") == []


def moves(ews: Ews) -> list[tuple[str | None, str | None]]:
    out = []
    for call in ews.calls("MoveItem"):
        target, item = call.find("m:ToFolderId/t:FolderId", NS), call.find("m:ItemIds/t:ItemId", NS)
        out.append((target.get("Id") if target is not None else None, item.get("Id") if item is not None else None))
    return out


def test_move_into_an_existing_folder(ews):
    privacy = ews.add_folder("Privacy")
    dispose(ews, "move", (request_mail(), True), move_to="Privacy")
    assert moves(ews) == [(privacy, "AAMkAD-one=")]
    assert ews.calls("CreateFolder") == []
    assert ews.calls("UpdateItem") == []


def test_move_creates_the_folder_once_beside_the_inbox(ews):
    dispose(ews, "move", (request_mail("AAMkAD-one="), True), (request_mail("AAMkAD-two="), True), move_to="Privacy")
    (create,) = ews.calls("CreateFolder")
    parent = create.find("m:ParentFolderId/t:DistinguishedFolderId", NS)
    assert parent is not None and parent.get("Id") == "msgfolderroot"  # the inbox's parent
    assert create.findtext("m:Folders/t:Folder/t:DisplayName", namespaces=NS) == "Privacy"
    privacy = ews.resolve("AAMkAD-privacy=")
    assert moves(ews) == [(privacy, "AAMkAD-one="), (privacy, "AAMkAD-two=")]


@pytest.mark.parametrize("action", ["flag", "move"])
def test_mail_deleted_meanwhile_is_left_alone(ews, action):
    ews.gone.add("AAMkAD-one=")
    dispose(ews, action, (request_mail(), True))
    assert ews.calls("UpdateItem") == [] and ews.calls("MoveItem") == []


def test_a_refused_flag_is_a_backend_error_naming_the_server(ews):
    ews.update_error = ("ErrorAccessDenied", "Access is denied. Check credentials and try again.")
    with pytest.raises(BackendError, match=r"EWS http://127\.0\.0\.1:\d+/EWS/Exchange\.asmx: flag .*ErrorAccessDenied"):
        dispose(ews, "flag", (request_mail(), True))


def mailboxes_addressed(ews: Ews) -> set[str]:
    return {m for body in ews.requests("") for m in re.findall(r"<t:EmailAddress>(.*?)</t:EmailAddress>", body)}


def test_address_opens_another_mailbox_than_the_login(ews):
    cursor = Cursor()
    box = mailbox(ews, cursor, username="svc-mailbot@itsb.nu", address="info@itsb.nu")
    try:
        for m in box.fetch_new():
            box.commit(m)
    finally:
        box.close()
    assert mailboxes_addressed(ews) == {"info@itsb.nu"}
    logins = {r.headers["authorization"] for r in ews.r.requests if "authorization" in r.headers}
    assert logins == {"Basic " + base64.b64encode(b"svc-mailbot@itsb.nu:pw").decode()}
    assert list(cursor) == ["ews:info@itsb.nu/INBOX"]


def test_without_address_the_login_is_the_mailbox(ews):
    box = mailbox(ews, Cursor(), username="office@itsb.nu")
    try:
        list(box.fetch_new())
    finally:
        box.close()
    assert mailboxes_addressed(ews) == {"office@itsb.nu"}


@pytest.fixture
def ews_tls() -> Iterator[tuple[Ews, Path]]:
    """The same endpoint over HTTPS with a certificate of its own CA, as an on-premises Exchange with an internal CA."""
    with tempfile.TemporaryDirectory() as folder:
        cert = self_signed_cert(Path(folder))
        with serving(Responder(), cert) as responder:
            yield Ews(responder), cert[0]


def test_ca_file_trusts_an_internal_ca(ews_tls):
    ews, ca = ews_tls
    box = mailbox(ews, Cursor(), ca_file=str(ca))
    try:
        assert [m.key for m in box.fetch_new()] == list(IDS)
    finally:
        box.close()
    settings = OutgoingSettings(backend="ews", ews_url=f"{ews.r.base_url}/EWS/Exchange.asmx", username="info@itsb.nu",
                                password="pw", from_address="info@itsb.nu", ca_file=str(ca))
    t = EwsTransport(settings)
    try:
        t.send(b"To: jan@example.nl\r\n\r\nx\r\n", "info@itsb.nu", ["jan@example.nl"])
    finally:
        t.close()
    assert len(ews.requests("CreateItem")) == 1


def test_without_ca_file_an_internal_ca_is_not_trusted(ews_tls):
    ews, _ = ews_tls
    box = mailbox(ews, Cursor(), timeout_seconds=1)
    try:
        with pytest.raises(BackendError, match="CERTIFICATE_VERIFY_FAILED"):
            list(box.fetch_new())
    finally:
        box.close()
    assert ews.r.requests == []  # nothing reached the server


def test_a_missing_ca_file_is_refused_up_front(ews, tmp_path):
    with pytest.raises(BackendError, match=r"ca_file .*missing\.pem"):
        mailbox(ews, Cursor(), ca_file=str(tmp_path / "missing.pem"))
