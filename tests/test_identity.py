"""The identity verdict for every combination of customer, server verdict and Reply-To."""

from __future__ import annotations

import itertools

import pytest

from mailbot.identity import judge
from mailbot.mail.message import AuthResults, Message

SENDER = "jan@example.nl"


def mail(auth: AuthResults, reply_to: tuple[str, ...] = ()) -> Message:
    return Message(message_id="<1@example.nl>", from_addr=SENDER, auth=auth, reply_to=reply_to)


AUTH = {
    "pass": AuthResults(dmarc="pass", compauth="pass", spf="pass", dkim="pass"),
    "fail": AuthResults(dmarc="fail", compauth="fail", spf="fail", dkim="none"),
    "none": AuthResults(),
}
REPLY_TO = {False: (), True: ("other@elsewhere.example",)}


# The rule, spelled out per combination (known customer, server verdict, Reply-To elsewhere).
EXPECTED = {
    (True, "pass", False): "verified",
    (True, "pass", True): "identify",
    (True, "none", False): "identify",
    (True, "none", True): "identify",
    (True, "fail", False): "forged",
    (True, "fail", True): "forged",
    (False, "pass", False): "identify",
    (False, "pass", True): "identify",
    (False, "none", False): "identify",
    (False, "none", True): "identify",
    (False, "fail", False): "forged",
    (False, "fail", True): "forged",
}


COMBINATIONS = list(itertools.product((True, False), AUTH, REPLY_TO))


@pytest.mark.parametrize(("known", "auth", "elsewhere"), COMBINATIONS)
def test_every_combination(known: bool, auth: str, elsewhere: bool) -> None:
    verdict = judge(mail(AUTH[auth], REPLY_TO[elsewhere]), known_customer=known)
    assert verdict.outcome == EXPECTED[(known, auth, elsewhere)]
    assert verdict.known_customer is known
    assert verdict.authentication == auth
    assert verdict.reply_to_elsewhere is elsewhere
    text = " ".join(verdict.reasons)
    assert ("is a known customer" in text) is known
    assert ("other@elsewhere.example" in text) is elsewhere
    assert ("forged" in text) is (auth == "fail")
    assert ("must identify" in text) is (verdict.outcome == "identify")


@pytest.mark.parametrize(
    ("dmarc", "compauth", "expected"),
    [
        ("pass", None, "pass"),
        (None, "pass", "pass"),
        ("PASS", None, "pass"),
        ("pass", "softpass", "pass"),
        ("fail", None, "fail"),
        (None, "fail", "fail"),
        (" Fail ", None, "fail"),
        ("pass", "fail", "fail"),  # a fail outweighs a pass
        ("fail", "pass", "fail"),
        ("bestguesspass", None, "none"),
        (None, "softpass", "none"),
        ("bestguesspass", "softpass", "none"),
        ("bestguesspass", "pass", "pass"),
        ("none", "none", "none"),
        ("temperror", None, "none"),
        ("permerror", None, "none"),
        (None, "softnone", "none"),
        (None, None, "none"),
    ],
)
def test_result_words(dmarc: str | None, compauth: str | None, expected: str) -> None:
    verdict = judge(mail(AuthResults(dmarc=dmarc, compauth=compauth)), known_customer=True)
    assert verdict.authentication == expected
    assert verdict.outcome == {"pass": "verified", "fail": "forged", "none": "identify"}[expected]


def test_spf_and_dkim_alone_do_not_authenticate_the_from_address() -> None:
    verdict = judge(mail(AuthResults(spf="pass", dkim="pass")), known_customer=True)
    assert (verdict.authentication, verdict.outcome) == ("none", "identify")
    assert "no DMARC or compauth verdict" in " ".join(verdict.reasons)


def test_reasons_name_the_server_verdict() -> None:
    verdict = judge(mail(AuthResults(dmarc="bestguesspass", compauth="softpass")), known_customer=True)
    assert "DMARC=bestguesspass, compauth=softpass" in " ".join(verdict.reasons)


@pytest.mark.parametrize(
    ("reply_to", "elsewhere"),
    [
        ((SENDER,), False),
        (("Jan@Example.NL",), False),
        ((SENDER, "other@elsewhere.example"), True),
    ],
)
def test_reply_to_compared_with_from(reply_to: tuple[str, ...], elsewhere: bool) -> None:
    verdict = judge(mail(AUTH["pass"], reply_to), known_customer=True)
    assert verdict.reply_to_elsewhere is elsewhere
    assert verdict.outcome == ("identify" if elsewhere else "verified")


def test_verdict_is_frozen() -> None:
    verdict = judge(mail(AUTH["pass"]), known_customer=True)
    with pytest.raises(AttributeError):
        verdict.outcome = "forged"  # type: ignore[misc]
