"""Train the classifier's text model, measure it leave-one-corpus-out, and write the shipped weights.

Dev only (needs scikit-learn). From the repo root::

    .venv/bin/python scripts/train_classifier.py            # protocol figures, then write the model file
    .venv/bin/python scripts/train_classifier.py --check    # rebuild and compare with the shipped file

Data: the three labelled corpora under tests/ (tests/corpus, corpus_fresh, corpus_third) except the honest last
checks (``h-*``, ``i-*``), which are only ever scored. Each mail is read as the classifier reads it (folded subject
and the sender's own words, ``classify.own_words``). Heads: request-vs-not over all mail, and one per request type
over the requests only.

Protocol (docs/classifier.md): leave-one-corpus-out. For each corpus, a model trained on the other two scores it;
the hybrid's thresholds for that fold are chosen on the other two corpora alone (each scored by a model trained on
the remaining one), so no figure is tuned on the mails it reports. The shipped thresholds are chosen on the three
out-of-fold scorings; the shipped weights are trained on all three corpora. Objective: request F1 + exact type
rate summed over folds, the hybrid may not turn a machine mail into a request; ties go to the most permissive.

The rules were tuned on all three corpora, so beside today's rules (in-sample: a fold can show only harm) each
corpus is also paired with the newest rules that had not seen it, as the model meets unseen wording in use: the
round-1 rules (git ``ROUND1``, read with ``git archive``) for corpus_fresh and corpus_third; tests/corpus has no
older rules, so today's. Thresholds are chosen in that "unseen rules" setting.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mailbot.evaluate import Case, Outcome, Report, load_cases  # noqa: E402
from mailbot.mail.parse import parse  # noqa: E402
from mailbot.understand.classify import classify, own_words, second_opinion  # noqa: E402
from mailbot.understand.model import (  # noqa: E402
    SHIPPED_PATH,
    Opinion,
    TextModel,
    Thresholds,
    count_features,
    from_dict,
    tokens,
)
from mailbot.understand.verdict import REQUEST_TYPES, Classification  # noqa: E402

CORPORA = ("corpus", "corpus_fresh", "corpus_third")
LAST_CHECKS = ("h-", "i-")  # written after everything else; scored, never trained or tuned on
ROUND1 = "66f669b"  # the rules before corpus_fresh and corpus_third were written
SEED = 0
VERBOSE = "--grid" in sys.argv  # print every threshold set's objective on the shipped choice
C = 30.0  # inverse L2 strength; features are scaled by 1/sqrt(#features), so weights need room
KEEP = 12_000  # features kept, by largest absolute weight over the heads (file size, speed)
DIGITS = 3  # weights rounded to this many decimals
GRID_RESCUE = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.01)
GRID_OBJECTED = (0.0, 0.9, 0.95, 1.01)  # 0.0: the same as ``rescue``
GRID_RESCUE_TYPE = (0.3, 0.5)
GRID_ADD = (0.6, 0.7, 0.8, 0.9, 0.95, 1.01)


_DUMP = """
import json, sys
from pathlib import Path
from mailbot.evaluate import load_cases
from mailbot.mail.parse import parse
from mailbot.understand.classify import classify
out = {}
for name in sys.argv[2:]:
    folder = Path(sys.argv[1]) / name
    for case in load_cases(folder):
        c = classify(parse((folder / case.file).read_bytes()), default_language=case.language or "nl")
        out[name + "/" + case.file] = [c.is_request, list(c.types), c.language, c.confidence, c.auto_generated,
                                       c.authority, c.withdrawal, list(c.evidence)]
print(json.dumps(out))
"""


def old_rules(revision: str) -> dict[str, Classification]:
    """Verdicts of the rules as they were at ``revision`` on today's corpus files (git archive; nothing changes)."""
    with tempfile.TemporaryDirectory() as tree:
        archive = subprocess.run(["git", "archive", revision, "mailbot"], cwd=ROOT, check=True, capture_output=True)
        subprocess.run(["tar", "-x", "-C", tree], input=archive.stdout, check=True)
        done = subprocess.run([sys.executable, "-c", _DUMP, str(ROOT / "tests"), *CORPORA], cwd=tree, check=True,
                              capture_output=True, text=True, env={"PYTHONPATH": tree})
    return {key: Classification(r[0], tuple(r[1]), r[2], r[3], r[4], tuple(r[7]), authority=r[5], withdrawal=r[6])
            for key, r in json.loads(done.stdout).items()}


@dataclass
class Mail:
    corpus: str
    case: Case
    subject: str
    own: str
    rules: Classification
    unseen: Classification  # the newest rules that had not seen this corpus

    @property
    def last_check(self) -> bool:
        return Path(self.case.file).name.startswith(LAST_CHECKS)


def load_mails() -> list[Mail]:
    round1 = old_rules(ROUND1)
    mails = []
    for name in CORPORA:
        folder = ROOT / "tests" / name
        for case in load_cases(folder):
            msg = parse((folder / case.file).read_bytes())
            subject, own = own_words(msg)
            rules = classify(msg, default_language=case.language or "nl", model=None)
            unseen = rules if name == "corpus" else round1[f"{name}/{case.file}"]
            mails.append(Mail(name, case, subject, own, rules, unseen))
    return mails


def train(mails: list[Mail]) -> dict:  # type: ignore[type-arg]
    """Fit the heads and export pruned, rounded weights as the runtime reads them."""
    vectorizer = DictVectorizer(sort=True)
    matrix = vectorizer.fit_transform(list(count_features(tokens(f"{m.subject}\n{m.own}") for m in mails)))
    names = vectorizer.get_feature_names_out()
    requests = [i for i, m in enumerate(mails) if m.case.is_request]
    heads: list[tuple[str, list[int], list[int]]] = [
        ("request", list(range(len(mails))), [int(m.case.is_request) for m in mails])]
    heads += [(t, requests, [int(t in mails[i].case.types) for i in requests]) for t in REQUEST_TYPES]
    coefs, bias = [], []
    for _, rows, labels in heads:
        fit = LogisticRegression(C=C, class_weight="balanced", max_iter=5000, random_state=SEED)
        fit.fit(matrix[rows], labels)
        coefs.append(fit.coef_[0])
        bias.append(round(float(fit.intercept_[0]), DIGITS))
    strength = [max(abs(c[j]) for c in coefs) for j in range(len(names))]
    kept = sorted(sorted(range(len(names)), key=lambda j: (-strength[j], names[j]))[:KEEP], key=lambda j: names[j])
    weights = {str(names[j]): [round(float(c[j]), DIGITS) for c in coefs] for j in kept}
    return {"heads": [h for h, _, _ in heads], "bias": bias, "weights": weights,
            "thresholds": vars(Thresholds()), "meta": {}}


class _Remembering(TextModel):
    """The same model with its opinions remembered per mail, for the threshold grid."""

    def __init__(self, model: TextModel, thresholds: Thresholds) -> None:
        super().__init__(model.heads, model.bias, model.weights, thresholds)
        self._seen: dict[tuple[str, str], Opinion] = getattr(model, "_seen", {})

    def opinion(self, subject: str, text: str) -> Opinion:
        key = (subject, text)
        if key not in self._seen:
            self._seen[key] = super().opinion(subject, text)
        return self._seen[key]


def hybrid(model: TextModel, mails: list[Mail], limits: Thresholds, unseen: bool = False) -> Report:
    tuned = _Remembering(model, limits)
    return Report([Outcome(m.case, second_opinion(m.unseen if unseen else m.rules, tuned, m.subject, m.own))
                   for m in mails])


def rules_only(mails: list[Mail], unseen: bool = False) -> Report:
    return Report([Outcome(m.case, m.unseen if unseen else m.rules) for m in mails])


def model_alone(model: TextModel, mails: list[Mail]) -> Report:
    """The model without rules: a request at P >= 0.5, its types at P(type | request) >= 0.5 (else the likeliest)."""
    outcomes = []
    for m in mails:
        opinion = model.opinion(m.subject, m.own)
        types = tuple(t for t in REQUEST_TYPES if opinion.types[t] >= 0.5) or (
            max(REQUEST_TYPES, key=lambda t: opinion.types[t]),)
        is_request = opinion.request >= 0.5
        outcomes.append(Outcome(m.case, Classification(is_request, types if is_request else (), m.rules.language,
                                                       opinion.request, False, ())))
    return Report(outcomes)


def objective(reports: list[Report], rules: list[Report]) -> float | None:
    if any(r.machine_as_request > before.machine_as_request for r, before in zip(reports, rules, strict=True)):
        return None
    return sum(r.request_f1 + r.exact_type_rate for r in reports)


def choose(scored: list[tuple[TextModel, list[Mail]]], verbose: bool = False) -> Thresholds:
    """The thresholds with the best summed objective over out-of-fold scorings (unseen rules); ties: the most
    permissive."""
    best: tuple[float, tuple[float, ...]] | None = None
    chosen = Thresholds()
    scored = [(_Remembering(model, model.thresholds), mails) for model, mails in scored]
    before = [rules_only(mails, unseen=True) for _, mails in scored]
    for rescue, objected, rescue_type, add in itertools.product(GRID_RESCUE, GRID_OBJECTED, GRID_RESCUE_TYPE, GRID_ADD):
        limits = Thresholds(rescue=rescue, rescue_objected=max(rescue, objected), rescue_type=rescue_type,
                            add_type=add)
        value = objective([hybrid(model, mails, limits, unseen=True) for model, mails in scored], before)
        if value is None:
            continue
        # ties: the lowest rescue (recall is what the rules lack), then the most respect for the rules' objections
        # and the fewest types added (what the rules explain stays theirs)
        key = (round(value, 9), (-rescue, limits.rescue_objected, add, rescue_type))
        if verbose:
            print(f"    {value:.4f} {vars(limits)}")
        if best is None or key > best:
            best, chosen = key, limits
    return chosen


def figures(report: Report) -> str:
    s = report.request
    return (f"F1 {report.request_f1:.3f} (P {s.precision:.3f} R {s.recall:.3f}), exact {report.exact_type_rate:.1%}, "
            f"machine-as-request {report.machine_as_request}, wrong {len(report.misses())}")


def protocol(mails: list[Mail]) -> tuple[Thresholds, list[str]]:
    """Leave-one-corpus-out figures (rules vs hybrid) and the thresholds chosen on all out-of-fold scorings."""
    by_corpus = {name: [m for m in mails if m.corpus == name] for name in CORPORA}
    lines, oof = [], []
    for name in CORPORA:
        others = [c for c in CORPORA if c != name]
        inner = [(from_dict(train(by_corpus[a])), by_corpus[b]) for a, b in (others, others[::-1])]
        limits = choose(inner)
        model = from_dict(train(by_corpus[others[0]] + by_corpus[others[1]]))
        oof.append((model, by_corpus[name]))
        fold = by_corpus[name]
        lines += [f"fold {name} ({len(fold)} mails), thresholds chosen on {' + '.join(others)}: "
                  f"rescue {limits.rescue} ({limits.rescue_objected} against the rules' objection), "
                  f"rescue_type {limits.rescue_type}, add_type {limits.add_type}",
                  f"  today's rules:         {figures(rules_only(fold))}",
                  f"  today's rules + model: {figures(hybrid(model, fold, limits))}",
                  f"  unseen rules:          {figures(rules_only(fold, unseen=True))}",
                  f"  unseen rules + model:  {figures(hybrid(model, fold, limits, unseen=True))}",
                  f"  model alone (0.5):     {figures(model_alone(model, fold))}"]
    return choose(oof, verbose=VERBOSE), lines


def build(mails: list[Mail], limits: Thresholds) -> str:
    data = train(mails)
    data["thresholds"] = vars(limits)
    data["meta"] = {"trained_on": f"{len(mails)} mails of {', '.join(CORPORA)} (not {', '.join(LAST_CHECKS)})",
                    "C": C, "features_kept": KEEP, "seed": SEED, "script": "scripts/train_classifier.py"}
    return json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="rebuild and compare with the shipped file")
    parser.add_argument("--grid", action="store_true", help="print the objective of every threshold set")
    args = parser.parse_args()
    everything = load_mails()
    mails = [m for m in everything if not m.last_check]
    limits, lines = protocol(mails)
    print("\n".join(lines))
    print(f"shipped thresholds: {vars(limits)}")
    text = build(mails, limits)
    final = from_dict(json.loads(text))
    last = [m for m in everything if m.last_check]
    for prefix in LAST_CHECKS:
        part = [m for m in last if Path(m.case.file).name.startswith(prefix)]
        if part:
            print(f"{prefix}* ({len(part)} mails) today's rules:         {figures(rules_only(part))}")
            print(f"{prefix}* ({len(part)} mails) today's rules + model: {figures(hybrid(final, part, limits))}")
            print(f"{prefix}* ({len(part)} mails) round-1 rules + model: "
                  f"{figures(hybrid(final, part, limits, unseen=True))} (round-1 alone: "
                  f"{figures(rules_only(part, unseen=True))})")
    if args.check:
        same = SHIPPED_PATH.is_file() and SHIPPED_PATH.read_text(encoding="utf-8") == text
        print("shipped file reproduced exactly" if same else "shipped file DIFFERS from a rebuild")
        sys.exit(0 if same else 1)
    SHIPPED_PATH.parent.mkdir(exist_ok=True)
    SHIPPED_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {SHIPPED_PATH.relative_to(ROOT)} ({SHIPPED_PATH.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
