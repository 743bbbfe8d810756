"""SMTP transport (smtplib): returns only after the server's 250 for the data; 4xx and lost connections are
transient (the outbox tries again later), 5xx permanent (the outbox marks the reply failed for staff).

Login problems (wrong password, refused token) are reported as transient: the reply is fine, the set-up is
not, and once an administrator fixes it the outbox delivers what waited.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable

from mailbot.backends.base import PermanentSendError, TransientSendError, trusted_context
from mailbot.backends.oauth import OUTLOOK_SCOPE, TokenProvider, provider_for, xoauth2
from mailbot.config import OutgoingSettings

log = logging.getLogger(__name__)


def _failure(code: int, text: str) -> TransientSendError | PermanentSendError:
    kind = TransientSendError if 400 <= code < 500 else PermanentSendError
    return kind(f"{code} {text}")


def _text(value: bytes | str) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else value


class SmtpTransport:
    """Sends through one SMTP server, keeping the connection for the next mail while the server allows it.

    TLS trusts ``ssl_context`` when given, else ``settings.ca_file`` when set, else the system's CAs.
    """

    def __init__(
        self,
        settings: OutgoingSettings,
        *,
        token_provider: TokenProvider | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.settings = settings
        self._tokens = provider_for(settings.oauth, settings.auth, OUTLOOK_SCOPE, token_provider)
        self._context = ssl_context or trusted_context(settings.ca_file, self._where) or ssl.create_default_context()
        self._smtp: smtplib.SMTP | None = None

    @property
    def _where(self) -> str:
        return f"SMTP {self.settings.host}:{self.settings.port}"

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        smtp: smtplib.SMTP
        if s.security == "ssl":
            smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout_seconds, context=self._context)
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds)
        try:
            smtp.ehlo()
            if s.security == "starttls":
                smtp.starttls(context=self._context)
                smtp.ehlo()
            self._authenticate(smtp)
        except BaseException:
            _close(smtp)
            raise
        return smtp

    def _authenticate(self, smtp: smtplib.SMTP) -> None:
        s = self.settings
        if s.auth == "none":
            return
        if self._tokens is None:
            smtp.login(s.username, s.password)
            return
        try:
            smtp.auth("XOAUTH2", self._xoauth2(self._tokens))
        except smtplib.SMTPAuthenticationError:
            self._tokens.invalidate()  # expired or revoked: one fresh token before giving up
            smtp.auth("XOAUTH2", self._xoauth2(self._tokens))

    def _xoauth2(self, tokens: TokenProvider) -> Callable[..., str]:
        initial = xoauth2(self.settings.username, tokens.token())

        def answer(challenge: bytes | None = None) -> str:
            # First the initial response; to the server's error challenge an empty line, which ends it with 535.
            return initial if challenge is None else ""

        return answer

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is not None:
            try:
                if self._smtp.noop()[0] == 250:
                    return self._smtp
            except (smtplib.SMTPException, OSError):
                pass
            self.close()
        self._smtp = self._open()
        return self._smtp

    def send(self, raw: bytes, sender: str, recipients: list[str]) -> None:
        if not recipients:
            raise PermanentSendError("no recipients")
        try:
            smtp = self._connection()
            refused = smtp.sendmail(sender, recipients, raw)
        except smtplib.SMTPAuthenticationError as exc:
            self.close()
            raise TransientSendError(
                f"{self._where}: login as {self.settings.username} refused: {exc.smtp_code} {_text(exc.smtp_error)}"
            ) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            detail = "; ".join(f"{rcpt}: {code} {_text(msg)}" for rcpt, (code, msg) in exc.recipients.items())
            kind = TransientSendError if all(400 <= c < 500 for c in codes) else PermanentSendError
            raise kind(f"{self._where}: recipients refused: {detail}") from exc
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code == 421 or exc.smtp_code < 400:
                self.close()
            error = _failure(exc.smtp_code, _text(exc.smtp_error))
            raise type(error)(f"{self._where}: {error}") from exc
        except (smtplib.SMTPException, OSError) as exc:  # disconnected, refused, timed out, TLS failed
            self.close()
            raise TransientSendError(f"{self._where}: {exc or type(exc).__name__}") from exc
        if refused:
            # Some recipients have it; sending again would repeat it to them, so this is for staff to see.
            detail = "; ".join(f"{rcpt}: {code} {_text(msg)}" for rcpt, (code, msg) in refused.items())
            raise PermanentSendError(f"{self._where}: delivered, but these recipients were refused: {detail}")
        log.debug("%s: sent to %s", self._where, ", ".join(recipients))

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            _close(smtp)


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()
