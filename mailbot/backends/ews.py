"""Exchange Web Services mailbox and transport (exchangelib), for on-premises Exchange.

Exchange Online switches EWS off (2026-10-01 to 2027-04-01); there use IMAP/SMTP with OAuth2 or Graph.
Reading follows SyncFolderItems: the saved place is the sync state of the last round whose mails were all
committed, as with Graph's delta link; each new item's MIME comes with GetItem. Sending is CreateItem with the
MIME content (SendOnly).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

import requests
import requests.adapters
from exchangelib import (
    DELEGATE,
    IMPERSONATION,
    Account,
    Configuration,
    Credentials,
    Identity,
    Message,
    OAuth2Credentials,
)
from exchangelib import errors as ews_errors
from exchangelib.extended_properties import Flag as FlagStatus
from exchangelib.fields import InvalidField
from exchangelib.folders import Folder
from exchangelib.protocol import BaseProtocol
from tenacity import Retrying, retry_if_exception, stop_before_delay, wait_exponential

from mailbot.backends.base import (
    BackendError,
    CursorStore,
    InboundMail,
    PermanentSendError,
    TransientSendError,
    trusted_context,
)
from mailbot.backends.graph import with_envelope
from mailbot.config import MailboxSettings, OutgoingSettings

log = logging.getLogger(__name__)

TRANSIENT: tuple[type[BaseException], ...] = (
    ews_errors.ErrorServerBusy, ews_errors.ErrorTimeoutExpired, ews_errors.ErrorInternalServerTransientError,
    ews_errors.ErrorConnectionFailedTransientError, ews_errors.ErrorMailboxStoreUnavailable,
    ews_errors.ErrorExceededConnectionCount, ews_errors.RateLimitError, ews_errors.UnauthorizedError,
    requests.ConnectionError, requests.Timeout, ConnectionError, TimeoutError,
)


#: Outlook's follow-up flag is the MAPI property PidTagFlagStatus (0x1090); 2 = followupFlagged (MS-OXOFLAG).
#: exchangelib has no field for it, so it is registered as an extended property, exchangelib's documented way.
FLAG_STATUS = "mailbot_flag_status"
FOLLOWUP_FLAGGED = 2
try:
    Message.get_field_by_fieldname(FLAG_STATUS)
except InvalidField:
    Message.register(FLAG_STATUS, FlagStatus)


def is_transient(exc: BaseException) -> bool:
    """Busy, throttled, unreachable or a refused login: worth trying later. Other EWS errors are about the mail."""
    if isinstance(exc, TRANSIENT):
        return True
    return isinstance(exc, ews_errors.TransportError) and not isinstance(exc, ews_errors.ResponseMessageError)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{(parts.hostname or '').lower()}:{parts.port or (443 if parts.scheme == 'https' else 80)}"


class TrustAdapter(requests.adapters.HTTPAdapter):
    """The one adapter class exchangelib uses for every session: EWS servers given a ``ca_file`` are checked against
    that PEM bundle instead of the system's CAs; every other host (an OAuth2 token endpoint) as usual.

    exchangelib has no per-account trust setting; its documented way is a ``BaseProtocol.HTTP_ADAPTER_CLS`` that
    picks the CA by URL. The latest account built for a server decides its trust.
    """

    ca_files: ClassVar[dict[str, str]] = {}

    @classmethod
    def trust(cls, url: str, ca_file: str) -> None:
        """Trust ``ca_file`` (empty: the system's CAs) for the server of ``url``; a broken bundle is refused now."""
        trusted_context(ca_file, f"EWS {url}")
        if ca_file:
            cls.ca_files[_origin(url)] = ca_file
            BaseProtocol.HTTP_ADAPTER_CLS = cls
        else:
            cls.ca_files.pop(_origin(url), None)

    def _verify(self, url: str, verify: Any) -> Any:
        return verify if verify is False else self.ca_files.get(_origin(url), verify)

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        super().cert_verify(conn, url, self._verify(url, verify), cert)

    def get_connection_with_tls_context(
        self, request: Any, verify: Any, proxies: Any = None, cert: Any = None
    ) -> Any:
        return super().get_connection_with_tls_context(
            request, self._verify(request.url, verify), proxies=proxies, cert=cert
        )


def _account(settings: MailboxSettings | OutgoingSettings, address: str) -> Account:
    if not settings.ews_url:
        raise BackendError("ews needs ews_url (https://<server>/EWS/Exchange.asmx)")
    if settings.auth == "oauth2":
        o = settings.oauth
        credentials: Any = OAuth2Credentials(
            client_id=o.client_id, client_secret=o.client_secret, tenant_id=o.tenant_id,
            identity=Identity(primary_smtp_address=address),
        )
        access = IMPERSONATION
    else:
        credentials, access = Credentials(settings.username, settings.password), DELEGATE
    config = Configuration(service_endpoint=settings.ews_url, credentials=credentials,
                           max_connections=2)
    return Account(primary_smtp_address=address, config=config, autodiscover=False, access_type=access)


class EwsMailbox:
    """One folder of the mailbox ``settings.address`` (default: the login ``username``) over EWS.

    ``since`` skips older mail on a first start.
    """

    def __init__(
        self,
        settings: MailboxSettings,
        cursor: CursorStore,
        *,
        since: datetime | None = None,
        account: Account | None = None,
    ) -> None:
        self.settings = settings
        self._cursor = cursor
        self._since = since
        self._account_obj = account
        TrustAdapter.trust(settings.ews_url, settings.ca_file)
        self.cursor_name = f"ews:{settings.mailbox_address}/{settings.folder}"
        self._state: str | None = json.loads(cursor.get(self.cursor_name) or "{}").get("sync_state")
        self._round_state: str | None = None
        self._uncommitted: set[str] = set()
        self._outage_since: float | None = None

    def _folder(self) -> Folder:
        if self._account_obj is None:
            self._account_obj = _account(self.settings, self.settings.mailbox_address)
        account = self._account_obj
        if self.settings.folder.upper() == "INBOX":
            return account.inbox
        return account.inbox.parent / self.settings.folder

    def _retrying(self) -> Retrying:
        def note(state: Any) -> None:
            if self._outage_since is None:
                self._outage_since = time.monotonic()
                exc = state.outcome.exception() if state.outcome else None
                log.warning("EWS %s unavailable (%s); retrying with backoff", self.settings.ews_url, exc)

        return Retrying(
            stop=stop_before_delay(self.settings.timeout_seconds), wait=wait_exponential(multiplier=0.5, max=30),
            retry=retry_if_exception(is_transient), before_sleep=note, reraise=True,
        )

    def fetch_new(self) -> Iterator[InboundMail]:
        try:
            changes = self._retrying()(self._changes)
        except Exception as exc:
            raise BackendError(f"EWS {self.settings.ews_url}: {exc}") from exc
        if self._outage_since is not None:
            log.info("EWS available again after %.0fs", time.monotonic() - self._outage_since)
            self._outage_since = None
        folder, items = changes
        self._uncommitted = set()
        self._round_state = None
        account = folder.account
        for item in items:
            received = item.datetime_received
            if self._state is None and self._since and received and received < self._since:
                continue
            (full,) = account.fetch(ids=[item], only_fields=["mime_content", "datetime_received"])
            if isinstance(full, Exception):
                continue  # gone meanwhile
            self._uncommitted.add(item.id)
            yield InboundMail(key=item.id, raw=bytes(full.mime_content), received_at=full.datetime_received)
        self._round_state = folder.item_sync_state
        self._save_if_done()

    def _changes(self) -> tuple[Folder, list[Any]]:
        """One SyncFolderItems round: the items created since the saved state (ids and arrival time only)."""
        folder = self._folder()
        items = [
            item for change, item in folder.sync_items(
                sync_state=self._state, only_fields=["datetime_received"], max_changes_returned=100,
            )
            if change == "create"
        ]
        return folder, sorted(items, key=lambda i: i.datetime_received or datetime.min)

    def commit(self, mail: InboundMail) -> None:
        self._uncommitted.discard(mail.key)
        self._save_if_done()

    def _save_if_done(self) -> None:
        if self._round_state is None or self._uncommitted:
            return
        self._state, self._round_state = self._round_state, None
        self._cursor.set(self.cursor_name, json.dumps({"sync_state": self._state}))

    def dispose(self, mail: InboundMail, is_request: bool) -> None:
        """Flag (Outlook's follow-up flag) or move request mail; a mail staff already deleted is left be."""
        action = self.settings.request_action
        if not is_request or action == "leave":
            return
        try:
            self._dispose(mail.key, action)
        except BackendError:
            raise
        except Exception as exc:
            where = f"EWS {self.settings.ews_url}: {action} {mail.key}"
            raise BackendError(f"{where}: {type(exc).__name__}: {exc}") from exc

    def _dispose(self, key: str, action: str) -> None:
        folder = self._folder()
        (item,) = folder.account.fetch(ids=[(key, None)], only_fields=[FLAG_STATUS])
        if isinstance(item, ews_errors.ErrorItemNotFound):
            return
        if isinstance(item, Exception):
            raise item
        if action == "flag":
            setattr(item, FLAG_STATUS, FOLLOWUP_FLAGGED)
            item.save(update_fields=[FLAG_STATUS])
            return
        root = folder.account.inbox.parent
        try:
            target = root / self.settings.move_to
        except ews_errors.ErrorFolderNotFound:
            target = Folder(parent=root, name=self.settings.move_to)
            target.save()
        item.move(target)

    def wait(self, timeout: float) -> bool:
        """Polls (EWS streaming notifications are left out: on-premises only, and polling is enough)."""
        time.sleep(max(0.0, min(timeout, self.settings.poll_seconds)))
        return False

    def close(self) -> None:
        if self._account_obj is not None:
            self._account_obj.protocol.close()


class EwsTransport:
    """Sends as ``settings.from_address`` with CreateItem (SendOnly) and the MIME content."""

    def __init__(self, settings: OutgoingSettings, *, account: Account | None = None) -> None:
        self.settings = settings
        self._account_obj = account
        TrustAdapter.trust(settings.ews_url, settings.ca_file)

    def send(self, raw: bytes, sender: str, recipients: list[str]) -> None:
        if not recipients:
            raise PermanentSendError("no recipients")
        try:
            if self._account_obj is None:
                self._account_obj = _account(self.settings, self.settings.from_address)
            Message(account=self._account_obj, mime_content=with_envelope(raw, recipients)).send(save_copy=False)
        except BackendError as exc:
            raise PermanentSendError(str(exc)) from exc
        except Exception as exc:
            if is_transient(exc):
                raise TransientSendError(f"EWS {self.settings.ews_url}: {type(exc).__name__}: {exc}") from exc
            if isinstance(exc, ews_errors.EWSError):
                raise PermanentSendError(f"EWS {self.settings.ews_url}: {type(exc).__name__}: {exc}") from exc
            raise

    def close(self) -> None:
        if self._account_obj is not None:
            self._account_obj.protocol.close()
