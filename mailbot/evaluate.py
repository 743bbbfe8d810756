"""Score the classifier on a labelled folder of .eml files: the figures behind ``mailbot eval DIR``.

The labels file is ``labels.csv`` in DIR with a header row: ``file`` (path relative to DIR), ``is_request``,
``types`` (``;``-separated) and optionally ``language``, ``authority``, ``withdrawal``, ``machine`` and
``split``. Booleans may be true/false, yes/no or 1/0; ``types`` may also use ``,`` or ``|``.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from mailbot.mail.parse import parse
from mailbot.understand.classify import classify
from mailbot.understand.verdict import REQUEST_TYPES, Classification

LABELS_FILE = "labels.csv"
_TRUE = {"true", "yes", "y", "1", "ja", "x"}


@dataclass(frozen=True)
class Case:
    file: str
    is_request: bool
    types: frozenset[str]
    language: str = ""
    authority: bool = False
    withdrawal: bool = False
    machine: bool = False
    split: str = ""


@dataclass(frozen=True)
class Outcome:
    case: Case
    got: Classification

    @property
    def types(self) -> frozenset[str]:
        return frozenset(self.got.types)


@dataclass(frozen=True)
class Scores:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def request(self) -> Scores:
        return _scores(self.outcomes, lambda o: o.case.is_request, lambda o: o.got.is_request)

    @property
    def request_f1(self) -> float:
        return self.request.f1

    def type_scores(self, kind: str) -> Scores:
        return _scores(self.outcomes, lambda o: kind in o.case.types, lambda o: kind in o.types)

    @property
    def exact_type_rate(self) -> float:
        """Share of labelled requests whose type set came out exactly right."""
        requests = [o for o in self.outcomes if o.case.is_request]
        return sum(o.types == o.case.types for o in requests) / len(requests) if requests else 1.0

    @property
    def machine_as_request(self) -> int:
        return sum(o.case.machine and o.got.is_request for o in self.outcomes)

    @property
    def machine_detected(self) -> Scores:
        return _scores(self.outcomes, lambda o: o.case.machine, lambda o: o.got.auto_generated)

    @property
    def language_rate(self) -> float:
        labelled = [o for o in self.outcomes if o.case.language]
        return sum(o.got.language == o.case.language for o in labelled) / len(labelled) if labelled else 1.0

    def flag_scores(self, name: str) -> Scores:
        return _scores(self.outcomes, lambda o: getattr(o.case, name), lambda o: getattr(o.got, name))

    def misses(self) -> list[Outcome]:
        return [o for o in self.outcomes if _wrong(o)]

    def calibration(self) -> list[tuple[str, int, float]]:
        """(confidence band, mails, share right) — a calibrated classifier is right as often as it claims."""
        bands = [(0.0, 0.5), (0.5, 0.7), (0.7, 0.85), (0.85, 0.95), (0.95, 1.01)]
        rows = []
        for low, high in bands:
            inside = [o for o in self.outcomes if low <= o.got.confidence < high]
            if inside:
                right = sum(not _wrong(o) for o in inside) / len(inside)
                rows.append((f"{low:.2f}-{min(high, 1.0):.2f}", len(inside), right))
        return rows

    def subset(self, split: str) -> Report:
        return Report([o for o in self.outcomes if o.case.split == split])

    def render(self) -> str:
        lines = [f"{len(self.outcomes)} mails, {sum(o.case.is_request for o in self.outcomes)} requests", ""]
        lines.append(f"{'':16}{'precision':>10}{'recall':>8}{'F1':>7}{'support':>9}")
        rows = [("request", self.request), *((t, self.type_scores(t)) for t in REQUEST_TYPES)]
        rows += [("authority", self.flag_scores("authority")), ("withdrawal", self.flag_scores("withdrawal")),
                 ("machine", self.machine_detected)]
        for name, s in rows:
            lines.append(f"{name:16}{s.precision:>10.3f}{s.recall:>8.3f}{s.f1:>7.3f}{s.tp + s.fn:>9}")
        lines += ["", f"exact type set right on requests: {self.exact_type_rate:.1%}",
                  f"machine mails classified as requests: {self.machine_as_request}",
                  f"language right: {self.language_rate:.1%}", "", "confusion (rows: labelled, columns: got)"]
        lines += self._confusion()
        lines += ["", "confidence band   mails   right"]
        lines += [f"{band:16}{n:>6}{right:>8.1%}" for band, n, right in self.calibration()]
        splits = sorted({o.case.split for o in self.outcomes} - {""})
        if len(splits) > 1:
            lines += [""]
            for split in splits:
                part = self.subset(split)
                lines.append(f"split {split}: {len(part.outcomes)} mails, request F1 {part.request_f1:.3f}, "
                             f"exact types {part.exact_type_rate:.1%}")
        misses = self.misses()
        lines += ["", f"misses ({len(misses)}):"]
        for o in misses:
            want = ",".join(sorted(o.case.types)) or "-"
            got = ",".join(o.got.types) or "-"
            lines.append(f"  {o.case.file}: want {want}{_flags(o.case)} got {got}{_flags(o.got)} "
                         f"({o.got.confidence:.2f}) — {o.got.evidence[0] if o.got.evidence else ''}")
        return "\n".join(lines)

    def _confusion(self) -> list[str]:
        def label(is_request: bool, types: frozenset[str], machine: bool) -> str:
            if machine:
                return "machine"
            return "+".join(t for t in REQUEST_TYPES if t in types) if is_request else "none"

        counts = Counter(
            (label(o.case.is_request, o.case.types, o.case.machine),
             label(o.got.is_request, o.types, o.got.auto_generated)) for o in self.outcomes
        )
        names = sorted({a for a, _ in counts} | {b for _, b in counts}, key=lambda n: (n in ("none", "machine"), n))
        width = max(len(n) for n in names) + 1
        head = " " * width + "".join(f"{n[:12]:>13}" for n in names)
        return [head] + [
            f"{a:<{width}}" + "".join(f"{counts.get((a, b), 0) or '.':>13}" for b in names) for a in names
        ]


def _flags(item: Case | Classification) -> str:
    marks = [name for name in ("authority", "withdrawal") if getattr(item, name)]
    return f" [{' '.join(marks)}]" if marks else ""


def _wrong(o: Outcome) -> bool:
    return (o.case.is_request != o.got.is_request or (o.case.is_request and o.types != o.case.types)
            or o.case.authority != o.got.authority or o.case.withdrawal != o.got.withdrawal
            or (o.case.machine and o.got.is_request))


def _scores(outcomes: list[Outcome], want, got) -> Scores:  # type: ignore[no-untyped-def]
    tp = sum(bool(want(o)) and bool(got(o)) for o in outcomes)
    fp = sum(not want(o) and bool(got(o)) for o in outcomes)
    fn = sum(bool(want(o)) and not got(o) for o in outcomes)
    return Scores(tp, fp, fn)


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in _TRUE


def load_cases(directory: Path) -> list[Case]:
    with (directory / LABELS_FILE).open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    cases = []
    for row in rows:
        row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        types = frozenset(t.strip().lower() for t in re.split(r"[;,|]", row.get("types", "")) if t.strip())
        is_request = _flag(row["is_request"]) if row.get("is_request") else bool(types)
        cases.append(Case(
            file=row["file"], is_request=is_request, types=types, language=row.get("language", ""),
            authority=_flag(row.get("authority")), withdrawal=_flag(row.get("withdrawal")),
            machine=_flag(row.get("machine") or row.get("auto_generated")), split=row.get("split", ""),
        ))
    return cases


def evaluate_dir(directory: Path) -> Report:
    """Classify every labelled mail in ``directory`` and compare with its labels."""
    directory = Path(directory)
    report = Report()
    for case in load_cases(directory):
        msg = parse((directory / case.file).read_bytes())
        report.outcomes.append(Outcome(case, classify(msg, default_language=case.language or "nl")))
    return report
