from __future__ import annotations

import json, os, subprocess, sys, time
from pathlib import Path

import pytest

def say(*a):
    print(*a, file=sys.__stderr__)

from mailbot.cli import main
from tests.mailmaker import FAIL, PASS, deliver, make_mail
from tests.probe_adv_scratch import cli, register, sent, customers, SINCE, MAILDIR  # noqa


def run(project, *args, env=None, stdin=None):
    e = {k: v for k, v in os.environ.items() if not k.startswith("MAILBOT_")}
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "mailbot", *args], cwd=project, capture_output=True, text=True,
                          env=e, timeout=60, input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL)


def test_exit_codes(project):
    for args in (["run", "--since", "yesterday"], ["nope"], [], ["requests", "list", "--status", "x"],
                 ["quarantine", "retry", "abc"], ["--config", "missing.toml", "requests", "list"],
                 ["requests", "show", "AVG-2026-9999"], ["requests", "import", "missing.csv"],
                 ["classify", "missing.eml"], ["customers", "import", "missing.csv"], ["quarantine", "retry", "9"],
                 ["run", "--once", "--since", "2026-13-01"], ["requests", "approve", "AVG-1", "--by", "x"],
                 ["digest", "--preview"], ["staff", "list"], ["--help"]):
        r = run(project, *args)
        say(args, r.returncode, repr(r.stderr[-300:]))


def test_since_forms(project):
    for s in ("2026-01-01", "2026-01-01T10:00", "2026-01-01 10:00:00+01:00", "2026-01-01T10:00:00Z", "20260101"):
        r = run(project, "run", "--once", "--since", s)
        say(s, r.returncode, r.stdout.strip(), r.stderr.strip()[-200:])


def test_staff_add_stdin(project):
    r = run(project, "staff", "add", "mylene", "--role", "approver", stdin="geheim wachtwoord 1\n")
    say(r.returncode, r.stdout, r.stderr)
    r = run(project, "staff", "add", "bert", "--role", "staff", stdin="")
    say(r.returncode, r.stdout, r.stderr)
    r = run(project, "staff", "list")
    say(r.stdout)


def test_config_lookup(project, tmp_path):
    other = project / "elsewhere"
    other.mkdir()
    (other / "x.toml").write_text('[database]\nurl = "sqlite:///reg.db"\n[mailbox]\npath="mb"\n[outgoing]\npath="ob"\n')
    r = run(project, "--config", "elsewhere/x.toml", "run", "--once")
    say(r.returncode, r.stderr, sorted(p.name for p in other.iterdir()))
    r = run(project, "run", "--once", env={"MAILBOT_CONFIG": str(other / "x.toml")})
    say(r.returncode, r.stderr)
    r = run(project, "requests", "list", env={"MAILBOT_MAILBOX__OAUTH__TENANT_ID": "abc",
                                             "MAILBOT_DIGEST__RECIPIENTS": '["a@b.nl","c@d.nl"]'})
    say("nested", r.returncode, r.stderr)
    r = run(project, "requests", "list", env={"MAILBOT_DIGEST__RECIPIENTS": 'a@b.nl'})
    say("list plain", r.returncode, r.stderr)
    r = run(project, "requests", "list", env={"MAILBOT_MAILBOX__PASSWORD": '123456'})
    say("numeric password", r.returncode, r.stderr)
    r = run(project, "requests", "list", env={"MAILBOT_MAILBOX__PASSWORD": 'true'})
    say("bool password", r.returncode, r.stderr)
    r = run(project, "requests", "list", env={"MAILBOT_OUTGOING__PASSWORD": '"quoted"'})
    say("quoted", r.returncode, r.stderr)


def test_customers_import(project, capsys):
    (project / "c.csv").write_bytes("\ufeffEMAIL, Name ,Customer_ID,city\r\nA@x.nl,A,1,Best\r\n\r\n,,,\r\nb@x.nl,B,2\r\n".encode())
    say(cli(capsys, "customers", "import", "c.csv"))
    say(cli(capsys, "customers", "import", "c.csv"))
    (project / "d.csv").write_text("email;name;customer_id\na@x.nl;A;1\n")
    say(cli(capsys, "customers", "import", "d.csv"))


def test_requests_import(project, capsys):
    (project / "r.csv").write_text(
        "ref,requester_email,types,received_at,status,requester_name,language,message_ids\n"
        "AVG-2026-0012,jan@example.nl,access; erasure,2026-03-01,completed,Jan,en,<a@x.nl>; b@x.nl\n"
        "avg-2026-3,emma@example.nl,Objection,2026-03-02T10:00:00+01:00,pending_approval,,,\n"
        "AVG-2025-0040,x@example.nl,access,2025-12-31 23:30,awaiting_identity\n")
    say(cli(capsys, "requests", "import", "r.csv"))
    say(json.dumps(register(capsys), indent=1)[:3000])


def test_requests_import_then_new(project, capsys):
    (project / "r.csv").write_text(
        "ref,requester_email,types,received_at,status\n"
        "AVG-2026-0012,jan@example.nl,access,2026-03-01,completed\n")
    say(cli(capsys, "requests", "import", "r.csv"))
    deliver(project / MAILDIR, make_mail())
    cli(capsys, "run", "--once", *SINCE)
    say([r["ref"] for r in register(capsys)])


def test_huge_and_garbage(project, capsys):
    big = make_mail(message_id="<big@example.nl>", body="x" * 10) + b"\n" + (b"A" * 76 + b"\n") * 340_000
    deliver(project / MAILDIR, big)
    deliver(project / MAILDIR, os.urandom(4000))
    deliver(project / MAILDIR, b"\xff\xfe\x00garbage: \x80\x81\n\n\x00\x00")
    code, out, err = cli(capsys, "run", "--once", *SINCE)
    say(code, out, err)
    code, out, err = cli(capsys, "quarantine", "list", "--json")
    q = json.loads(out)
    say([(x["reason"], x["message_id"]) for x in q])


def test_classify_garbage(project, capsys):
    (project / "g.eml").write_bytes(b"\x00\x01 not a mail")
    (project / "m.eml").write_bytes(make_mail())
    r = run(project, "classify", "g.eml", "m.eml", "--json")
    say(r.returncode, r.stdout, r.stderr)


def test_template_raises(project, capsys):
    import shutil
    from mailbot.config import DEFAULT_TEMPLATES
    shutil.copytree(DEFAULT_TEMPLATES, project / "tpl")
    p = project / "tpl" / "acknowledgement.nl.txt"
    p.write_text(p.read_text().replace("{{ request.ref }}", "{{ request.nope }}", 1))
    with (project / "config" / "mailbot.toml").open("a") as h:
        h.write('[replies]\ntemplates = "../tpl"\n')
    (project / "customers.csv").write_text("email,name,customer_id\njan@example.nl,Jan,C1\n")
    cli(capsys, "customers", "import", "customers.csv")
    deliver(project / MAILDIR, make_mail(message_id="<t1@example.nl>"))
    deliver(project / MAILDIR, make_mail(sender="Iemand <iemand@elders.example>", message_id="<t2@elders.example>"))
    code, out, err = cli(capsys, "run", "--once", *SINCE)
    say(code, out, err)
    say(cli(capsys, "quarantine", "list", "--json")[1])
    say(register(capsys))
