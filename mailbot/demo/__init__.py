"""`mailbot demo`: sample mail through the whole job on the embedded default, then the staff desk."""

from __future__ import annotations

import secrets
import shutil
import socket
from datetime import timedelta
from pathlib import Path

from mailbot.app import App
from mailbot.config import Settings
from mailbot.register.imports import import_customers
from mailbot.register.models import utcnow
from mailbot.register.store import list_requests
from mailbot.runner import Runner

SAMPLES = Path(__file__).resolve().parent


def fill_maildir(maildir: Path) -> int:
    """Deliver the sample mails into ``new/`` the way an MTA does (tmp/ then rename); each only once."""
    for sub in ("tmp", "new", "cur"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    host = socket.gethostname().replace("/", "_").replace(":", "_")
    delivered = 0
    for sample in sorted((SAMPLES / "mails").glob("*.eml")):
        key = f"demo-{sample.stem}.{host}"
        if any((maildir / sub / key).exists() or list((maildir / sub).glob(key + ":*")) for sub in ("new", "cur")):
            continue
        temp = maildir / "tmp" / key
        shutil.copyfile(sample, temp)
        temp.rename(maildir / "new" / key)
        delivered += 1
    return delivered


def run_demo(settings: Settings, *, serve: bool) -> int:
    with App(settings) as app:
        return _demo(app, serve)


def _demo(app: App, serve: bool) -> int:
    from mailbot.cli import register_table

    settings = app.settings
    with app.session() as session:
        customers = import_customers(session, SAMPLES / "customers.csv")
        session.commit()
    start = utcnow() - timedelta(seconds=2)
    delivered = fill_maildir(Path(settings.mailbox.path))
    runner = Runner(app, since=start)
    runner.acquire()
    try:
        report = runner.pass_once()
    finally:
        runner.close()
    print(f"mailbot demo — company: {settings.company.name}, register: {settings.database.url}")
    print(f"customers: {customers}; sample mails delivered to {settings.mailbox.path}: {delivered}")
    print()
    for outcome in report.outcomes:
        print(f"  {outcome.kind:<12} {outcome.reason}")
    print()
    with app.session() as session:
        requests = list_requests(session)
        print(register_table(app, requests) if requests else "The register is empty.")
    print()
    print(f"{report.sent} mail(s) sent, written as .eml files to {settings.outgoing.path}")
    print("Look closer: mailbot requests show <REF>, mailbot quarantine list, mailbot digest --preview")
    if not serve:
        return 0
    from mailbot.desk import accounts
    from mailbot.desk import serve as serve_desk

    password = secrets.token_urlsafe(9)
    try:
        accounts.add(app.engine, "demo", "approver", password)
    except accounts.AccountError:  # a demo run before: give the account a fresh password
        accounts.set_password(app.engine, "demo", password, role="approver")
    print(f"\nStaff desk: http://{settings.desk.host}:{settings.desk.port}/  (log in as demo / {password}; "
          "Ctrl-C stops)")
    serve_desk(app, host=settings.desk.host, port=settings.desk.port)
    return 0
