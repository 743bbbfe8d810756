"""Build this corpus from src/*.txt (format: tests/corpus/build.py). Run: python -m tests.<folder>.build"""
from __future__ import annotations

from pathlib import Path

from tests.corpus.build import build

if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    print(f"{build(here)} mails written to {here / 'mails'}")
