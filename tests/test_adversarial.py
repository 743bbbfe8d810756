"""An outsider's review: cases an outside checker or a real mailbox would bring, each one a bug that was found.

Driven through the command line on the embedded default (Maildir in, .eml files out, a real SQLite file), and
through ``python -m mailbot`` where exit codes and stderr matter.
"""

from __future__ import annotations

import base64
import email
import json
from pathlib import Path

import pytest

from mailbot.cli import main
from tests.mailmaker import FAIL, PASS, deliver, make_mail
from tests.mailmaker import sent as outbox_mails

SINCE = ["--since", "2000-01-01"]
MAILDIR = Path("var/mail")
WITHDRAWAL = "Goedemiddag,\n\nIk trek mijn verzoek om inzage in, het is niet meer nodig.\n\nJan\n"


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def register(capsys: pytest.CaptureFixture[str]) -> list[dict]:
    code, out, _ = cli(capsys, "requests", "list", "--json")
    assert code == 0
    return json.loads(out)


def quarantined(capsys: pytest.CaptureFixture[str]) -> list[dict]:
    code, out, _ = cli(capsys, "quarantine", "list", "--json")
    assert code == 0
    return json.loads(out)


def sent(project: Path) -> list[email.message.EmailMessage]:
    return outbox_mails(project / "var" / "outbox")


def run_once(capsys: pytest.CaptureFixture[str]) -> str:
    code, out, err = cli(capsys, "run", "--once", *SINCE)
    assert code == 0, err
    return out


@pytest.fixture
def customers(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "customers.csv").write_text("email,name,customer_id\nJan@Example.nl,Jan de Vries,C-1001\n",
                                           encoding="utf-8")
    assert cli(capsys, "customers", "import", "customers.csv")[0] == 0


@pytest.fixture
def opened(project: Path, customers: None, capsys: pytest.CaptureFixture[str]) -> dict:
    """Jan's verified access request, acknowledged."""
    deliver(project / MAILDIR, make_mail(message_id="<opened@example.nl>"))
    run_once(capsys)
    [request] = register(capsys)
    assert request["status"] == "pending_approval" and len(sent(project)) == 1
    return request


# -- withdrawals -------------------------------------------------------------------------------------------


def test_a_stranger_quoting_the_reference_cannot_withdraw_the_request(project: Path, opened: dict,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    deliver(project / MAILDIR, make_mail(sender="Boef <boef@evil.example>", subject=f"Re: [{opened['ref']}]",
                                         body="Ik trek mijn verzoek in, het is niet meer nodig.\n"))
    run_once(capsys)
    [request] = register(capsys)
    assert request["status"] == "pending_approval"
    assert len(request["message_ids"]) == 2  # it joins, for staff to read
    _, out, _ = cli(capsys, "requests", "show", opened["ref"], "--json")
    assert any("asks to withdraw" in h["detail"] for h in json.loads(out)["history"])


def test_a_forged_withdrawal_from_the_requesters_address_does_not_withdraw(project: Path, opened: dict,
                                                                           capsys) -> None:
    deliver(project / MAILDIR, make_mail(auth=FAIL, subject="Verzoek", body=WITHDRAWAL))
    run_once(capsys)
    assert register(capsys)[0]["status"] == "pending_approval"


def test_an_unauthenticated_withdrawal_of_a_verified_request_waits_for_staff(project: Path, opened: dict,
                                                                             capsys) -> None:
    deliver(project / MAILDIR, make_mail(auth=None, subject=f"Re: [{opened['ref']}]", body=WITHDRAWAL))
    run_once(capsys)
    assert register(capsys)[0]["status"] == "pending_approval"


def test_the_requesters_own_authenticated_withdrawal_still_withdraws(project: Path, opened: dict, capsys) -> None:
    deliver(project / MAILDIR, make_mail(subject=f"Re: [{opened['ref']}]", body=WITHDRAWAL))
    run_once(capsys)
    assert register(capsys)[0]["status"] == "withdrawn"


def test_a_withdrawal_only_the_text_model_reads_waits_for_staff(project: Path, opened: dict, capsys) -> None:
    """The blend reads "als niet verzonden beschouwen" as a withdrawal where no rule does; a request closes only on
    an explicit phrase, so staff confirm this one."""
    body = "Mijn mail van vorige week mag u als niet verzonden beschouwen. Er hoeft dus niks opgezocht te worden.\n"
    deliver(project / MAILDIR, make_mail(subject=f"Re: [{opened['ref']}]", body=body))
    run_once(capsys)
    assert register(capsys)[0]["status"] == "pending_approval"
    _, out, _ = cli(capsys, "requests", "show", opened["ref"], "--json")
    assert any("read as a withdrawal by the text model" in h["detail"] for h in json.loads(out)["history"])


# -- identity ----------------------------------------------------------------------------------------------


def test_duplicate_from_headers_never_verify_on_the_other_addresss_pass(project: Path, customers: None,
                                                                        capsys) -> None:
    # The server's DMARC pass is for evil.example (the From it checked); the first From claims Jan.
    raw = make_mail(sender="Boef <boef@evil.example>")
    raw = raw.replace(b"From: Boef", b"From: Jan de Vries <jan@example.nl>\nFrom: Boef", 1)
    deliver(project / MAILDIR, raw)
    run_once(capsys)
    [request] = register(capsys)
    assert request["requester_email"] == "jan@example.nl"
    assert request["sender_verified"] is False and request["status"] == "awaiting_identity"


def test_a_dmarc_pass_for_another_domain_does_not_verify(project: Path, customers: None, capsys) -> None:
    auth = PASS.replace("header.from={domain}", "header.from=evil.example")
    deliver(project / MAILDIR, make_mail(auth=auth))
    run_once(capsys)
    assert register(capsys)[0]["sender_verified"] is False


# -- the same mail twice -----------------------------------------------------------------------------------


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_the_same_message_id_in_another_case_is_handled_once(project: Path, customers: None, database: str,
                                                             request: pytest.FixtureRequest,
                                                             monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    if database == "postgresql":
        monkeypatch.setenv("MAILBOT_DATABASE__URL", request.getfixturevalue("pg_url"))
    deliver(project / MAILDIR, make_mail(message_id="<Case-1@Mail.Example.NL>"))
    # The copies come back through a gateway that changed the id's case and appended a disclaimer.
    for n, mid in enumerate(("<case-1@mail.example.nl>", "CASE-1@MAIL.EXAMPLE.NL")):
        deliver(project / MAILDIR, make_mail(message_id=mid, body=f"Ik wil inzage in mijn gegevens. ({n})\n"))
    run_once(capsys)
    [request] = register(capsys)
    assert request["message_ids"] == ["<Case-1@Mail.Example.NL>"]
    assert len(sent(project)) == 1


# -- mail that cannot be answered or handled ---------------------------------------------------------------


@pytest.mark.parametrize("sender", [None, "Jan <jan>"])
def test_a_request_without_a_usable_from_address_is_quarantined_with_a_reason(project: Path, customers: None,
                                                                              sender: str | None,
                                                                              capsys) -> None:
    raw = make_mail(sender=sender or "x@example.nl", message_id="<nofrom@example.nl>")
    if sender is None:
        raw = b"\n".join(line for line in raw.split(b"\n") if not line.startswith(b"From:"))
    deliver(project / MAILDIR, raw)
    run_once(capsys)
    assert register(capsys) == [] and sent(project) == []
    [held] = quarantined(capsys)
    assert "From address" in held["reason"] and "internal error" not in held["reason"]
    assert held["message_id"] == "<nofrom@example.nl>"


def test_quarantine_lists_the_message_id_of_mail_too_large_to_parse(project: Path, capsys) -> None:
    big = make_mail(message_id="<big@example.nl>") + (b"A" * 76 + b"\n") * 340_000  # > 25 MB
    path = deliver(project / MAILDIR, big)
    run_once(capsys)
    [held] = quarantined(capsys)
    assert held["reason"].startswith("cannot parse: too large")
    assert held["message_id"] == "<big@example.nl>"
    assert path.read_bytes() == big


def test_quarantine_lists_the_message_id_of_mail_whose_handling_failed(project: Path, customers: None,
                                                                       capsys) -> None:
    templates = project / "templates"
    templates.mkdir()
    from mailbot.config import DEFAULT_TEMPLATES

    for source in DEFAULT_TEMPLATES.iterdir():
        text = source.read_text(encoding="utf-8")
        if source.name == "acknowledgement.nl.txt":
            text = text.replace("{{ request.ref }}", "{{ request.no_such_field }}", 1)
        (templates / source.name).write_text(text, encoding="utf-8")
    with (project / "config" / "mailbot.toml").open("a", encoding="utf-8") as handle:
        handle.write('[replies]\ntemplates = "../templates"\n')
    deliver(project / MAILDIR, make_mail(message_id="<breaks@example.nl>"))
    deliver(project / MAILDIR, make_mail(sender="Iemand <iemand@elders.example>"))
    run_once(capsys)
    [held] = quarantined(capsys)
    assert "no_such_field" in held["reason"] and held["message_id"] == "<breaks@example.nl>"
    assert [r["requester_email"] for r in register(capsys)] == ["iemand@elders.example"]  # the loop went on


# -- header injection --------------------------------------------------------------------------------------


def test_an_encoded_from_name_with_line_breaks_reaches_neither_register_nor_reply(project: Path, customers: None,
                                                                                   capsys) -> None:
    name = base64.b64encode(b"Jan\r\nBcc: evil@x.example\r\n").decode()
    raw = make_mail(subject="Inzage").replace(b"From: Jan de Vries <jan@example.nl>",
                                              f"From: =?utf-8?b?{name}?= <jan@example.nl>".encode())
    raw = raw.replace(b"Subject: Inzage", b"Subject: =?utf-8?q?Inzage_in_mijn_gegevens=0D=0ABcc:_evil@x.example?=")
    deliver(project / MAILDIR, raw)
    run_once(capsys)
    [request] = register(capsys)
    assert request["requester_name"] == "Jan Bcc: evil@x.example"
    [reply] = sent(project)
    assert "Bcc" not in reply and reply["To"] == "jan@example.nl"
    assert "\nBcc:" not in reply.get_body(("plain",)).get_content()


# -- the outbox --------------------------------------------------------------------------------------------


def test_after_a_transport_failure_the_next_pass_sends_each_reply_once(project: Path, customers: None,
                                                                       capsys) -> None:
    blocker = project / "var" / "outbox"
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("a file where the outbox folder should be", encoding="utf-8")
    deliver(project / MAILDIR, make_mail())
    assert "0 mail(s) sent" in run_once(capsys)
    assert register(capsys)[0]["replies"][0]["status"] == "queued"
    blocker.unlink()
    assert "1 mail(s) sent" in run_once(capsys)
    assert "0 mail(s) sent" in run_once(capsys)
    assert len(sent(project)) == 1
    assert register(capsys)[0]["replies"][0]["status"] == "sent"


# -- imports -----------------------------------------------------------------------------------------------


def test_customers_import_skips_the_empty_rows_a_spreadsheet_leaves(project: Path, capsys) -> None:
    (project / "c.csv").write_bytes("\ufeffEMAIL, Name ,Customer_ID,city\r\nA@x.nl,A,1,Best\r\n\r\n,,,\r\n"
                                    "b@x.nl,B,2\r\n, ,,\r\n".encode())
    assert cli(capsys, "customers", "import", "c.csv")[:2] == (0, "customers: 2 added, 0 updated, 0 unchanged\n")
    assert cli(capsys, "customers", "import", "c.csv")[:2] == (0, "customers: 0 added, 0 updated, 2 unchanged\n")


def test_customers_import_reads_a_semicolon_separated_excel_export(project: Path, customers: None,
                                                                   capsys) -> None:
    (project / "nl.csv").write_text("email;name;customer_id\r\nemma@example.nl;Emma;C-7\r\n"
                                    "jan@example.nl;Jan de Vries;C-1001\r\n", encoding="utf-8")
    assert cli(capsys, "customers", "import", "nl.csv")[:2] == (0, "customers: 1 added, 0 updated, 1 unchanged\n")


def test_requests_import_takes_status_and_language_in_any_case(project: Path, capsys) -> None:
    (project / "r.csv").write_text("Ref,Requester_Email,Types,Received_At,Status,Language\n"
                                   "AVG-2026-0003,emma@example.nl,Objection,2026-03-02,Pending_Approval,EN\n",
                                   encoding="utf-8")
    code, _, err = cli(capsys, "requests", "import", "r.csv")
    assert code == 0, err
    [request] = register(capsys)
    assert (request["status"], request["language"], request["types"]) == ("pending_approval", "en", ["objection"])


# -- reference numbers -------------------------------------------------------------------------------------


def test_numbering_continues_after_an_imported_reference_with_another_prefix(project: Path, capsys) -> None:
    (project / "r.csv").write_text("ref,requester_email,types,received_at,status\n"
                                   "PRIV-2026-0004,a@example.nl,access,2026-03-01,completed\n", encoding="utf-8")
    assert cli(capsys, "requests", "import", "r.csv")[0] == 0
    deliver(project / MAILDIR, make_mail(sender="Iemand <iemand@elders.example>"))
    assert "1 new request(s)" in run_once(capsys)
    assert [r["ref"] for r in register(capsys)] == ["PRIV-2026-0004", "AVG-2026-0005"]


def test_a_persistent_register_conflict_quarantines_the_mail_instead_of_skipping_it(
        project: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from sqlalchemy.exc import IntegrityError

    from mailbot.pipeline import Pipeline

    def clash(*args: object, **kwargs: object) -> None:
        raise IntegrityError("INSERT ...", {}, Exception("UNIQUE constraint failed: request.year, request.number"))

    monkeypatch.setattr(Pipeline, "_open_request", clash)
    deliver(project / MAILDIR, make_mail(sender="Iemand <iemand@elders.example>", message_id="<clash@elders.example>"))
    assert "1 quarantined" in run_once(capsys)
    [held] = quarantined(capsys)
    assert "UNIQUE constraint failed" in held["reason"] and held["message_id"] == "<clash@elders.example>"
    assert "0 mail(s) read" in run_once(capsys)
