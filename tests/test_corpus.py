"""The classifier's figures on the labelled corpora (targets from issue 3).

tests/corpus was written together with the rules; tests/corpus_fresh and tests/corpus_third were written afterwards
in other voices and styles, to see whether the rules generalise (docs/classifier.md). All are held to the same
targets.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mailbot.evaluate import Report, evaluate_dir, load_cases

HERE = Path(__file__).parent
# (folder, at least this many mails, at least this many machine mails)
CORPORA = [(HERE / "corpus", 250, 25), (HERE / "corpus_fresh", 100, 15), (HERE / "corpus_third", 150, 15)]
# Mails written after the last rule change (tests/corpus_third h-*) and after the text model was trained (i-*):
# their figures are reported in docs/classifier.md as the honest out-of-sample checks and are not held to the
# targets, which would invite tuning on them; the model is never trained on them (scripts/train_classifier.py).
LAST_CHECK = ("h-", "i-")
_reports: dict[Path, Report] = {}


def _split_last_check(report: Report) -> tuple[Report, Report]:
    last = [o for o in report.outcomes if Path(o.case.file).name.startswith(LAST_CHECK)]
    return Report([o for o in report.outcomes if o not in last]), Report(last)


@pytest.fixture(params=CORPORA, ids=lambda c: c[0].name)
def corpus(request: pytest.FixtureRequest) -> tuple[Path, int, int]:
    return request.param


@pytest.fixture
def report(corpus: tuple[Path, int, int]) -> Report:
    folder = corpus[0]
    if folder not in _reports:
        _reports[folder] = evaluate_dir(folder)
    return _split_last_check(_reports[folder])[0]


def test_corpus_is_large_and_varied(corpus: tuple[Path, int, int]) -> None:
    folder, size, machine = corpus
    cases = load_cases(folder)
    assert len(cases) >= size
    assert {c.language for c in cases} >= {"nl", "en", "de", "fr"}
    assert sum(c.machine for c in cases) >= machine
    assert 0.35 <= sum(c.is_request for c in cases) / len(cases) <= 0.6
    assert all((folder / c.file).is_file() for c in cases)


def test_request_f1(report: Report) -> None:
    assert report.request_f1 >= 0.97, report.render()


def test_exact_type_set(report: Report) -> None:
    assert report.exact_type_rate >= 0.90, report.render()


def test_no_machine_mail_is_a_request(report: Report) -> None:
    assert report.machine_as_request == 0, report.render()


def test_held_back_split_holds_up(report: Report) -> None:
    """The 'check' fifth was not looked at while writing rules; it must not fall far behind."""
    check = report.subset("check")
    assert check.outcomes and check.request_f1 >= 0.93


def test_render_shows_figures_and_misses(report: Report) -> None:
    text = report.render()
    for part in ("precision", "recall", "F1", "exact type set", "confusion", "misses"):
        assert part in text


def test_last_check_is_kept_apart_and_never_answers_machine_mail() -> None:
    folder = HERE / "corpus_third"
    if folder not in _reports:
        _reports[folder] = evaluate_dir(folder)
    tuned, last = _split_last_check(_reports[folder])
    assert len(last.outcomes) >= 45 and len(tuned.outcomes) >= 150
    assert last.machine_as_request == 0, last.render()
