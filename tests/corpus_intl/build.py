"""Build the international corpus in tests/corpus_intl/src/*.txt (same format as tests/corpus).

Written to measure the desk on mail that is not Dutch: English from native speakers, expats and non-native writers
(Indian, Polish, Spanish), a US business customer and UK/Irish solicitors citing article numbers; German from
Germany, Austria and Switzerland (formal and informal); Belgian and French French; and Dutch-English mixed mail.
Half are requests of every type, the other half look-alike negatives, authority mail, withdrawals and machine mail.
Run from the repo root: ``python -m tests.corpus_intl.build``.
"""

from __future__ import annotations

from pathlib import Path

from tests.corpus.build import build

if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    print(f"{build(here)} mails written to {here / 'mails'}")
