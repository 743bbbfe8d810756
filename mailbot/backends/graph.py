"""Microsoft Graph mailbox and transport (httpx + MSAL app-only tokens).

Reading: a delta query on the folder; each new message's raw MIME from ``/messages/{id}/$value``. Ids are
immutable ids (``Prefer: IdType="ImmutableId"``) so a mail keeps its key when staff move it. The place is the
round's ``@odata.deltaLink``, saved once every mail of the round is committed; a crash mid-round reads that
round again and the register's Message-ID check keeps it from being answered twice. A delta round also reports
mail that merely changed (staff read or flagged it); those older than the last recorded arrival (less a margin)
are skipped without fetching their MIME.

Sending: ``sendMail`` with the MIME message base64 in a text/plain body, 202 when accepted.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.parser import BytesHeaderParser
from email.utils import getaddresses
from typing import Any
from urllib.parse import quote

import httpx
from tenacity import Retrying, retry_if_exception_type, stop_before_delay, wait_exponential

from mailbot.backends.base import BackendError, CursorStore, InboundMail, PermanentSendError, TransientSendError
from mailbot.backends.oauth import GRAPH_SCOPE, MsalTokenProvider, TokenProvider
from mailbot.config import MailboxSettings, OAuth, OutgoingSettings

log = logging.getLogger(__name__)

PAGE_SIZE = 50
CHANGED_MAIL_MARGIN = timedelta(hours=1)
WELL_KNOWN = {"INBOX": "inbox"}


class _Transient(Exception):
    """A Graph answer worth retrying: 429, 5xx, or no answer at all."""

    def __init__(self, message: str, retry_after: float = 0.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _received(item: dict[str, Any]) -> datetime | None:
    value = item.get("receivedDateTime")
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def _error_text(response: httpx.Response) -> str:
    try:
        error = response.json().get("error", {})
        return f"{response.status_code} {error.get('code', '')}: {error.get('message', '')}".strip()
    except (ValueError, AttributeError):
        return f"{response.status_code} {response.text[:200]}"


class GraphClient:
    """Authenticated Graph requests for one mailbox user; a refused token is renewed once per request."""

    def __init__(self, base_url: str, user: str, tokens: TokenProvider, timeout: float) -> None:
        self.base = base_url.rstrip("/")
        self.user_path = f"{self.base}/users/{quote(user)}"
        self._tokens = tokens
        self._http = httpx.Client(timeout=timeout)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One request; raises ``_Transient`` for what may pass, returns any other answer for the caller."""
        url = url if url.startswith("http") else self.user_path + url
        for attempt in (1, 2):
            headers = {**kwargs.pop("headers", {}), "Authorization": f"Bearer {self._tokens.token()}"}
            try:
                response = self._http.request(method, url, headers=headers, **kwargs)
            except httpx.TransportError as exc:
                raise _Transient(f"Graph {method} {url}: {exc or type(exc).__name__}") from exc
            kwargs["headers"] = {k: v for k, v in headers.items() if k != "Authorization"}
            if response.status_code == 401 and attempt == 1:
                self._tokens.invalidate()
                continue
            if response.status_code == 429 or response.status_code >= 500:
                retry_after = float(response.headers.get("Retry-After", "0") or 0)
                raise _Transient(f"Graph {method} {url}: {_error_text(response)}", retry_after)
            return response
        return response

    def close(self) -> None:
        self._http.close()


def _tokens_for(oauth: OAuth, given: TokenProvider | None) -> TokenProvider:
    return given if given is not None else MsalTokenProvider(oauth, GRAPH_SCOPE)


class GraphMailbox:
    """One mail folder of the mailbox ``settings.address`` (default ``username``) through Graph.

    ``since``: on a first start the delta query is filtered to mail received from then on.
    """

    def __init__(
        self,
        settings: MailboxSettings,
        cursor: CursorStore,
        *,
        since: datetime | None = None,
        token_provider: TokenProvider | None = None,
    ) -> None:
        self.settings = settings
        self._cursor = cursor
        self._since = since
        self._graph = GraphClient(
            settings.graph_url, settings.mailbox_address, _tokens_for(settings.oauth, token_provider),
            settings.timeout_seconds,
        )
        self._folder = WELL_KNOWN.get(settings.folder.upper(), settings.folder)
        self.cursor_name = f"graph:{settings.mailbox_address}/{settings.folder}"
        saved = json.loads(cursor.get(self.cursor_name) or "{}")
        self._delta: str | None = saved.get("delta")
        self._high: datetime | None = datetime.fromisoformat(saved["high"]) if saved.get("high") else None
        self._round_link: str | None = None  # deltaLink of the round read, saved when all of it is committed
        self._uncommitted: set[str] = set()
        self._outage_since: float | None = None

    def _call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """A request retried with backoff over throttling and outages, an outage logged once."""

        def wait(state: Any) -> float:
            exc = state.outcome.exception() if state.outcome else None
            backoff = wait_exponential(multiplier=0.5, min=0.5, max=30)(state)
            return max(backoff, getattr(exc, "retry_after", 0.0))

        def note(state: Any) -> None:
            exc = state.outcome.exception() if state.outcome else None
            if self._outage_since is None:
                self._outage_since = time.monotonic()
                log.warning("Graph unavailable (%s); retrying with backoff", exc)

        retrying = Retrying(
            stop=stop_before_delay(self.settings.timeout_seconds), wait=wait,
            retry=retry_if_exception_type(_Transient), before_sleep=note, reraise=True,
        )
        try:
            response = retrying(self._graph.request, method, url, **kwargs)
        except _Transient as exc:
            raise BackendError(str(exc)) from exc
        if self._outage_since is not None:
            log.info("Graph available again after %.0fs", time.monotonic() - self._outage_since)
            self._outage_since = None
        return response

    def _first_link(self, since: datetime | None) -> tuple[str, dict[str, str] | None]:
        url = f"{self._graph.user_path}/mailFolders/{quote(self._folder)}/messages/delta"
        params = {"$select": "id,receivedDateTime,internetMessageId"}
        if since is not None:
            params["$filter"] = f"receivedDateTime ge {since.strftime('%Y-%m-%dT%H:%M:%SZ')}"
        return url, params

    def fetch_new(self) -> Iterator[InboundMail]:
        headers = {"Prefer": f'odata.maxpagesize={PAGE_SIZE}, IdType="ImmutableId"'}
        url: str
        params: dict[str, str] | None  # None: the link carries its own query (httpx would replace it)
        if self._delta:
            url, params = self._delta, None
        else:
            url, params = self._first_link(self._since)
        self._uncommitted = set()
        self._round_link = None
        while True:
            response = self._call("GET", url, params=params, headers=headers)
            if response.status_code == 410 and self._delta:
                # The delta token expired: start over from the last recorded day; duplicates are caught later.
                log.warning("Graph delta token expired; reading %s again from %s", self._folder, self._high)
                self._delta = None
                day = self._high - timedelta(days=1) if self._high else self._since
                url, params = self._first_link(day)
                continue
            if response.status_code != 200:
                raise BackendError(f"Graph delta query on {self._folder}: {_error_text(response)}")
            page = response.json()
            items = sorted(
                (i for i in page.get("value", []) if "@removed" not in i),
                key=lambda i: i.get("receivedDateTime", ""),
            )
            for item in items:
                received = _received(item)
                if self._high and received and received < self._high - CHANGED_MAIL_MARGIN:
                    continue  # an older mail that staff read, flagged or moved in: nothing new
                mail = self._fetch(item["id"], received)
                if mail is not None:
                    self._uncommitted.add(mail.key)
                    yield mail
            params = None
            if "@odata.nextLink" in page:
                url = page["@odata.nextLink"]
                continue
            self._round_link = page.get("@odata.deltaLink")
            self._save_if_done()
            return

    def _fetch(self, message_id: str, received: datetime | None) -> InboundMail | None:
        response = self._call("GET", f"/messages/{quote(message_id)}/$value")
        if response.status_code == 404:
            return None  # deleted meanwhile
        if response.status_code != 200:
            raise BackendError(f"Graph MIME of {message_id}: {_error_text(response)}")
        return InboundMail(key=message_id, raw=response.content, received_at=received)

    def commit(self, mail: InboundMail) -> None:
        self._uncommitted.discard(mail.key)
        if mail.received_at and (self._high is None or mail.received_at > self._high):
            self._high = mail.received_at
        self._save_if_done()

    def _save_if_done(self) -> None:
        if self._round_link is None or self._uncommitted:
            return
        self._delta, self._round_link = self._round_link, None
        high = self._high.isoformat() if self._high else None
        self._cursor.set(self.cursor_name, json.dumps({"delta": self._delta, "high": high}))

    def dispose(self, mail: InboundMail, is_request: bool) -> None:
        action = self.settings.request_action
        if not is_request or action == "leave":
            return
        if action == "flag":
            response = self._call("PATCH", f"/messages/{quote(mail.key)}", json={"flag": {"flagStatus": "flagged"}})
        else:
            target = self._folder_id(self.settings.move_to)
            response = self._call("POST", f"/messages/{quote(mail.key)}/move", json={"destinationId": target})
        if response.status_code >= 400 and response.status_code != 404:
            raise BackendError(f"Graph {action} {mail.key}: {_error_text(response)}")

    def _folder_id(self, name: str) -> str:
        escaped = name.replace("'", "''")
        response = self._call("GET", "/mailFolders", params={"$filter": f"displayName eq '{escaped}'"})
        found = response.json().get("value", []) if response.status_code == 200 else []
        if found:
            return str(found[0]["id"])
        response = self._call("POST", "/mailFolders", json={"displayName": name})
        if response.status_code not in (200, 201):
            raise BackendError(f"Graph cannot create folder {name!r}: {_error_text(response)}")
        return str(response.json()["id"])

    def wait(self, timeout: float) -> bool:
        """Graph pushes only to public webhooks, so this polls: sleep ``poll_seconds`` at most."""
        time.sleep(max(0.0, min(timeout, self.settings.poll_seconds)))
        return False

    def close(self) -> None:
        self._graph.close()


def with_envelope(raw: bytes, recipients: list[str]) -> bytes:
    """Graph takes recipients from the MIME headers only: envelope recipients missing there become Bcc."""
    headers = BytesHeaderParser().parsebytes(raw)
    present = {a.lower() for _, a in getaddresses(headers.get_all("to", []) + headers.get_all("cc", [])
                                                  + headers.get_all("bcc", []))}
    missing = [r for r in recipients if r.lower() not in present]
    return (f"Bcc: {', '.join(missing)}\r\n".encode() + raw) if missing else raw


class GraphTransport:
    """Sends as ``settings.from_address`` with ``POST /users/{from}/sendMail`` (MIME); a copy lands in Sent Items."""

    def __init__(self, settings: OutgoingSettings, *, token_provider: TokenProvider | None = None) -> None:
        self.settings = settings
        self._graph = GraphClient(
            settings.graph_url, settings.from_address, _tokens_for(settings.oauth, token_provider),
            settings.timeout_seconds,
        )

    def send(self, raw: bytes, sender: str, recipients: list[str]) -> None:
        if not recipients:
            raise PermanentSendError("no recipients")
        body = base64.b64encode(with_envelope(raw, recipients))
        try:
            response = self._graph.request(
                "POST", "/sendMail", content=body, headers={"Content-Type": "text/plain"}
            )
        except _Transient as exc:
            raise TransientSendError(str(exc)) from exc
        except BackendError as exc:  # no token: a set-up problem, the mail waits
            raise TransientSendError(str(exc)) from exc
        if response.status_code == 401:
            raise TransientSendError(f"Graph sendMail: {_error_text(response)}")
        if response.status_code >= 400:
            raise PermanentSendError(f"Graph sendMail: {_error_text(response)}")

    def close(self) -> None:
        self._graph.close()
