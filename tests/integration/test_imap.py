"""ImapMailbox against a real Dovecot: place keeping, --since, staff's flags, IDLE, polling, restarts."""

from __future__ import annotations

import itertools
import logging
import ssl
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, make_msgid
from typing import Any

import pytest
from imapclient import IMAPClient

from mailbot.backends.base import BackendError, InboundMail
from mailbot.backends.imap import ImapMailbox, parse_key
from mailbot.config import MailboxSettings
from tests.servers.dovecot import Dovecot

pytestmark = pytest.mark.dovecot


def mail(subject: str, when: datetime | None = None) -> bytes:
    when = when or datetime.now(UTC)
    return (
        f"From: Jan <jan@example.nl>\r\nTo: info@itsb.nu\r\nSubject: {subject}\r\n"
        f"Date: {format_datetime(when)}\r\nMessage-ID: {make_msgid(domain='example.nl')}\r\n\r\n"
        f"Body of {subject}\r\n"
    ).encode()


def settings_for(server: Dovecot, **extra: Any) -> MailboxSettings:
    values: dict[str, Any] = {
        "backend": "imap", "host": server.host, "port": server.port, "security": "none",
        "username": server.user, "password": server.password, "timeout_seconds": 3, "poll_seconds": 1,
    }
    values.update(extra)
    return MailboxSettings(**values)


def subjects(mails: list[InboundMail]) -> list[str]:
    out = []
    for m in mails:
        line = next(x for x in m.raw.split(b"\r\n") if x.startswith(b"Subject: "))
        out.append(line.removeprefix(b"Subject: ").decode())
    return out


def drain(box: ImapMailbox, commit: bool = True) -> list[InboundMail]:
    got = []
    for m in box.fetch_new():
        got.append(m)
        if commit:
            box.commit(m)
    return got


def test_fetches_new_mail_in_order_with_server_arrival_time_and_leaves_it_unread(dovecot, cursor):
    arrived = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    uids = [dovecot.append(mail(f"m{i}"), when=arrived + timedelta(minutes=i)) for i in range(3)]
    box = ImapMailbox(settings_for(dovecot), cursor)
    try:
        got = drain(box)
    finally:
        box.close()
    assert subjects(got) == ["m0", "m1", "m2"]
    assert [parse_key(m.key)[2] for m in got] == uids
    assert all(m.key.startswith("INBOX/") for m in got)
    assert [m.received_at for m in got] == [arrived + timedelta(minutes=i) for i in range(3)]
    assert got[0].raw.endswith(b"Body of m0\r\n")
    assert all(dovecot.flags(uid) == set() for uid in uids)  # BODY.PEEK: still unread for staff


def test_place_survives_a_restart_of_mailbot_and_only_committed_mail_is_skipped(dovecot, cursor):
    for i in range(4):
        dovecot.append(mail(f"m{i}"))
    first = ImapMailbox(settings_for(dovecot), cursor)
    stream = first.fetch_new()
    for m in [next(stream), next(stream)]:
        first.commit(m)
    next(stream)  # handed over, then mailbot "crashes" before the register recorded it
    first.close()

    second = ImapMailbox(settings_for(dovecot), cursor)
    try:
        assert subjects(drain(second)) == ["m2", "m3"]
        dovecot.append(mail("m4"))
        assert subjects(drain(second)) == ["m4"]
        assert drain(second) == []
    finally:
        second.close()


def test_first_start_with_since_does_not_fetch_years_of_old_mail(dovecot, cursor):
    now = datetime.now(UTC)
    dovecot.append(mail("2019"), when=datetime(2019, 5, 1, tzinfo=UTC))
    dovecot.append(mail("last month"), when=now - timedelta(days=30))
    dovecot.append(mail("today"), when=now)
    box = ImapMailbox(settings_for(dovecot), cursor, since=now - timedelta(hours=1))
    try:
        got = drain(box)
    finally:
        box.close()
    # By date, with a day's margin; the pipeline drops anything before the exact moment.
    assert subjects(got) == ["today"]


def test_uidvalidity_change_rereads_only_from_the_last_recorded_day(dovecot, cursor):
    now = datetime.now(UTC)
    dovecot.append(mail("old"), when=now - timedelta(days=40))
    dovecot.append(mail("recorded"), when=now - timedelta(minutes=5))
    box = ImapMailbox(settings_for(dovecot), cursor)
    recorded = drain(box)
    box.close()
    old_validity = parse_key(recorded[-1].key)[1]

    dovecot.stop()
    dovecot.recreate("INBOX")  # the server forgets its UIDs: a new UIDVALIDITY
    dovecot.start()
    dovecot.append(mail("new"))

    box = ImapMailbox(settings_for(dovecot), cursor)
    try:
        again = drain(box)
    finally:
        box.close()
    assert all(parse_key(m.key)[1] != old_validity for m in again)
    # "recorded" comes again with a new key (the register's Message-ID check answers it once); "old" does not.
    assert subjects(again) == ["recorded", "new"]
    assert again[0].raw == recorded[1].raw


@pytest.mark.parametrize("action", ["leave", "flag", "move"])
def test_request_action_touches_request_mail_only(dovecot, cursor, action):
    request_uid = dovecot.append(mail("inzageverzoek"))
    other_uid = dovecot.append(mail("offerte"))
    box = ImapMailbox(settings_for(dovecot, request_action=action, move_to="Privacy"), cursor)
    try:
        request, other = drain(box)
        box.dispose(request, is_request=True)
        box.dispose(other, is_request=False)
    finally:
        box.close()
    assert dovecot.flags(other_uid) == set()
    if action == "leave":
        assert dovecot.flags(request_uid) == set()
    elif action == "flag":
        assert dovecot.flags(request_uid) == {"\\Flagged"}
    else:
        assert dovecot.uids() == [other_uid]
        assert len(dovecot.uids("Privacy")) == 1
        assert dovecot.flags(dovecot.uids("Privacy")[0], "Privacy") == set()


def deliver_later(server: Dovecot, raw: bytes, delay: float) -> threading.Thread:
    thread = threading.Thread(target=lambda: (time.sleep(delay), server.append(raw)))
    thread.start()
    return thread


def test_idle_wakes_within_seconds_of_new_mail(dovecot, cursor):
    box = ImapMailbox(settings_for(dovecot), cursor)
    try:
        assert drain(box) == []
        started = time.monotonic()
        thread = deliver_later(dovecot, mail("live"), 0.3)
        assert box.wait(20) is True
        assert time.monotonic() - started < 5
        thread.join()
        assert subjects(drain(box)) == ["live"]
        started = time.monotonic()
        assert box.wait(1.0) is False  # nothing new: sleeps the whole timeout
        assert time.monotonic() - started >= 0.9
    finally:
        box.close()


def test_idle_is_renewed_before_the_servers_limit(dovecot, cursor, monkeypatch):
    starts: list[float] = []
    original = IMAPClient.idle

    def counting_idle(self: IMAPClient) -> None:
        starts.append(time.monotonic())
        original(self)

    monkeypatch.setattr(IMAPClient, "idle", counting_idle)
    # idle_renew_seconds is at least 30 in real settings; shortened here so the test is quick.
    settings = settings_for(dovecot).model_copy(update={"idle_renew_seconds": 1})
    box = ImapMailbox(settings, cursor)
    try:
        drain(box)
        assert box.wait(3.5) is False
        thread = deliver_later(dovecot, mail("after renewals"), 0.2)
        assert box.wait(5) is True
        thread.join()
    finally:
        box.close()
    assert len(starts) >= 4
    assert all(b - a < 1.5 for a, b in itertools.pairwise(starts))


def test_polls_when_idle_is_off(dovecot, cursor):
    box = ImapMailbox(settings_for(dovecot, idle=False, poll_seconds=1), cursor)
    try:
        drain(box)
        thread = deliver_later(dovecot, mail("polled"), 0.2)
        started = time.monotonic()
        assert box.wait(10) is True
        assert time.monotonic() - started < 3
        thread.join()
        assert subjects(drain(box)) == ["polled"]
    finally:
        box.close()


def test_mail_that_came_between_fetch_and_wait_is_not_missed(dovecot, cursor):
    box = ImapMailbox(settings_for(dovecot), cursor)
    try:
        drain(box)
        dovecot.append(mail("in between"))
        started = time.monotonic()
        assert box.wait(10) is True
        assert time.monotonic() - started < 1
    finally:
        box.close()


def test_server_restart_during_idle_reconnects_logs_once_and_keeps_its_place(dovecot, cursor, caplog):
    dovecot.append(mail("before"))
    box = ImapMailbox(settings_for(dovecot), cursor)
    try:
        assert subjects(drain(box)) == ["before"]
        result: list[bool] = []
        waiter = threading.Thread(target=lambda: result.append(box.wait(30)))
        with caplog.at_level(logging.INFO, logger="mailbot.backends.imap"):
            waiter.start()
            time.sleep(0.3)
            dovecot.restart(downtime=2.0)  # several failed attempts while it is down
            dovecot.append(mail("after"))
            waiter.join(20)
        assert result == [True]
        assert subjects(drain(box)) == ["after"]
    finally:
        box.close()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "connection lost" in warnings[0].getMessage()
    assert any("reconnected" in r.getMessage() for r in caplog.records)


def test_server_restart_in_the_middle_of_a_backlog_loses_and_repeats_nothing(dovecot, cursor):
    for i in range(7):
        dovecot.append(mail(f"m{i}"))
    box = ImapMailbox(settings_for(dovecot), cursor, batch_size=3)
    got = []
    try:
        for m in box.fetch_new():
            got.append(m)
            box.commit(m)
            if len(got) == 2:
                dovecot.restart()
    finally:
        box.close()
    assert subjects(got) == [f"m{i}" for i in range(7)]


def test_unreachable_server_raises_after_the_timeout(dovecot, cursor, caplog):
    box = ImapMailbox(settings_for(dovecot, timeout_seconds=1), cursor)
    dovecot.stop()
    started = time.monotonic()
    with pytest.raises(BackendError, match="cannot connect"):
        list(box.fetch_new())
    assert time.monotonic() - started < 5
    assert box.wait(1.5) is False  # an outage is not an error in the loop: it waits and retries
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1


def test_wrong_password_is_a_clear_error(dovecot, cursor):
    box = ImapMailbox(settings_for(dovecot, password="wrong"), cursor)
    with pytest.raises(BackendError, match=r"login as info@itsb\.nu refused"):
        list(box.fetch_new())


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls(dovecot_tls, cursor, security):
    dovecot_tls.append(mail("over tls"))
    context = ssl.create_default_context(cafile=str(dovecot_tls.cert))
    port = dovecot_tls.port if security == "starttls" else dovecot_tls.ssl_port
    box = ImapMailbox(settings_for(dovecot_tls, security=security, port=port), cursor, ssl_context=context)
    try:
        assert subjects(drain(box)) == ["over tls"]
    finally:
        box.close()


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_ca_file_trusts_a_servers_own_ca(dovecot_tls, cursor, security):
    dovecot_tls.append(mail("internal ca"))
    port = dovecot_tls.port if security == "starttls" else dovecot_tls.ssl_port
    box = ImapMailbox(settings_for(dovecot_tls, security=security, port=port, ca_file=str(dovecot_tls.cert)), cursor)
    try:
        assert subjects(drain(box)) == ["internal ca"]
    finally:
        box.close()


def test_without_ca_file_a_servers_own_ca_is_not_trusted(dovecot_tls, cursor):
    box = ImapMailbox(settings_for(dovecot_tls, security="ssl", port=dovecot_tls.ssl_port, timeout_seconds=1), cursor)
    with pytest.raises(BackendError, match="CERTIFICATE_VERIFY_FAILED"):
        list(box.fetch_new())
    assert "Login: user=" not in dovecot_tls.log


def test_an_unusable_ca_file_is_refused_up_front(cursor, tmp_path):
    empty = tmp_path / "empty.pem"
    empty.write_text("")
    settings = MailboxSettings(backend="imap", host="mail.itsb.nu", ca_file=str(empty))
    with pytest.raises(BackendError, match=r"IMAP mail\.itsb\.nu:993: ca_file .*empty\.pem"):
        ImapMailbox(settings, cursor)


def test_cursor_is_plain_json_in_the_store(dovecot, cursor):
    dovecot.append(mail("one"))
    box = ImapMailbox(settings_for(dovecot), cursor)
    try:
        (m,) = drain(box)
    finally:
        box.close()
    (value,) = cursor.values.values()
    assert f'"uid": {parse_key(m.key)[2]}' in value
