"""The weekly digest: once per ISO week at the configured local moment, across week and year ends, DST and
restarts; its content; and the daily alert."""

from __future__ import annotations

import email
from datetime import UTC, date, datetime, timedelta
from email import policy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.exc import IntegrityError

from mailbot import decisions, digest
from mailbot.app import App
from mailbot.config import Settings
from mailbot.desk import accounts
from mailbot.register import store
from tests.desk.factory import add_customer, make_app, open_request
from tests.mailmaker import FAIL

AMS = ZoneInfo("Europe/Amsterdam")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=AMS).astimezone(UTC)  # type: ignore[misc]


class MemoryState:
    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def set_if_absent(self, name: str, value: str) -> bool:
        return self.values.setdefault(name, value) == value


def outbox_mails(app: App) -> list[email.message.EmailMessage]:
    folder = Path(app.settings.outgoing.path)
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted(folder.glob("*.eml"))] if folder.is_dir() else []


def digests(app: App) -> list[email.message.EmailMessage]:
    return [m for m in outbox_mails(app) if m["Auto-Submitted"] == "auto-generated"]


@pytest.fixture
def app(tmp_path: Path) -> App:
    return make_app(tmp_path, digest={"recipients": ["privacy@itsb.nu", "mylene@itsb.nu"],
                                      "desk_url": "https://desk.itsb.nu/"})


def test_iso_week_keys_use_isocalendars_own_year() -> None:
    monday = Settings()
    assert digest.week_slot(local(2024, 12, 30, 9, 0), monday)[0] == "2025-W01"
    assert digest.week_slot(local(2027, 1, 1, 9, 0), monday)[0] == "2026-W53"
    assert digest.week_slot(local(2027, 1, 4, 7, 59), monday)[0] == "2026-W53"
    assert digest.week_slot(local(2027, 1, 4, 8, 0), monday)[0] == "2027-W01"
    sunday = Settings.model_validate({"digest": {"weekday": 7, "time": "18:30"}})
    key, moment = digest.week_slot(local(2027, 1, 3, 19, 0), sunday)
    assert key == "2026-W53" and moment == local(2027, 1, 3, 18, 30)


def test_once_per_week_over_the_week_boundary_and_after_a_restart(app: App, tmp_path: Path) -> None:
    transport = app.transport()
    assert digest.run_due(app, transport, local(2026, 3, 1, 12, 0)) == 0  # first start: only noted
    assert digest.run_due(app, transport, local(2026, 3, 2, 7, 59)) == 0
    assert digest.run_due(app, transport, local(2026, 3, 2, 8, 0)) == 2
    assert len(digests(app)) == 2
    assert {m["To"] for m in digests(app)} == {"privacy@itsb.nu", "mylene@itsb.nu"}
    assert digest.run_due(app, transport, local(2026, 3, 2, 8, 5)) == 0
    restarted = make_app(tmp_path, digest=app.settings.digest.model_dump())
    assert digest.run_due(restarted, restarted.transport(), local(2026, 3, 4, 12, 0)) == 0
    assert digest.run_due(restarted, restarted.transport(), local(2026, 3, 9, 7, 59)) == 0
    assert digest.run_due(restarted, restarted.transport(), local(2026, 3, 9, 8, 0)) == 2
    assert len(digests(app)) == 4


def test_a_missed_week_is_sent_on_start_once(app: App) -> None:
    transport = app.transport()
    digest.run_due(app, transport, local(2026, 3, 1, 12, 0))
    assert digest.run_due(app, transport, local(2026, 3, 2, 9, 0)) == 2
    # down from Monday 9:00 until the next Sunday evening: week 11's moment passed unseen
    assert digest.run_due(app, transport, local(2026, 3, 15, 20, 0)) == 2
    assert digest.run_due(app, transport, local(2026, 3, 15, 21, 0)) == 0
    assert digest.run_due(app, transport, local(2026, 3, 16, 8, 0)) == 2


def test_year_end_week_53_then_week_1() -> None:
    settings, state = Settings(), MemoryState()
    assert not digest.due(local(2026, 12, 27, 12, 0), settings, state)
    assert digest.due(local(2026, 12, 28, 8, 0), settings, state)
    state.set_if_absent(digest.WEEK_KEY.format("2026-W53"), "sent")
    assert not digest.due(local(2027, 1, 1, 8, 0), settings, state)
    assert not digest.due(local(2027, 1, 4, 7, 59), settings, state)
    assert digest.due(local(2027, 1, 4, 8, 0), settings, state)


def test_dst_changes() -> None:
    settings, state = Settings(), MemoryState()
    digest.due(local(2026, 3, 29, 12, 0), settings, state)
    # Monday after the spring change: 08:00 is 06:00 UTC now, not 07:00.
    assert not digest.due(datetime(2026, 3, 30, 5, 59, tzinfo=UTC), settings, state)
    assert digest.due(datetime(2026, 3, 30, 6, 0, tzinfo=UTC), settings, state)
    # A moment inside the gap (02:30 on the spring Sunday) and inside the repeated autumn hour still fire once.
    gap = Settings.model_validate({"digest": {"weekday": 7, "time": "02:30"}})
    state = MemoryState()
    digest.due(local(2026, 3, 28, 12, 0), gap, state)
    assert not digest.due(datetime(2026, 3, 29, 0, 59, tzinfo=UTC), gap, state)
    assert digest.due(datetime(2026, 3, 29, 1, 30, tzinfo=UTC), gap, state)
    key, first = digest.week_slot(datetime(2026, 10, 25, 1, 0, tzinfo=UTC), gap)
    again, second = digest.week_slot(datetime(2026, 10, 25, 1, 45, tzinfo=UTC), gap)
    assert key == again and first == second == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_two_instances_cannot_both_send_a_week(app: App, tmp_path: Path) -> None:
    now = local(2026, 3, 2, 8, 0)
    with app.session() as first:
        digest.queue_digest(first, app.settings, now, week="2026-W10")
        other = make_app(tmp_path)
        with other.session() as second:
            first.commit()
            with pytest.raises(IntegrityError):
                digest.queue_digest(second, app.settings, now, week="2026-W10")


def test_content_lists_each_section_with_days_left_and_links(app: App) -> None:
    add_customer(app)
    now = local(2026, 3, 2, 8, 0)
    new = open_request(app, received=local(2026, 2, 27, 10, 0))
    soon = open_request(app, received=local(2026, 2, 3, 10, 0), subject="Kopie",
                        body="Stuur mij een kopie van al mijn persoonsgegevens.")
    late = open_request(app, received=local(2026, 1, 20, 10, 0), subject="Inzage",
                        body="Ik wil inzage in mijn persoonsgegevens.")
    flagged = open_request(app, received=local(2026, 2, 28, 10, 0), auth=FAIL, subject="Verwijderen",
                           body="Verwijder al mijn gegevens.")
    ident = open_request(app, sender="Piet <piet@elders.example>", received=local(2026, 2, 26, 10, 0))
    done = open_request(app, received=local(2026, 2, 25, 10, 0), subject="Overdracht",
                        body="Graag al mijn persoonsgegevens in een bestand, voor overdracht.")
    with app.session() as s:
        request = store.request_by_ref(s, done)
        assert request is not None
        decisions.complete(s, app.settings, app.composer, request, "anna", send=True, now=now - timedelta(days=1))
        s.commit()
        parts = digest.sections(s, app.settings, now)
        mail = digest.build(s, app.settings, now)
    refs = {name: [i.ref for i in items] for name, items in parts.items()}
    assert new in refs["new"] and flagged in refs["new"] and late not in refs["new"]
    assert refs["due_soon"] == [soon]
    assert refs["overdue"] == [late]
    assert refs["flagged"] == [flagged]
    assert refs["awaiting_identity"] == [ident]
    assert refs["completed"] == [done]
    assert set(refs["awaiting_approval"]) == {late, soon, new}
    [due_soon] = parts["due_soon"]
    assert due_soon.days_left == 1 and due_soon.link == f"https://desk.itsb.nu/requests/{soon}"
    assert parts["overdue"][0].days_left == -(date(2026, 3, 2) - date(2026, 2, 19)).days  # due 30 days after 20 Jan
    assert "week 2026-W10" in mail.subject
    for body in (mail.text, mail.html):
        assert f"https://desk.itsb.nu/requests/{late}" in body
        assert "jan@example.nl" not in body and "Vries" not in body and "piet" not in body.lower()
    assert "Te laat (1)" in mail.text and "Termijn binnen 7 dagen (1)" in mail.text


def test_daily_alert_is_off_by_default_then_once_a_day_to_approvers(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    add_customer(app)
    ref = open_request(app, received=local(2026, 2, 3, 10, 0))
    assert not digest.alert_due(local(2026, 3, 2, 9, 0), app.settings, app.state)
    on = make_app(tmp_path, digest={"daily_alert": True, "alert_days": 3})
    accounts.add(on.engine, "anna", "approver", "anna-wachtwoord-1", email="anna@itsb.nu")
    accounts.add(on.engine, "bert", "staff", "bert-wachtwoord-1", email="bert@itsb.nu")
    transport = on.transport()
    digest.run_due(on, transport, local(2026, 3, 2, 7, 0))
    assert [m for m in outbox_mails(on) if "termijnen" in m["Subject"]] == []
    digest.run_due(on, transport, local(2026, 3, 2, 8, 30))
    digest.run_due(on, transport, local(2026, 3, 2, 17, 0))
    [alert] = [m for m in outbox_mails(on) if "termijnen" in m["Subject"]]
    assert alert["To"] == "anna@itsb.nu"
    text = alert.get_body(("plain",)).get_content()
    assert f"- {ref}  inzage  1 dagen  http://127.0.0.1:8025/requests/{ref}" in text


def test_preview_prints_the_text(app: App) -> None:
    text = digest.preview(app, local(2026, 3, 2, 8, 0))
    assert text.startswith("Subject: Privacyverzoeken: weekoverzicht")
    assert "Nieuw deze week (0)" in text
