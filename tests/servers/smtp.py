"""A real SMTP server (aiosmtpd) on a loopback port that records what it receives and can misbehave on request.

``refuse(code)`` makes it answer MAIL FROM with that code (451/421/550...) until ``accept()``;
``drop_connections()`` closes every new connection straight after the greeting. AUTH PLAIN/LOGIN check a
user and password, XOAUTH2 checks a bearer token; with ``require_auth`` unauthenticated mail is refused.
"""

from __future__ import annotations

import base64
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tests.servers import free_port


@dataclass(frozen=True)
class Received:
    sender: str
    recipients: tuple[str, ...]
    data: bytes
    login: str | None


@dataclass
class Behaviour:
    refuse_code: str | None = None
    refuse_data_code: str | None = None
    drop: bool = False
    tokens: set[str] = field(default_factory=set)


class Recorder:
    """The aiosmtpd handler: keeps every accepted message, misbehaves as told."""

    def __init__(self, user: str, password: str, behaviour: Behaviour) -> None:
        self.user = user
        self.password = password
        self.behaviour = behaviour
        self.messages: list[Received] = []
        self.logins: list[tuple[str, str]] = []  # (mechanism, login)
        self._arrived = threading.Condition()

    def authenticate(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any) -> AuthResult:
        assert isinstance(data, LoginPassword)
        login = data.login.decode()
        self.logins.append((mechanism, login))
        ok = login == self.user and data.password.decode() == self.password
        return AuthResult(success=ok, handled=False, auth_data=data)

    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:
        if len(args) > 1:
            blob = args[1]
        else:
            answer = await server.challenge_auth("", encode_to_b64=False)
            if not isinstance(answer, bytes):
                return AuthResult(success=False, handled=False)
            blob = answer.decode()
        fields = dict(
            part.split("=", 1) for part in base64.b64decode(blob).decode().split("\x01") if "=" in part
        )
        user, token = fields.get("user", ""), fields.get("auth", "").removeprefix("Bearer ")
        self.logins.append(("XOAUTH2", user))
        if user == self.user and token in self.behaviour.tokens:
            return AuthResult(success=True, auth_data=LoginPassword(user.encode(), b""))
        # Office 365 style: a base64 JSON error challenge, then 535 after the client's empty line.
        await server.challenge_auth(base64.b64encode(b'{"status":"401"}').decode(), encode_to_b64=False)
        return AuthResult(success=False, handled=False, message="535 5.7.3 Authentication unsuccessful")

    async def handle_MAIL(self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]) -> str:  # noqa: E501
        if self.behaviour.refuse_code:
            return f"{self.behaviour.refuse_code} refused for the test"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.behaviour.refuse_data_code:
            return f"{self.behaviour.refuse_data_code} not now"
        login = session.login_data.decode() if isinstance(session.login_data, bytes) else session.login_data
        received = Received(
            envelope.mail_from or "", tuple(envelope.rcpt_tos), bytes(envelope.original_content or b""), login
        )
        with self._arrived:
            self.messages.append(received)
            self._arrived.notify_all()
        return "250 2.0.0 Queued"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.messages) >= count, timeout)
            return list(self.messages)


class _DroppingSMTP(SMTP):
    def __init__(self, handler: Recorder, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self._behaviour = handler.behaviour

    def connection_made(self, transport: Any) -> None:
        if self._behaviour.drop:
            transport.close()
            return
        super().connection_made(transport)


class _Controller(Controller):
    def factory(self) -> SMTP:
        return _DroppingSMTP(self.handler, **self.SMTP_kwargs)

    def _trigger_server(self) -> None:
        # The stock trigger expects a greeting; skip it while told to drop connections.
        if not self.handler.behaviour.drop:
            super()._trigger_server()


class SmtpServer:
    def __init__(self, *, user: str = "info@itsb.nu", password: str = "secret", require_auth: bool = False,
                 tls: tuple[Path, Path] | None = None):
        """``tls``: (certificate, key) to offer STARTTLS with."""
        self.host = "127.0.0.1"
        self.port = free_port()
        self.user = user
        self.password = password
        self.behaviour = Behaviour()
        self.recorder = Recorder(user, password, self.behaviour)
        self._options: dict[str, Any] = {
            "hostname": self.host, "port": self.port, "authenticator": self.recorder.authenticate,
            "auth_require_tls": False, "auth_required": require_auth,
        }
        if tls is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*tls)
            self._options["tls_context"] = context
        self._controller: _Controller | None = None

    @property
    def messages(self) -> list[Received]:
        return list(self.recorder.messages)

    def start(self) -> None:
        # A new controller each time: aiosmtpd's event loop cannot be started again once stopped.
        self._controller = _Controller(self.recorder, **self._options)
        self._controller.start()

    def stop(self) -> None:
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()

    def restart(self) -> None:
        """A new server on the same port: every open connection is gone."""
        self.stop()
        self.start()

    def refuse(self, code: str = "451 4.3.0", *, at: str = "MAIL") -> None:
        if at == "DATA":
            self.behaviour.refuse_data_code = code
        else:
            self.behaviour.refuse_code = code

    def drop_connections(self) -> None:
        self.behaviour.drop = True

    def accept(self) -> None:
        self.behaviour.refuse_code = self.behaviour.refuse_data_code = None
        self.behaviour.drop = False

    def allow_token(self, token: str) -> None:
        self.behaviour.tokens.add(token)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        return self.recorder.wait_for(count, timeout)

    def reachable(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=1):
                return True
        except OSError:
            return False


@contextmanager
def running_smtp(**kwargs: Any) -> Iterator[SmtpServer]:
    server = SmtpServer(**kwargs)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def wait_until(predicate: Any, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False
