"""Classification speed on the corpus: prints mails per second (parsing excluded). Run from the repo root:
``.venv/bin/python bench/classify_speed.py [rounds]``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from mailbot.evaluate import load_cases
from mailbot.mail.parse import parse
from mailbot.understand.classify import classify

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus"


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    messages = [parse((CORPUS / case.file).read_bytes()) for case in load_cases(CORPUS)]
    for msg in messages:  # warm up: regex compilation and caches
        classify(msg)
    start = time.perf_counter()
    for _ in range(rounds):
        for msg in messages:
            classify(msg)
    elapsed = time.perf_counter() - start
    count = rounds * len(messages)
    print(f"{count} classifications in {elapsed:.3f} s: {count / elapsed:,.0f} mails/s, "
          f"{elapsed / count * 1e6:.0f} µs per mail")


if __name__ == "__main__":
    main()
