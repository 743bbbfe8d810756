"""A small linear text model: the classifier's second opinion on wording the rules have not seen.

Logistic regression heads over word unigrams, word bigrams and character 3-5-grams of each word, counted over the
folded subject and sender's words and divided by the square root of the number of features. Trained offline by
``scripts/train_classifier.py`` (scikit-learn, dev only) and shipped as JSON weights; scoring here is dictionary
lookups, a sum and a sigmoid, so the runtime needs no numerical library. Heads: ``request`` (request or not, over
all mail), one per request type (the type given that it is a request, trained on requests only), and ``FLAGS``
(authority mail, a withdrawal; over all mail). ``Blend``
holds how its opinion and the rules' reading combine.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from mailbot.understand.verdict import REQUEST_TYPES

FLAGS = ("authority", "withdrawal")  # heads beside request and the types, when the shipped model has them
SHIPPED_PATH = Path(__file__).with_name("data") / "classifier_model.json"
_TOKEN = re.compile(r"[a-z]+|\d+")
_NGRAMS = (3, 4, 5)
_SENTENCES = re.compile(r"[.!?\n]+")
_SENTENCE_WORDS = 3  # shorter parts (greetings, names) say nothing of their own
_NUMBER = "0"  # every run of digits is one token: order numbers and dates say nothing about the wording


def tokens(text: str) -> list[str]:
    """Word tokens of folded text (``language.fold``), digits collapsed."""
    return [_NUMBER if word[0].isdigit() else word for word in _TOKEN.findall(text)]


def word_features(word: str) -> list[str]:
    """The features one word brings: itself and its character n-grams, padded with spaces at both ends."""
    padded = f" {word} "
    return [f"w:{word}", *(f"c:{padded[i:i + n]}" for n in _NGRAMS for i in range(len(padded) - n + 1))]


def bigram(first: str, second: str) -> str:
    return f"b:{first} {second}"


def features(words: list[str]) -> Iterator[str]:
    """Every feature occurrence of a token list (repeats counted): what training and scoring both read."""
    for word in words:
        yield from word_features(word)
    for first, second in pairwise(words):
        yield bigram(first, second)


@dataclass(frozen=True)
class Blend:
    """How the rules' reading and the model's opinion combine: small logistic regressions fitted by
    ``scripts/train_classifier.py`` on mails neither the rules nor the model had seen (docs/classifier.md).

    ``request``: weights of (bias, rules' best type score, rules call it a request, rules found a reason against,
    a strong phrase, model log-odds of a request, shortness, shortness x rules' request, shortness x model
    log-odds). One per type: (bias, rules' score for the type, rules chose it, a strong phrase for it, rules call
    it a request, model log-odds of the type, the highest log-odds of the type in one sentence, shortness x rules
    chose it, shortness x model log-odds). ``flags``, for mail the rules did not flag as authority mail or a
    withdrawal: (bias, the rules' authority score or whether they call it a request, model log-odds of the flag).
    Features are built by ``classify.blend_features``.
    """

    request: tuple[float, ...]
    types: dict[str, tuple[float, ...]]
    flags: dict[str, tuple[float, ...]] = field(default_factory=dict)

    def p_request(self, features: tuple[float, ...]) -> float:
        return _sigmoid(_dot(self.request, features))

    def p_type(self, kind: str, features: tuple[float, ...]) -> float:
        return _sigmoid(_dot(self.types[kind], features))

    def p_flag(self, flag: str, features: tuple[float, ...]) -> float:
        """P(authority mail) or P(withdrawal) for a mail the rules did not flag; 0 when the blend has no head."""
        return _sigmoid(_dot(self.flags[flag], features)) if flag in self.flags else 0.0


def _dot(weights: tuple[float, ...], features: tuple[float, ...]) -> float:
    return weights[0] + sum(w * x for w, x in zip(weights[1:], features, strict=True))


def logit(p: float) -> float:
    """Log-odds, bounded so that a certain model does not outvote everything else."""
    p = min(max(p, 1e-4), 1.0 - 1e-4)
    return math.log(p / (1.0 - p))


@dataclass(frozen=True)
class Opinion:
    """The model's probabilities for one mail: a request, each type given a request, and the flags (authority
    mail, a withdrawal)."""

    request: float
    types: dict[str, float]
    flags: dict[str, float] = field(default_factory=dict)


class TextModel:
    """Weights per head, looked up per word (cached) and per bigram."""

    def __init__(self, heads: tuple[str, ...], bias: tuple[float, ...], weights: dict[str, tuple[float, ...]],
                 blend: Blend, meta: dict[str, object] | None = None) -> None:
        self.heads = heads
        self.bias = bias
        self.weights = weights
        self.blend = blend
        self.meta = meta or {}
        self._zero = (0.0,) * len(heads)
        # a bigram adds its weights and nothing to the feature count (pairs are counted apart)
        self._bigrams = {tuple(name[2:].split(" ")): (*w, 0.0) for name, w in weights.items() if name.startswith("b:")}
        self._word = lru_cache(maxsize=50_000)(self._word_vector)

    def _word_vector(self, word: str) -> tuple[float, ...]:
        """Summed weights of one word's features, and their number as the last element."""
        feats = word_features(word)
        found = [w for f in feats if (w := self.weights.get(f))]
        return (*(sum(column) for column in zip(*found, strict=True)), len(feats)) if found else (
            *self._zero, len(feats))

    def raw(self, words: list[str]) -> tuple[float, ...]:
        """The heads' log-odds for a token list."""
        if not words:
            return self.bias
        vectors = [self._word(word) for word in words]
        vectors += [w for pair in pairwise(words) if (w := self._bigrams.get(pair))]
        columns = [sum(column) for column in zip(*vectors, strict=True)]
        scale = 1.0 / math.sqrt(columns[-1] + len(words) - 1)
        return tuple(b + s * scale for b, s in zip(self.bias, columns, strict=False))

    def opinion(self, subject: str, text: str) -> Opinion:
        """P(request) and P(type | request) for the folded subject and sender's words."""
        logits = self.raw(tokens(f"{subject}\n{text}"))
        probs = [_sigmoid(v) for v in logits]
        named = dict(zip(self.heads, probs, strict=True))
        return Opinion(probs[0], {kind: named[kind] for kind in REQUEST_TYPES},
                       {flag: named[flag] for flag in FLAGS if flag in named})

    def sentence_peaks(self, subject: str, text: str) -> dict[str, float]:
        """Per type, the highest P(type | request) of one sentence: a second right asked in one sentence of a
        long mail is diluted in the whole mail's words but stands out in its own."""
        opinions = [self.opinion("", part) for part in _SENTENCES.split(f"{subject}\n{text}")
                    if len(_TOKEN.findall(part)) >= _SENTENCE_WORDS]
        return {kind: max((o.types[kind] for o in opinions), default=0.0) for kind in REQUEST_TYPES}

    def explain(self, subject: str, text: str, head: str, top: int = 4) -> list[str]:
        """The words (and word pairs) that pushed ``head`` up most, strongest first."""
        index = self.heads.index(head)
        words = tokens(f"{subject}\n{text}")
        push: dict[str, float] = {}
        for word, times in Counter(words).items():
            push[word] = times * self._word(word)[index]
        for pair in pairwise(words):
            if (w := self._bigrams.get(pair)) and w[index] > 0:
                push[" ".join(pair)] = push.get(" ".join(pair), 0.0) + w[index]
        ranked = sorted((item for item in push.items() if item[1] > 0), key=lambda item: (-item[1], item[0]))
        return [name for name, _ in ranked[:top]]


def _sigmoid(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(value, 40.0), -40.0)))


def from_dict(data: dict) -> TextModel:  # type: ignore[type-arg]
    heads = tuple(data["heads"])
    weights = {name: tuple(float(w) for w in ws) for name, ws in data["weights"].items()}
    blend = Blend(tuple(data["blend"]["request"]), {kind: tuple(data["blend"][kind]) for kind in REQUEST_TYPES},
                  {flag: tuple(data["blend"][flag]) for flag in FLAGS if flag in data["blend"]})
    return TextModel(heads, tuple(float(b) for b in data["bias"]), weights, blend, data.get("meta"))


def load(path: Path = SHIPPED_PATH) -> TextModel | None:
    """The model in ``path``, or None when no model is shipped (the classifier then uses its rules alone)."""
    if not path.is_file():
        return None
    return from_dict(json.loads(path.read_text(encoding="utf-8")))


def count_features(texts: Iterable[list[str]]) -> Iterator[dict[str, float]]:
    """Feature vectors as training reads them: counts divided by the square root of the number of features."""
    for words in texts:
        counts: dict[str, float] = {}
        total = 0
        for feature in features(words):
            counts[feature] = counts.get(feature, 0.0) + 1.0
            total += 1
        scale = 1.0 / math.sqrt(total) if total else 0.0
        yield {name: value * scale for name, value in counts.items()}
