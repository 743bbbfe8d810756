"""The text model: the shipped weights load, score as training scored, and explain what they change."""

from __future__ import annotations

import json
import math
import re

import pytest

from mailbot.mail.message import Message
from mailbot.understand import classify as classify_module
from mailbot.understand.classify import classify, read
from mailbot.understand.language import fold
from mailbot.understand.model import (
    SHIPPED_PATH,
    Blend,
    TextModel,
    count_features,
    from_dict,
    load,
    tokens,
)
from mailbot.understand.verdict import REQUEST_TYPES

TEXTS = [
    ("Verzoek", "Wil je al m'n info uit jullie webshop floepen? Heb toch nooit meer iets nodig."),
    ("question about my order", "I typed my house number wrong on order 21044, can you fix the label?"),
    ("", "Bitte tragen Sie die neue Anschrift in meinem Kundenkonto ein."),
    ("", ""),
]


def mail(text: str, subject: str = "", headers: tuple[tuple[str, str], ...] = ()) -> Message:
    return Message(message_id="<m@example.nl>", from_addr="klant@example.nl", subject=subject, text=text,
                   quoted="", headers=headers)


def toy(request_bias: float = 0.0) -> TextModel:
    """A hand-made model: "floepen" says erasure request (P about 0.9 in a short mail), nothing else counts; its
    blend follows the model alone, shifted by ``request_bias``."""
    heads = ("request", *REQUEST_TYPES)
    erasure = tuple(40.0 if head in ("request", "erasure") else 0.0 for head in heads)
    blend = Blend((request_bias, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0),
                  {t: (0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0) for t in REQUEST_TYPES})
    return TextModel(heads, (-2.0,) * len(heads), {"w:floepen": erasure}, blend)


def test_the_model_is_shipped_small_and_loaded_by_the_classifier() -> None:
    assert SHIPPED_PATH.is_file() and SHIPPED_PATH.stat().st_size < 2_000_000
    model = classify_module.SHIPPED
    assert model is not None and model.heads == ("request", *REQUEST_TYPES, "authority", "withdrawal")
    # the blend listens to both sides: the rules' score and the model's log-odds push the same way in every head
    assert model.blend.request[1] > 0 and model.blend.request[5] > 0
    assert all(model.blend.types[t][1] > 0 and model.blend.types[t][5] > 0 for t in REQUEST_TYPES)
    assert set(model.blend.flags) == {"authority", "withdrawal"} and all(w[2] > 0 for w in model.blend.flags.values())
    assert "referee" in str(model.meta["trained_on"])  # says which mails it was not trained on


@pytest.mark.parametrize(("subject", "text"), TEXTS)
def test_scores_are_deterministic_and_match_the_training_features(subject: str, text: str) -> None:
    model = load()
    assert model is not None
    folded_subject, folded_text = fold(subject), fold(text)
    first = model.opinion(folded_subject, folded_text)
    again = load().opinion(folded_subject, folded_text)  # type: ignore[union-attr]
    assert first == again and first == model.opinion(folded_subject, folded_text)
    # the runtime's cached per-word sums equal the plain dot product over the features training reads
    vector = next(count_features([tokens(f"{folded_subject}\n{folded_text}")]))
    for index, logit in enumerate(model.raw(tokens(f"{folded_subject}\n{folded_text}"))):
        expected = model.bias[index] + sum(value * model.weights.get(name, (0.0,) * len(model.heads))[index]
                                           for name, value in vector.items())
        assert math.isclose(logit, expected, abs_tol=1e-9)
    assert all(0.0 < p < 1.0 for p in (first.request, *first.types.values()))


def test_file_round_trips_through_the_loader(tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(SHIPPED_PATH.read_text(encoding="utf-8"))
    assert set(data) == {"heads", "bias", "weights", "blend", "meta"}
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert load(path).opinion("verzoek", "verwijder alles") == load().opinion("verzoek", "verwijder alles")  # type: ignore[union-attr]
    assert load(tmp_path / "missing.json") is None


def test_a_request_only_the_model_reads_is_explained_with_probability_and_words() -> None:
    rules = classify(mail("Wil je al m'n info floepen?"), model=None)
    verdict = classify(mail("Wil je al m'n info floepen?"), model=toy())
    assert not rules.is_request
    assert verdict.is_request and verdict.types == ("erasure",)
    assert verdict.evidence[0].startswith("request: erasure (confidence")
    assert any(re.fullmatch(r"model: request 0\.\d\d \(words: floepen.*\); weighed with the rules: 0\.\d\d", line)
               for line in verdict.evidence)
    assert any(line.startswith("model: erasure") and "adds erasure" in line for line in verdict.evidence)
    assert f"rules alone: {rules.evidence[0]}" in verdict.evidence  # the rules' own reading stays visible
    assert verdict.confidence < rules.confidence


def test_a_blend_that_doubts_the_rules_overrules_them_and_says_so() -> None:
    text = "Verwijder al mijn gegevens."
    rules = classify(mail(text), model=None)
    verdict = classify(mail(text), model=toy(request_bias=-5.0))
    assert rules.is_request and rules.types == ("erasure",)
    assert not verdict.is_request and verdict.types == ()
    assert verdict.evidence[0].startswith("not a request (confidence")
    assert f"rules alone: {rules.evidence[0]}" in verdict.evidence


def test_the_peak_of_one_sentence_stands_out_in_a_long_mail() -> None:
    model = toy()
    long_mail = "Ik heb een vraag over mijn laptop die niet opstart na de update van vorige week. " * 6 + (
        "Wil je al mijn info floepen.")
    whole = model.opinion("", fold(long_mail)).types["erasure"]
    peak = model.sentence_peaks("", fold(long_mail))["erasure"]
    assert peak > 0.9 > whole
    assert model.sentence_peaks("", "kort") == dict.fromkeys(REQUEST_TYPES, 0.0)  # too short to be a sentence


def test_machine_mail_withdrawal_and_authority_stay_with_the_rules() -> None:
    eager = toy(request_bias=10.0)
    auto = classify(mail("Ik ben afwezig, floepen", headers=(("Auto-Submitted", "auto-replied"),)), model=eager)
    assert auto.auto_generated and not auto.is_request
    body_only = classify(mail("Dit is een automatisch antwoord. floepen"), model=eager)
    assert body_only.auto_generated and not body_only.is_request
    withdrawn = classify(mail("Ik trek mijn verzoek in, floepen is niet nodig."), model=eager)
    assert withdrawn.withdrawal and not withdrawn.is_request


def test_the_blend_flags_a_withdrawal_or_authority_mail_the_rules_missed() -> None:
    heads = ("request", *REQUEST_TYPES, "authority", "withdrawal")
    weights = {"w:laatmaar": tuple(40.0 if head == "withdrawal" else 0.0 for head in heads),
               "w:toezichthouder": tuple(40.0 if head == "authority" else 0.0 for head in heads)}
    neutral = (0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0)
    blend = Blend(neutral, dict.fromkeys(REQUEST_TYPES, neutral), dict.fromkeys(("authority", "withdrawal"),
                                                                                  (0.0, 0.0, 1.0)))
    model = TextModel(heads, (-2.0,) * len(heads), weights, blend)
    withdrawn = classify(mail("Dat verzoek van gisteren: laatmaar."), model=model)
    assert classify(mail("Dat verzoek van gisteren: laatmaar."), model=None).withdrawal is False
    assert withdrawn.withdrawal and not withdrawn.is_request and withdrawn.types == ()
    assert withdrawn.evidence[0].startswith("not a request; withdraws an earlier request (confidence")
    assert any(line.startswith("model: withdrawal") and "laatmaar" in line for line in withdrawn.evidence)
    reported = classify(mail("Ik heb een klacht ingediend bij de toezichthouder."), model=model)
    assert reported.authority and not reported.withdrawal
    assert "from or about an authority" in reported.evidence[0]


def test_own_words_is_what_both_read() -> None:
    reading = read(mail("Graag  VERWIJDEREN", subject="Re: Löschung"))
    assert (reading.subject, reading.own) == ("loschung", "graag verwijderen")


def test_from_dict_keeps_the_blend() -> None:
    data = {"heads": ["request", *REQUEST_TYPES], "bias": [0.0] * 7, "weights": {"w:x": [1.0] * 7},
            "blend": {"request": [0.5, *range(1, 9)], **{t: [0.1, *range(1, 9)] for t in REQUEST_TYPES}}}
    model = from_dict(data)
    assert model.blend == Blend((0.5, *range(1, 9)), {t: (0.1, *range(1, 9)) for t in REQUEST_TYPES})
    assert model.opinion("", "x").request > model.opinion("", "y").request
    assert model.blend.p_request((0.0,) * 8) == pytest.approx(1 / (1 + math.exp(-0.5)))
