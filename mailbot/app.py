"""The one place that builds objects from settings: register, composer, mailbox and transport."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from sqlalchemy import Engine
from sqlmodel import Session

from mailbot.backends.base import Mailbox, Transport
from mailbot.config import Settings
from mailbot.register.database import open_engine
from mailbot.register.store import StateStore, known_keys
from mailbot.replies.compose import Composer


@dataclass
class App:
    settings: Settings
    engine: Engine = field(init=False)

    def __post_init__(self) -> None:
        self.engine = open_engine(self.settings.database.url)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> App:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @cached_property
    def composer(self) -> Composer:
        return Composer(self.settings.replies.templates, self.settings.company)

    @cached_property
    def state(self) -> StateStore:
        return StateStore(self.engine)

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def mailbox(self, since: datetime | None = None) -> Mailbox:
        """The configured mailbox; imported lazily so an unused backend's libraries never load."""
        cfg = self.settings.mailbox
        if cfg.backend == "maildir":
            from mailbot.backends.maildir import MaildirMailbox

            return MaildirMailbox(cfg, lambda: known_keys(self.engine))
        if cfg.backend == "imap":
            from mailbot.backends.imap import ImapMailbox

            return ImapMailbox(cfg, self.state, since=since)
        if cfg.backend == "graph":
            from mailbot.backends.graph import GraphMailbox

            return GraphMailbox(cfg, self.state, since=since)
        from mailbot.backends.ews import EwsMailbox

        return EwsMailbox(cfg, self.state, since=since)

    def transport(self) -> Transport:
        cfg = self.settings.outgoing
        if cfg.backend == "file":
            from mailbot.backends.files import FileTransport

            return FileTransport(cfg.path)
        if cfg.backend == "smtp":
            from mailbot.backends.smtp import SmtpTransport

            return SmtpTransport(cfg)
        if cfg.backend == "graph":
            from mailbot.backends.graph import GraphTransport

            return GraphTransport(cfg)
        from mailbot.backends.ews import EwsTransport

        return EwsTransport(cfg)
