"""Time the desk's queue page with 10,000 requests in the register (target: under 100 ms).

    .venv/bin/python bench/queue_page.py [--requests N] [--runs N]

Builds a SQLite register in a temporary folder, logs in over real HTTP (uvicorn on loopback) and prints the
median and worst time of the queue page, open requests first (the default view) and then all requests.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mailbot import deadlines
from mailbot.desk import accounts, create_app
from mailbot.register.models import Request
from tests.desk.conftest import Served
from tests.desk.factory import make_app

STATUSES = ("pending_approval", "awaiting_identity", "flagged", "completed", "completed", "rejected", "withdrawn")
TYPES = ("access", "erasure", "rectification", "portability", "objection", "restriction")


def fill(app, count: int) -> None:  # type: ignore[no-untyped-def]
    tz = app.settings.company.tz
    start = datetime.now(UTC) - timedelta(days=400)
    rows = []
    for n in range(1, count + 1):
        received = start + timedelta(minutes=57 * n)
        rows.append({
            "ref": f"AVG-{received.year}-{n:05d}", "year": received.year, "number": n,
            "status": STATUSES[n % len(STATUSES)], "types": [TYPES[n % len(TYPES)]], "language": "nl",
            "requester_email": f"klant{n}@example.nl", "requester_name": f"Klant {n}", "requester_hash": "",
            "sender_verified": True, "identity": "verified", "identity_reasons": [], "confidence": 0.9,
            "evidence": [], "received_at": received, "due_at": deadlines.due_at(received, tz),
            "extended": False, "anonymised": False, "created_at": received,
        })
    with app.engine.begin() as conn:
        conn.execute(insert(Request), rows)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = make_app(Path(folder))
        fill(app, args.requests)
        accounts.add(app.engine, "bench", "approver", "bench-wachtwoord")
        with Served(create_app(app)) as url, httpx.Client(base_url=url) as client:
            token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
            assert token is not None
            client.post("/login", data={"name": "bench", "password": "bench-wachtwoord", "csrf": token.group(1)})
            for label, path in (("open requests", "/"), ("all requests", "/?status=all"),
                                ("type filter", "/?status=all&type=erasure")):
                times = []
                for _ in range(args.runs + 3):
                    began = time.perf_counter()
                    response = client.get(path)
                    times.append((time.perf_counter() - began) * 1000)
                    assert response.status_code == 200 and "AVG-" in response.text
                times = times[3:]  # warm-up
                print(f"queue page, {args.requests} requests, {label}: median {statistics.median(times):.1f} ms, "
                      f"worst {max(times):.1f} ms over {args.runs} runs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
