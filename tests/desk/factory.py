"""A register with real requests in it: real .eml files run through the real pipeline."""

from __future__ import annotations

import itertools
from datetime import datetime
from pathlib import Path
from typing import Any

from mailbot.app import App
from mailbot.backends.base import InboundMail
from mailbot.config import Settings
from mailbot.pipeline import Pipeline
from mailbot.register.models import Customer
from tests.mailmaker import PASS, make_mail

_keys = itertools.count()
JAN = "Jan de Vries <jan@example.nl>"


def make_app(tmp_path: Path, **sections: Any) -> App:
    """The embedded default in ``tmp_path``: SQLite register, .eml outbox; ``sections`` override settings."""
    data: dict[str, Any] = {
        "database": {"url": f"sqlite:///{tmp_path / 'register.db'}"},
        "outgoing": {"backend": "file", "path": str(tmp_path / "outbox")},
        **sections,
    }
    return App(Settings.model_validate(data))


def add_customer(app: App, email: str = "jan@example.nl", name: str = "Jan de Vries",
                 customer_id: str = "C-1001") -> None:
    with app.session() as session:
        session.add(Customer(email=email, name=name, customer_id=customer_id, extra={"city": "Best"}))
        session.commit()


def open_request(app: App, *, sender: str = JAN, subject: str = "Inzage in mijn gegevens", body: str | None = None,
                 auth: str | None = PASS, received: datetime | None = None, raw: bytes | None = None) -> str:
    """One mail through the pipeline; returns the new request's reference."""
    kwargs = {} if body is None else {"body": body}
    raw = raw or make_mail(sender, subject, auth=auth, **kwargs)
    with app.session() as session:
        outcome = Pipeline(app.settings, app.composer).handle(
            session, InboundMail(f"k{next(_keys)}", raw, received), None)
        session.commit()
    assert outcome.ref, outcome
    return outcome.ref
