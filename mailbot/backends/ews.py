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
from typing import Any

import requests
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
from exchangelib.folders import Folder
from tenacity import Retrying, retry_if_exception, stop_before_delay, wait_exponential

from mailbot.backends.base import BackendError, CursorStore, InboundMail, PermanentSendError, TransientSendError
from mailbot.backends.graph import with_envelope
from mailbot.config import MailboxSettings, OutgoingSettings

log = logging.getLogger(__name__)

TRANSIENT: tuple[type[BaseException], ...] = (
    ews_errors.ErrorServerBusy, ews_errors.ErrorTimeoutExpired, ews_errors.ErrorInternalServerTransientError,
    ews_errors.ErrorConnectionFailedTransientError, ews_errors.ErrorMailboxStoreUnavailable,
    ews_errors.ErrorExceededConnectionCount, ews_errors.RateLimitError, ews_errors.UnauthorizedError,
    requests.ConnectionError, requests.Timeout, ConnectionError, TimeoutError,
)


def is_transient(exc: BaseException) -> bool:
    """Busy, throttled, unreachable or a refused login: worth trying later. Other EWS errors are about the mail."""
    if isinstance(exc, TRANSIENT):
        return True
    return isinstance(exc, ews_errors.TransportError) and not isinstance(exc, ews_errors.ResponseMessageError)


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
    """One folder of ``settings.username``'s mailbox over EWS. ``since`` skips older mail on a first start."""

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
        self.cursor_name = f"ews:{settings.username}/{settings.folder}"
        self._state: str | None = json.loads(cursor.get(self.cursor_name) or "{}").get("sync_state")
        self._round_state: str | None = None
        self._uncommitted: set[str] = set()
        self._outage_since: float | None = None

    def _folder(self) -> Folder:
        if self._account_obj is None:
            self._account_obj = _account(self.settings, self.settings.username)
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
        action = self.settings.request_action
        if not is_request or action == "leave":
            return
        folder = self._folder()
        (item,) = folder.account.fetch(ids=[(mail.key, None)], only_fields=["flag"])
        if isinstance(item, Exception):
            return
        if action == "flag":
            item.flag.flag_status = "Flagged"
            item.save(update_fields=["flag"])
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
