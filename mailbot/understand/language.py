"""Language of the sender's own words, by counting frequent words of each supported language.

Mail is short and the choice is among a handful of languages, so a table of function words and mail
phrases beats a general-purpose detector here: it is offline, needs no model, runs in microseconds and
falls back to the given default instead of guessing on one-word mails (see docs/classifier.md).
"""

from __future__ import annotations

import re
import unicodedata

# Words that are frequent in mail of one language and rare in the others. Words shared by two languages
# ("in", "is", "die", "des", "van" ...) are either left out or listed under the language where they are
# decisive; the counts only need to rank the candidates.
_WORDS: dict[str, str] = {
    "nl": """de het een en van ik je jij u uw jullie mijn mij me m'n niet wel ook maar dat dit deze zijn
        wil wilt graag kunnen kunt kan zou zouden heb hebt hebben heeft is was wordt worden werd naar voor
        met bij uit aan op om over tot nog al geen meer welke wat hoe waarom wanneer waar alstublieft
        alsjeblieft aub svp bedankt dank dankjewel dankuwel groet groeten vriendelijke hartelijke geachte
        beste hallo hoi heer mevrouw verzoek gegevens persoonsgegevens bestelling klant sturen stuur
        verwijderen verwijder aanpassen graag alvast mvg gr zo snel mogelijk onze ons zich hun er dan
        daar hier toch even bent ben gaan ga gedaan moet moeten mag mogen""",
    "en": """the a an and of to i you your my me we our us is are was were be been have has had do does
        did not no yes please thanks thank regards kind best dear hello hi would could can will should
        what which who how why when where this that these those it its with from for on at by about
        any all some data information request delete order account customer sincerely cheers hey just
        there their they them him her she he also but or if so than then into out up want need like get
        i'm i've don't can't won't it's you're""",
    "de": """der die das den dem des ein eine einen einem einer und ich du sie ihr ihre ihren ihrem ihnen
        mein meine meinen meinem meiner mich mir wir uns unser nicht kein keine auch aber oder wenn dass
        ist sind war waren wird werden wurde habe hast haben hat bitte danke vielen dank gruss grusse
        grussen freundlichen geehrte geehrter sehr liebe lieber hallo moin mit von zu zur zum bei aus
        auf fur uber unter nach vor wie was welche welcher warum wann wo sowie daten personenbezogenen
        bestellung kunde konto loschen auskunft anfrage mochte mochten konnen konnten wurden sollen
        gespeichert gespeicherten herr frau diese dieser dieses noch schon nur""",
    "fr": """le la les un une des du et je tu vous nous mon ma mes votre vos notre nos ne pas plus est
        sont etait suis ai avez avons a ont etre avoir pour avec dans sur par que qui quoi quel quelle
        quelles quels comment pourquoi merci bonjour bonsoir madame monsieur cordialement salutations
        veuillez pourriez pouvez voudrais souhaite demande donnees personnelles commande compte client
        mais ou donc car ce cette ces ceci cela ca tres bien aussi leur leurs me moi toi lui elle ils
        elles au aux en""",
}

_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?")
_TABLE: dict[str, tuple[str, ...]] = {}
for _lang, _words in _WORDS.items():
    for _word in _words.split():
        _TABLE.setdefault(_word, ())
        _TABLE[_word] = (*_TABLE[_word], _lang)

SUPPORTED = tuple(_WORDS)


def fold(text: str) -> str:
    """Lower-case and strip accents, so "Löschen", "loschen" and "LÖSCHEN" compare equal."""
    text = text.lower().replace("ß", "ss").replace("’", "'")
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def language_scores(text: str) -> dict[str, float]:
    """Evidence per language: each known word counts 1, split over the languages that share it."""
    scores = dict.fromkeys(SUPPORTED, 0.0)
    for token in _TOKEN.findall(fold(text)):
        langs = _TABLE.get(token)
        if langs:
            share = 1.0 / len(langs)
            for lang in langs:
                scores[lang] += share
    return scores


def detect_language(text: str, default: str) -> str:
    """ISO 639-1 code of ``text``; ``default`` when the text holds too little to tell (one word, a tie)."""
    scores = language_scores(text)
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    if top < 1.5 or top - second < 1.0:
        return default
    return best
