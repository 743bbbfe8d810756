"""MsalTokenProvider against a local HTTPS authority serving Microsoft's documented token responses."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from mailbot.backends.base import BackendError
from mailbot.backends.oauth import GRAPH_SCOPE, OUTLOOK_SCOPE, MsalTokenProvider, xoauth2
from mailbot.config import OAuth
from tests.recordings import Reply, Responder, recording, serving
from tests.servers import self_signed_cert

TENANT = "11111111-2222-3333-4444-555555555555"


class Authority:
    """Entra ID's discovery and token endpoints for one tenant; each token response carries a new token."""

    def __init__(self, responder: Responder, cert: Path) -> None:
        self.responder = responder
        self.cert = cert
        self.issued: list[str] = []
        self.refuse = False

        @responder.route("GET", rf"/{TENANT}/v2.0/\.well-known/openid-configuration")
        def discovery(request, match):
            text = json.dumps(recording("oauth/openid-configuration.json"))
            return Reply(200, json.loads(text.replace("{base}", responder.base_url).replace("{tenant}", TENANT)))

        @responder.route("POST", rf"/{TENANT}/oauth2/v2\.0/token")
        def token(request, match):
            if self.refuse:
                return Reply(401, recording("oauth/invalid_client.json"))
            body = dict(recording("oauth/token.json"))
            body["access_token"] = f"token-{len(self.issued) + 1}"
            self.issued.append(body["access_token"])
            return Reply(200, body)

    def token_requests(self) -> list[dict[str, str]]:
        return [r.form() for r in self.responder.hits("POST", rf"/{TENANT}/oauth2/v2\.0/token")]

    def settings(self, **extra: str) -> OAuth:
        return OAuth(
            tenant_id=TENANT, client_id="app-id", client_secret="app-secret",
            authority=self.responder.base_url, **extra,
        )

    def session(self) -> requests.Session:
        session = requests.Session()
        session.verify = str(self.cert)
        session.trust_env = False  # else $REQUESTS_CA_BUNDLE would win over verify
        return session


@pytest.fixture
def authority() -> Iterator[Authority]:
    with tempfile.TemporaryDirectory() as folder:
        cert = self_signed_cert(Path(folder))
        with serving(Responder(), cert) as responder:
            auth = Authority(responder, cert[0])
            yield auth
            auth.session().close()


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_client_credentials_grant_for_the_configured_scope_and_cached(authority):
    provider = MsalTokenProvider(authority.settings(), OUTLOOK_SCOPE, http_client=authority.session())
    assert provider.token() == "token-1"
    assert provider.token() == "token-1"
    (form,) = authority.token_requests()
    assert form["grant_type"] == "client_credentials"
    assert form["client_id"] == "app-id"
    assert form["client_secret"] == "app-secret"
    assert form["scope"] == OUTLOOK_SCOPE


def test_scope_from_settings_wins(authority):
    provider = MsalTokenProvider(
        authority.settings(scope=GRAPH_SCOPE), OUTLOOK_SCOPE, http_client=authority.session()
    )
    provider.token()
    assert authority.token_requests()[0]["scope"] == GRAPH_SCOPE


def test_renewed_before_expiry(authority):
    clock = Clock()
    provider = MsalTokenProvider(authority.settings(), OUTLOOK_SCOPE, http_client=authority.session(), clock=clock)
    assert provider.token() == "token-1"
    clock.now += 3599 - 301  # still more than the margin left
    assert provider.token() == "token-1"
    clock.now += 2  # less than five minutes left: a new one, before any server could refuse the old
    assert provider.token() == "token-2"
    assert len(authority.token_requests()) == 2


def test_invalidate_fetches_a_new_token(authority):
    provider = MsalTokenProvider(authority.settings(), OUTLOOK_SCOPE, http_client=authority.session())
    assert provider.token() == "token-1"
    provider.invalidate()
    assert provider.token() == "token-2"


def test_refusal_is_a_backend_error_with_entra_ids_reason(authority):
    authority.refuse = True
    provider = MsalTokenProvider(authority.settings(), OUTLOOK_SCOPE, http_client=authority.session())
    with pytest.raises(BackendError, match="AADSTS7000215"):
        provider.token()


def test_incomplete_settings_are_refused_up_front():
    with pytest.raises(BackendError, match="tenant_id"):
        MsalTokenProvider(OAuth(client_id="x"), OUTLOOK_SCOPE)


def test_xoauth2_string():
    assert xoauth2("info@itsb.nu", "tok") == "user=info@itsb.nu\x01auth=Bearer tok\x01\x01"
