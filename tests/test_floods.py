"""Loops and floods: our own mail, per-sender and hourly limits, and several instances on one PostgreSQL register."""

from __future__ import annotations

import email
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mailbot.cli import main
from tests.mailmaker import deliver, make_mail, sent

SINCE = ["--since", "2000-01-01"]
MAILDIR = Path("var/mail")


def configure(project: Path, extra: str) -> None:
    with (project / "config" / "mailbot.toml").open("a", encoding="utf-8") as handle:
        handle.write(extra)


def outbox(project: Path) -> list[email.message.EmailMessage]:
    return sent(project / "var" / "outbox")


def requests_json(capsys: pytest.CaptureFixture[str]) -> list[dict]:
    capsys.readouterr()
    assert main(["requests", "list", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def request_body(n: int) -> str:
    return f"Beste,\n\nStuur mij een kopie van al mijn persoonsgegevens (verzoek {n}).\n\nGroet\n"


def test_per_sender_daily_limit_holds_further_automatic_replies(project: Path, capsys) -> None:
    configure(project, "[replies]\nmax_per_sender_per_day = 2\n")
    for n in range(3):
        deliver(project / MAILDIR, make_mail(sender="X <x@elders.example>", body=request_body(n)))
    assert main(["run", "--once", *SINCE]) == 0
    requests = requests_json(capsys)
    assert len(requests) == 3
    assert len(outbox(project)) == 2
    statuses = sorted(r["replies"][0]["status"] for r in requests)
    assert statuses == ["draft", "sent", "sent"]


def test_hourly_ceiling_stops_sending_and_alerts_staff_once(project: Path, capsys) -> None:
    configure(project, '[replies]\nmax_per_hour = 2\n[digest]\nrecipients = ["privacy@itsb.nu"]\n')
    for n in range(4):
        deliver(project / MAILDIR, make_mail(sender=f"P{n} <p{n}@elders.example>", body=request_body(n)))
    assert main(["run", "--once", *SINCE]) == 0
    assert main(["run", "--once", *SINCE]) == 0
    sent = outbox(project)
    to_requesters = [m for m in sent if m["To"] != "privacy@itsb.nu"]
    alerts = [m for m in sent if m["To"] == "privacy@itsb.nu"]
    assert len(to_requesters) == 2
    assert len(alerts) == 1
    assert "max_per_hour" in alerts[0].get_content()
    waiting = [r["replies"][0]["status"] for r in requests_json(capsys)]
    assert sorted(waiting) == ["queued", "queued", "sent", "sent"]


def test_our_own_reply_coming_back_is_not_answered(project: Path, capsys) -> None:
    deliver(project / MAILDIR, make_mail(sender="Y <y@elders.example>"))
    assert main(["run", "--once", *SINCE]) == 0
    [ack] = list((project / "var" / "outbox").glob("*.eml"))
    deliver(project / MAILDIR, ack.read_bytes())  # e.g. a Bcc to ourselves, or a forward back to info@
    assert main(["run", "--once", *SINCE]) == 0
    assert len(requests_json(capsys)) == 1
    assert len(outbox(project)) == 1


def test_several_instances_on_postgresql_handle_each_mail_once(project: Path, pg_url: str) -> None:
    count = 24
    for n in range(count):
        deliver(project / MAILDIR, make_mail(sender=f"K{n} <k{n}@elders.example>", body=request_body(n)))
    env = {**os.environ, "MAILBOT_DATABASE__URL": pg_url}
    runs = [subprocess.Popen([sys.executable, "-m", "mailbot", "run", "--once", *SINCE], cwd=project, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
            for _ in range(3)]
    for run in runs:
        _, err = run.communicate(timeout=120)
        assert run.returncode == 0, err.decode()
    listing = subprocess.run([sys.executable, "-m", "mailbot", "requests", "list", "--json"], cwd=project, env=env,
                             capture_output=True, text=True, check=True)
    requests = json.loads(listing.stdout)
    assert len(requests) == count
    assert len({r["ref"] for r in requests}) == count
    sent = outbox(project)
    assert len(sent) == count
    assert sorted(m["To"] for m in sent) == sorted(f"k{n}@elders.example" for n in range(count))


def test_staff_writing_from_the_desk_address_never_opens_a_request(project: Path, capsys) -> None:
    deliver(project / MAILDIR, make_mail(sender="IT Services Best <info@itsb.nu>", subject="FW: inzageverzoek",
                                         body="Doorgestuurd: klant wil een kopie van al zijn persoonsgegevens.\n"))
    assert main(["run", "--once", *SINCE]) == 0
    assert requests_json(capsys) == []
    assert not (project / "var" / "outbox").exists() or outbox(project) == []
