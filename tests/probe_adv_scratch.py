"""Scratch probes (not collected: name does not match test_*)."""
from __future__ import annotations

import email
import json
import os
import subprocess
import sys
from email import policy
from pathlib import Path

import pytest

from mailbot.cli import main
from tests.mailmaker import FAIL, PASS, deliver, make_mail

SINCE = ["--since", "2000-01-01"]
MAILDIR = Path("var/mail")


def cli(capsys, *args):
    capsys.readouterr()
    code = main(list(args))
    c = capsys.readouterr()
    return code, c.out, c.err


def register(capsys):
    code, out, _ = cli(capsys, "requests", "list", "--json")
    return json.loads(out)


def sent(project):
    folder = project / "var" / "outbox"
    files = sorted(folder.glob("*.eml")) if folder.is_dir() else []
    return [email.message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]


@pytest.fixture
def customers(project, capsys):
    (project / "customers.csv").write_text(
        "email,name,customer_id\nJan@Example.nl,Jan de Vries,C-1001\n", encoding="utf-8")
    assert cli(capsys, "customers", "import", "customers.csv")[0] == 0


def test_withdraw_by_stranger_with_ref(project, customers, capsys):
    deliver(project / MAILDIR, make_mail(message_id="<a1@example.nl>"))
    cli(capsys, "run", "--once", *SINCE)
    [r] = register(capsys)
    deliver(project / MAILDIR, make_mail(sender="Boef <boef@evil.example>", subject=f"Re: [{r['ref']}]",
                                         body="Ik trek mijn verzoek in, het is niet meer nodig.\n"))
    cli(capsys, "run", "--once", *SINCE)
    [r] = register(capsys)
    print(r["status"])
    assert r["status"] == "pending_approval"


def test_withdraw_forged(project, customers, capsys):
    deliver(project / MAILDIR, make_mail(message_id="<a1@example.nl>"))
    cli(capsys, "run", "--once", *SINCE)
    deliver(project / MAILDIR, make_mail(auth=FAIL, subject="Verzoek",
                                         body="Goedemiddag,\n\nIk trek mijn verzoek om inzage in, het is niet meer nodig.\n\nJan\n"))
    cli(capsys, "run", "--once", *SINCE)
    [r] = register(capsys)
    assert r["status"] == "pending_approval"


def test_no_from(project, customers, capsys):
    raw = make_mail()
    raw = b"\n".join(l for l in raw.split(b"\n") if not l.startswith(b"From:"))
    deliver(project / MAILDIR, raw)
    code, out, err = cli(capsys, "run", "--once", *SINCE)
    print(out, err)
    print(register(capsys))
    print(cli(capsys, "quarantine", "list", "--json"))


def test_bad_from(project, customers, capsys):
    deliver(project / MAILDIR, make_mail(sender="Jan <jan>"))
    code, out, err = cli(capsys, "run", "--once", *SINCE)
    print(out, err)
    print(register(capsys))
    print(cli(capsys, "quarantine", "list", "--json"))


def test_dup_from(project, customers, capsys):
    raw = make_mail(sender="Boef <boef@evil.example>", auth=PASS.replace("{domain}", "evil.example"))
    raw = raw.replace(b"From: Boef", b"From: Jan <jan@example.nl>\nFrom: Boef", 1)
    deliver(project / MAILDIR, raw)
    cli(capsys, "run", "--once", *SINCE)
    print(register(capsys))
    print([m["To"] for m in sent(project)])


def test_mid_case(project, customers, capsys):
    deliver(project / MAILDIR, make_mail(message_id="<Case-1@Example.NL>"))
    cli(capsys, "run", "--once", *SINCE)
    deliver(project / MAILDIR, make_mail(message_id="<case-1@example.nl>", body="Ik wil inzage in mijn gegevens. Disclaimer added.\n"))
    deliver(project / MAILDIR, make_mail(message_id="Case-1@Example.NL", body="Ik wil inzage in mijn gegevens. Disclaimer 2.\n"))
    cli(capsys, "run", "--once", *SINCE)
    print(register(capsys))
    print(len(sent(project)))


def test_same_pass_dup(project, customers, capsys):
    raw = make_mail(message_id="<d@example.nl>")
    deliver(project / MAILDIR, raw)
    deliver(project / MAILDIR, raw)
    code, out, err = cli(capsys, "run", "--once", *SINCE)
    print(out)
    assert len(register(capsys)) == 1 and len(sent(project)) == 1
    code, out, err = cli(capsys, "run", "--once", *SINCE)
    print(out)


def test_no_mid_stable(project, customers, capsys):
    raw = make_mail()
    raw = b"\n".join(l for l in raw.split(b"\n") if not l.startswith(b"Message-ID:"))
    deliver(project / MAILDIR, raw)
    cli(capsys, "run", "--once", *SINCE)
    deliver(project / MAILDIR, b"Received: from x by y; Mon, 1 Jan 2026 00:00:00 +0000\r\n" + raw.replace(b"\n", b"\r\n"))
    cli(capsys, "run", "--once", *SINCE)
    rs = register(capsys)
    print(rs)
    print([ (m["In-Reply-To"], m["References"]) for m in sent(project)])
    assert len(rs) == 1 and len(sent(project)) == 1


def test_injection(project, customers, capsys):
    import base64
    name = base64.b64encode("Jan\r\nBcc: evil@x.example\r\n".encode()).decode()
    subj = "=?utf-8?q?Inzage=0D=0ABcc:_evil@x.example?="
    deliver(project / MAILDIR, make_mail(sender=f"=?utf-8?b?{name}?= <jan@example.nl>", subject=subj))
    cli(capsys, "run", "--once", *SINCE)
    print(register(capsys))
    for f in (project / "var/outbox").glob("*.eml"):
        head = f.read_bytes().split(b"\r\n\r\n")[0]
        print(head.decode())
        assert b"Bcc" not in head


def test_ref_forms(project, customers, capsys):
    deliver(project / MAILDIR, make_mail(message_id="<f1@example.nl>"))
    cli(capsys, "run", "--once", *SINCE)
    [r] = register(capsys)
    ref = r["ref"]
    subjects = [f"re: [{ref.lower()}]", f"AW: [ {ref} ]", f"Antw: Re:  [{ref}]  vraag",
                f"=?utf-8?q?Re=3A_=5B{ref}=5D_h=C3=A9?=", f"Re: {ref}"]
    for i, s in enumerate(subjects):
        deliver(project / MAILDIR, make_mail(subject=s, body=f"Hoe staat het met mijn vraag {i}?\n", message_id=f"<f{i+2}@example.nl>"))
    cli(capsys, "run", "--once", *SINCE)
    rs = register(capsys)
    print(rs[0]["message_ids"], len(rs))


def test_machine_odd_case(project, customers, capsys):
    deliver(project / MAILDIR, make_mail(headers={"AUTO-SUBMITTED": "Auto-Replied"}))
    deliver(project / MAILDIR, make_mail(headers={"precedence": "BULK"}))
    deliver(project / MAILDIR, make_mail(headers={"list-id": "<x.example.nl>"}))
    deliver(project / MAILDIR, make_mail(headers={"Return-Path": "<>"}))
    deliver(project / MAILDIR, make_mail(headers={"x-ms-exchange-message-is-ndr": ""}))
    cli(capsys, "run", "--once", *SINCE)
    assert register(capsys) == []
    deliver(project / MAILDIR, make_mail(headers={"Auto-Submitted": "No"}))
    cli(capsys, "run", "--once", *SINCE)
    assert len(register(capsys)) == 1


def test_transport_failure(project, customers, capsys):
    (project / "var").mkdir(exist_ok=True)
    (project / "var" / "outbox").write_text("not a folder")
    deliver(project / MAILDIR, make_mail())
    code, out, err = cli(capsys, "run", "--once", *SINCE)
    print(out, err)
    [r] = register(capsys)
    print(r["replies"])
    (project / "var" / "outbox").unlink()
    code, out, err = cli(capsys, "run", "--once", *SINCE)
    print(out, err)
    cli(capsys, "run", "--once", *SINCE)
    print(register(capsys)[0]["replies"])
    assert len(sent(project)) == 1
