from __future__ import annotations
import base64, sys, json
from tests.mailmaker import deliver, make_mail, PASS
from tests.probe_adv_scratch import cli, register, sent, customers, SINCE, MAILDIR  # noqa


def test_injection(project, customers, capsys):
    name = base64.b64encode("Jan\r\nBcc: evil@x.example\r\n".encode()).decode()
    raw = make_mail(subject="Inzage")
    raw = raw.replace(b"From: Jan de Vries <jan@example.nl>", f"From: =?utf-8?b?{name}?= <jan@example.nl>".encode())
    raw = raw.replace(b"Subject: Inzage", b"Subject: =?utf-8?q?Inzage_in_mijn_gegevens=0D=0ABcc:_evil@x.example?=")
    deliver(project / MAILDIR, raw)
    cli(capsys, "run", "--once", *SINCE)
    r = register(capsys)
    print(r, file=sys.__stderr__)
    for f in (project / "var/outbox").glob("*.eml"):
        b = f.read_bytes()
        print(b.decode()[:1500], file=sys.__stderr__)
