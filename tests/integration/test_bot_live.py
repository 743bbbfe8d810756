"""`mailbot run` itself against a real Dovecot and a real SMTP server: live answers, restarts, SIGKILL, refusals."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from tests.mailmaker import make_mail
from tests.servers.dovecot import Dovecot
from tests.servers.smtp import SmtpServer, wait_until


def request_mail(n: int) -> bytes:
    return make_mail(sender=f"Klant {n} <klant{n}@elders.example>", message_id=f"<live-{n}@elders.example>",
                     body=f"Goedendag,\n\nIk wil graag inzage in mijn persoonsgegevens (klant {n}).\n\nGroet\n")


@pytest.fixture
def bot_home(tmp_path: Path, dovecot: Dovecot, smtp_server: SmtpServer) -> Path:
    (tmp_path / "mailbot.toml").write_text(f"""
[mailbox]
backend = "imap"
host = "{dovecot.host}"
port = {dovecot.port}
security = "none"
username = "{dovecot.user}"
password = "{dovecot.password}"
poll_seconds = 2
idle_renew_seconds = 60

[outgoing]
backend = "smtp"
host = "{smtp_server.host}"
port = {smtp_server.port}
security = "none"
auth = "none"

[database]
url = "sqlite:///mailbot.db"
""", encoding="utf-8")
    return tmp_path


class Bot:
    def __init__(self, home: Path, *args: str, env_extra: dict[str, str] | None = None) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MAILBOT_")}
        env["MAILBOT_CONFIG"] = str(home / "mailbot.toml")
        env.update(env_extra or {})
        self.process = subprocess.Popen([sys.executable, "-m", "mailbot", "run", *args], cwd=home, env=env,
                                        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def kill(self) -> None:
        self.process.kill()
        self.process.communicate(timeout=10)

    def wait(self) -> int:
        """For `--once`: its exit code, once it has finished."""
        self.process.communicate(timeout=60)
        return self.process.returncode

    def stop(self) -> str:
        self.process.send_signal(signal.SIGTERM)
        out, _ = self.process.communicate(timeout=30)
        assert self.process.returncode == 0, out.decode()
        return out.decode()


@pytest.fixture
def bot(bot_home: Path) -> Iterator[list[Bot]]:
    started: list[Bot] = []
    yield started
    for one in started:
        if one.process.stdout and not one.process.stdout.closed:
            one.kill()


def answered(smtp_server: SmtpServer) -> Counter[str]:
    replies = [message_from_bytes(m.data, policy=policy.default) for m in smtp_server.messages]
    return Counter(str(r["In-Reply-To"]) for r in replies)


def test_a_new_request_is_answered_within_seconds(bot_home: Path, bot: list[Bot], dovecot: Dovecot,
                                                  smtp_server: SmtpServer) -> None:
    bot.append(Bot(bot_home))
    time.sleep(2)  # the first start notes its moment; only mail after it is answered
    appended = time.monotonic()
    dovecot.append(request_mail(1))
    dovecot.append(make_mail(sender="Kees <kees@elders.example>", subject="Factuur 2026-114",
                             body="Hierbij de factuur voor de geleverde toners.\n"))
    [reply] = smtp_server.wait_for(1, timeout=20)
    latency = time.monotonic() - appended
    assert latency < 10
    mime = message_from_bytes(reply.data, policy=policy.default)
    assert mime["To"] == "klant1@elders.example" and mime["In-Reply-To"] == "<live-1@elders.example>"
    uids = dovecot.uids()
    time.sleep(1)
    assert all("\\Seen" not in dovecot.flags(uid) for uid in uids)  # staff's mailbox stays theirs
    bot[0].stop()


def test_mail_from_before_the_first_start_is_left_alone(bot_home: Path, bot: list[Bot], dovecot: Dovecot,
                                                         smtp_server: SmtpServer) -> None:
    for n in range(5):
        dovecot.append(request_mail(n), when=datetime.now(UTC) - timedelta(days=400 + n))
    bot.append(Bot(bot_home, "--once"))
    assert bot[0].wait() == 0
    dovecot.append(request_mail(99))
    bot.append(Bot(bot_home, "--once"))
    assert bot[1].wait() == 0
    assert answered(smtp_server) == Counter({"<live-99@elders.example>": 1})


def test_sigkill_over_and_over_loses_nothing_and_sends_nothing_twice(bot_home: Path, bot: list[Bot],
                                                                     dovecot: Dovecot,
                                                                     smtp_server: SmtpServer) -> None:
    count = 12
    for n in range(count):
        dovecot.append(request_mail(n))
    rng = random.Random(7306641)
    for _ in range(10):
        one = Bot(bot_home, "--since", "2000-01-01")
        bot.append(one)
        time.sleep(rng.uniform(0.3, 1.5))
        one.kill()
    last = Bot(bot_home, "--since", "2000-01-01")
    bot.append(last)
    assert wait_until(lambda: len(smtp_server.messages) >= count, timeout=60)
    time.sleep(2)
    last.stop()
    assert answered(smtp_server) == Counter({f"<live-{n}@elders.example>": 1 for n in range(count)})
    listing = subprocess.run([sys.executable, "-m", "mailbot", "--config", str(bot_home / "mailbot.toml"),
                              "requests", "list", "--json"], capture_output=True, text=True, check=True)
    assert listing.stdout.count('"ref"') == count


def test_smtp_refusing_for_a_while_delays_but_never_repeats(bot_home: Path, bot: list[Bot], dovecot: Dovecot,
                                                            smtp_server: SmtpServer) -> None:
    smtp_server.refuse("451 4.3.0 try again later")
    dovecot.append(request_mail(1))
    first = Bot(bot_home, "--once", "--since", "2000-01-01")
    bot.append(first)
    assert first.wait() == 0
    assert smtp_server.messages == []
    smtp_server.accept()
    # The first retry is the next pass; a second pass finds nothing left to send.
    for _ in range(2):
        again = Bot(bot_home, "--once", "--since", "2000-01-01")
        bot.append(again)
        assert again.wait() == 0
    assert answered(smtp_server) == Counter({"<live-1@elders.example>": 1})


def test_server_restart_is_survived(bot_home: Path, bot: list[Bot], dovecot: Dovecot,
                                    smtp_server: SmtpServer) -> None:
    runner = Bot(bot_home, "--since", "2000-01-01")
    bot.append(runner)
    dovecot.append(request_mail(1))
    smtp_server.wait_for(1, timeout=20)
    dovecot.restart(downtime=2.0)
    dovecot.append(request_mail(2))
    smtp_server.wait_for(2, timeout=60)
    out = runner.stop()
    assert answered(smtp_server) == Counter({"<live-1@elders.example>": 1, "<live-2@elders.example>": 1})
    assert out.count("Traceback") == 0


def test_sigterm_during_idle_stops_at_once(bot_home: Path, bot: list[Bot], dovecot: Dovecot,
                                          smtp_server: SmtpServer) -> None:
    runner = Bot(bot_home, env_extra={"MAILBOT_MAILBOX__POLL_SECONDS": "600"})
    bot.append(runner)
    dovecot.append(make_mail(sender="Kees <kees@elders.example>", subject="Factuur", body="Zie bijlage.\n"))
    time.sleep(3)  # the pass is done; it sits in IDLE for up to ten minutes
    started = time.monotonic()
    runner.stop()
    assert time.monotonic() - started < 10
