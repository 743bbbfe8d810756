"""ImapMailbox logging in with XOAUTH2 to a real Dovecot whose oauth2 passdb asks a token-introspection endpoint.

The token comes from the real MsalTokenProvider, fetched from the local Entra ID stand-in of test_oauth.py; the
introspection endpoint (RFC 7662, as Dovecot's ``introspection_mode = post`` calls it) accepts exactly one token.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from mailbot.backends.base import BackendError
from mailbot.backends.imap import ImapMailbox
from mailbot.backends.oauth import OUTLOOK_SCOPE, MsalTokenProvider
from tests.integration.test_imap import drain, mail, settings_for, subjects
from tests.recordings import Reply, Request, Responder, serving
from tests.servers import dovecot as dovecot_server
from tests.servers import self_signed_cert
from tests.test_oauth import Authority

pytestmark = pytest.mark.dovecot


class Introspection:
    """The resource server's token check: active only for the one token it was told, and only for that user."""

    def __init__(self, responder: Responder, user: str) -> None:
        self.responder = responder
        self.valid: str | None = None

        @responder.route("POST", r"/introspect")
        def introspect(request: Request, match: object) -> Reply:
            if request.form().get("token") == self.valid:
                return Reply(200, {"active": True, "username": user, "scope": "IMAP.AccessAsApp"})
            return Reply(200, {"active": False})

    @property
    def asked(self) -> list[str]:
        """The tokens Dovecot asked about, in order."""
        return [r.form()["token"] for r in self.responder.hits("POST", r"/introspect")]


@pytest.fixture
def authority() -> Iterator[Authority]:
    with tempfile.TemporaryDirectory() as folder:
        cert = self_signed_cert(Path(folder))
        with serving(Responder(), cert) as responder:
            yield Authority(responder, cert[0])


@pytest.fixture
def introspection() -> Iterator[Introspection]:
    with serving(Responder()) as responder:
        yield Introspection(responder, "info@itsb.nu")


@pytest.fixture
def dovecot_oauth2(server_root: Path, introspection: Introspection) -> Iterator[dovecot_server.Dovecot]:
    if not dovecot_server.available():
        pytest.skip("Dovecot is not installed (Debian package dovecot-imapd)")
    url = f"{introspection.responder.base_url}/introspect"
    with dovecot_server.running_dovecot(server_root, introspection_url=url) as server:
        yield server


def oauth_mailbox(server: dovecot_server.Dovecot, authority: Authority, cursor: object) -> ImapMailbox:
    settings = settings_for(server, auth="oauth2", password="", oauth=authority.settings())
    tokens = MsalTokenProvider(settings.oauth, OUTLOOK_SCOPE, http_client=authority.session())
    return ImapMailbox(settings, cursor, token_provider=tokens)  # type: ignore[arg-type]


def test_xoauth2_login_with_an_msal_token(dovecot_oauth2, authority, introspection, cursor):
    introspection.valid = "token-1"
    dovecot_oauth2.append(mail("over oauth2"))
    box = oauth_mailbox(dovecot_oauth2, authority, cursor)
    try:
        assert subjects(drain(box)) == ["over oauth2"]
    finally:
        box.close()
    assert authority.issued == ["token-1"]
    assert authority.token_requests()[0]["scope"] == OUTLOOK_SCOPE
    assert introspection.asked == ["token-1"]
    assert "method=XOAUTH2" in dovecot_oauth2.log


def test_expired_token_is_renewed_once_at_the_next_login(dovecot_oauth2, authority, introspection, cursor):
    introspection.valid = "token-1"
    box = oauth_mailbox(dovecot_oauth2, authority, cursor)
    try:
        assert drain(box) == []
        introspection.valid = "token-2"  # token-1 expired or was revoked while mailbot was connected
        dovecot_oauth2.restart()
        dovecot_oauth2.append(mail("after renewal"))
        assert subjects(drain(box)) == ["after renewal"]
    finally:
        box.close()
    # The cached token-1 was tried, refused, dropped, and exactly one fresh token fetched from the authority.
    assert introspection.asked == ["token-1", "token-1", "token-2"]
    assert authority.issued == ["token-1", "token-2"]


def test_a_refused_token_is_a_clear_error_after_one_renewal(dovecot_oauth2, authority, introspection, cursor):
    introspection.valid = None  # e.g. the app lost IMAP.AccessAsApp or its mailbox permission
    box = oauth_mailbox(dovecot_oauth2, authority, cursor)
    with pytest.raises(BackendError, match=r"IMAP 127\.0\.0\.1:\d+: login as info@itsb\.nu refused"):
        list(box.fetch_new())
    assert authority.issued == ["token-1", "token-2"]  # one renewal, no loop
    assert introspection.asked == ["token-1", "token-2"]
    with pytest.raises(BackendError, match="refused"):
        box.wait(1)  # not an outage to sit out: the loop reports it
    box.close()


def test_a_token_for_another_mailbox_is_refused(server_root, authority, cursor):
    """Dovecot checks the introspected user name against the login: a token is no key to any other mailbox."""
    if not dovecot_server.available():
        pytest.skip("Dovecot is not installed (Debian package dovecot-imapd)")
    with serving(Responder()) as responder:
        other = Introspection(responder, "someone.else@itsb.nu")
        other.valid = "token-1"
        with dovecot_server.running_dovecot(server_root, introspection_url=f"{responder.base_url}/introspect") as srv:
            box = oauth_mailbox(srv, authority, cursor)
            with pytest.raises(BackendError, match="refused"):
                list(box.fetch_new())
    assert other.asked == ["token-1", "token-2"]
