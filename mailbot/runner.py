"""The loop: fetch new mail, run the pipeline on each, drain the outbox, send the digest when due."""

from __future__ import annotations

import fcntl
import logging
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from types import FrameType
from typing import IO

from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from mailbot.app import App
from mailbot.backends.base import BackendError, InboundMail, Mailbox, Transport
from mailbot.pipeline import Outcome, Pipeline, quarantine
from mailbot.register.models import utcnow
from mailbot.replies import outbox

log = logging.getLogger(__name__)


class _StopWaiting(BaseException):
    """Raised by the signal handler to break out of a blocking wait (IMAP IDLE, a poll sleep); a BaseException,
    like KeyboardInterrupt, so that no backend's reconnect logic mistakes it for a network error."""


class AlreadyRunning(Exception):
    """Another `mailbot run` holds this SQLite register; SQLite is for one instance (use PostgreSQL for more)."""


@dataclass
class PassReport:
    outcomes: list[Outcome] = field(default_factory=list)
    sent: int = 0

    def count(self, kind: str) -> int:
        return sum(1 for o in self.outcomes if o.kind == kind)


def mailbox_identity(app: App) -> str:
    cfg = app.settings.mailbox
    if cfg.backend == "maildir":
        return f"maildir:{Path(cfg.path).resolve()}"
    return f"{cfg.backend}:{cfg.username}@{cfg.host}/{cfg.folder}"


def default_since(app: App) -> datetime:
    """The moment mailbot first saw this mailbox: older mail is never answered.

    Whole seconds, because IMAP INTERNALDATE has no finer grain: mail arriving in the same second counts as new.
    """
    name = f"first-seen:{mailbox_identity(app)}"
    now = utcnow().replace(microsecond=0).isoformat()
    if app.state.set_if_absent(name, now):
        log.info("first start on %s: mail that arrived before %s will not be answered", name, now)
    return datetime.fromisoformat(app.state.get(name) or now)


class Runner:
    def __init__(self, app: App, since: datetime | None = None) -> None:
        self.app = app
        self.since = since if since is not None else default_since(app)
        self.pipeline = Pipeline(app.settings, app.composer)
        self._mailbox: Mailbox | None = None
        self._transport: Transport | None = None
        self._stop = False
        self._waiting = False
        self._lock: IO[str] | None = None

    def acquire(self) -> None:
        """One runner per SQLite file; PostgreSQL instances coordinate through row locks instead."""
        url = make_url(self.app.settings.database.url)
        if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
            return
        handle = open(f"{url.database}.run.lock", "w")  # noqa: SIM115  (held for the runner's lifetime)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise AlreadyRunning(f"another mailbot run is using {url.database}") from None
        self._lock = handle

    @property
    def mailbox(self) -> Mailbox:
        if self._mailbox is None:
            self._mailbox = self.app.mailbox(since=self.since)
        return self._mailbox

    @property
    def transport(self) -> Transport:
        if self._transport is None:
            self._transport = self.app.transport()
        return self._transport

    def handle(self, mail: InboundMail) -> Outcome:
        """One mail, one transaction. Whatever goes wrong, the mail ends up recorded or quarantined.

        A unique-key clash usually means another instance recorded the same mail a moment earlier: the second
        try then sees it as a duplicate. A clash that persists is a conflict in the register itself, and the
        mail goes to the quarantine rather than being skipped unseen on every pass.
        """
        try:
            return self._handle_once(mail)
        except IntegrityError:
            log.debug("mail %s: unique-key clash, trying again", mail.key)
        try:
            return self._handle_once(mail)
        except IntegrityError as exc:
            return self._quarantine(mail, exc)

    def _handle_once(self, mail: InboundMail) -> Outcome:
        with self.app.session() as session:
            try:
                outcome = self.pipeline.handle(session, mail, self.since)
                session.commit()
                return outcome
            except IntegrityError:
                session.rollback()
                raise
            except Exception as exc:  # a bug must not stop the loop or lose the mail
                session.rollback()
                return self._quarantine(mail, exc)

    def _quarantine(self, mail: InboundMail, error: Exception) -> Outcome:
        log.error("mail %s could not be handled", mail.key, exc_info=error)
        with self.app.session() as session:
            outcome = quarantine(session, mail, f"internal error: {type(error).__name__}: {error}"[:1000])
            session.commit()
        return outcome

    def pass_once(self) -> PassReport:
        report = PassReport()
        mailbox = self.mailbox
        for mail in mailbox.fetch_new():
            outcome = self.handle(mail)
            report.outcomes.append(outcome)
            if outcome.kind != "duplicate":
                log.info("%s: %s %s", mail.key, outcome.kind, outcome.reason)
            mailbox.dispose(mail, outcome.is_request)
            mailbox.commit(mail)
            if self._stop:
                break
        report.sent = outbox.drain(self.app.engine, self.app.settings, self.transport)
        self._digest()
        return report

    def _digest(self) -> None:
        from mailbot import digest

        digest.run_due(self.app, self.transport, utcnow())

    def run_forever(self) -> None:
        """Until SIGTERM/SIGINT: a pass, then wait for the server (IDLE) or the poll interval."""
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        backoff = 1.0
        while not self._stop:
            try:
                self.pass_once()
                backoff = 1.0
                self._idle(lambda: self.mailbox.wait(self.app.settings.mailbox.poll_seconds))
            except BackendError as exc:
                log.warning("mail server problem, retrying in %.0f s: %s", backoff, exc)
                self._reset()
                self._idle(partial(time.sleep, backoff))
                backoff = min(backoff * 2, 300)
            except Exception:  # the register or the digest failed: keep watching, every mail is still safe
                log.exception("unexpected failure in a pass, retrying in %.0f s", backoff)
                self._reset()
                self._idle(partial(time.sleep, backoff))
                backoff = min(backoff * 2, 300)
        self.close()

    def _idle(self, wait: Callable[[], object]) -> None:
        """Wait in a way a stop signal can cut short; a mail being handled is always finished first."""
        if self._stop:
            return
        self._waiting = True
        try:
            wait()
        except _StopWaiting:
            pass
        finally:
            self._waiting = False

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        log.info("signal %d: finishing the current mail, then stopping", signum)
        self._stop = True
        if self._waiting:
            raise _StopWaiting

    def _reset(self) -> None:
        for part in (self._mailbox, self._transport):
            if part is not None:
                try:
                    part.close()
                except Exception:  # already broken; we are rebuilding it
                    log.debug("close failed", exc_info=True)
        self._mailbox = None
        self._transport = None

    def close(self) -> None:
        self._reset()
        if self._lock is not None:
            self._lock.close()
            self._lock = None
