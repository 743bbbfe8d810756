"""SmtpTransport against a real aiosmtpd server: 250 only, 4xx transient, 5xx permanent, auth, reconnects."""

from __future__ import annotations

from collections.abc import Iterator
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import pytest

from mailbot.backends.base import PermanentSendError, TransientSendError
from mailbot.backends.smtp import SmtpTransport
from mailbot.config import OutgoingSettings
from tests.servers import self_signed_cert
from tests.servers.smtp import SmtpServer


def reply(subject: str = "[AVG-2026-0007] Ontvangstbevestiging") -> bytes:
    return (
        f"From: info@itsb.nu\r\nTo: jan@example.nl\r\nSubject: {subject}\r\n"
        f"Message-ID: {make_msgid(domain='itsb.nu')}\r\nAuto-Submitted: auto-replied\r\n\r\nBeste Jan,\r\n"
    ).encode()


def settings_for(server: SmtpServer, **extra: Any) -> OutgoingSettings:
    values: dict[str, Any] = {
        "backend": "smtp", "host": server.host, "port": server.port, "security": "none",
        "username": server.user, "password": server.password, "timeout_seconds": 3,
    }
    values.update(extra)
    return OutgoingSettings(**values)


class Tokens:
    """A token provider that hands out the given tokens in turn, as MSAL would after each invalidate()."""

    def __init__(self, *tokens: str) -> None:
        self.tokens = list(tokens)
        self.invalidated = 0

    def token(self) -> str:
        return self.tokens[0]

    def invalidate(self) -> None:
        self.invalidated += 1
        self.tokens.pop(0)


@pytest.fixture
def transport(smtp_server):
    t = SmtpTransport(settings_for(smtp_server))
    yield t
    t.close()


def test_sends_with_password_and_returns_after_the_server_accepted(smtp_server, transport):
    raw = reply()
    transport.send(raw, "info@itsb.nu", ["jan@example.nl"])
    (got,) = smtp_server.messages  # already there when send() returns
    assert got.sender == "info@itsb.nu"
    assert got.recipients == ("jan@example.nl",)
    assert got.data.replace(b"\r\n", b"\n").strip() == raw.replace(b"\r\n", b"\n").strip()
    assert got.login == "info@itsb.nu"
    assert smtp_server.recorder.logins[0][1] == "info@itsb.nu"


def test_keeps_the_connection_and_survives_the_server_restarting_between_mails(smtp_server, transport):
    transport.send(reply("one"), "info@itsb.nu", ["jan@example.nl"])
    transport.send(reply("two"), "info@itsb.nu", ["jan@example.nl"])
    assert len(smtp_server.recorder.logins) == 1  # one session for both
    smtp_server.restart()
    transport.send(reply("three"), "info@itsb.nu", ["jan@example.nl"])
    assert len(smtp_server.messages) == 3


@pytest.mark.parametrize("code", ["451 4.3.0", "421 4.7.0", "452 4.3.1"])
def test_temporary_refusal_is_transient_and_mail_goes_once_the_server_accepts(smtp_server, transport, code):
    smtp_server.refuse(code)
    with pytest.raises(TransientSendError, match=code.split()[0]):
        transport.send(reply(), "info@itsb.nu", ["jan@example.nl"])
    assert smtp_server.messages == []
    smtp_server.accept()
    transport.send(reply(), "info@itsb.nu", ["jan@example.nl"])
    assert len(smtp_server.messages) == 1


@pytest.mark.parametrize(("code", "at"), [("550 5.1.0", "MAIL"), ("554 5.6.0", "DATA")])
def test_permanent_refusal(smtp_server, transport, code, at):
    smtp_server.refuse(code, at=at)
    with pytest.raises(PermanentSendError, match=code.split()[0]):
        transport.send(reply(), "info@itsb.nu", ["jan@example.nl"])
    assert smtp_server.messages == []


def test_temporary_refusal_of_the_data_is_transient(smtp_server, transport):
    smtp_server.refuse("451 4.4.1", at="DATA")
    with pytest.raises(TransientSendError, match="451"):
        transport.send(reply(), "info@itsb.nu", ["jan@example.nl"])


def test_dropped_connections_and_a_stopped_server_are_transient(smtp_server, transport):
    smtp_server.drop_connections()
    with pytest.raises(TransientSendError):
        transport.send(reply(), "info@itsb.nu", ["jan@example.nl"])
    smtp_server.accept()
    transport.send(reply(), "info@itsb.nu", ["jan@example.nl"])
    smtp_server.stop()
    with pytest.raises(TransientSendError):
        transport.send(reply(), "info@itsb.nu", ["jan@example.nl"])
    smtp_server.start()
    transport.send(reply(), "info@itsb.nu", ["jan@example.nl"])
    assert len(smtp_server.messages) == 2


def test_wrong_password_is_transient_and_names_the_login(smtp_server):
    transport = SmtpTransport(settings_for(smtp_server, password="wrong"))
    with pytest.raises(TransientSendError, match=r"login as info@itsb\.nu refused: 535"):
        transport.send(reply(), "info@itsb.nu", ["jan@example.nl"])
    assert smtp_server.messages == []


def test_xoauth2_renews_a_refused_token_once(smtp_server):
    smtp_server.allow_token("fresh-token")
    tokens = Tokens("expired-token", "fresh-token")
    transport = SmtpTransport(settings_for(smtp_server, auth="oauth2"), token_provider=tokens)
    try:
        transport.send(reply(), "info@itsb.nu", ["jan@example.nl"])
    finally:
        transport.close()
    assert tokens.invalidated == 1
    assert [m for m, _ in smtp_server.recorder.logins] == ["XOAUTH2", "XOAUTH2"]
    assert smtp_server.messages[0].login == "info@itsb.nu"


def test_xoauth2_refused_twice_is_transient(smtp_server):
    transport = SmtpTransport(settings_for(smtp_server, auth="oauth2"), token_provider=Tokens("a", "b"))
    with pytest.raises(TransientSendError, match="535"):
        transport.send(reply(), "info@itsb.nu", ["jan@example.nl"])
    assert smtp_server.messages == []


@pytest.fixture
def tls_smtp_server(server_root: Path) -> Iterator[tuple[SmtpServer, Path]]:
    cert, key = self_signed_cert(server_root)
    server = SmtpServer(tls=(cert, key))
    server.start()
    try:
        yield server, cert
    finally:
        server.stop()


def test_starttls_trusts_the_ca_file_given(tls_smtp_server: tuple[SmtpServer, Path]) -> None:
    server, cert = tls_smtp_server
    transport = SmtpTransport(settings_for(server, security="starttls", ca_file=str(cert)))
    try:
        transport.send(reply(), "info@itsb.nu", ["jan@example.nl"])
    finally:
        transport.close()
    assert [m.recipients for m in server.messages] == [("jan@example.nl",)]


def test_starttls_refuses_a_certificate_nobody_vouches_for(tls_smtp_server: tuple[SmtpServer, Path]) -> None:
    server, _cert = tls_smtp_server
    transport = SmtpTransport(settings_for(server, security="starttls"))
    try:
        with pytest.raises(TransientSendError, match="certificate"):
            transport.send(reply(), "info@itsb.nu", ["jan@example.nl"])
    finally:
        transport.close()
    assert server.messages == []
