"""Classification speed on the corpus: prints mails per second (parsing excluded). Run from the repo root:
``.venv/bin/python bench/classify_speed.py [rounds]``.

Each round classifies every corpus mail once; the best round is reported (the machine is shared, and the best
round is the one least disturbed by other work), with the median beside it. ``first pass`` is the first round
after start-up, before the classifier's word caches have seen the corpus' vocabulary. The hybrid (rules + the
shipped text model) is measured first, then the rules alone.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from mailbot.evaluate import load_cases
from mailbot.mail.parse import parse
from mailbot.understand.classify import SHIPPED, classify

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus"


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    messages = [parse((CORPUS / case.file).read_bytes()) for case in load_cases(CORPUS)]
    for name, model in (("rules + model", SHIPPED), ("rules alone", None)):
        times = []
        for _ in range(rounds + 1):
            start = time.perf_counter()
            for msg in messages:
                classify(msg, model=model)
            times.append((time.perf_counter() - start) / len(messages))
        first, rest = times[0], times[1:]
        best, median = min(rest), statistics.median(rest)
        print(f"{name}: {rounds} rounds of {len(messages)} mails: best {1 / best:,.0f} mails/s "
              f"({best * 1e6:.0f} µs per mail), median {1 / median:,.0f} mails/s ({median * 1e6:.0f} µs); "
              f"first pass {first * 1e6:.0f} µs per mail")


if __name__ == "__main__":
    main()
