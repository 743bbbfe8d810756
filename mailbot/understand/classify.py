"""Decide whether a mail is a data-subject request, which rights it invokes, and say why.

A weighted phrase scorer (lexicon.py) over the sender's own words and the subject, with context that
cancels (orders, newsletters, job applications, negation), authority and withdrawal detection (``read``); then
the text model's opinion weighed with that reading by a fitted blend (``second_opinion``, model.py), whose
probabilities give a confidence that lets the caller route uncertain mail to staff. Machine mail is decided by
machine.py first.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from mailbot.mail.message import Message
from mailbot.understand import lexicon as lx
from mailbot.understand.language import detect_language, fold
from mailbot.understand.machine import detect as detect_machine
from mailbot.understand.model import Opinion, TextModel, load, logit
from mailbot.understand.verdict import REQUEST_TYPES, Classification

_REPLY_PREFIX = re.compile(r"^\s*(?:re|aw|antw|sv|ref|r)\s*(?:\[\d+\])?\s*:\s*", re.IGNORECASE)
_FORWARD_PREFIX = re.compile(r"^\s*(?:fwd?|wg|doorst|tr|fw)\s*:\s*", re.IGNORECASE)
_CLAUSE_END = re.compile(
    r"[.!?;:\n]|\b(?:maar|but|aber|mais|however|echter|jedoch|toch|sondern|en|and|und|et|ook|also|daarnaast|so|dus|"
    r"daarom|therefore|daher|deshalb|donc|please|bitte|gelieve)\b"
)
_SPACE = re.compile(r"[ \t\r\f\v]+")
_SENTENCE_STOP = re.compile(r"[.!?\n]")
_NEW_REQUEST = re.compile(
    r"\b(?:in\splaats\sdaarvan|instead|stattdessen|a\sla\splace|maar\s(?:wel|graag)|but\splease|aber\sbitte|"
    r"daarnaast|additionally|außerdem|ausserdem|wel\sgraag)\b"
)
_RECORDS_SCOPE = re.compile(
    r"\b(?:administratie|klantgegevens|klantprofiel|klantenbestand|klantaccount|account|profiel|systeem|"
    r"database|bestand|gegevens|records?|on\sfile|profile|system|customer\sdetails|kundendaten|kundenkonto|"
    r"konto|stammdaten|datenbank|system|fichier|compte|voortaan|toekomst\w*|future|from\snow\son|"
    r"permanent\w*|kunftig\w*|zukunftig\w*|dorenavant|a\sl'avenir|bij\s(?:jullie|u)\sbekend)\b"
)
_AUTHORITY_DOMAINS = re.compile(
    r"@(?:[\w-]+\.)*(?:autoriteitpersoonsgegevens\.nl|politie\.nl|om\.nl|belastingdienst\.nl|fiod\.nl|"
    r"minfin\.nl|rijksoverheid\.nl|ico\.org\.uk|police\.uk|hmrc\.gov\.uk|[\w-]*polizei[\w.-]*|bfdi\.bund\.de|"
    r"datenschutz[\w.-]*\.de|finanzamt[\w.-]*|cnil\.fr|interieur\.gouv\.fr|dgfip\.finances\.gouv\.fr|"
    r"edpb\.europa\.eu)$"
)
_NOT_DELETE = re.compile(lx.NOT_DELETE)
_NOT_RECORDS = re.compile(rf"\b(?:{lx.NOT_RECORDS})\b")
_NEGATION_AFTER = re.compile(r"\s(?:\w+\s)?(?:niet|nicht|not|pas)\b")
_SUBJECT_FACTOR = 1.0
_REPLY_SUBJECT_FACTOR = 0.5
_QUOTED_FACTOR = 1.0
_AUTHORITY_THRESHOLD = 1.8
_SCORE_CAP = 3.0  # beyond this a rules score says nothing more to the blend
_SHORT_WORDS = 15.0  # a mail of this many words is "half short" to the blend
# Mail to many that only talks about rights (a newsletter, a supplier's privacy or breach notice, a sales pitch):
# whatever rights it names, nobody asks for them.
_BULK = frozenset({"bulk mail or newsletter", "phishing or spam", "a supplier's privacy notice or breach notice",
                   "a sales pitch about privacy requests"})
SHIPPED = load()  # None when no model is shipped: the rules decide alone
_REQUEST_KINDS = frozenset(REQUEST_TYPES)
_AUTHORITY_KIND = frozenset({"authority"})
_ALL_KINDS = frozenset(rule.kind for rule in lx.RULES)
# Per set of kinds: each rule with the needs the screen checks first and whether it keeps within a sentence.
_SCREENED = {
    kinds: [(rule, needs, in_sentence)
            for rule, needs, in_sentence in zip(lx.RULES, lx.SCREEN.needs, lx.SCREEN.in_sentence, strict=False)
            if rule.kind in kinds]
    for kinds in (_ALL_KINDS, _REQUEST_KINDS, _AUTHORITY_KIND)
}


@dataclass(frozen=True)
class _Hit:
    rule: lx.Rule
    phrase: str
    source: str  # "text", "subject" or "quoted"
    weight: float
    sentence: str = ""  # the sentence the phrase stands in: whether it yields to another type depends on it

    @property
    def label(self) -> str:
        where = "" if self.source == "text" else f" (in {self.source})"
        return f'{self.rule.kind}: "{self.phrase}"{where} — {self.rule.name}'


@dataclass(frozen=True)
class Signals:
    """What the rules weighed, as the blend with the text model reads it: per type the score and whether a phrase
    naming the right was found, and whether anything spoke against a request (a negative context, a cancelled
    or ignored phrase), which types the sender cited by article number in their own words, and the score of
    authority wording."""

    scores: dict[str, float]
    strong: dict[str, bool]
    objected: bool
    cited: frozenset[str] = frozenset()
    authority: float = 0.0


def _prepare(text: str) -> str:
    return _SPACE.sub(" ", fold(text)).strip()


def _clause_before(text: str, start: int) -> str:
    """The words of the current clause before ``start``: where a negation or an 'if' would stand."""
    window = text[max(0, start - 60):start]
    cut = 0
    for found in _CLAUSE_END.finditer(window):
        cut = found.end()
    return window[cut:]


_TOLD = "a right explained to the reader"
_HOW = "asks how the right works"
_THANKS = "thanks for what was done"
_DONE = "reports what was done"
_DEVICE = "data on a device, not the records"
_SELF = "asks how to change it themselves"
_CONTEXT_REASONS = frozenset({_TOLD, _HOW, _THANKS, _DONE, _DEVICE, _SELF})


def _sentence_before(text: str, start: int) -> str:
    window = text[max(0, start - 200):start]
    return window[max(window.rfind(end) for end in ".!?\n") + 1:]


def _rest_of_sentence(text: str, found: re.Match[str], length: int) -> str:
    """The match and up to ``length`` characters after it, not past the sentence end."""
    after = text[found.end():found.end() + length]
    end = _SENTENCE_STOP.search(after)
    return found.group(0) + (after[:end.start()] if end else after)


def _last_sentence(phrase: str) -> str:
    """The part of a phrase after its last sentence end: a "not" in an earlier sentence negates nothing here."""
    return phrase[max(phrase.rfind(end) for end in (". ", "! ", "? ", "\n")) + 1:]


def _done(before: str, phrase: str) -> bool:
    """The phrase reports what has happened ("mijn gegevens zijn verwijderd", "I have received ..."), unless the
    sender wants it so ("ik wil zeker weten dat mijn gegevens zijn verwijderd")."""
    if not lx.ANY_PARTICIPLE.search(phrase) or lx.WANTS.search(before) or lx.PAUSE.search(before + phrase):
        return False
    return bool(lx.DONE_PASSIVE.search(phrase) or (lx.PERFECT.search(before) and lx.PARTICIPLE.search(phrase)))


def _blocked(rule: lx.Rule, text: str, found: re.Match[str], met: frozenset[int]) -> str | None:
    """Why a match does not count (negated, hypothetical, told or thanked for rather than asked), or None.

    ``met``: the text's screening needs (lexicon.Screen), so that contexts it cannot hold are not searched.
    """
    if rule.kind in ("negative", "authority", "withdrawal"):
        return None
    before = _clause_before(text, found.start())
    phrase = found.group(0)
    if rule.family and _NOT_RECORDS.search(before[-30:] + phrase):
        return "about an order or item, not their data"  # "mijn bestelling verwijderen uit mijn account"
    needs = lx.CONTEXT_NEEDS
    told_possible = needs["told"] <= met
    if told_possible or rule.strong or needs["device"] <= met:
        sentence = _sentence_before(text, found.start())
        if told_possible and lx.RIGHT_TOLD.search(sentence + phrase):
            return _TOLD
        if rule.strong and lx.RIGHT_HELD.search(sentence + phrase) and lx.HOW_QUESTION.search(text):
            return _HOW
        if (rule.kind != "objection" and needs["device"] <= met
                and lx.DEVICE_DATA.search(sentence[-40:] + _rest_of_sentence(text, found, 40))):
            return _DEVICE
    if needs["thanks"] <= met and lx.THANKS_FOR.search(before):
        return _THANKS
    if rule.kind != "restriction" and needs["done"] <= met and _done(before, _rest_of_sentence(text, found, 25)):
        return _DONE
    if rule.kind == "rectification" and lx.SELF_SERVICE.search(before) and not lx.LET.search(before + phrase):
        return _SELF
    sentence_now = _sentence_before(text, found.start()) + phrase
    if (rule.kind not in ("objection", "restriction") and lx.SOMEDAY.search(sentence_now)
            and (lx.CONDITIONAL.search(before + phrase) or lx.HOW_QUESTION.search(text))):
        return "hypothetical"  # "als ik ooit zou willen dat ..., hoe gaat dat?": a later request imagined
    last_if = max((found.end() for found in lx.CONDITIONAL.finditer(before)), default=0)
    if (last_if and rule.kind not in ("objection", "restriction")
            and not lx.INDIRECT_QUESTION.search(before, 0, last_if + 1)):  # "wondering if you could": a request
        return "hypothetical"
    if rule.negation_inside:
        return None
    if lx.NEGATION.search(before) or _NEGATION_AFTER.match(text, found.end()):
        return "negated"
    if rule.kind != "objection" and lx.INNER_NEGATION.search(_last_sentence(phrase)):
        return "negated"
    return None


def _scan(text: str, source: str, factor: float, notes: list[str],
          kinds: frozenset[str] = _ALL_KINDS, explained: dict[str, str] | None = None) -> list[_Hit]:
    """The rules of ``kinds`` that match ``text``, each once (its first match that is not negated).

    ``explained``: rule names whose phrase the sender's words explain away (told, thanked for, asked how), by
    the reason; the body's scan fills it and the subject's scan honours it, so a subject "inzage" over "how
    does inzage work?" stays a question.
    """
    hits: list[_Hit] = []
    if not text:
        return hits
    screen = lx.SCREEN
    met = screen.met(text)
    sentences: list[tuple[int, int, frozenset[int]]] | None = None
    for rule, needs, in_sentence in _SCREENED[kinds]:
        if not needs <= met:
            continue
        if in_sentence:  # its matches lie inside one sentence: search only the sentences that can hold one
            if sentences is None:
                sentences = screen.sentences(text)
            matches: Iterable[re.Match[str]] = (
                found for start, end, there in sentences if needs <= there
                for found in rule.pattern.finditer(text, start, end))
        else:
            matches = rule.pattern.finditer(text)
        for found in matches:
            reason = _blocked(rule, text, found, met)
            if explained is not None:
                if source == "text" and reason in _CONTEXT_REASONS:
                    explained.setdefault(rule.name, reason)
                elif source == "subject" and not reason and rule.name in explained:
                    reason = f"the mail explains it: {explained[rule.name]}"
            if reason:
                notes.append(f'ignored {rule.kind}: "{found.group(0)}" ({reason})')
                continue
            sentence = _sentence_before(text, found.start()) + _rest_of_sentence(text, found, 200)
            hits.append(_Hit(rule, found.group(0), source, rule.weight * factor, sentence))
            break
    if kinds is not _AUTHORITY_KIND and met >= lx.CITATION_NEEDS:
        hits.extend(_citations(text, source, factor))
    return hits


_CITATION_RULES = {
    kind: lx.Rule(f"cites article {number} GDPR", kind, 1.3, lx.CITATION, strong=True)
    for number, kind in lx.ARTICLE_TYPES.items()
}


def _citations(text: str, source: str, factor: float) -> Iterable[_Hit]:
    seen: set[str] = set()
    for found in lx.CITATION.finditer(text):
        sentence = _sentence_before(text, found.start())
        if lx.TOPIC.search(sentence) or lx.RIGHT_TOLD.search(sentence):
            continue  # "a question about art. 15", "you have the right under art. 15": not invoked
        numbers = re.findall(r"\d+", found.group(1) or found.group(2) or "")
        for number in numbers:
            kind = lx.ARTICLE_TYPES.get(number)
            if kind and kind not in seen:
                seen.add(kind)
                yield _Hit(_CITATION_RULES[kind], found.group(0), source, 1.3 * factor)


def _sigmoid(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-value))


def _subject_parts(subject: str) -> tuple[str, bool, bool]:
    """The subject without Re:/Fwd: prefixes, and whether it was a reply or a forward."""
    reply = forward = False
    while True:
        if _REPLY_PREFIX.match(subject):
            subject, reply = _REPLY_PREFIX.sub("", subject, count=1), True
        elif _FORWARD_PREFIX.match(subject):
            subject, forward = _FORWARD_PREFIX.sub("", subject, count=1), True
        else:
            return subject, reply, forward


def classify(msg: Message, *, default_language: str = "nl", model: TextModel | None = SHIPPED) -> Classification:
    """The verdict on one mail; ``default_language`` when the sender's words are too few to tell.

    ``model``: the text model weighed with the rules (the shipped one by default; None for the rules alone).
    """
    reading = read(msg, default_language)
    return second_opinion(reading, model) if model else reading.verdict


@dataclass(frozen=True)
class Reading:
    """The rules' verdict on one mail, what they weighed for it, and the words the text model reads."""

    verdict: Classification
    signals: Signals
    subject: str
    own: str


def read(msg: Message, default_language: str = "nl") -> Reading:
    """The rules' reading of one mail."""
    own_raw = msg.text.strip()
    subject_raw, is_reply, is_forward = _subject_parts(msg.subject or "")
    own = _prepare(own_raw)
    subject = _prepare(subject_raw)
    language = detect_language(own if len(own_raw) >= 20 else f"{subject} {own}", default_language)

    notes: list[str] = []
    machine = detect_machine(msg) or _auto_body(own)
    if machine:
        authority, _, _, why = _authority(msg, _scan(f"{subject}\n{own}", "text", 1.0, [], _AUTHORITY_KIND))
        verdict = Classification(False, (), language, 0.99, True, (*machine, *(why if authority else [])),
                                 authority=authority)
        return Reading(verdict, Signals(dict.fromkeys(REQUEST_TYPES, 0.0), dict.fromkeys(REQUEST_TYPES, False),
                                        False), subject, own)

    explained: dict[str, str] = {}
    hits = _scan(own, "text", 1.0, notes, explained=explained)
    hits += _scan(subject, "subject", _REPLY_SUBJECT_FACTOR if is_reply else _SUBJECT_FACTOR, notes,
                  explained=explained)
    quoted = _prepare(msg.quoted)
    own_is_bare = len(own) < 40 and not any(h.rule.kind in REQUEST_TYPES for h in hits)
    if quoted and (lx.FOLLOW_UP.search(own) or (is_forward and own_is_bare)):
        notes.append("the sender's own words point at the quoted mail")
        hits += _scan(quoted, "quoted", _QUOTED_FACTOR, notes, _REQUEST_KINDS)
    verdict, signals = _verdict(msg, hits, notes, language, own)
    return Reading(verdict, signals, subject, own)


def _auto_body(own: str) -> list[str]:
    """Evidence that the sender's words are an auto-reply or notification whose headers do not say so."""
    found = lx.AUTO_BODY.search(own, 0, 400)
    return [f'automatic reply by its words: "{found.group(0)}"'] if found else []


def _verdict(msg: Message, hits: list[_Hit], notes: list[str], language: str,
             own: str) -> tuple[Classification, Signals]:
    negatives = [h for h in hits if h.rule.kind == "negative" and h.source != "quoted"]
    negative_names = {h.rule.name for h in negatives}
    evidence: list[str] = []

    scores = dict.fromkeys(REQUEST_TYPES, 0.0)
    strong = dict.fromkeys(REQUEST_TYPES, False)
    kept: dict[str, list[_Hit]] = {t: [] for t in REQUEST_TYPES}
    cancelled: list[tuple[_Hit, str]] = []
    bulk = negative_names & _BULK
    soft = negative_names & {"a job application", "writes as the company, not as a data subject"}
    order = "about an order, delivery or invoice" in negative_names
    for hit in hits:
        kind = hit.rule.kind
        if kind not in scores:
            continue
        if bulk:
            cancelled.append((hit, sorted(bulk)[0]))
        elif soft and not hit.rule.strong:
            cancelled.append((hit, sorted(soft)[0]))
        elif (order and kind == "rectification" and not hit.rule.strong
              and (lx.ONE_OFF.search(own) or not _RECORDS_SCOPE.search(own))):
            cancelled.append((hit, "a change to one order, not to the records"))
        else:
            kept[kind].append(hit)

    for kind in REQUEST_TYPES:
        phrased = {h.source for h in kept[kind] if not h.rule.family}
        kept[kind] = [h for h in kept[kind] if not (h.rule.family and h.source in phrased)]
        best: dict[str, float] = {}
        for hit in kept[kind]:
            best[hit.rule.name] = max(best.get(hit.rule.name, 0.0), hit.weight)
            strong[kind] = strong[kind] or hit.rule.strong
        scores[kind] = sum(best.values())

    not_delete = scores["restriction"] >= lx.THRESHOLD and any(
        _NOT_DELETE.search(h.phrase) for h in kept["restriction"])
    for kind in REQUEST_TYPES:
        yielding = [h for h in kept[kind] if _yields(h, scores, own)]
        if kind == "erasure" and not_delete:  # "niet wissen, wel op slot": the mail itself rules erasure out
            yielding = [h for h in kept[kind] if not h.rule.strong]
        if not yielding:
            continue
        for hit in yielding:
            cancelled.append((hit, f"read as {hit.rule.yields_to or 'restriction: the mail says not to delete'}"))
        kept[kind] = [h for h in kept[kind] if h not in yielding]
        scores[kind] = sum({h.rule.name: h.weight for h in kept[kind]}.values())
        strong[kind] = any(h.rule.strong for h in kept[kind])

    types = tuple(t for t in REQUEST_TYPES if scores[t] >= lx.THRESHOLD)

    withdrawal_hits = [h for h in hits if h.rule.kind == "withdrawal" and h.source != "quoted"]
    withdrawal = bool(withdrawal_hits) and not bulk
    if withdrawal and types and not _NEW_REQUEST.search(own):
        for kind in types:
            for hit in kept[kind]:
                cancelled.append((hit, "part of withdrawing the earlier request"))
        types = ()

    authority, authority_score, letter, authority_evidence = _authority(msg, hits)
    authority = authority and not bulk
    if authority and letter and types:
        for kind in types:
            cancelled.extend((hit, "an authority's demand, not a data subject's request") for hit in kept[kind])
        types = ()

    is_request = bool(types)
    for kind in types:
        evidence.extend(h.label for h in kept[kind])
    if withdrawal:
        evidence.extend(h.label for h in withdrawal_hits)
    if authority:
        evidence.extend(authority_evidence)
    evidence.extend(h.label for h in negatives)
    evidence.extend(f"cancelled {h.rule.kind}: \"{h.phrase}\" — {why}" for h, why in cancelled)
    evidence.extend(notes)
    weak = [t for t in REQUEST_TYPES if t not in types and scores[t] > 0]
    evidence.extend(f"too weak for {t}: score {scores[t]:.1f} < {lx.THRESHOLD:.1f}" for t in weak)

    confidence = _confidence(is_request, types, scores, strong, kept, cancelled, negatives, own,
                             withdrawal, authority, authority_score)
    verdict = "request: " + ", ".join(types) if is_request else "not a request"
    if withdrawal:
        verdict += "; withdraws an earlier request"
    if authority:
        verdict += "; from or about an authority"
    if not is_request and not withdrawal and not authority and not hits:
        verdict += " (no request phrase found)"
    evidence.insert(0, f"{verdict} (confidence {confidence:.2f}, language {language})")
    objected = bool(negatives or cancelled or any(note.startswith("ignored") for note in notes))
    cited = frozenset(kind for kind in types for h in kept[kind] if h.rule in _CITATION_RULES.values()
                      and h.source == "text")
    return (Classification(is_request, types, language, round(confidence, 3), False, tuple(evidence),
                           authority=authority, withdrawal=withdrawal),
            Signals(scores, strong, objected, cited, authority_score))


def _yields(hit: _Hit, scores: dict[str, float], own: str) -> bool:
    """Whether a phrase is better read as the chosen type it yields to.

    Not a copy asked to read for oneself beside a file for another party (access and portability), nor what is
    held asked before a deletion that comes after it ("first send me ..., then delete": access and erasure).
    """
    other = hit.rule.yields_to
    if not other or scores[other] < lx.THRESHOLD:
        return False
    if other == "portability" and lx.OWN_READING.search(hit.sentence):
        return False
    return not (other == "erasure" and (lx.FIRST.search(hit.sentence) or lx.THEN_DELETE.search(own)))


def _authority(msg: Message, hits: list[_Hit]) -> tuple[bool, float, bool, list[str]]:
    """(authority, score, written by the authority itself, evidence) from the sender's words and address."""
    found = [h for h in hits if h.rule.kind == "authority" and h.source != "quoted"]
    score = sum({h.rule.name: h.weight for h in found}.values())
    evidence = [h.label for h in found]
    letter = any(h.rule.name == "an investigation or legal demand" for h in found)
    if _AUTHORITY_DOMAINS.search(msg.from_addr or ""):
        score += 1.0
        letter = True
        evidence.append(f"authority: sender address {msg.from_addr}")
    return score >= _AUTHORITY_THRESHOLD, score, letter, evidence


def _confidence(is_request: bool, types: tuple[str, ...], scores: dict[str, float], strong: dict[str, bool],
                kept: dict[str, list[_Hit]], cancelled: list[tuple[_Hit, str]], negatives: list[_Hit],
                own: str, withdrawal: bool, authority: bool, authority_score: float) -> float:
    """Probability that the verdict (request or not, and the set of types) is right.

    A logistic curve over the weakest chosen type's score (or the strongest unchosen score for a non-request),
    lowered by what makes a verdict doubtful: opposing context, evidence only in the subject or quoted text,
    near-miss types that might belong in the set, no request wording at all.
    """
    if is_request:
        p = _sigmoid(4.0 * (min(scores[t] for t in types) - 0.7))
        if any(strong[t] for t in types):
            p = max(p, 0.9)
        if negatives:
            p *= 0.8
        if all(h.source != "text" for t in types for h in kept[t]):
            p *= 0.8
        if not any(strong[t] for t in types) and not lx.REQUEST_MARKER.search(own):
            p *= 0.9
        near_miss = [t for t in REQUEST_TYPES if t not in types and 0.4 <= scores[t] < lx.THRESHOLD]
        p *= 0.85 ** len(near_miss)
        return min(max(p, 0.05), 0.995)
    doubt = max(scores.values(), default=0.0)
    doubt = max([doubt, *(0.4 * h.weight for h, _ in cancelled)])
    p = 1.0 - _sigmoid(4.0 * (doubt - 0.7))
    if withdrawal or authority:
        p = max(p, _sigmoid(3.0 * (authority_score - 1.0)) if authority else 0.85)
    return min(max(p, 0.05), 0.98)


@dataclass(frozen=True)
class BlendInputs:
    """What ``Blend`` weighs, as numbers: the rules' reading and the model's opinion (training reads the same)."""

    request: tuple[float, ...]
    types: dict[str, tuple[float, ...]]
    flags: dict[str, tuple[float, ...]]


def blend_features(reading: Reading, opinion: Opinion, peaks: dict[str, float]) -> BlendInputs:
    signals, verdict = reading.signals, reading.verdict
    best = min(max(signals.scores.values()), _SCORE_CAP)
    request = (best, float(verdict.is_request), float(signals.objected), float(any(signals.strong.values())),
               logit(opinion.request))
    types = {kind: (min(signals.scores[kind], _SCORE_CAP), float(kind in verdict.types), float(signals.strong[kind]),
                    float(verdict.is_request), logit(opinion.types[kind]), logit(peaks[kind]))
             for kind in REQUEST_TYPES}
    # how short the mail is: the fewer the words, the less the model has to go on and the more the rules count
    short = 1.0 / (1.0 + len(reading.own.split()) / _SHORT_WORDS)
    request = (*request, short, short * float(verdict.is_request), short * logit(opinion.request))
    types = {kind: (*values, short * values[1], short * values[4]) for kind, values in types.items()}
    flags = {"authority": (min(signals.authority, _SCORE_CAP), logit(opinion.flags.get("authority", 0.5))),
             "withdrawal": (float(verdict.is_request), logit(opinion.flags.get("withdrawal", 0.5)))}
    return BlendInputs(request, types, flags)


def second_opinion(reading: Reading, model: TextModel) -> Classification:
    """The rules' reading and the text model's opinion weighed together (``model.blend``).

    Machine mail, and mail the rules call a withdrawal or authority mail, stay the rules' alone. Otherwise the
    blend decides whether it withdraws an earlier request (``withdrawal_by_model``: staff confirm it), whether it
    is authority mail, whether it is a request and which types (a type cited by its article in the
    sender's own words always counts); its probabilities give the confidence. Where it differs from the rules,
    the evidence says so, with the model's probability and the words that pushed it; the rules' own reading
    stays.
    """
    verdict = reading.verdict
    if verdict.auto_generated or verdict.withdrawal or verdict.authority:
        return verdict
    subject, own = reading.subject, reading.own
    opinion = model.opinion(subject, own)
    inputs = blend_features(reading, opinion, model.sentence_peaks(subject, own))
    blend = model.blend

    def said(head: str, p: float) -> str:
        words = ", ".join(model.explain(subject, own, head))
        return f"model: {head} {p:.2f} (words: {words or '-'})"

    rules_line = "rules alone: " + (verdict.evidence[0] if verdict.evidence else "not a request")
    p_flags = {flag: blend.p_flag(flag, inputs.flags[flag]) for flag in inputs.flags}
    flagged = [f"{said(flag, opinion.flags[flag])}; weighed with the rules: {p:.2f}"
               for flag, p in p_flags.items() if p >= 0.5]
    authority = p_flags["authority"] >= 0.5
    about = "; from or about an authority" if authority else ""
    if p_flags["withdrawal"] >= 0.5:  # measured: reading on for a request that remains costs more than it finds
        confidence = p_flags["withdrawal"]
        head = (f"not a request; withdraws an earlier request{about} (confidence {confidence:.2f}, "
                f"language {verdict.language})")
        return replace(verdict, is_request=False, types=(), confidence=round(confidence, 3), authority=authority,
                       withdrawal=True, withdrawal_by_model=True,
                       evidence=(head, *flagged, rules_line, *verdict.evidence[1:]))
    p_request = blend.p_request(inputs.request)
    cited = reading.signals.cited  # a right cited by its article in the sender's own words is always read
    if cited:
        p_request = max(p_request, 0.5)
    request_line = f"{said('request', opinion.request)}; weighed with the rules: {p_request:.2f}"
    if p_request < 0.5:
        confidence = 1.0 - p_request
        head = f"not a request{about} (confidence {confidence:.2f}, language {verdict.language})"
        return replace(verdict, is_request=False, types=(), confidence=round(confidence, 3), authority=authority,
                       evidence=(head, request_line, *flagged, rules_line, *verdict.evidence[1:]))
    p_types = {kind: blend.p_type(kind, inputs.types[kind]) for kind in REQUEST_TYPES}
    types = tuple(t for t in REQUEST_TYPES if p_types[t] >= 0.5 or t in cited) or (
        max(REQUEST_TYPES, key=p_types.__getitem__),)
    confidence = p_request * math.prod(max(p, 1.0 - p) for p in p_types.values())
    lines = [request_line, *flagged]
    lines += [f"{said(t, opinion.types[t])}; adds {t}: {p_types[t]:.2f}" for t in types if t not in verdict.types]
    lines += [f"{said(t, opinion.types[t])}; drops {t}: {p_types[t]:.2f}" for t in verdict.types if t not in types]
    head = f"request: {', '.join(types)}{about} (confidence {confidence:.2f}, language {verdict.language})"
    return replace(verdict, is_request=True, types=types, confidence=round(confidence, 3), authority=authority,
                   evidence=(head, *lines, rules_line, *verdict.evidence[1:]))
