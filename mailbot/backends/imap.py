"""IMAP mailbox (imapclient): live with IDLE, crash-safe by UIDVALIDITY/UID, never marks staff's mail read.

The place in the mailbox is a high-water mark ``{"uidvalidity", "uid", "received"}`` kept in the register's
cursor store, moved only by ``commit`` after the register recorded the mail. When the server's UIDVALIDITY
changes, the folder is read again from the day of the last recorded mail; the register's Message-ID
de-duplication makes sure such a mail is answered once. Bodies are fetched with ``BODY.PEEK[]`` in batches of
UIDs, so nothing is marked ``\\Seen`` and memory stays flat however long the backlog.
"""

from __future__ import annotations

import imaplib
import json
import logging
import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError
from tenacity import Retrying, retry_if_exception_type, stop_before_delay, wait_exponential

from mailbot.backends.base import BackendError, CursorStore, InboundMail, trusted_context
from mailbot.backends.oauth import OUTLOOK_SCOPE, TokenProvider, provider_for
from mailbot.config import MailboxSettings

log = logging.getLogger(__name__)

#: What a lost connection, a restarted server or a closed session looks like from imaplib/imapclient.
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (OSError, imaplib.IMAP4.abort, EOFError, ssl.SSLError)
BATCH_SIZE = 200
BACKOFF = wait_exponential(multiplier=0.5, min=0.5, max=30)
T = TypeVar("T")


class _ConnectionLost(Exception):
    """The server closed the session (BYE, EOF during IDLE)."""


_LOST = (*CONNECTION_ERRORS, _ConnectionLost)


@dataclass(frozen=True)
class Place:
    """Where mailbot is in one folder: the last recorded UID of this UIDVALIDITY and when that mail arrived."""

    uidvalidity: int
    uid: int
    received: datetime | None = None

    def dump(self) -> str:
        received = self.received.isoformat() if self.received else None
        return json.dumps({"uidvalidity": self.uidvalidity, "uid": self.uid, "received": received})

    @classmethod
    def load(cls, text: str | None) -> Place | None:
        if not text:
            return None
        data = json.loads(text)
        received = datetime.fromisoformat(data["received"]) if data.get("received") else None
        return cls(int(data["uidvalidity"]), int(data["uid"]), received)


def parse_key(key: str) -> tuple[str, int, int]:
    """``"INBOX/uidvalidity/uid"`` → (folder, uidvalidity, uid); folder names may contain ``/``."""
    folder, validity, uid = key.rsplit("/", 2)
    return folder, int(validity), int(uid)


def _utc(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


class ImapMailbox:
    """One IMAP folder as a :class:`mailbot.backends.base.Mailbox`.

    ``since``: on a first start (no saved place) only mail that arrived from that day on is fetched at all
    (IMAP ``SEARCH SINCE`` is by date; the pipeline applies the exact moment). ``token_provider`` overrides the
    MSAL provider built from ``settings.oauth`` when ``settings.auth == "oauth2"``; ``ssl_context`` overrides the
    one built from ``settings.ca_file`` (none: the system's trusted CAs).
    """

    def __init__(
        self,
        settings: MailboxSettings,
        cursor: CursorStore,
        *,
        since: datetime | None = None,
        token_provider: TokenProvider | None = None,
        batch_size: int = BATCH_SIZE,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.settings = settings
        self._cursor = cursor
        self._since = since
        self._tokens = provider_for(settings.oauth, settings.auth, OUTLOOK_SCOPE, token_provider)
        self._batch = batch_size
        self._ssl_context = ssl_context or trusted_context(settings.ca_file, self._where)
        self._client: IMAPClient | None = None
        self._uidvalidity = 0
        self._idle_ok = False
        self._seen_uid = 0  # highest UID handed out by this process, for "is there new mail?"
        self._outage_since: float | None = None
        self.cursor_name = f"imap:{settings.username}@{settings.host}:{settings.port}/{settings.folder}"
        self._idling = False
        self._place = Place.load(cursor.get(self.cursor_name))

    # --- connection ---------------------------------------------------------------------------------

    @property
    def _where(self) -> str:
        return f"IMAP {self.settings.host}:{self.settings.port}"

    def _open(self) -> IMAPClient:
        s = self.settings
        client = IMAPClient(
            s.host, s.port, ssl=s.security == "ssl", ssl_context=self._ssl_context, timeout=s.timeout_seconds
        )
        try:
            if s.security == "starttls":
                client.starttls(self._ssl_context)
            self._login(client)
            client.normalise_times = False
            # EXAMINE when mailbot never changes anything: the staff's mailbox cannot be touched by accident.
            info = client.select_folder(s.folder, readonly=s.request_action == "leave")
        except BaseException:
            _quietly(client.shutdown)
            raise
        self._uidvalidity = int(info[b"UIDVALIDITY"])
        self._idle_ok = s.idle and client.has_capability("IDLE")
        return client

    def _login(self, client: IMAPClient) -> None:
        s = self.settings
        try:
            if self._tokens is None:
                client.login(s.username, s.password)
                return
            try:
                client.oauth2_login(s.username, self._tokens.token())
            except LoginError:
                # An expired or revoked token: fetch a fresh one once before calling it a refusal.
                self._tokens.invalidate()
                client.oauth2_login(s.username, self._tokens.token())
        except LoginError as exc:
            raise BackendError(f"{self._where}: login as {s.username} refused: {exc}") from None

    def _connect(self, budget: float) -> IMAPClient:
        """Connect (again), retrying with backoff for at most ``budget`` seconds; log an outage once."""
        if self._client is not None:
            return self._client
        retrying = Retrying(
            stop=stop_before_delay(budget),
            wait=BACKOFF,
            retry=retry_if_exception_type(CONNECTION_ERRORS),
            before_sleep=lambda state: self._lost(state.outcome.exception() if state.outcome else None),
            reraise=True,
        )
        try:
            self._client = retrying(self._open)
        except CONNECTION_ERRORS as exc:
            self._lost(exc)
            raise BackendError(f"{self._where}: cannot connect: {exc}") from exc
        if self._outage_since is not None:
            log.info("%s: reconnected after %.0fs", self._where, time.monotonic() - self._outage_since)
            self._outage_since = None
        return self._client

    def _lost(self, exc: BaseException | None) -> None:
        """Forget the broken session; the first failure of an outage is logged, the retries only at debug."""
        if self._client is not None:
            _quietly(self._client.shutdown)
            self._client = None
        if self._outage_since is None:
            self._outage_since = time.monotonic()
            log.warning("%s: connection lost (%s); reconnecting with backoff", self._where, exc)
        else:
            log.debug("%s: still unreachable: %s", self._where, exc)

    def _run(self, action: Callable[[IMAPClient], T]) -> T:
        """Run one idempotent command, reconnecting once the way ``_connect`` does when the session broke."""
        try:
            return action(self._connect(self.settings.timeout_seconds))
        except _LOST as exc:
            self._lost(exc)
        return action(self._connect(self.settings.timeout_seconds))

    # --- Mailbox ------------------------------------------------------------------------------------

    def fetch_new(self) -> Iterator[InboundMail]:
        """Mail after the saved place, oldest first, one at a time; resumes after a reconnect where it was."""
        self._connect(self.settings.timeout_seconds)
        after: int | None = None  # last UID yielded in this pass (None: start from the saved place)
        while True:
            try:
                for mail in self._fetch_after(after):
                    after = parse_key(mail.key)[2]
                    yield mail
                return
            except _LOST as exc:
                self._lost(exc)
                validity = self._uidvalidity
                self._connect(self.settings.timeout_seconds)
                if self._uidvalidity != validity:
                    after = None

    def _start(self) -> tuple[int, datetime | None]:
        """The UID to read after and the day to search from, given the saved place and the server's UIDVALIDITY."""
        place = self._place
        if place is None:
            return 0, self._since
        if place.uidvalidity != self._uidvalidity:
            day = place.received or self._since
            log.warning(
                "%s: %s UIDVALIDITY changed %s → %s; reading again from %s",
                self._where, self.settings.folder, place.uidvalidity, self._uidvalidity, day or "the start",
            )
            return 0, day
        return place.uid, None

    def _fetch_after(self, after: int | None) -> Iterator[InboundMail]:
        client = self._client
        assert client is not None
        start, day = self._start() if after is None else (after, None)
        client.noop()  # brings the session's view of the folder up to date before searching it
        criteria: list[Any] = ["UID", f"{start + 1}:*"]
        if day is not None:
            # SEARCH SINCE compares dates in the server's zone; a day's margin, the pipeline cuts exactly.
            criteria += ["SINCE", (day - timedelta(days=1)).date()]
        uids = sorted(uid for uid in client.search(criteria) if uid > start)
        validity = self._uidvalidity
        for first in range(0, len(uids), self._batch):
            batch = uids[first:first + self._batch]
            data = client.fetch(batch, ["BODY.PEEK[]", "INTERNALDATE"])
            for uid in batch:
                item = data.pop(uid, None)
                if item is None or b"BODY[]" not in item:
                    continue  # expunged meanwhile
                self._seen_uid = max(self._seen_uid, uid)
                yield InboundMail(
                    key=f"{self.settings.folder}/{validity}/{uid}",
                    raw=bytes(item[b"BODY[]"]),
                    received_at=_utc(item.get(b"INTERNALDATE")),
                )
            del data

    def commit(self, mail: InboundMail) -> None:
        _, validity, uid = parse_key(mail.key)
        place = self._place
        if place is not None and place.uidvalidity == validity and place.uid >= uid:
            return
        received = mail.received_at
        if place is not None and place.uidvalidity == validity and place.received and received:
            received = max(received, place.received)
        self._place = Place(validity, uid, received)
        self._cursor.set(self.cursor_name, self._place.dump())

    def dispose(self, mail: InboundMail, is_request: bool) -> None:
        action = self.settings.request_action
        if not is_request or action == "leave":
            return
        folder, validity, uid = parse_key(mail.key)
        if folder != self.settings.folder:
            return
        self._connect(self.settings.timeout_seconds)
        if validity != self._uidvalidity:
            log.warning("%s: %s is gone (UIDVALIDITY changed); not %sing it", self._where, mail.key, action)
            return
        if action == "flag":
            self._run(lambda c: c.add_flags([uid], [b"\\Flagged"], silent=True))
        else:
            self._run(lambda c: self._move(c, uid))

    def _move(self, client: IMAPClient, uid: int) -> None:
        target = self.settings.move_to
        if not client.folder_exists(target):
            try:
                client.create_folder(target)
            except IMAPClientError:
                if not client.folder_exists(target):  # someone else created it meanwhile: fine
                    raise
        if client.has_capability("MOVE"):
            client.move([uid], target)
            return
        client.copy([uid], target)
        client.add_flags([uid], [b"\\Deleted"], silent=True)
        if client.has_capability("UIDPLUS"):
            client.uid_expunge([uid])  # never a plain EXPUNGE: it would remove staff's \Deleted mail too

    def wait(self, timeout: float) -> bool:
        """IDLE (renewed every ``idle_renew_seconds``) or poll every ``poll_seconds``, until ``timeout``."""
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            had_outage = self._outage_since is not None or self._client is None
            try:
                client = self._connect(remaining)
                if had_outage or self._has_new(client):
                    return True  # after an outage something may have come in unseen
                if self._idle_ok:
                    if self._idle(client, deadline):
                        return True
                else:
                    time.sleep(max(0.0, min(self.settings.poll_seconds, deadline - time.monotonic())))
                    if self._has_new(client):
                        return True
            except _LOST as exc:
                self._lost(exc)
            except BackendError:
                if self._outage_since is None:
                    raise  # not an outage: a refused login and the like
                return False
        return False

    def _has_new(self, client: IMAPClient) -> bool:
        seen = max(self._seen_uid, self._place.uid if self._place else 0)
        client.noop()
        return any(uid > seen for uid in client.search(["UID", f"{seen + 1}:*"]))

    def _idle(self, client: IMAPClient, deadline: float) -> bool:
        """One IDLE session of at most ``idle_renew_seconds``; True when the server announced new mail."""
        until = min(deadline, time.monotonic() + self.settings.idle_renew_seconds)
        client.idle()
        self._idling = True
        woken = False
        while not woken and (left := until - time.monotonic()) > 0:
            started = time.monotonic()
            responses = client.idle_check(timeout=left)
            if any(r[0] == b"BYE" for r in responses) or (
                not responses and time.monotonic() - started < left - 0.05
            ):
                raise _ConnectionLost("server ended the IDLE session")
            woken = any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses)
        client.idle_done()
        self._idling = False
        return woken

    def close(self) -> None:
        """Log out politely but never hang: a wait cut short by a stop signal may have left IDLE running."""
        client, self._client = self._client, None
        if client is not None:
            _quietly(lambda: client.socket().settimeout(5))
            if self._idling:
                _quietly(client.idle_done)
            _quietly(client.logout)
        self._idling = False


def _quietly(action: Callable[[], Any]) -> None:
    try:
        action()
    except (TimeoutError, *CONNECTION_ERRORS, IMAPClientError):
        pass
