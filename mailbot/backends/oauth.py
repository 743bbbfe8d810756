"""Office 365 app-only OAuth2: client-credentials tokens from MSAL, renewed before they expire, and XOAUTH2.

One provider serves a backend's whole life: IMAP and SMTP ask it for a token at every (re)login, Graph at
every request, so a token that is about to expire is replaced before a server can refuse it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

import msal

from mailbot.backends.base import BackendError
from mailbot.config import OAuth

log = logging.getLogger(__name__)

OUTLOOK_SCOPE = "https://outlook.office365.com/.default"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
RENEW_MARGIN_SECONDS = 300.0


class TokenProvider(Protocol):
    """Hands out a valid bearer token; ``invalidate`` when a server refused one so the next call fetches anew."""

    def token(self) -> str: ...

    def invalidate(self) -> None: ...


class MsalTokenProvider:
    """Client-credentials tokens for one app registration and one resource scope.

    ``http_client`` is passed to MSAL (a ``requests.Session``-like object), e.g. to trust a test authority's
    certificate. MSAL itself insists on an https authority.
    """

    def __init__(
        self,
        oauth: OAuth,
        scope: str,
        *,
        http_client: Any | None = None,
        margin: float = RENEW_MARGIN_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not (oauth.tenant_id and oauth.client_id and oauth.client_secret):
            raise BackendError("oauth2 needs oauth.tenant_id, oauth.client_id and oauth.client_secret")
        self._oauth = oauth
        self._scope = oauth.scope or scope
        self._http_client = http_client
        self._margin = margin
        self._clock = clock
        self._app: msal.ConfidentialClientApplication | None = None
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()

    @property
    def authority(self) -> str:
        return f"{self._oauth.authority.rstrip('/')}/{self._oauth.tenant_id}"

    def _client(self) -> msal.ConfidentialClientApplication:
        if self._app is None:
            kwargs: dict[str, Any] = {}
            if self._http_client is not None:
                kwargs["http_client"] = self._http_client
            default = self._oauth.authority.rstrip("/") == "https://login.microsoftonline.com"
            try:
                self._app = msal.ConfidentialClientApplication(
                    self._oauth.client_id,
                    client_credential=self._oauth.client_secret,
                    authority=self.authority,
                    instance_discovery=default,
                    validate_authority=default,
                    **kwargs,
                )
            except Exception as exc:  # msal raises ValueError and requests' errors alike
                raise BackendError(f"OAuth2 authority {self.authority}: {exc}") from exc
        return self._app

    def token(self) -> str:
        with self._lock:
            if self._token is not None and self._clock() < self._expires_at - self._margin:
                return self._token
            app = self._client()
            # Our margin decides when to renew, not MSAL's cache, which would hand back the old token.
            for entry in list(app.token_cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN)):
                app.token_cache.remove_at(entry)
            try:
                result = app.acquire_token_for_client(scopes=[self._scope])
            except Exception as exc:
                raise BackendError(f"OAuth2 token from {self.authority}: {exc}") from exc
            if "access_token" not in result:
                reason = result.get("error_description") or result.get("error") or "no token"
                raise BackendError(f"OAuth2 token from {self.authority} refused: {reason}")
            self._token = str(result["access_token"])
            self._expires_at = self._clock() + float(result.get("expires_in", 3600))
            log.debug("new OAuth2 token for %s, valid %ss", self._scope, result.get("expires_in"))
            return self._token

    def invalidate(self) -> None:
        with self._lock:
            self._token = None


def xoauth2(user: str, token: str) -> str:
    """The SASL XOAUTH2 initial response (before base64), as IMAP and SMTP at Office 365 expect it."""
    return f"user={user}\x01auth=Bearer {token}\x01\x01"


def provider_for(oauth: OAuth, auth: str, scope: str, given: TokenProvider | None) -> TokenProvider | None:
    """The provider a backend uses: the one it was given, or one built from settings when ``auth = "oauth2"``."""
    if given is not None or auth != "oauth2":
        return given
    return MsalTokenProvider(oauth, scope)
