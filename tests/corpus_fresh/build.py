"""Build the fresh evaluation corpus in tests/corpus_fresh/src/*.txt (same format as tests/corpus).

These mails were written as ten imagined senders would write them, before the classifier's rules were read,
to measure how the rules generalise beyond the corpus they were written with. Run from the repo root:
``python -m tests.corpus_fresh.build`` — writes tests/corpus_fresh/mails/*.eml and labels.csv.
"""

from __future__ import annotations

from pathlib import Path

from tests.corpus.build import build

if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    print(f"{build(here)} mails written to {here / 'mails'}")
