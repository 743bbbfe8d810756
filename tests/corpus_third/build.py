"""Build the third evaluation corpus in tests/corpus_third/src/*.txt (same format as tests/corpus).

Written in a third round, before the lexicon's patterns were read, in styles the first two corpora under-represent
(one-liners, rambling mails, indirect and question-form requests, bare article citations, the policy's own words,
Flemish and Austrian/Swiss German, non-native English, requests for someone else, look-alike negatives, header-less
machine mail). ``t-*`` were written before the rules were changed for this corpus, ``h-*`` after, as a last check
(docs/classifier.md). Run from the repo root: ``python -m tests.corpus_third.build``.
"""

from __future__ import annotations

from pathlib import Path

from tests.corpus.build import build

if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    print(f"{build(here)} mails written to {here / 'mails'}")
