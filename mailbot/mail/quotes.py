"""Split a mail's plain text into the sender's own words, the mail they quoted or forwarded, and their signature.

The classifier must judge only what the sender wrote now: a customer who replies above our own acknowledgement, or
forwards an old request, must not be read as asking again for everything the quoted mail says. Mail clients mark
quotes in a handful of ways (``>`` prefixes, an "On ... wrote:" line, an Outlook header block, a forward banner);
this module knows those in Dutch, English, German and French.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Parts:
    text: str
    quoted: str
    signature: str


# "On Mon, 3 Feb 2025 at 10:12, Jan <jan@example.nl> wrote:" and its translations; Gmail may wrap it over lines.
_ATTRIBUTION = re.compile(
    r"""^(?:
        on\b.{0,200}\bwrote\s*:
      | op\b.{0,200}\b(?:schreef\b.{0,200}|het\ volgende\ geschreven\s*):
      | am\b.{0,200}\bschrieb\b.{0,200}:
      | le\b.{0,200}\ba\ écrit\s*:
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_ATTRIBUTION_START = re.compile(r"(?:on|op|am|le)\b", re.IGNORECASE)
# Banners after which everything is the earlier mail (Outlook, Thunderbird, Gmail, Apple Mail).
_BANNER = re.compile(
    r"""^\s*(?:
        -{2,}\s*(?:original\ message|oorspronkelijk\ bericht|originele\ bericht|ursprüngliche\ nachricht
                 |originalnachricht|message\ d'origine|forwarded\ message|doorgestuurd\ bericht
                 |weitergeleitete\ nachricht|message\ transféré)\s*-{2,}
      | (?:begin\ forwarded\ message|begin\ doorgestuurd\ bericht|anfang\ der\ weitergeleiteten\ nachricht)\s*:
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_HEADER_FROM = re.compile(r"^\s*(?:from|van|von|de)\s*:\s*\S", re.IGNORECASE)
_HEADER_NEXT = re.compile(
    r"^\s*(?:sent|date|verzonden|datum|gesendet|envoyé|to|aan|an|à|subject|onderwerp|betreff|objet|cc)\s*:",
    re.IGNORECASE,
)
_UNDERSCORES = re.compile(r"^\s*_{10,}\s*$")

_DELIMITER = re.compile(r"^--\s*$")
_MOBILE = re.compile(
    r"""^\s*(?:
        sent\ from\ my\ |sent\ from\ outlook|get\ outlook\ for\ |envoyé\ de\ mon\x20
      | (?:verstuurd|verzonden)\ (?:vanaf|met|via)\ |von\ meinem\ .{0,40}\ gesendet|gesendet\ (?:von|mit)\x20
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_DISCLAIMER = re.compile(
    r"""^\s*(?:disclaimer\b|confidentiality\ notice|dit\ (?:e-?mail)?bericht\ is\ (?:uitsluitend|alleen)\ bestemd
      |de\ informatie\ (?:verzonden\ met|in)\ dit\ e-?mail|this\ e-?mail\ (?:message\ )?(?:and\ any\ |is\ )
      |this\ message\ (?:and\ any\ |is\ (?:intended|confidential))|the\ information\ (?:contained\ )?in\ this\ e-?mail
      |diese\ e-?mail\ (?:enthält|ist\ vertraulich)|dieses\ e-?mail\ enthält|ce\ message\ (?:et\ |est\ )
    )""",
    re.IGNORECASE | re.VERBOSE,
)
# A sign-off alone on its line, perhaps followed by a name: "Met vriendelijke groet,", "Kind regards, Jan".
_SIGN_OFF = re.compile(
    r"""^\s*(?:
        (?:met\ )?(?:vriendelijke|hartelijke|beste)\ groet(?:en)?|groetjes|groeten|groet|gr\.|m\.?v\.?g\.?
      | (?:kind|best|warm|many\ thanks\ and|with\ kind)\ regards|regards|best\ wishes|cheers|thanks|thank\ you
      | (?:alvast\ )?bedankt|dank\ je(?:\ wel)?|dank\ u(?:\ wel)?|danke|vielen\ dank
      | mit\ freundlichen\ grüßen|mit\ freundlichen\ grüssen|mfg|viele\ grüße|viele\ grüsse|liebe\ grüße|beste\ grüße
      | grüße|gruß|cordialement|bien\ cordialement|bien\ à\ vous
    )[\s,.!]*(?:(?-i:[A-ZÀ-Ý])[\w.'-]*(?:\ (?:(?-i:[A-ZÀ-Ý])|van|de|der|den|ter|von|zu)[\w.'-]*){0,3})?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
# A sign-off starts the signature only if little follows it: a name, a title, an address block, a disclaimer.
_SIGN_OFF_MAX_TAIL = 15
_SENTENCE = re.compile(r"\?\s*$|^\s*(?:\S+\s+){4,}\S*[.!:]\s*$")


def split(text: str) -> Parts:
    """Own words, quoted/forwarded mail and signature of a plain-text body."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    own, quoted = _split_quotes(lines)
    cut = _signature_start(own)
    return Parts(text=_join(own[:cut]), quoted=_join(quoted), signature=_join(own[cut:]))


def _split_quotes(lines: list[str]) -> tuple[list[str], list[str]]:
    """Own lines and quoted lines. ``>`` lines may be interleaved with answers; a banner ends the own part."""
    own: list[str] = []
    quoted: list[str] = []
    i = 0
    while i < len(lines):
        if _starts_block(lines, i):
            return own, quoted + lines[i:]
        span = _attribution_span(lines, i)
        if span:
            following = next((line for line in _from(lines, i + span) if line.strip()), "")
            if not following.lstrip().startswith(">"):  # an unprefixed quote runs to the end
                return own, quoted + lines[i:]
            quoted.extend(lines[i : i + span])
            i += span
            continue
        (quoted if lines[i].lstrip().startswith(">") else own).append(lines[i])
        i += 1
    return own, quoted


def _starts_block(lines: list[str], i: int) -> bool:
    line = lines[i]
    if _BANNER.match(line):
        return True
    if _UNDERSCORES.match(line):
        return any(_is_header_block(lines, j) for j in range(i + 1, min(i + 4, len(lines))))
    return _is_header_block(lines, i)


def _is_header_block(lines: list[str], i: int) -> bool:
    """``From: ...`` followed closely by ``Sent:``/``Date:``/``To:``... as Outlook and forwards write them."""
    if not _HEADER_FROM.match(lines[i]):
        return False
    return any(_HEADER_NEXT.match(line) for line in lines[i + 1 : i + 5])


def _attribution_span(lines: list[str], i: int) -> int:
    """How many lines (1-3) the attribution starting at line ``i`` takes, or 0 when there is none."""
    if not _ATTRIBUTION_START.match(lines[i]):
        return 0
    for span in (1, 2, 3):
        if i + span > len(lines):
            break
        if _ATTRIBUTION.match(" ".join(line.strip() for line in lines[i : i + span])):
            return span
    return 0


def _signature_start(lines: list[str]) -> int:
    """Index of the first signature line, or ``len(lines)``.

    A sign-off counts only after some own words (a body may start with "Groeten uit Delft,") and only when what
    follows it looks like a signature, so "Thanks!" followed by one more question keeps the question.
    """
    filled = [i for i, line in enumerate(lines) if line.strip()]
    for i in filled:
        if _strong_marker(lines[i]):
            return i
        if i != filled[0] and _SIGN_OFF.match(lines[i]) and _signature_like_tail(lines, i + 1):
            return i
    return len(lines)


def _strong_marker(line: str) -> bool:
    return bool(_DELIMITER.match(line) or _MOBILE.match(line) or _DISCLAIMER.match(line))


def _signature_like_tail(lines: list[str], start: int) -> bool:
    """A few short lines (name, title, address, phone) up to the end or to a delimiter, footer or disclaimer."""
    count = 0
    for line in _from(lines, start):
        if _strong_marker(line):
            return True
        if line.strip():
            count += 1
            if count > _SIGN_OFF_MAX_TAIL or _SENTENCE.search(line):
                return False
    return True


def _from(lines: list[str], start: int) -> Iterator[str]:
    """Lines from ``start`` on without copying the list (slicing per line would make long mails quadratic)."""
    return (lines[j] for j in range(start, len(lines)))


def _join(lines: list[str]) -> str:
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in lines)).strip("\n")
