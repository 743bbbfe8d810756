"""Train the classifier's text model and its blend with the rules, measure both out of sample, write the weights.

Dev only (needs scikit-learn). From the repo root::

    .venv/bin/python scripts/train_classifier.py            # protocol figures, then write the model file
    .venv/bin/python scripts/train_classifier.py --check    # rebuild and compare with the shipped file

Data: every labelled corpus under tests/ (``tests/corpus*/labels.csv``) except the blind referees, which are only
ever scored. Each mail is read as the classifier reads it (``classify.read``: the rules' reading, the folded
subject and the sender's own words).

Two stages (docs/classifier.md):

1. The text model: logistic-regression heads over word and character n-grams (``model.py``), request-vs-not over
   all mail and one head per type over the requests.
2. The blend (``model.Blend``): small logistic regressions over the rules' scores and the model's log-odds that
   decide request-vs-not and each type. It must learn how far to trust each side on wording neither has seen, so
   it is fitted only on ``UNSEEN`` corpora (never read while rules were written), each scored by a model trained
   without that corpus.

Figures: leave-one-corpus-out over ``UNSEEN`` (the blend fitted on the other unseen corpora, the model trained
without the corpus), then the shipped model (trained on everything) on the referees.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mailbot.evaluate import Case, Outcome, Report, load_cases  # noqa: E402
from mailbot.mail.parse import parse  # noqa: E402
from mailbot.understand.classify import BlendInputs, Reading, blend_features, read, second_opinion  # noqa: E402
from mailbot.understand.model import FLAGS, SHIPPED_PATH, TextModel, count_features, from_dict, tokens  # noqa: E402
from mailbot.understand.verdict import REQUEST_TYPES  # noqa: E402

# Written blind by fresh hands: scored, never trained, tuned or read.
REFEREES = ("corpus_referee2", "corpus_referee3", "corpus_referee4", "corpus_referee5")
# Corpora no rule was written from (their misses were never read by a rule writer): the blend learns on these.
UNSEEN = ("corpus_final", *(f"corpus_g{n}" for n in range(1, 25) if n != 4))  # g4's misses gave the word families
SEED = 0
C = 30.0  # inverse L2 strength of the text model; features are scaled by 1/sqrt(#features), so weights need room
BLEND_C = 1.0  # the blend has a handful of inputs per head and is fitted on a few hundred mails
KEEP = 12_000  # features kept, by largest absolute weight over the heads (file size, speed)
DIGITS = 3  # weights rounded to this many decimals


@dataclass
class Mail:
    corpus: str
    case: Case
    reading: Reading

    @property
    def special(self) -> bool:
        """Machine mail, withdrawals and authority mail: the rules decide them alone."""
        verdict = self.reading.verdict
        return verdict.auto_generated or verdict.withdrawal or verdict.authority


def corpora() -> list[str]:
    return sorted(path.parent.name for path in (ROOT / "tests").glob("corpus*/labels.csv"))


def load_mails(names: list[str]) -> list[Mail]:
    mails = []
    for name in names:
        folder = ROOT / "tests" / name
        for case in load_cases(folder):
            reading = read(parse((folder / case.file).read_bytes()), case.language or "nl")
            mails.append(Mail(name, case, reading))
    return mails


def train(mails: list[Mail]) -> dict:  # type: ignore[type-arg]
    """Fit the text model's heads and export pruned, rounded weights as the runtime reads them."""
    vectorizer = DictVectorizer(sort=True)
    matrix = vectorizer.fit_transform(list(count_features(
        tokens(f"{m.reading.subject}\n{m.reading.own}") for m in mails)))
    names = vectorizer.get_feature_names_out()
    requests = [i for i, m in enumerate(mails) if m.case.is_request]
    heads: list[tuple[str, list[int], list[int]]] = [
        ("request", list(range(len(mails))), [int(m.case.is_request) for m in mails])]
    heads += [(t, requests, [int(t in mails[i].case.types) for i in requests]) for t in REQUEST_TYPES]
    everything = list(range(len(mails)))
    heads += [("authority", everything, [int(m.case.authority) for m in mails]),
              ("withdrawal", everything, [int(m.case.withdrawal) for m in mails])]
    coefs, bias = [], []
    for _, rows, labels in heads:
        fit = LogisticRegression(C=C, class_weight="balanced", max_iter=5000, random_state=SEED)
        fit.fit(matrix[rows], labels)
        coefs.append(fit.coef_[0])
        bias.append(round(float(fit.intercept_[0]), DIGITS))
    strength = [max(abs(c[j]) for c in coefs) for j in range(len(names))]
    kept = sorted(sorted(range(len(names)), key=lambda j: (-strength[j], names[j]))[:KEEP], key=lambda j: names[j])
    weights = {str(names[j]): [round(float(c[j]), DIGITS) for c in coefs] for j in kept}
    neutral = {"request": [0.0] * 9, **{t: [0.0] * 9 for t in REQUEST_TYPES}, **{f: [0.0] * 3 for f in FLAGS}}
    return {"heads": [h for h, _, _ in heads], "bias": bias, "weights": weights, "blend": neutral, "meta": {}}


Rows = list[tuple[Mail, BlendInputs]]


def blend_rows(model: TextModel, mails: list[Mail]) -> Rows:
    """The blend's inputs for each mail the blend decides, scored by ``model``."""
    rows = []
    for m in mails:
        if not m.special:
            subject, own = m.reading.subject, m.reading.own
            rows.append((m, blend_features(m.reading, model.opinion(subject, own), model.sentence_peaks(subject, own))))
    return rows


def fit_blend(rows: Rows) -> dict[str, list[float]]:
    def fit(features: list[tuple[float, ...]], labels: list[int]) -> list[float]:
        found = LogisticRegression(C=BLEND_C, max_iter=5000, random_state=SEED).fit(features, labels)
        return [round(float(found.intercept_[0]), 4), *(round(float(w), 4) for w in found.coef_[0])]

    blend = {"request": fit([i.request for _, i in rows], [int(m.case.is_request) for m, _ in rows])}
    requests = [(m, i) for m, i in rows if m.case.is_request]
    for kind in REQUEST_TYPES:
        blend[kind] = fit([i.types[kind] for _, i in requests], [int(kind in m.case.types) for m, _ in requests])
    blend["authority"] = fit([i.flags["authority"] for _, i in rows], [int(m.case.authority) for m, _ in rows])
    blend["withdrawal"] = fit([i.flags["withdrawal"] for _, i in rows], [int(m.case.withdrawal) for m, _ in rows])
    return blend


def with_blend(data: dict, blend: dict[str, list[float]]) -> TextModel:  # type: ignore[type-arg]
    return from_dict({**data, "blend": blend})


def figures(report: Report) -> str:
    s = report.request
    flags = ", ".join(f"{flag} P {report.flag_scores(flag).precision:.2f} R {report.flag_scores(flag).recall:.2f}"
                      for flag in FLAGS)
    return (f"F1 {report.request_f1:.3f} (P {s.precision:.3f} R {s.recall:.3f}), exact {report.exact_type_rate:.1%}, "
            f"machine-as-request {report.machine_as_request}, wrong {len(report.misses())}; {flags}")


def scored(model: TextModel | None, mails: list[Mail]) -> Report:
    return Report([Outcome(m.case, second_opinion(m.reading, model) if model else m.reading.verdict) for m in mails])


def protocol(mails: list[Mail]) -> tuple[Rows, list[str]]:
    """Leave-one-corpus-out over the unseen corpora; the out-of-fold blend rows of all of them."""
    models = {}
    rows: dict[str, Rows] = {}
    for name in UNSEEN:
        models[name] = train([m for m in mails if m.corpus != name])
        rows[name] = blend_rows(from_dict(models[name]), [m for m in mails if m.corpus == name])
    lines, rules_all, blend_all = [], Report(), Report()
    for name in UNSEEN:
        blend = fit_blend([row for other in UNSEEN if other != name for row in rows[other]])
        fold = [m for m in mails if m.corpus == name]
        rules, both = scored(None, fold), scored(with_blend(models[name], blend), fold)
        rules_all.outcomes.extend(rules.outcomes)
        blend_all.outcomes.extend(both.outcomes)
        lines += [f"{name} ({len(fold)} mails)", f"  rules alone:   {figures(rules)}",
                  f"  rules + model: {figures(both)}"]
    lines += [f"all unseen ({len(blend_all.outcomes)} mails)", f"  rules alone:   {figures(rules_all)}",
              f"  rules + model: {figures(blend_all)}"]
    return [row for name in UNSEEN for row in rows[name]], lines


def build(mails: list[Mail], rows: Rows) -> str:
    data = train(mails)
    data["blend"] = fit_blend(rows)
    data["meta"] = {"trained_on": f"{len(mails)} mails of every corpus under tests/ but {', '.join(REFEREES)}",
                    "blend_fitted_on": f"{len(rows)} out-of-fold mails of {', '.join(UNSEEN)}",
                    "C": C, "blend_C": BLEND_C, "features_kept": KEEP, "seed": SEED,
                    "script": "scripts/train_classifier.py"}
    return json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="rebuild and compare with the shipped file")
    args = parser.parse_args()
    names = corpora()
    mails = load_mails([n for n in names if n not in REFEREES])
    rows, lines = protocol(mails)
    print("\n".join(lines))
    text = build(mails, rows)
    final = from_dict(json.loads(text))
    for name in (n for n in REFEREES if n in names):
        referee = load_mails([name])
        print(f"{name} ({len(referee)} mails, blind) rules alone:   {figures(scored(None, referee))}")
        print(f"{name} ({len(referee)} mails, blind) rules + model: {figures(scored(final, referee))}")
    if args.check:
        same = SHIPPED_PATH.is_file() and SHIPPED_PATH.read_text(encoding="utf-8") == text
        print("shipped file reproduced exactly" if same else "shipped file DIFFERS from a rebuild")
        sys.exit(0 if same else 1)
    SHIPPED_PATH.parent.mkdir(exist_ok=True)
    SHIPPED_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {SHIPPED_PATH.relative_to(ROOT)} ({SHIPPED_PATH.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
