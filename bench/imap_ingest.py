"""Backlog ingest through ImapMailbox against a real Dovecot, compared with a bare FETCH BODY.PEEK[] + parse.

    .venv/bin/python -m bench.imap_ingest [--count 20000] [--answer]

Prints mails/s for both (target: mailbot at least half the raw rate) and mailbot's resident memory while it
ingests (target: flat, peak under 200 MB). Each side runs in its own process so the peaks are its own. Then the
whole `mailbot run --once` pass over the same backlog on a first start (every mail recorded in a real SQLite
register, none answered), and with --answer a pass that opens a request and sends an acknowledgement for each.
"""

from __future__ import annotations

import argparse
import email
import imaplib
import json
import multiprocessing
import os
import resource
import shutil
import tempfile
import time
from email import policy
from pathlib import Path
from typing import Any

from tests.servers import give_to
from tests.servers.dovecot import Dovecot

BATCH = 200


def sample_mail(i: int) -> bytes:
    """A few KB like real customer mail: headers a receiving server adds, a paragraph or three."""
    body = ("Beste mensen van IT Services Best,\r\n\r\n" + "Ik wil graag weten welke gegevens u van mij heeft. " * (
        3 + i % 40) + f"\r\n\r\nMet vriendelijke groet,\r\nKlant {i}\r\n")
    return (
        f"Return-Path: <klant{i}@example.nl>\r\n"
        f"Received: from mail.example.nl (mail.example.nl [192.0.2.{i % 250}]) by mx.itsb.nu; "
        f"Mon, 2 Nov 2026 09:{i % 60:02d}:00 +0100\r\n"
        f"Authentication-Results: mx.itsb.nu; spf=pass; dkim=pass; dmarc=pass header.from=example.nl\r\n"
        f"From: Klant {i} <klant{i}@example.nl>\r\nTo: info@itsb.nu\r\nSubject: Vraag {i}\r\n"
        f"Date: Mon, 2 Nov 2026 09:{i % 60:02d}:00 +0100\r\nMessage-ID: <bench-{i}@example.nl>\r\n"
        f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}"
    ).encode()


def fill(server: Dovecot, count: int) -> None:
    """Drop the mails straight into the Maildir (Dovecot indexes them on first SELECT): much faster than APPEND."""
    new = server.root / "mail" / server.user / "new"
    new.mkdir(parents=True, exist_ok=True)
    for sub in ("cur", "tmp"):
        (new.parent / sub).mkdir(exist_ok=True)
    for i in range(count):
        (new / f"{1_700_000_000 + i}.M{i}P1.bench").write_bytes(sample_mail(i))
    give_to(server.account, server.root / "mail")
    with server.client() as imap:  # let Dovecot index once, outside the timings
        imap.uid("SEARCH", "ALL")


def _parser() -> tuple[str, Any]:
    try:
        from mailbot.mail.parse import parse as mailbot_parse  # the real parser, once it exists
    except ImportError:
        return "email.message_from_bytes", lambda raw: email.message_from_bytes(raw, policy=policy.default)
    return "mailbot.mail.parse.parse", mailbot_parse


PARSER, parse = _parser()


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def raw_run(host: str, port: int, user: str, password: str, out: Any) -> None:
    started = time.perf_counter()
    imap = imaplib.IMAP4(host, port)
    imap.login(user, password)
    imap.select("INBOX", readonly=True)
    uids = imap.uid("SEARCH", "ALL")[1][0].split()
    count = 0
    for first in range(0, len(uids), BATCH):
        batch = b",".join(uids[first:first + BATCH]).decode()
        _, data = imap.uid("FETCH", batch, "(BODY.PEEK[] INTERNALDATE)")
        for part in data:
            if isinstance(part, tuple):
                parse(part[1])
                count += 1
    imap.logout()
    elapsed = time.perf_counter() - started
    out.put({"count": count, "seconds": elapsed, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})


def mailbot_run(host: str, port: int, user: str, password: str, out: Any) -> None:
    from mailbot.backends.imap import ImapMailbox
    from mailbot.config import MailboxSettings

    class Cursor(dict[str, str]):
        def set(self, name: str, value: str) -> None:
            self[name] = value

    settings = MailboxSettings(backend="imap", host=host, port=port, security="none", username=user,
                               password=password)
    box = ImapMailbox(settings, Cursor(), batch_size=BATCH)
    samples: list[float] = []
    started = time.perf_counter()
    count = 0
    for mail in box.fetch_new():
        parse(mail.raw)
        box.commit(mail)
        count += 1
        if count % 2000 == 0:
            samples.append(round(rss_mb(), 1))
    box.close()
    elapsed = time.perf_counter() - started
    out.put({"count": count, "seconds": elapsed, "rss_mb_every_2000": samples,
             "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})


def pipeline_run(host: str, port: int, user: str, password: str, out: Any, answer: bool = False) -> None:
    """The whole of `mailbot run --once` on the backlog: fetch, parse, classify, record in a real SQLite register
    (and with ``answer`` open a request and send the acknowledgement to a folder of .eml files)."""
    import threading
    from datetime import UTC, datetime

    from mailbot.app import App
    from mailbot.config import Settings
    from mailbot.runner import Runner

    home = Path(tempfile.mkdtemp(prefix="mailbot-bench-bot-"))
    settings = Settings.model_validate({
        "mailbox": {"backend": "imap", "host": host, "port": port, "security": "none", "username": user,
                    "password": password},
        "outgoing": {"backend": "file", "path": str(home / "outbox")},
        "database": {"url": f"sqlite:///{home / 'mailbot.db'}"},
        "replies": {"max_per_hour": 10**9},
    })
    samples: list[float] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(1.0):
            samples.append(round(rss_mb(), 1))

    with App(settings) as app:
        since = datetime(2000, 1, 1, tzinfo=UTC) if answer else datetime.now(UTC)
        runner = Runner(app, since=since)
        threading.Thread(target=sample, daemon=True).start()
        started = time.perf_counter()
        report = runner.pass_once()
        elapsed = time.perf_counter() - started
        done.set()
        runner.close()
    shutil.rmtree(home, ignore_errors=True)
    out.put({"count": len(report.outcomes), "sent": report.sent, "seconds": elapsed, "rss_mb_each_second": samples,
             "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})


def pipeline_answering(host: str, port: int, user: str, password: str, out: Any) -> None:
    pipeline_run(host, port, user, password, out, answer=True)


def measure(target: Any, server: Dovecot) -> dict[str, Any]:
    queue: Any = multiprocessing.get_context("spawn").Queue()
    process = multiprocessing.get_context("spawn").Process(
        target=target, args=(server.host, server.port, server.user, server.password, queue)
    )
    process.start()
    result = queue.get()
    process.join()
    return dict(result)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--answer", action="store_true",
                        help="also time a pass that answers every mail (a request each; slow: replies are rendered)")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="mailbot-bench-"))
    server = Dovecot(root)
    try:
        server.start()
        fill(server, args.count)
        raw = measure(raw_run, server)
        bot = measure(mailbot_run, server)
        first_start = measure(pipeline_run, server)
        answering = measure(pipeline_answering, server) if args.answer else None
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
    raw_rate = raw["count"] / raw["seconds"]
    bot_rate = bot["count"] / bot["seconds"]
    print(json.dumps({"raw": raw, "mailbot": bot}, indent=1))
    rows = (("raw FETCH BODY.PEEK[] + parse", raw_rate, raw), ("mailbot ImapMailbox + parse", bot_rate, bot))
    for name, rate, run in rows:
        print(f"{name:30} {rate:8.0f} mails/s  ({run['count']} mails, peak {run['peak_mb']:.0f} MB)")
    print(f"parser on both sides: {PARSER}")
    print(f"ratio {bot_rate / raw_rate:.2f} (target ≥ 0.5); RSS every 2000 mails: {bot['rss_mb_every_2000']}")
    for name, run in (("mailbot run --once, first start", first_start), ("mailbot run --once, answering", answering)):
        if run is None:
            continue
        rate = run["count"] / run["seconds"]
        print(f"{name:30} {rate:8.0f} mails/s  ({run['count']} mails, {run['sent']} sent, peak {run['peak_mb']:.0f} MB,"
              f" ratio to raw {rate / raw_rate:.2f}); RSS each second: {run['rss_mb_each_second']}")


if __name__ == "__main__":
    main()
