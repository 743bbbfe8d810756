"""The spine through the command line on the embedded default: Maildir in, .eml files out, a real SQLite file."""

from __future__ import annotations

import calendar
import email
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mailbot.cli import main
from tests.mailmaker import FAIL, PASS, deliver, make_mail
from tests.mailmaker import sent as outbox_mails

SINCE = ["--since", "2000-01-01"]


@pytest.fixture(params=["sqlite", "postgresql"], autouse=True)
def database(request: pytest.FixtureRequest, project: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every behaviour on both registers: the SQLite file of the project, and a fresh PostgreSQL database."""
    if request.param == "postgresql":
        monkeypatch.setenv("MAILBOT_DATABASE__URL", request.getfixturevalue("pg_url"))
    return request.param


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


def register(capsys: pytest.CaptureFixture[str]) -> list[dict]:
    code, out = cli(capsys, "requests", "list", "--json")
    assert code == 0
    return json.loads(out)


def sent(project: Path) -> list[email.message.EmailMessage]:
    return outbox_mails(project / "var" / "outbox")


@pytest.fixture
def customers(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "customers.csv").write_text(
        "email,name,customer_id\nJan@Example.nl,Jan de Vries,C-1001\nemma@example.co.uk,Emma Smith,C-1002\n",
        encoding="utf-8")
    code, out = cli(capsys, "customers", "import", "customers.csv")
    assert code == 0 and "2 added" in out


MAILDIR = Path("var/mail")


def test_verified_customer_gets_an_acknowledgement(project: Path, customers: None, capsys) -> None:
    deliver(project / MAILDIR, make_mail(message_id="<req-1@example.nl>"))
    code, out = cli(capsys, "run", "--once", *SINCE)
    assert code == 0, out
    [request] = register(capsys)
    assert request["status"] == "pending_approval"
    assert request["types"] == ["access"]
    assert request["language"] == "nl"
    assert request["sender_verified"] is True
    assert request["customer_id"] == "C-1001"
    assert request["message_ids"] == ["<req-1@example.nl>"]
    assert request["ref"].startswith("AVG-")
    [reply] = sent(project)
    assert reply["To"] == "jan@example.nl"
    assert reply["In-Reply-To"] == "<req-1@example.nl>"
    assert "<req-1@example.nl>" in reply["References"]
    assert reply["Auto-Submitted"] == "auto-replied"
    assert f"[{request['ref']}]" in reply["Subject"]
    assert reply["Message-ID"].endswith("@itsb.nu>")
    assert request["replies"] == [{"kind": "acknowledgement", "to": "jan@example.nl", "status": "sent",
                                   "sent_at": request["replies"][0]["sent_at"]}]
    assert request["replies"][0]["sent_at"]


def test_unknown_sender_is_asked_to_identify_without_revealing_anything(project: Path, customers: None,
                                                                       capsys) -> None:
    deliver(project / MAILDIR, make_mail(sender="Iemand <iemand@elders.example>"))
    cli(capsys, "run", "--once", *SINCE)
    [request] = register(capsys)
    assert request["status"] == "awaiting_identity"
    assert request["sender_verified"] is False and request["customer_id"] is None
    [reply] = sent(project)
    assert reply["To"] == "iemand@elders.example"
    body = reply.get_body(("plain",)).get_content()
    assert request["ref"] in body
    assert "C-1001" not in body and "Jan de Vries" not in body


def test_reply_to_elsewhere_means_identify_and_reply_goes_to_from(project: Path, customers: None, capsys) -> None:
    deliver(project / MAILDIR, make_mail(headers={"Reply-To": "someone@attacker.example"}))
    cli(capsys, "run", "--once", *SINCE)
    [request] = register(capsys)
    assert request["status"] == "awaiting_identity"
    [reply] = sent(project)
    assert reply["To"] == "jan@example.nl"


def test_failed_dmarc_is_flagged_and_nothing_is_sent(project: Path, customers: None, capsys) -> None:
    deliver(project / MAILDIR, make_mail(auth=FAIL))
    cli(capsys, "run", "--once", *SINCE)
    [request] = register(capsys)
    assert request["status"] == "flagged"
    assert request["replies"] == []
    assert sent(project) == []


def test_only_the_topmost_authentication_results_counts(project: Path, customers: None, capsys) -> None:
    # The sender wrote a "pass" of its own into the mail; our receiving server, on top, says fail.
    raw = make_mail(auth=PASS)
    ours = b"Authentication-Results: mx.itsb.nu; dmarc=fail (p=reject) header.from=example.nl\n"
    deliver(project / MAILDIR, ours + raw)
    cli(capsys, "run", "--once", *SINCE)
    assert register(capsys)[0]["status"] == "flagged"


def test_machine_mail_never_becomes_a_request(project: Path, customers: None, capsys) -> None:
    deliver(project / MAILDIR, make_mail(subject="Automatisch antwoord: Inzage in mijn gegevens",
                                         headers={"auto-submitted": "auto-replied"}))
    deliver(project / MAILDIR, make_mail(sender="MAILER-DAEMON <mailer-daemon@example.nl>",
                                         subject="Undelivered Mail Returned to Sender"))
    deliver(project / MAILDIR, make_mail(headers={"Precedence": "bulk"}))
    cli(capsys, "run", "--once", *SINCE)
    assert register(capsys) == []
    assert sent(project) == []


def test_ordinary_mail_is_left_exactly_as_it_was(project: Path, customers: None, capsys) -> None:
    path = deliver(project / MAILDIR, make_mail(subject="Bestelling 1234",
                                                body="Waar blijft mijn pakket? Bestelling 1234.\n"))
    before = (path.read_bytes(), path.stat().st_mtime)
    cli(capsys, "run", "--once", *SINCE)
    assert register(capsys) == []
    assert sent(project) == []
    assert path.exists() and (path.read_bytes(), path.stat().st_mtime) == before


def test_the_same_message_id_twice_is_handled_once(project: Path, customers: None, capsys) -> None:
    raw = make_mail(message_id="<twice@example.nl>")
    deliver(project / MAILDIR, raw)
    cli(capsys, "run", "--once", *SINCE)
    deliver(project / MAILDIR, raw)
    cli(capsys, "run", "--once", *SINCE)
    assert len(register(capsys)) == 1
    assert len(sent(project)) == 1


def test_a_second_pass_answers_nothing_again(project: Path, customers: None, capsys) -> None:
    deliver(project / MAILDIR, make_mail())
    cli(capsys, "run", "--once", *SINCE)
    cli(capsys, "run", "--once", *SINCE)
    assert len(sent(project)) == 1


def test_follow_up_joins_by_thread_headers_and_by_reference(project: Path, customers: None, capsys) -> None:
    deliver(project / MAILDIR, make_mail(message_id="<first@example.nl>"))
    cli(capsys, "run", "--once", *SINCE)
    [request] = register(capsys)
    ack_id = sent(project)[0]["Message-ID"]
    deliver(project / MAILDIR, make_mail(subject="Re: Inzage", body="Nog een vraag over mijn verzoek.\n",
                                         message_id="<second@example.nl>",
                                         headers={"In-Reply-To": ack_id, "References": ack_id}))
    deliver(project / MAILDIR, make_mail(subject=f"Vraag over [{request['ref']}]", body="Hoe staat het ermee?\n",
                                         message_id="<third@example.nl>"))
    cli(capsys, "run", "--once", *SINCE)
    [request] = register(capsys)
    assert request["message_ids"] == ["<first@example.nl>", "<second@example.nl>", "<third@example.nl>"]
    assert len(sent(project)) == 1


def test_withdrawal_in_the_thread_withdraws(project: Path, customers: None, capsys) -> None:
    deliver(project / MAILDIR, make_mail(message_id="<w1@example.nl>"))
    cli(capsys, "run", "--once", *SINCE)
    deliver(project / MAILDIR, make_mail(subject="Re: Inzage in mijn gegevens",
                                         body="Ik trek mijn verzoek in, het is niet meer nodig.\n",
                                         headers={"In-Reply-To": "<w1@example.nl>"}))
    cli(capsys, "run", "--once", *SINCE)
    [request] = register(capsys)
    assert request["status"] == "withdrawn"


def test_resent_text_within_two_weeks_joins_unanswered(project: Path, customers: None, capsys) -> None:
    deliver(project / MAILDIR, make_mail(message_id="<r1@example.nl>"))
    cli(capsys, "run", "--once", *SINCE)
    deliver(project / MAILDIR, make_mail(message_id="<r2@example.nl>"))
    cli(capsys, "run", "--once", *SINCE)
    [request] = register(capsys)
    assert request["message_ids"] == ["<r1@example.nl>", "<r2@example.nl>"]
    assert len(sent(project)) == 1


def test_mail_from_before_the_first_start_is_never_answered(project: Path, customers: None, capsys) -> None:
    old = time.time() - 3 * 365 * 86400
    deliver(project / MAILDIR, make_mail(message_id="<old@example.nl>"), mtime=old)
    cli(capsys, "run", "--once")
    assert register(capsys) == [] and sent(project) == []
    deliver(project / MAILDIR, make_mail(message_id="<new@example.nl>"))
    cli(capsys, "run", "--once")
    [request] = register(capsys)
    assert request["message_ids"] == ["<new@example.nl>"]
    assert len(sent(project)) == 1


def test_explicit_since_skips_older_mail(project: Path, customers: None, capsys) -> None:
    deliver(project / MAILDIR, make_mail(), mtime=time.time() - 10 * 86400)
    cli(capsys, "run", "--once", "--since", time.strftime("%Y-%m-%d", time.gmtime(time.time() - 86400)))
    assert register(capsys) == []


def test_unparseable_mail_is_quarantined_and_can_be_retried(project: Path, customers: None, capsys) -> None:
    deliver(project / MAILDIR, b"\x00\x01 not a mail")
    deliver(project / MAILDIR, make_mail())
    code, _ = cli(capsys, "run", "--once", *SINCE)
    assert code == 0
    assert len(register(capsys)) == 1
    code, out = cli(capsys, "quarantine", "list", "--json")
    [held] = json.loads(out)
    assert set(held) >= {"id", "reason", "received_at", "message_id"}
    assert held["reason"]
    code, _ = cli(capsys, "quarantine", "retry", str(held["id"]))
    assert code == 1
    _, out = cli(capsys, "quarantine", "list", "--json")
    assert len(json.loads(out)) == 1


def test_requests_show_has_mails_replies_and_history(project: Path, customers: None, capsys) -> None:
    deliver(project / MAILDIR, make_mail())
    cli(capsys, "run", "--once", *SINCE)
    [request] = register(capsys)
    code, out = cli(capsys, "requests", "show", request["ref"], "--json")
    shown = json.loads(out)
    assert code == 0
    assert shown["ref"] == request["ref"]
    assert [h["action"] for h in shown["history"]][:2] == ["received", "identity: verified"]
    assert any(h["action"] == "reply sent" for h in shown["history"])
    assert shown["due_at"].endswith(("+01:00", "+02:00"))


def test_objection_stops_processing_for_the_customer(project: Path, customers: None, capsys) -> None:
    deliver(project / MAILDIR, make_mail(subject="Nieuwsbrief", body="Haal mij van de nieuwsbrief af. Ik maak "
                                         "bezwaar tegen het gebruik van mijn gegevens voor direct marketing.\n"))
    cli(capsys, "run", "--once", *SINCE)
    [request] = register(capsys)
    assert "objection" in request["types"]
    _, out = cli(capsys, "requests", "show", request["ref"], "--json")
    assert any(h["action"] == "processing stopped" for h in json.loads(out)["history"])


def test_classify_json_touches_no_state(project: Path, capsys) -> None:
    mail = project / "one.eml"
    mail.write_bytes(make_mail(auth=PASS))
    code, out = cli(capsys, "classify", str(mail), "--json")
    data = json.loads(out)
    assert code == 0
    assert set(data) >= {"file", "is_request", "types", "language", "confidence", "auto_generated", "evidence"}
    assert data["is_request"] is True and data["types"] == ["access"] and data["language"] == "nl"
    assert 0 <= data["confidence"] <= 1 and data["evidence"]
    assert not (project / "var").exists()


def _run_cli(project: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mailbot", *args], cwd=project, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=60, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize(("toml", "key"), [
    ('[mailbox]\nport = "many"\n', "mailbox.port"),
    ('[mailbox]\nbackend = "pop3"\n', "mailbox.backend"),
    ('[mailbox]\ncolour = "blue"\n', "mailbox.colour"),
    ('[company]\ntimezone = "Mars/Olympus"\n', "company.timezone"),
    ("[mailbox\n", "not valid TOML"),
])
def test_bad_configuration_is_one_line_and_exit_2(project: Path, toml: str, key: str) -> None:
    (project / "config" / "mailbot.toml").write_text(toml, encoding="utf-8")
    result = _run_cli(project, "requests", "list")
    assert result.returncode == 2
    assert key in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_environment_overrides_the_file_and_is_checked(project: Path) -> None:
    result = _run_cli(project, "requests", "list", env={"MAILBOT_MAILBOX__PORT": "seventy"})
    assert result.returncode == 2 and "mailbox.port" in result.stderr


def test_usage_error_is_exit_2(project: Path) -> None:
    result = _run_cli(project, "requests", "frobnicate")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_withdrawal_without_thread_headers_withdraws_the_senders_open_request(project: Path, customers: None,
                                                                             capsys) -> None:
    deliver(project / MAILDIR, make_mail(message_id="<wd1@example.nl>"))
    cli(capsys, "run", "--once", *SINCE)
    deliver(project / MAILDIR, make_mail(subject="Verzoek", body="Goedemiddag,\n\nIk trek mijn verzoek om inzage "
                                         "in, het is niet meer nodig.\n\nJan\n"))
    cli(capsys, "run", "--once", *SINCE)
    [request] = register(capsys)
    assert request["status"] == "withdrawn"
    assert len(request["message_ids"]) == 2


def test_a_wrong_database_url_is_a_configuration_error(project: Path) -> None:
    result = _run_cli(project, "requests", "list", env={"MAILBOT_DATABASE__URL": "nosuchdb://x"})
    assert result.returncode == 2 and "database.url" in result.stderr


def test_an_unreachable_database_is_a_failure_in_one_line(project: Path) -> None:
    result = _run_cli(project, "requests", "list",
                      env={"MAILBOT_DATABASE__URL": "postgresql+psycopg://postgres@127.0.0.1:1/none"})
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_known_address_without_a_verdict_names_the_customer_but_is_not_verified(project: Path, customers: None,
                                                                                 capsys) -> None:
    deliver(project / MAILDIR, make_mail(auth=None))
    cli(capsys, "run", "--once", *SINCE)
    [request] = register(capsys)
    assert request["status"] == "awaiting_identity"
    assert request["customer_id"] == "C-1001" and request["sender_verified"] is False
    [reply] = sent(project)
    assert reply["To"] == "jan@example.nl"
    assert "C-1001" not in reply.get_body(("plain",)).get_content()


def test_since_without_offset_is_company_local_time(project: Path, customers: None, capsys) -> None:
    # Delivered at 23:30 UTC on 1 March = 00:30 on 2 March in Amsterdam: after "--since 2026-03-02".
    moment = calendar.timegm((2026, 3, 1, 23, 30, 0))
    deliver(project / MAILDIR, make_mail(), mtime=moment)
    cli(capsys, "run", "--once", "--since", "2026-03-02")
    assert len(register(capsys)) == 1


def test_a_reply_to_mail_without_message_id_does_not_thread_on_an_invented_id(project: Path, customers: None,
                                                                             capsys) -> None:
    raw = make_mail()
    raw = b"\n".join(line for line in raw.split(b"\n") if not line.lower().startswith(b"message-id:"))
    deliver(project / MAILDIR, raw)
    cli(capsys, "run", "--once", *SINCE)
    [reply] = sent(project)
    assert reply["In-Reply-To"] is None and reply["References"] is None


def test_classify_json_gives_a_line_for_an_unreadable_file_too(project: Path, capsys) -> None:
    good, bad = project / "good.eml", project / "bad.eml"
    good.write_bytes(make_mail())
    bad.write_bytes(b"")
    code, out = cli(capsys, "classify", str(bad), str(good), "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 1
    assert [line["file"] for line in lines] == [str(bad), str(good)]
    assert lines[0]["is_request"] is False and lines[0]["error"]
    assert lines[1]["is_request"] is True


def test_approve_on_the_command_line_completes_a_verified_request(project: Path, customers: None, capsys) -> None:
    deliver(project / MAILDIR, make_mail())
    cli(capsys, "run", "--once", *SINCE)
    [request] = register(capsys)
    code, out = cli(capsys, "requests", "approve", request["ref"], "--by", "mylene")
    assert code == 0, out
    [request] = register(capsys)
    assert request["status"] == "completed"
    assert [(r["kind"], r["status"]) for r in request["replies"]] == [("acknowledgement", "sent"),
                                                                      ("completion", "sent")]
    completion = sent(project)[-1]
    assert completion["To"] == "jan@example.nl"
    ref = request["ref"]
    assert {part.get_filename() for part in completion.iter_attachments()} == {f"gegevens-{ref}.json",
                                                                               f"gegevens-{ref}.csv"}
    _, out = cli(capsys, "requests", "show", request["ref"], "--json")
    assert any(h["actor"] == "mylene" and h["action"] == "completed" for h in json.loads(out)["history"])


def test_reject_on_the_command_line_sends_the_reason(project: Path, customers: None, capsys) -> None:
    deliver(project / MAILDIR, make_mail())
    cli(capsys, "run", "--once", *SINCE)
    [request] = register(capsys)
    code, _ = cli(capsys, "requests", "reject", request["ref"], "--by", "mylene", "--reason", "Geen klant bij ons")
    assert code == 0
    [request] = register(capsys)
    assert request["status"] == "rejected"
    assert "Geen klant bij ons" in sent(project)[-1].get_body(("plain",)).get_content()


def test_approve_of_an_unverified_request_fails_with_one_line(project: Path, customers: None) -> None:
    deliver(project / MAILDIR, make_mail(sender="Iemand <iemand@elders.example>"))
    assert _run_cli(project, "run", "--once", *SINCE).returncode == 0
    listing = json.loads(_run_cli(project, "requests", "list", "--json").stdout)
    result = _run_cli(project, "requests", "approve", listing[0]["ref"], "--by", "mylene")
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_a_relative_ca_file_follows_the_config_file(tmp_path: Path) -> None:
    from mailbot import config

    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "mailbot.toml").write_text('[mailbox]\nca_file = "certs/ca.pem"\n', encoding="utf-8")
    settings = config.load(tmp_path / "cfg" / "mailbot.toml", environ={})
    assert settings.mailbox.ca_file == str(tmp_path / "cfg" / "certs" / "ca.pem")


def test_a_failing_digest_does_not_stop_the_bot(project: Path, customers: None) -> None:
    script = (
        "import mailbot.digest as d\n"
        "def broken(*a, **k):\n"
        "    raise RuntimeError('digest template broken')\n"
        "d.run_due = broken\n"
        "from mailbot.cli import main\n"
        "raise SystemExit(main(['run']))\n"
    )
    env = {**os.environ, "MAILBOT_MAILBOX__POLL_SECONDS": "1"}
    bot = subprocess.Popen([sys.executable, "-c", script], cwd=project, env=env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        time.sleep(2)
        deliver(project / MAILDIR, make_mail())
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not sent(project):
            time.sleep(0.2)
        assert bot.poll() is None, "the bot stopped"
        assert len(sent(project)) == 1
    finally:
        bot.terminate()
        _, err = bot.communicate(timeout=30)
    assert b"digest template broken" in err
