"""Build the final held-out corpus in tests/corpus_final/src/*.txt (same format as tests/corpus).

Written by an outside examiner as a last measurement that nobody trains or tunes on: requests of all six types in
wording a rule writer would not expect (idioms, old legal terms, bare article citations, for someone else),
look-alike shop and account mail, privacy-policy questions, supplier mail, phishing, machine mail with and without
raw headers, authority mail and withdrawals, in Dutch, English, German and French.
Run from the repo root: ``python -m tests.corpus_final.build``.
"""

from __future__ import annotations

from pathlib import Path

from tests.corpus.build import build

if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    print(f"{build(here)} mails written to {here / 'mails'}")
