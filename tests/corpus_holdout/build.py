"""Build the held-out corpus in tests/corpus_holdout/src/*.txt (same format as tests/corpus).

Written as an outside examiner would write test mail from the issue text alone (short, informal, misspelled phone
mail; requests that rarely name an article; look-alike order, supplier and machine mail; authority mail), without
reading the classifier. A final held-out check: nobody trains or tunes on it (docs/classifier.md).
Run from the repo root: ``python -m tests.corpus_holdout.build``.
"""

from __future__ import annotations

from pathlib import Path

from tests.corpus.build import build

if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    print(f"{build(here)} mails written to {here / 'mails'}")
