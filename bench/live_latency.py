"""Time from IMAP APPEND to the acknowledgement arriving at the SMTP server, with `mailbot run` live (IDLE).

    .venv/bin/python -m bench.live_latency [--count 20]

Prints each latency and the median (target: under 2 s). Real Dovecot, real aiosmtpd, real mailbot process.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.mailmaker import make_mail
from tests.servers.dovecot import running_dovecot
from tests.servers.smtp import running_smtp, wait_until


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="mailbot-bench-"))
    root.chmod(0o755)  # Dovecot runs unprivileged and must reach its folder below this one
    try:
        with running_dovecot(root / "dovecot") as imap, running_smtp() as smtp:
            home = root / "bot"
            home.mkdir()
            (home / "mailbot.toml").write_text(
                f'[mailbox]\nbackend = "imap"\nhost = "{imap.host}"\nport = {imap.port}\nsecurity = "none"\n'
                f'username = "{imap.user}"\npassword = "{imap.password}"\n'
                f'[outgoing]\nbackend = "smtp"\nhost = "{smtp.host}"\nport = {smtp.port}\nsecurity = "none"\n'
                'auth = "none"\n[database]\nurl = "sqlite:///mailbot.db"\n'
                "[replies]\nmax_per_hour = 100000\n", encoding="utf-8")
            env = {k: v for k, v in os.environ.items() if not k.startswith("MAILBOT_")}
            env["MAILBOT_CONFIG"] = str(home / "mailbot.toml")
            bot = subprocess.Popen([sys.executable, "-m", "mailbot", "run"], cwd=home, env=env,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                time.sleep(3)  # connected, IDLE started, first-seen moment noted
                latencies = []
                for n in range(args.count):
                    raw = make_mail(sender=f"K{n} <k{n}@elders.example>",
                                    body=f"Graag een kopie van al mijn persoonsgegevens ({n}).\n")
                    start = time.monotonic()
                    imap.append(raw)
                    if not wait_until(lambda n=n: len(smtp.messages) > n, timeout=30):
                        raise SystemExit(f"no acknowledgement for mail {n} within 30 s")
                    latencies.append(time.monotonic() - start)
                    print(f"mail {n + 1:3d}: {latencies[-1] * 1000:7.0f} ms")
                    time.sleep(0.2)
            finally:
                bot.terminate()
                bot.wait(timeout=30)
        print(f"\nAPPEND → acknowledgement at the SMTP server, {len(latencies)} mails: "
              f"median {statistics.median(latencies) * 1000:.0f} ms, "
              f"p90 {sorted(latencies)[int(len(latencies) * 0.9) - 1] * 1000:.0f} ms, "
              f"max {max(latencies) * 1000:.0f} ms (target: median under 2000 ms)")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
