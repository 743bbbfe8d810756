"""Build the Dutch-weighted evaluation corpus in tests/corpus_dutch/src/*.txt (same format as tests/corpus).

About 70% Dutch (Netherlands and Flemish: elderly customers writing formally with slips, young customers on their
phones, small business owners, relatives writing for a parent or child), 15% English, 15% German. Half are
requests, weighted towards the rarer rights (restriction, portability, rectification, objection) and multi-type
mails; the other half are look-alike negatives sharing the requests' vocabulary and machine mail, some raw.
Written without reading the classifier. Run from the repo root: ``python -m tests.corpus_dutch.build``.
"""

from __future__ import annotations

from pathlib import Path

from tests.corpus.build import build

if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    print(f"{build(here)} mails written to {here / 'mails'}")
