"""The phrases that make a mail a data-subject request, per right and language, and the contexts that unmake it.

Patterns run on folded text (lower case, accents stripped: ``fold`` in language.py), so "löschen" is written
``loschen``. They are written from the policy's wording and from how people phrase each right in Dutch,
English, German and French, tolerating common typos and inflections — never copied from a corpus mail.

A ``Rule`` adds its weight to one request type; a type whose sum reaches ``THRESHOLD`` is requested.
Strong rules (the right's own name, an article citation) reach it alone; "verb near my data" rules reach it
alone too, but are the ones that negation, conditionals and order/newsletter context can cancel.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

THRESHOLD = 1.0


@dataclass(frozen=True)
class Rule:
    name: str
    kind: str  # a request type, or "withdrawal", "authority", "negative"
    weight: float
    pattern: re.Pattern[str]
    strong: bool = False  # the right itself is named: negative context cannot cancel it
    yields_to: str = ""  # a type that, when chosen, explains this phrase better ("a copy" as a file to move)
    negation_inside: bool = False  # the phrase itself says "not" ("no longer use"): no negation check
    family: bool = False  # a word-family rule: counts only where no phrase rule of its kind matched the same text


def _gap(n: int) -> str:
    """Up to ``n`` words in between, not crossing a sentence end."""
    return rf"(?:[\s,]+[^\s.!?;:]+){{0,{n}}}?[\s,]+"


def near(a: str, b: str, n: int = 4, both: bool = True) -> str:
    """``a`` then ``b`` within ``n`` words (and ``b`` then ``a`` when ``both``)."""
    forward = rf"\b(?:{a}){_gap(n)}(?:{b})"
    return rf"{forward}|\b(?:{b}){_gap(n)}(?:{a})" if both else forward


# Vocabulary, folded. Typos people make on phones are part of the lists.
MY = (
    r"mijn|mn|m'n|mij|me|my|mine|mein|meine|meinen|meinem|meiner|meines|mich|mir|mon|ma|mes|onze|ons|our|"
    r"unsere|unserer|unseren|nos|notre"
)
DATA = (
    r"(?:persoons?|klant|klanten|account|contact|persoonlijke\s|bedrijfs|adres|betaal|inlog|bank|factuur|"
    r"prive|naw-?)?(?:gegevens|gegevnes|gegevns|gegeven|gegevenss|gevens|data)"
    r"|personal\s(?:data|details|information|info)|(?:data|information|info|infos|informations|details|records?)"
    r"|(?:personenbezogenen?\s|personlichen?\s|kunden)?(?:daten|angaben|informationen)"
    r"|(?:donnees|informations)(?:\spersonnelles)?"
)
ACCOUNT = (
    r"(?:klant|webshop|gebruikers|user|customer|kunden|benutzer)?(?:account|acount|acc|profiel|profile|konto"
    r"|kundenkonto|compte|registratie|registrierung)"
)
DELETE = (
    r"verwijder\w*|verwijdr\w*|verwyder\w*|wis|wist|gewist|vernietig\w*|deleten?|delete[ds]?|delte|"
    r"deleet|erase[ds]?|remove[ds]?|wipe|destroy|purge|losch\w*|loesch\w*|geloscht|geloescht|entfern\w*|vernicht\w*|supprim\w*|"
    r"effac\w*|opruimen|op\s+te\s+ruimen|ruim(?=\s(?:\w+\s){0,4}?op\b)|weghalen|weg\s+te\s+halen|schrap\w*|"
    r"geschrapt"
)
CLOSE = (
    r"opheffen|hef|opzeggen|zeg|sluit|sluiten|afsluiten|beeindig\w*|stopzetten|close|closing|cancel|terminate|deactivate|"
    r"schliess\w*|kundig\w*|auflos\w*|fermer|cloturer|resilier"
)
CHANGE = (
    r"corrig\w*|correct\w*|aanpas\w*|aan\s+te\s+passen|pas(?=\s(?:\w+\s){0,4}?aan\b)|wijzig\w*|verander\w*|"
    r"updat\w*(?!\s(?:on|about|over|regarding|zu|uber))|"
    r"verbeter\w*+(?!\s(?:van\s)?(?:uw|jullie|de|onze|hun)\s(?:dienst\w*|service\w*|website|product\w*))|"
    r"fix|amend|change|edit|berichtig\w*|korrigier\w*|aender\w*|andern|anderung\w*|geandert|"
    r"abandern|aktualisier\w*|modifi\w*|"
    r"rectifi\w*|mettre\s+a\s+jour|aangepast|gewijzigd|veranderd|gecorrigeerd|verbeterd|geupdate|"
    r"richtigstell\w*|richtigzustellen|richtig\s(?:zu\s)?stellen|rechtzetten|recht\ste\szetten|rechtgezet|"
    r"austausch\w*|auszutauschen|ersetz\w*|vervang\w*|replace\w*|swap"
)
PERSONAL_FIELD = (
    r"naam|achternaam|voornaam|(?:(?:factuur|aflever|bezorg|post|woon|werk|prive|huis|vestigings|bezoek|reken|"
    r"correspondentie|e-?mail|mail)-?)?adres(?:se)?|(?:bank)?rekeningnummer|iban|bank\s?account(?:\snumber)?|"
    r"bankgegevens|bank\sdetails|bankverbindung|kontonummer|huisnummer|postcode|telefoonnummer|telefoon|tel\.?nr|"
    r"mobiele\snummer|06-?nummer|e-?mailadres|mailadres|geboortedatum|name|surname|last\sname|first\sname|"
    r"address|phone(?:\snumber)?|mobile(?:\snumber)?|e-?mail\saddress|date\sof\sbirth|postcode|zip\scode|"
    r"nachname|vorname|anschrift|adresse|wohnadresse|telefonnummer|handynummer|geburtsdatum|nom|prenom|"
    r"numero\sde\stelephone|date\sde\snaissance|spelling|schrijfwijze|schreibweise|geboortejaar|geburtsjahr|"
    r"year\sof\sbirth|birth\syear"
)
WRONG = (
    r"verkeerd\w*|fout\w*|onjuist\w*|niet\s(?:juist|correct|goed|meer\sactueel|klopt)|klopt\sniet|incorrect|"
    r"wrong|misspelt|misspelled|spelled\swrong|spelt\swrong|outdated|out\sof\sdate|not\scorrect|inaccurate|"
    r"falsch\w*|nicht\s(?:korrekt|richtig|aktuell)|veraltet\w*|fehlerhaft\w*|inexact\w*|errone\w*|faux|fausse|"
    r"oude|still\sthe\sold|noch\sdie\salte|(?:ist|is)\s(?:\w+\s){0,3}?(?:tot|dead|dood|afgesloten|"
    r"abgemeldet|no\slonger\s(?:in\suse|valid|active)|niet\smeer\sin\sgebruik|nicht\smehr\s(?:gultig|aktiv))\b"
)
RECORDS = (
    r"administratie|systeem|systemen|bestand|bestanden|klantenbestand|database|databank|databases|records|system|"
    r"systems|files|mailbestand|adressenbestand|klantenlijst|"
    r"database|crm|klantgegevens|klantprofiel|kundendaten|datenbank|kartei|kundendatei|system|fichier|"
    r"base\sde\sdonnees|account|profiel|profile|konto|kundenkonto|compte|bij\sjullie|bij\su|bekend|unterlagen|"
    r"kundendaten"
)
FILE_FORMAT = (
    r"csv|excel|xlsx?|json|xml|spreadsheet|machineleesba\w*|machine[-\s]?readable|maschinenlesba\w*|"
    r"gestructureerd\w*|structured|strukturiert\w*|gangig\w*|(?:digitaal|elektronisch|digitale|"
    r"elektronische)\sbestand|(?:in|als)\s(?:een\s)?(?:\w+\s)?bestand|(?:in|as)\sa\s(?:\w+\s)?file|"
    r"(?:als|in\seiner)\s(?:\w+\s)?datei|\w+-datei|(?:sous\sforme\sde|dans\sun)\sfichier|export\w*|zip|"
    r"(?:in|als|as)\s(?:a|an|een|einem|ein)\s(?:\w+\s){0,2}?(?:format|formaat|formát)"
)
ELSEWHERE = (
    r"andere|ander|another|new|nieuwe|other|anderen|andere[nmr]?|neue[nmr]?|autre|nouveau|nouvel|concurrent|"
    r"elsewhere|ergens\sanders|woanders|ailleurs|overstap\w*|switch\w*|wechsel\w*|meenemen|mee\snemen|"
    r"overzetten|overdragen|overbrengen|transfer\w*|port\w*|ubertrag\w*|mitnehmen|transferer"
)
# Marketing by phone and text, and its promotions: objected to like a newsletter.
CHANNELS = (
    r"sms\w*|sms'?jes|texts|text\smessages|whatsapp\w*|telefoontjes|belletjes|calls|phone\scalls|cold\scalls|"
    r"anrufe\w*|werbeanruf\w*|appels|kortingscode\w*|acties|actiemail\w*|rabattcode\w*|gutschein\w*|coupons|deals|"
    r"werbemails?|promomails?"
)
NEWSLETTER = (
    r"nieuwsbrie\w*|nieuwsbrief|mailing\w*|maillijst|mailinglijst|verzendlijst|mailings?|reclame\w*|"
    r"aanbieding\w*|promoti\w*|marketing|commerciele|newsletters?|mailing\s?list|e-?mail\s?list|"
    r"promotional|promo\w*|advertis\w*|offers|spam|newsletter|werbung|werbe\w*|rundbrief|verteiler|"
    r"infobrief|lettre\sd'information|publicit\w*|prospection|sms-?(?:berichten|marketing)|" + CHANNELS
)
# Mailing lists and what is sent on them: "remove my address from your list" objects, it does not erase.
LISTS = rf"{NEWSLETTER}|\w*list\w*|\w*lijst\w*|\w*liste\w*|verteiler"
# Verbs of throwing out that are not in DELETE: "gooi ... weg", "wipe", "nuke", "schmeißt ... raus".
DISCARD = (
    r"gooi\w*|weggooi\w*|weg\s?doen|wipe[ds]?|wiping|scrub\w*|nuke[ds]?|get\srid|rid\sof|purg\w*|tilg\w*|"
    r"schmeiss\w*|schmeis\w*|rausschmeiss\w*|rauswerf\w*|rauswirf\w*|streich\w*|eliminer\w*|detrui\w*"
)
# What is theirs: their data, a detail, their account or number, everything about them.
THEIRS = (
    rf"(?:{MY})\s(?:[\w-]+\s){{0,2}}?(?:{DATA}|{PERSONAL_FIELD}|{ACCOUNT}|nummer|number|nummern?|numero)\b|"
    r"(?:alles|everything|alle[sn]?|tout)\s(?:\w+\s)?(?:over|van|about|on|uber|von|sur)\s(?:mij|me|mich|moi)\b"
)
# Verbs and phrases of stopping or refusing mail, calls and newsletters.
STOP_MARKETING = (
    r"stop\w*|quit|cease|halt|arrete\w*|ophouden|afmeld\w*|meld\s(?:\w+\s)?af|uitschrijv\w*|uitschrijven|"
    r"(?:van|uit|from|off|aus|von)\s(?:\w+\s){0,3}?(?:halen|te\shalen|haal|haalt|nehmen|streichen)|"
    r"unsubscrib\w*|opt[\s-]?out|abbestell\w*|austrag\w*|abmeld\w*|desabonn\w*|desinscri\w*|sparen|"
    r"(?:wil|wij|willen|want|will|wollen|mochte|veux|voulons)\s(?:\w+\s){0,2}?(?:geen|niet|no|keine?n?|nicht|"
    r"pas|plus)\b|don't\swant|do\snot\swant|no\smore|niet\smeer\s(?:ontvangen|krijgen|hebben|sturen)|"
    r"nicht\smehr\s(?:bekommen|erhalten|schicken|senden|zusenden)|mag\s(?:\w+\s)?(?:stoppen|weg|ophouden)|"
    r"kann\s(?:\w+\s)?(?:weg|aufhoren)|can\sstop|kunnen\s(?:\w+\s)?stoppen|konnt\s(?:\w+\s)?(?:sparen|"
    r"stoppen|lassen)"
)
# Things a customer deletes or changes that are not their personal data held by the shop.
NOT_RECORDS = (
    r"bestelling\w*|order\w*|bestellung\w*|commande\w*|winkelwag\w*|cart|basket|shopping\sbag|warenkorb|panier|"
    r"review\w*|recensie\w*|beoordeling\w*|bewertung\w*|rezension\w*|avis|wishlist|verlanglijst\w*|wunschliste|"
    r"reactie|comment\w*|kommentar\w*|foto\w*|photo\w*|bild|afspraak|appointment|termin|offerte\w*|quote|angebot"
)
# "Change it", "korrigieren Sie das": the detail was named before.
PRONOUN = r"das|dies|dat|dit|het|it|this|that|ca|ihn|hem|deze|die|ze|es"
# A later step in a sequence: "first send me a copy, then delete it".
THEN = (
    r"daarna|vervolgens|nadien|then|afterwards|afterward|after\sthat|danach|anschliessend|ensuite|puis|apres\scela"
)
THEN_DELETE = re.compile(rf"\b(?:{THEN})[\s,]+(?:\w+\s){{0,4}}?(?:{DELETE})")
FIRST = re.compile(r"\b(?:eerst|first|zuerst|erst|d'abord|voordat|before|bevor|avant)\b")
# The sender wants a copy to read for themselves, not a file to move: access even beside portability.
OWN_READING = re.compile(
    r"\b(?:for\s(?:me|myself|my\s(?:own\s)?(?:records|files|reference))|to\sread|read\s(?:it|through|them)|"
    r"so\s(?:that\s)?i\s(?:can\s)?(?:read|see|check|look|know)|zodat\sik\s(?:\w+\s)?(?:weet|kan\s(?:zien|lezen))|"
    r"damit\sich\s(?:\w+\s){0,3}?(?:lesen|weiss|sehen)|voor\s(?:mezelf|mijzelf|mij\szelf|mijn\seigen|eigen\sgebruik|"
    r"mijn\sadministratie)|(?:door\s)?te\s(?:lezen|doorlezen|nalezen)|fur\smich\sselbst|fur\smeine\s(?:unterlagen|akten)|"
    r"(?:in\sruhe\s)?(?:zu\s|durch)?lesen|pour\smoi(?:-meme)?|pour\sles?\slire|a\slire)\b"
)
REQUEST_WORDS = r"verzoek\w*|aanvraag|request|anfrage|antrag|ersuchen|demande|vraag"
# Someone the sender writes for: their data counts as the request of the person named.
OTHER_PERSON = (
    r"(?:mijn|my|meine[mnr]?|mon|ma)\s(?:vader|moeder|zoon|dochter|man|vrouw|partner|father|mother|dad|mum|mom|"
    r"son|daughter|husband|wife|vater|mutter|sohn|tochter|mann|frau|pere|mere|fils|fille|mari|femme)"
)
# A change for this one order or invoice only: not a correction of the records, whatever else is named.
ONE_OFF = re.compile(
    r"\b(?:deze\sene|dit\sene|alleen\s(?:voor\s)?(?:deze|dit|die)\s(?:keer|bestelling|order|factuur|zending|levering)|"
    r"eenmalig|(?:this|that)\sone\s(?:time|order|invoice|delivery)|only\s(?:this|for\sthis)\s(?:\w+\s)?"
    r"(?:time|once|order|invoice|delivery)|just\s(?:this|for\sthis)\s(?:time|once|order|invoice|delivery)|one-?off|"
    r"can\sstay\sas\sit\sis|kan\s(?:gewoon\s)?blijven\s(?:zoals|staan)|nur\s(?:diese|dieses|fur\sdiese)\s(?:\w+\s)?"
    r"(?:mal|bestellung|rechnung|lieferung)|nur\seinmal|einmalig|diesmal|seulement\spour\scette|uniquement\spour\scette)\b"
)
# "If I ever wanted ..., how would that work?": a question about a later, imagined request.
SOMEDAY = re.compile(
    r"\b(?:ooit|ever|someday|one\sday|irgendwann|eines\stages|un\sjour|stel\sdat|suppose|angenommen|"
    r"hypothetisch\w*|hypothetical\w*|hypothetique\w*|(?:nu|now|jetzt)\s(?:nog\s)?(?:niet|not|nicht)|not\s(?:yet|now)|"
    r"noch\snicht|nog\sniet|pas\sencore)\b"
)

# Restriction: keep the data (do not delete) but stop using it.
ERASE_WORDS = (
    r"verwijder\w*|wissen|wis|delete\w*|erase|remove|losch\w*|gelosch\w*|supprim\w*|effac\w*|weggooien|"
    r"weg\s?(?:te\s)?gooien|gooi\w*\sweg|throw\w*\s(?:\w+\s){0,2}?away|wegwerfen|wegschmeissen|vernicht\w*"
)
# The sender says not to delete ("niet wissen", "löschen sollt ihr sie nicht", "sperren statt löschen").
NOT_DELETE = (
    r"\b(?:niet|not|nicht|ne\spas|geen|zonder|don't|dont|do\snot|never|nooit|without|ohne|statt|anstatt|"
    r"instead\sof|in\splaats\svan|rather\sthan|liever\sdan|plutot\sque|au\slieu\sde|sans)[,\s]+"
    rf"(?:\w+\s){{0,3}}?(?:{ERASE_WORDS})|"
    rf"\b(?:{ERASE_WORDS})\s(?:(?!and\b|en\b|und\b|et\b|but\b|maar\b|aber\b|mais\b)\w+\s){{0,5}}?"
    r"(?:niet|not|nicht|pas|niets|niks|nichts|nothing|rien)\b"
)
KEEP = (
    rf"{NOT_DELETE}|\b(?:bewaren|bewaar|keep|retain|behalten|behouden|aufbewahren|conserver|conservez)"
)
# Freezing the data: a pause, not an end.
HOLD = (
    r"\b(?:op\sslot|blokkeer\w*|blokkeren|bevries\w*|block\w*|freez\w*|sperr\w*|einfrier\w*|bloqu\w*|geler\b|gelez\b|"
    r"on\shold|op\shold|in\sde\swacht|auf\seis|on\sice|pauzeer\w*|pauze|pause[dr]?|stilleggen|stil\s(?:te\s)?"
    r"(?:leggen|zetten)|stilzetten|beperk\w*|einschrank\w*|restrict\w*|limit\w*)"
)
# Doing nothing more with the data ("niks meer mee doen", "stop doing anything with", "gar nichts mehr damit").
DO_NOTHING = (
    r"(?:niks|niets|nichts|nix|nothing|rien)\s(?:meer\s|mehr\s|more\s|plus\s)?(?:\w+\s){0,3}?"
    r"(?:mee|met|mit|damit|with|avec)\b(?!\s(?:jullie|u|you|vous|ihnen|euch|dir|je|uns|us)\b)|"
    r"(?:niet|not|don't|stop|no)\s(?:\w+\s){0,4}?(?:anything|iets)\s(?:\w+\s){0,2}?(?:mee|met|with)\b"
    r"(?!\s(?:jullie|u|you)\b)"
)
STOP_USE = (
    rf"{HOLD}|{DO_NOTHING}|"
    r"(?:niet|not|nicht|no\slonger|ne\splus|geen|niets|niks|nichts|nothing|rien|don't|dont|do\snot|never|nooit|kein\w*|didn't|did\snot|"
    r"wouldn't|would\snot)[,\s]+(?:meer\s|langer\s|mehr\s|more\s)?(?:\w+[,\s]+){0,7}?("
    r"?:gebruik\w*|verwerk\w*|use|using|process\w*|verwend\w*|verarbeit\w*|nutz\w*|utilis\w*|trait\w*"
    r")|(?:gebruik\w*|verwerk\w*|use|process|verwend\w*|verarbeit\w*|nutz\w*)\s(?:\w+\s){0,3}?(?:niet"
    r"|not|nicht|no\slonger|nergens|nirgends|nowhere|niets|nichts|nothing|rien)\b|"
    r"stop\w*\s(?:\w+\s)?(?:using|processing|met\sgebruiken|met\sverwerken)"
)

# "For now" and "until it is settled": a pause, which makes "stop using my data" a restriction.
UNTIL = (
    r"totdat|tot\sdat|tot\s(?:het|dit|dat|de|die|alles|mijn|m'n|deze)\s(?:\w+\s){0,3}?(?:is|zijn|wordt)|zolang|"
    r"tot\s(?:ik|we|wij|u|jullie)\s|bis\s(?:ich|wir|sie)\s|"
    r"until|till|unless\sand\suntil|bis(?=\s(?:\w+\s){0,4}?(?:ist|sind|wurde|wird|geklart|geklaert))|solange|"
    r"jusqu'a|pending|in\safwachting|voorlopig|vooralsnog|tijdelijk|for\snow|for\sthe\stime\sbeing|"
    r"temporarily|vorerst|vorlaufig|vorubergehend|einstweilen|pour\sl'instant|temporairement"
)

PAUSE = re.compile(rf"\b(?:{UNTIL})\b")

# Negation or a conditional in the same clause, just before a match.
NEGATION = re.compile(
    r"\b(?:niet|geen|nooit|not|don't|dont|do\snot|never|no\sneed|nicht|kein\w*|nie|ne|pas|n'|zonder|without|"
    r"ohne|hoeft|hoeven|can't|cannot|couldn't|unable)\b"
)
CONDITIONAL = re.compile(r"\b(?:als|indien|wanneer|mocht|if|when|whether|wenn|falls|ob|si|what\shappens)\b")
INNER_NEGATION = re.compile(r"\b(?:niet|not|nicht|pas|don't|geen|kein\w*)\b")
# "I was wondering if you could ...", "ich wollte fragen, ob ...": an indirect question, a polite request.
INDIRECT_QUESTION = re.compile(
    r"(?:\b(?:wonder\w*|know|tell\s(?:me|us)|ask\w*|check|confirm|benieuwd|frage\s(?:mich|sie)|fragen|wissen|"
    r"mitteilen|sagen|savoir|dire|demande)\W{1,3}(?:\w+\s)?(?:if|ob|si)|\b(?:whether|ob))\s$"
)

# --- contexts in which a request phrase does not ask anything (checked by classify._blocked) ---------------------
# The right explained to the reader, as a privacy notice or newsletter does: "You have the right to access ...".
RIGHT_TOLD = re.compile(
    r"\b(?:you|u|je|jij|sie|vous|customers|klanten|kunden)\s(?:\w+\s){0,2}?(?:have|has|heeft|hebt|hebben|haben|"
    r"hat|avez|disposez)\s(?:(?!no\b|geen\b|kein|niet\b|not\b)\w+\s){0,3}?(?:right|rights|recht|rechten|rechte|"
    r"droit|droits)\b|\b(?:heeft|hebt|have|haben|avez)\s(?:u|je|you|sie|vous)\s(?:\w+\s){0,3}?(?:right|recht|"
    r"droit)\b"
)
# The sender's own right described ("ik lees dat ik recht heb op inzage") ...
RIGHT_HELD = re.compile(
    r"\b(?:ik|i|ich|je)\s(?:\w+\s)?(?:heb|have|habe|ai)\s(?:\w+\s){0,2}?(?:recht|right|droit)\b|\bik\s(?:\w+\s)?recht\sheb\b"
)
# ... and asked how it works: a question about the procedure, not yet a request.
HOW_QUESTION = re.compile(
    r"\b(?:hoe\s(?:werkt|gaat|doe|moet|kan)|how\s(?:does|do|can|would)\s(?:that|this|it|i)|wie\s(?:funktioniert|"
    r"geht|kann\sich|mache)|comment\s(?:faire|ca\smarche|puis-je)|moet\sik\s(?:daar|daarvoor|hiervoor|een)|"
    r"formulier|form\sto\sfill|formular|twijfel\w*|not\ssure\s(?:yet|whether|if)|nog\sniet\szeker)\b"
)
# Thanks for what was done ("thank you for sending the overview of my data"), not "alvast bedankt voor ...".
THANKS_FOR = re.compile(
    r"^(?!.*\b(?:alvast|in\sadvance|im\svoraus|vorab|d'avance|par\savance)\b).*"
    r"\b(?:bedankt|dank|dankjewel|dankuwel|thanks|thank\syou|danke|merci)\s(?:\w+\s){0,3}?(?:voor|for|fur|pour)\b"
    r"[^,:;]*$"
)
_PARTICIPLES = (
    r"verwijderd|gewist|geschrapt|opgeheven|deleted|erased|removed|wiped|closed|geloscht|geloescht|entfernt|"
    r"supprimee?s?|effacee?s?|aangepast|gecorrigeerd|verbeterd|corrected|updated|rectified|"
    r"berichtigt|korrigiert|corrigee?s?|ontvangen|received|gekregen|gestuurd|verstuurd|"
    r"toegestuurd|sent|erhalten|geschickt|zugeschickt|recue?s?|envoyee?s?"
)
# What has happened ("mijn gegevens zijn verwijderd", "my data has been deleted") is reported, not asked for ...
DONE_PASSIVE = re.compile(
    rf"\b(?:zijn|is|werden|werd|have\sbeen|has\sbeen|had\sbeen|were|was|wurden|wurde|sind|ist|ont\sete|a\sete)\s"
    rf"(?:\w+\s)?(?:{_PARTICIPLES})\b|\b(?:{_PARTICIPLES})\s(?:zijn|is|sind|ist|wurden|wurde)\b"
)
# ... as is what the sender has received ("ik heb de bevestiging ontvangen dat ...").
PERFECT = re.compile(
    r"(?<!\bcan\s)(?<!\bcould\s)(?<!\bmay\s)(?<!\bkan\s)(?<!\bmag\s)(?<!\bkann\s)(?<!\bto\s)"
    r"\b(?:ik|i|we|wij|ich)\s(?:\w+\s)?(?:heb|hebben|have|habe|haben)\b|\bi've\b|\bj'ai\b"
)
ANY_PARTICIPLE = re.compile(rf"\b(?:{_PARTICIPLES})\b")
PARTICIPLE = re.compile(rf"(?<!\bte\s)(?<!\bto\s)(?<!\bzu\s)\b(?:{_PARTICIPLES})\b")
# Unless the sender wants it so: "I want to be sure my data is deleted".
WANTS = re.compile(
    r"\b(?:wil|wilt|willen|wens\w*|want|wants|wish|mochte|will|verlang\w*|eis|eisen|demand|please|graag|bitte|"
    r"zorg|make\ssure|ensure|ervoor)\b"
)
# "Hoe kan ik zelf mijn e-mailadres wijzigen?": the sender asks how to change it, not that we change it.
SELF_SERVICE = re.compile(
    r"(?:\b(?:hoe|waar|how|where|wie|wo|comment|ou)\s(?:\w+\s){0,2}?|^|\W)(?:kan|kun|can|do|kann|puis|moet|must|"
    r"should)\s(?:ik|i|ich|je)\s(?:[\w-]+\s){0,4}?$"
)
# ... unless they ask to have it changed: "kan ik mijn adres laten wijzigen", "can I have my name corrected".
LET = re.compile(r"\b(?:laten|lassen|have|get|faire)\b")
DEVICE = (
    r"laptop|notebook|computer|pc|telefoon|smartphone|mobiel|gsm|tablet|ipad|iphone|macbook|imac|harde\s?schijf|"
    r"hard\s?drive|hard\s?disk|schijf|disk|hdd|ssd|usb-?stick|stick|festplatte|rechner|handy|ordinateur|disque|"
    r"nas|back-?up|cloud|icloud|onedrive|dropbox|camera|printer|router"
)
# Data on a device the shop repairs or sets up ("mijn gegevens van mijn oude laptop overzetten"), not records.
DEVICE_DATA = re.compile(
    r"\b(?:van|op|from|on|off|auf|von|sur|uit|de)\s(?:(?:mijn|my|m'n|mn|de|het|the|meine[mr]?|dem|der|mon|ma|mes|"
    r"onze|our)\s)?(?:(?:oude|old|nieuwe|new|alte[nmr]?|neue[nmr]?|kapotte|broken|defekte[nmr]?|vorige|previous)"
    rf"\s)?(?:{DEVICE})\b"
)
# "vraag over artikel 15 AVG": the article is the topic of a question.
TOPIC = re.compile(
    r"\b(?:vraag|vragen|question|questions|frage|fragen)\s(?:\w+\s)?(?:over|about|on|regarding|zu|zum|uber|sur)"
    r"\s(?:het\s|the\s|den\s|l')?$"
)
# Auto-replies and notifications without their headers, told by their first words.
AUTO_BODY = re.compile(
    r"\b(?:dit\sis\seen\sautomatisch\w*\s(?:gegenereerd\w*\s)?(?:antwoord|bericht|reactie|e-?mail|mail)|"
    r"(?:dit\sbericht|deze\se-?mail|deze\smail)\s(?:is|wordt|werd)\s(?:\w+\s)?automatisch\s(?:verstuurd|verzonden|"
    r"gegenereerd|aangemaakt)|ik\sben\s(?:\w+\s){0,4}?(?:afwezig|met\svakantie|op\svakantie|niet\sop\skantoor)\s"
    r"(?:\w+\s){0,3}?(?:tot|t/m|vanaf|en\s)|"
    r"this\sis\san?\s(?:automated|automatic|auto-generated|auto)\s(?:response|reply|message|e-?mail|notification)|"
    r"(?:i\sam|i'm)\s(?:currently\s)?(?:out\sof\s(?:the\s)?office|away\sfrom\s(?:the|my)\soffice|on\s(?:annual\s)?"
    r"leave|on\sholiday|on\svacation)|(?:this|the)\s(?:message|e-?mail|notification)\s(?:was|has\sbeen|is)\s"
    r"(?:sent|generated)\sautomatically|please\sdo\snot\sreply\sto\sthis\s(?:e-?mail|message)|"
    r"(?:ich\sbin|bin\sich)\s(?:\w+\s|\d+\.\d*\.?\s){0,5}?(?:nicht\sim\sburo|abwesend|im\surlaub|nicht\serreichbar|"
    r"ausser\shaus)|dies\sist\seine\sautomatische\s(?:antwort|nachricht|e-?mail|abwesenheitsnotiz)|"
    r"diese\s(?:e-?mail|nachricht)\swurde\sautomatisch\s(?:erstellt|generiert|versendet|verschickt)|"
    r"ceci\sest\sune\sreponse\sautomatique|je\ssuis\sabsente?\s|(?:message|e-?mail)\s(?:a\sete\s)?(?:envoye|genere)"
    r"\sautomatiquement|was\sread\son|is\sgelezen\sop|wurde\sam\s(?:\w+\s){0,4}?gelesen)"
)

R = re.compile



def _rules() -> list[Rule]:
    rules: list[Rule] = []

    def add(kind: str, name: str, weight: float, pattern: str, *, strong: bool = False, yields_to: str = "",
            negation_inside: bool = False, family: bool = False) -> None:
        rules.append(Rule(name, kind, weight, R(pattern), strong, yields_to, negation_inside, family))

    # --- access (art. 15) ---
    add("access", "the right of access named", 1.3,
        r"(?:\binzage\s?verzoek|\binzagerecht|recht\sop\sinzage|recht\svan\sinzage|\binzage\s(?:in|van|naar|op)\b|"
        r"verzoek\s(?:tot|om|voor)\sinzage|\binzage\s(?:vragen|aanvragen|verzoeken|opvragen|krijgen|hebben)|"
        r"\binzage\b)(?!\s(?:\w+\s){0,2}?(?:factu\w*|bestel\w*|order\w*|offerte\w*|pakket\w*|zending\w*|"
        r"garantie\w*|contract\w*))|"
        r"subject\saccess|\bd?sars?\b|right\s(?:of|to)\saccess|access\srequest|request(?:ing)?\saccess|"
        r"auskunftsersuchen|auskunftsanfrage|auskunftsantrag|auskunftsbegehren|auskunftsrecht|"
        r"recht\sauf\sauskunft|selbstauskunft|auskunft\s(?:uber|zu|nach|gem|gemass|daruber|erteilen|erhalten)|"
        r"um\sauskunft|datenauskunft|droit\sd'acces|demande\sd'acces|acceder\sa\s(?:mes|toutes)", strong=True)
    add("access", "asks what is known about the sender", 1.1,
        r"(?<!alles\s)(?<!everything\s)(?<!all\s)(?<!alle\s)(?<!tout\s)"
        r"\b(?:wat|welke|which|what|welche|was|quelles?|quels?)\b" + _gap(6)
        + r"(?:van|over|about|on|of|uber|von|zu|sur|concernant)\s(?:mij|me|mich|mir|moi|myself|mezelf|hem|haar|him|her|"
        r"ihm|ihr|lui|elle|" + OTHER_PERSON + ")"
        r"(?=\s*(?:[?.!,;:)]|$|\s(?:hebben|heeft|hebt|weten|weet|bewaren|bewaard|bewaart|opgeslagen|verwerk\w*|staat|"
        r"staan|have|has|know|hold|keep|store|stored|process\w*|haben|hat|wissen|gespeichert|speichern|"
        r"vorliegt|vorliegen|avez|savez|detenez)\b))")
    add("access", "asks which data are kept", 1.0,
        near(r"welke|wat\svoor|which|what|welche|was\sfur|quelles?|quels?", DATA, 2, both=False)
        + _gap(5) + r"(?:hebben|heeft|hebt|bewaar\w*|verwerk\w*|opgeslagen|opslaan|slaan|staan|bekend|have|hold|"
        r"keep|store|stored|process\w*|collected|haben|speicher\w*|gespeichert|verarbeit\w*|vorliegen|liegen|"
        r"avez|detenez|conservez|traitez)(?!(?:\s\w+){0,3}?\s(?:nodig|need\w*|required|benotig\w*|brauch\w*|besoin))")
    add("access", "asks for everything held about them", 1.0,
        r"\b(?:everything|all|alles|alle|tout|whatever|anything)\s(?:\w+\s)?(?:you|u|jullie|sie|ihr|vous)(?:'ve)?\s"
        r"(?:\w+\s)?(?:have|hold|keep|got|know|hebben|heeft|hebt|bewaren|weten|haben|habt|wissen|avez|savez)\s(?:\w+\s)?(?:on|about|of|over|van|"
        r"uber|von|sur)\s(?:me|mij|mich|moi)\b", yields_to="erasure")
    add("access", "asks for a copy or overview of their data", 1.0,
        near(r"kopie|kopy|copie|afschrift|afschriften|overzicht|uitdraai|lijst(?=\s(?:van|met))|copy|overview|"
             r"list(?=\s(?:of|with))|summary|printout|ubersicht|aufstellung|auflistung|liste(?=\s(?:der|mit|de))|"
             r"releve|export",
             rf"(?:{MY}|alle|aller|allen|all|alle\s|toutes|al|de|die|der|the|des|les|whatever|any|eventuele|samtliche)\s?(?:mijn\s|my\s|meine\w?\s|mes\s)?"
             rf"(?:(?:persoonlijke|personal|personlichen|gespeicherten)\s)?(?:{DATA})", 3, both=False),
        yields_to="portability")
    add("access", "asks to receive or see their data", 1.0,
        near(r"(?:stuur|sturen|toesturen|opsturen|zend|zenden|mail|mailen|geef|geven|ontvangen|krijgen|opvragen|"
             r"op\ste\svragen|zien|inzien|in\ste\szien|inkijken|send|email|give|provide|receive|get|see|view|obtain|access|schick\w*|"
             r"senden|zusenden|zukommen|ubermitt\w*|erhalten|sehen|einsehen|einsicht|envoyer|recevoir|"
             r"obtenir|communiquer|consulter)(?!\w)",
             rf"(?:{MY}|alle|all|welke|which|what|welche|the|de)\s(?:(?:persoonlijke|personal|personlichen|"
             rf"gespeicherten|opgeslagen|stored|bewaarde)\s)?(?:{DATA})", 4), yields_to="portability")
    add("access", "asks what is stored in the records", 1.0,
        r"(?<!alles\s)(?<!all\s)\bwat\s(?:er\s)?(?:allemaal\s)?(?:over|van)\smij\b|\bwhat\s(?:you|u)\s(?:know|have|hold)\b|"
        r"\bwhat\s(?:information|data|details)\s(?:you|is|are)\b|\bwas\s(?:sie|ihr)\s(?:alles\s)?"
        r"(?:uber|von)\smich\b|\bce\sque\svous\s(?:savez|avez|detenez)")

    add("access", "asks whether data about them is held", 1.0,
        r"(?:(?<=gegevens\s)|(?<=data\s)|(?<=daten\s)|(?<=informatie\s)|(?<=information\s)|(?<=details\s)|"
        r"(?<=info\s)|(?<=donnees\s))(?:van|over|about|on|of|uber|von|sur)\s(?:mij|me|mich|moi)\s(?:\w+\s)?(?:heeft|hebt|"
        r"hebben|bewaar\w*|opgeslagen|verwerk\w*|have|has|hold|keep|store\w*|process\w*|gespeichert|speicher\w*|"
        r"haben|habt|verarbeit\w*|detenez|conservez|avez)\b|"
        rf"\b(?:any|enige|irgendwelche|uberhaupt)\s(?:\w+\s)?(?:{DATA})\s(?:\w+\s){{0,3}}?(?:about|on|of|over|van|"
        r"uber|von)\s(?:me|mij|mich)\b", yields_to="erasure")

    # --- rectification (art. 16) ---
    add("rectification", "the right to rectification named", 1.3,
        r"\brectificatie|\brectificeren|recht\sop\s(?:correctie|verbetering|aanpassing)|right\sto\s"
        r"(?:rectification|correction)|\brectification|\brectify|\bberichtigung|recht\sauf\sberichtigung|"
        r"droit\sde\srectification", strong=True)
    add("rectification", "asks to correct a personal detail", 1.0,
        near(CHANGE, rf"(?:(?:{MY}|de|het|the|die|den|le|la|onze|our|unsere?)\s)?(?:{PERSONAL_FIELD})\b", 3))
    add("rectification", "says a personal detail is wrong", 1.0,
        near(rf"(?:{PERSONAL_FIELD})\b", WRONG, 4)
        + rf"|\b(?:{WRONG})\s(?:{PERSONAL_FIELD})\b", negation_inside=True)
    add("rectification", "asks to update the records", 0.6,
        near(CHANGE, rf"(?:in|op|on|im|in\sihrem|dans|bei)\s(?:(?:jullie|uw|your|ihrem|ihren|ihrer|votre|the|het|de|"
             rf"{MY}|dem|der)\s)?(?:\w+\s)?(?:{RECORDS})", 4))
    add("rectification", "asks to change a detail to a new value", 1.0,
        rf"\b(?:{CHANGE})\s(?:it|this|that|dat|dit|het|das|es|ca|hem|deze|ihn|sie)\s(?:\w+\s)?(?:to|into|naar|in|auf|"
        r"zu|en|par)\s[\w.+-]*(?:@|\d)")
    add("rectification", "names a detail and asks to change it", 1.0,
        rf"\b(?:{PERSONAL_FIELD})\b[^.!?\n]{{0,60}}?\b(?:dat|dit|het|it|this|that|das|es|dies|ca)\s(?:\w+\s)?"
        rf"(?:{CHANGE})")
    add("rectification", "says a personal detail has changed", 0.6,
        rf"\b(?:{PERSONAL_FIELD})\s(?:\w+\s){{0,2}}?(?:is|has|have|are|zijn|ist|hat|sind|a|est)\s(?:\w+\s)?"
        r"(?:gewijzigd|veranderd|anders|changed|different|geandert|neu|nieuw|new|change)\b")
    add("rectification", "asks to correct their data", 1.0,
        near(CHANGE, rf"(?:{MY}|de|die|the)\s(?:persoonlijke\s|personal\s|gespeicherten\s)?(?:{DATA})", 3))
    add("rectification", "names a detail, then asks to change it", 1.0,
        rf"\b(?:{PERSONAL_FIELD})\b[^?!\n]{{0,150}}?(?:\b(?:{CHANGE})\s(?:sie\s|u\s|you\s|jullie\s|ihr\s)?"
        rf"(?:{PRONOUN})\b|\b(?:{PRONOUN})\s(?:\w+\s){{0,4}}?(?:zu\s)?(?:{CHANGE})\b)")
    add("rectification", "says a detail is still the old value", 1.0,
        rf"\b(?:{PERSONAL_FIELD})\b[^!?\n]{{0,60}}?\b(?:is|staat|ist|steht|est)\s(?:nog|still|noch|toujours)\b"
        r"(?!\s(?:steeds\s|altijd\s)?(?:hetzelfde|dezelfde|the\ssame|correct|juist|goed|valid|geldig|gultig|richtig|"
        r"aktuell|up\sto\sdate|le\smeme))[^!?\n]{0,100}?\b(?:maar|but|aber|mais|moet|should|muss|sollte|doit|must)\b")
    add("rectification", "names the spelling of their name", 0.6,
        r"\b(?:schreibweise|spelling|schrijfwijze|orthographe)\s(?:\w+\s)?(?:naam|name|namens|nom)\b|"
        r"\b(?:naam|name|nom)\s(?:\w+\s){0,3}?(?:verkeerd\s|wrong\s|falsch\s)?(?:gespeld|gespelt|spelled|spelt|"
        r"geschrieben)\b")
    add("rectification", "says they moved or changed name", 0.6,
        r"\bben\sverhuisd|\bzijn\sverhuisd|nieuwe?\s(?:\w+)?adres|\b(?:i|we)\s(?:have\s|'ve\s)?moved\b|"
        r"new\s(?:\w+\s)?(?:address|adres)|verhuizing|"
        r"\bumgezogen|neue\s(?:adresse|anschrift)|getrouwd|married|geheiratet|nieuwe\sachternaam|new\ssurname|"
        r"nouvelle\sadresse|demenage|naamswijziging|name\schange|namensanderung|changement\sde\snom|gescheiden|"
        r"divorced|geschieden")
    add("rectification", "says how the records list them", 0.6,
        r"\b(?:sta|staat|stehe|steht|am|is|ben|bin)\s(?:ik\s|ich\s|i\s)?(?:bij\s\w+\s|bei\s\w+\s)?(?:nog\s(?:steeds\s|"
        r"altijd\s)?|still\s|noch\s(?:immer\s)?)(?:\w+\s)?(?:als|as)\s|\b(?:listed|registered|geregistreerd|"
        r"ingeschreven|gespeichert|vermerkt)\s(?:\w+\s){0,2}?(?:als|as)\s")
    add("rectification", "gives a new value", 0.6,
        r"\b(?:nieuwe?|new|neue[srn]?|nouvel(?:le)?)\b[^.!?\n]{0,30}?:\s?[\w.+-]*(?:@|\d)")

    # --- erasure (art. 17) ---
    add("erasure", "the right to erasure named", 1.3,
        r"vergeet\s?verzoek|vergetelheid|vergeten\s(?:te\s)?worden|\bbe\sforgotten|vergessen\swerden|recht\sop\s(?:verwijdering|wissing|gegevenswissing)|"
        r"verwijderverzoek|verwijderingsverzoek|right\sto\s(?:be\sforgotten|erasure|deletion)|erasure\srequest|"
        r"deletion\srequest|request\s(?:for|of)\s(?:deletion|erasure)|recht\sauf\s(?:loschung|vergessen\w*)|"
        r"loschantrag|loschungsantrag|loschungsanfrage|loschanfrage|loschungsersuchen|loschungsbegehren|"
        r"droit\sa\sl'oubli|droit\sa\sl'effacement|demande\sd'effacement|demande\sde\ssuppression", strong=True)
    add("erasure", "asks to delete their data", 1.1,
        near(DELETE, rf"(?:(?:{MY}|alle|all|al|toutes|the|de|die|het)\s)*(?:(?:persoonlijke|personal|"
             r"personlichen|gespeicherten|opgeslagen|stored)\s)?(?:" + DATA + ")", 4))
    add("erasure", "asks to delete their account", 1.1,
        near(rf"{DELETE}|{CLOSE}", rf"(?<!uit\s)(?<!from\s)(?<!aus\s)(?<!van\s)(?<!in\s)(?:{MY}|het|the|das|le|mon)\s"
             rf"(?:{ACCOUNT})", 3))
    add("erasure", "asks to be removed from the records", 1.1,
        near(DELETE, rf"(?:mij|me|mich|moi|ons|us)\s(?:\w+\s){{0,2}}(?:uit|from|aus|de)\s(?:\w+\s){{0,2}}"
             rf"(?:{RECORDS}|klantenbestand|bestand)", 1, both=False)
        + r"|\b(?:delete|remove|erase|wipe|verwijder|wis)\s(?:me|mij)\b"
        + rf"(?!\s(?:from|uit|van)\s(?:\w+\s)?(?:{NEWSLETTER}))"
        + r"|\bvergeet\s(?:mij|me)\b|\bforget\sme\b|\bvergessen\ssie\smich\b|\bloschen\ssie\smich\b|"
        r"\boubliez[\s-]moi\b")
    add("erasure", "asks to delete everything about them", 1.1,
        near(DELETE, r"(?:alles|everything|all|alle[sn]?|tout)\s(?:\w+\s){0,4}?(?:over|van|about|on|of|uber|"
             r"von|sur|me\sconcernant)\s(?:mij|me|mich|mir|moi)", 3))
    add("erasure", "no longer wants to use the services (policy: a request to be forgotten)", 1.1,
        r"(?:wil|wens|wensen|willen|hoef|hoeven)\s(?:\w+\s){0,2}?(?:niet\slanger|niet\smeer|geen)\s(?:\w+\s){0,3}?"
        r"(?:gebruik|klant|client|diensten|services)|geen\s(?:klant|client)\smeer|"
        r"(?:no\slonger|don't|do\snot|not)\s(?:\w+\s)?(?:want|wish|intend)\s(?:\w+\s){0,2}?(?:to\s)?"
        r"(?:use\b|be\s(?:a|your)\s(?:\w+\s)?(?:customer|client)|do\sbusiness)|no\slonger\s(?:\w+\s)?(?:a|your)\scustomer|"
        r"(?:diensten|dienstverlening|services|dienste|leistungen)\s(?:\w+\s){0,2}?(?:niet\s(?:meer|langer)|"
        r"nicht\smehr|no\slonger|anymore)\s(?:\w+\s)?(?:nodig|needed|notig|gebruiken|nutzen|brauche\w*)|"
        r"\b(?:i|we)\s(?:\w+\s)?(?:no\slonger|don't|do\snot)\s(?:\w+\s)?(?:use|need|require)\s"
        r"(?:your|the)\s(?:\w+\s)?services|"
        r"(?:uitschrijven|afmelden|abmelden|desinscrire|stop|stoppen|stoppe|aufhoren|arrete)\s(?:\w+\s)?"
        r"(?:als|as|comme)\s(?:\w+\s)?(?:klant|customer|kunde|client)|"
        r"(?:not|niet|nicht|plus|no)\s(?:\w+\s)?(?:a|your|jullie|uw|ihr|votre)?\s?(?:klant|customer|kunde|client)\s"
        r"(?:any\s?more|meer|mehr|anymore)\b|"
        r"stop\sbeing\s(?:a|your)\scustomer|"
        r"(?:mochte|will|wollen|mochten)\s(?:\w+\s){0,3}?(?:nicht\smehr|kein\w*)\s(?:\w+\s){0,3}?"
        r"(?:kunde|kundin|nutzen|verwenden|dienste|leistungen|in\sanspruch)|nicht\smehr\s(?:ihr\s)?kunde|"
        r"ne\s(?:\w+\s){0,2}?plus\s(?:\w+\s){0,2}?(?:utiliser|etre\s(?:votre\s)?client)|"
        r"(?:end|terminate|beeindig\w*|stop\w*|beenden|kundigen)\s(?:(?:my|our|mijn|onze|meine|unsere)\s)?"
        r"(?:customer\srelationship|klantrelatie|relatie|samenwerking|geschaftsbeziehung|kundenbeziehung)",
        negation_inside=True)
    add("erasure", "asks that their account or data go", 1.1,
        r"(?:mijn|my|mein\w*|zijn|haar|his|her|sein\w*|ihr\w*|onze|our|unser\w*)\s(?:\w+\s)?(?:klant)?(?:account|"
        r"profiel|gegevens|data|details|konto|kundenkonto|daten|profile)\s(?:\w+\s){0,2}?(?:mag|kan|moet|mogen|"
        r"kunnen|moeten|laten|wordt|worden|can|could|should|to\sbe|kann|soll|lassen|werden)\s(?:\w+\s){0,2}?"
        r"(?:weg|verwijderd|verwijderen|opgeheven|opheffen|gewist|wissen|deleted|removed|closed|erased|geloscht|"
        r"loschen|entfernt|gekundigt|supprime\w*)\b")
    add("erasure", "asks to be removed from the records (object first)", 1.1,
        rf"\b(?:mij|me|mich|ons|us|(?:{MY})\s(?:\w+\s)?(?:{DATA}|{PERSONAL_FIELD}))\s(?:[\w-]+\s){{0,3}}?"
        rf"(?:uit|from|aus|van)\s(?:\w+\s){{0,2}}?(?:{RECORDS})\s(?:\w+\s){{0,2}}?(?:{DELETE}|halen|te\shalen|"
        r"nemen|nehmen|streichen|haalt)\b")
    add("erasure", "asks to be taken out of the records", 1.1,
        rf"\b(?:haal|haalt|halen|neem|take|get|nehmen\ssie|nimm|streichen\ssie)\s(?:mij|me|mich|ons|us|"
        rf"(?:{MY})\s(?:\w+\s)?(?:{DATA}|{PERSONAL_FIELD}))\s(?:\w+\s){{0,2}}?(?:uit|out\sof|off|from|aus)\s"
        rf"(?:\w+\s){{0,2}}?(?:{RECORDS})\b")
    add("erasure", "asks to close their account (account first)", 1.1,
        rf"\b(?:{ACCOUNT})\s(?:\w+\s)?(?:opheffen|verwijderen|sluiten|afsluiten|opzeggen|deleten|wissen|loschen|"
        r"schliessen|auflosen|kundigen|delete|close|deactivate|supprimer|fermer|cloturer)\b")
    add("erasure", "asks to have their account or data removed (Dutch verb last)", 1.1,
        rf"\b(?:{MY})\s(?:[\w-]+\s)?(?:{ACCOUNT}|{DATA})\s(?:[\w-]+\s){{0,6}}?(?:op\ste\sruimen|"
        r"weg\ste\s(?:halen|doen|gooien)|te\s(?:verwijderen|wissen|schrappen|vernietigen|deleten|sluiten|opheffen))\b")
    add("erasure", "says there is no need to keep them any more", 1.1,
        r"\b(?:hoeven|hoeft|hoef|need|needs|brauchen|braucht|must|have\sto|besoin)\s(?:\w+\s){0,3}?(?:niet|not|nicht|"
        r"no|geen|keine|pas|n't)\s(?:meer\s|langer\s|mehr\s|longer\s|more\s|plus\s)?(?:\w+\s){0,5}?(?:te\s|zu\s|to\s)?"
        r"(?:houden|bewaren|keep|retain|hold|store|behalten|halten|speichern|aufbewahren|garder|conserver)\b|"
        r"\b(?:don't|dont|do\snot|doesn't|does\snot)\s(?:\w+\s)?need\sto\s(?:keep|retain|hold|store)\b"
        rf"(?:\s(?:\w+\s){{0,3}}?(?:{RECORDS}|{DATA}|mij|me|mich|moi))?", negation_inside=True)
    add("erasure", "asks to delete a personal detail from the records", 1.0,
        rf"\b(?:{DELETE})\s(?:(?:{MY}|het|de|the|die|den)\s)?(?:\w+\s)?(?:{PERSONAL_FIELD})\s(?:\w+\s){{0,2}}?"
        rf"(?:uit|from|aus|van|de)\s(?:\w+\s){{0,2}}?(?:{RECORDS})\b")
    add("erasure", "asks whether their account or data can go", 1.1,
        r"\b(?:kan|kunnen|mag|mogen|moet|can|could|kann|konnen|konnten|peut|pourriez)\s(?:u\s|jullie\s|you\s|sie\s|"
        r"ihr\s)?(?:mijn|m'n|mn|my|mein\w*|mon|mes)\s(?:\w+\s)?(?:klant)?(?:account|acount|profiel|gegevens|"
        r"data|details|konto|kundenkonto|daten|profile|compte|donnees)\s(?:\w+\s){0,3}?(?:weg|verwijderd|"
        r"opgeheven|gewist|deleted|removed|closed|erased|geloscht|entfernt|gekundigt|supprime\w*)\b")
    add("erasure", "asks that it all be deleted", 1.0,
        r"\b(?:it|them|alles|all|everything|ze|die|diese|sie|deze|tout|les|dat|das)\s(?:\w+\s){0,3}?(?:deleted|"
        r"erased|removed|verwijderd|gewist|geloscht|entfernt|supprime\w*|efface\w*)\b|"
        r"\b(?:losche\w*|delete|erase|remove|verwijder\w*|wis|supprime\w*|entfernen)\s(?:sie\s)?(?:(?:it|them|"
        r"diese|sie|ze|deze|die|alles|everything|tout|les|all\sof\s(?:it|them|that)|the\slot)\b"
        rf"(?!\s(?:\w+\s){{0,2}}?(?:{NOT_RECORDS}))|(?:het|dat|dit|das|es)(?=\s?[.!?,;]|$|"
        r"\s(?:ook|daarna|dan|alsjeblieft|aub|graag|a\.u\.b|please|bitte|auch|dann|danach|alles|allemaal|meteen|"
        r"direct|gewoon|maar|nu|sofort|jetzt)\b))")
    add("erasure", "asks to delete whatever data is held", 1.0,
        r"\b(?:if|als|indien|mocht|falls|wenn|sofern|si)\s[^.!?\n]{0,80}?(?:" + DATA + r"|over\smij|about\sme|"
        r"uber\smich)[^.!?\n]{0,60}?\b(?:" + DELETE + r")")
    add("erasure", "asks to delete it afterwards", 1.0,
        rf"\b(?:{THEN})[\s,]+(?:\w+\s){{0,4}}?(?:{DELETE})(?=\s?(?:[.!?,;]|$)|\s(?:it|them|all|alles|everything|"
        r"the\slot|het|dat|ze|die|alle[sn]?|es|sie|tout|les|le\stout|mij|me|mich|moi|werden|worden|wird|wordt|"
        rf"please|graag|bitte|aub)\b|\s(?:{MY})\s(?:\w+\s)?(?:{DATA}|{ACCOUNT}))")
    add("erasure", "asks to wipe their data", 1.0,
        near(rf"(?:{MY}|alle|de|het)\s(?:persoonlijke\s)?(?:{DATA})", r"wissen|gewist", 3, both=False))

    # Word families: any verb of getting rid of near anything that is theirs, in either order, within a clause.
    # The phrase rules above name the usual ways; people use any verb of the family ("gooi mijn nummer uit jullie
    # systeem", "meine Telefonnummer und den Rest löschen", "wipe it and close my customer account").
    add("erasure", "a verb of getting rid of near their data, details or account", 1.0,
        rf"(?:{near(f'{DELETE}|{DISCARD}', THEIRS, 6)})(?![\s,]+(?:\w+\s){{0,3}}?(?:{LISTS})\b)", family=True)
    add("erasure", "a verb of closing near their account", 1.0,
        near(CLOSE, rf"(?:{MY})\s(?:[\w-]+\s){{0,2}}?(?:{ACCOUNT})\b", 4), family=True)

    # --- restriction (art. 18) ---
    add("restriction", "the right to restriction named", 1.3,
        r"beperking\s(?:van\s(?:de\s)?)?(?:verwerking|gegevensverwerking|het\sgebruik)|recht\sop\sbeperking|"
        r"verwerking\s(?:\w+\s){0,3}?(?:te\s)?beperken|restrict(?:ion\sof|ing)?\s(?:the\s)?(?:\w+\s)?processing|"
        r"right\sto\srestrict\w*|restriction\srequest|processing\s(?:\w+\s){0,3}?(?:be\s)?restricted|"
        r"einschrankung\s(?:der|meiner)\s(?:\w+\s)?verarbeitung|verarbeitung\s(?:\w+\s){0,4}?einschrank\w*|"
        r"recht\sauf\seinschrankung|limitation\sdu\straitement|limiter\sle\straitement", strong=True)
    add("restriction", "keep but stop using (do not delete)", 1.2,
        rf"(?:{KEEP})[\s\S]{{0,150}}?(?:{STOP_USE})|(?:{STOP_USE})[\s\S]{{0,150}}?(?:{KEEP})", negation_inside=True)
    add("restriction", "asks to freeze or block their data for now", 1.1,
        near(HOLD + r"|tijdelijk|temporarily|vorlaufig|vorubergehend|temporairement",
             rf"(?:{MY}|de|the|die)\s(?:\w+\s)?(?:{DATA}|verwerking|processing|verarbeitung|gebruik)|"
             r"(?:niet|not|nicht|ne\spas)\s(?:\w+\s)?(?:gebruiken|verwerken|use|process|verwenden|verarbeiten)", 4))
    add("restriction", "stop using it for now or until something is settled", 1.1,
        rf"(?:{STOP_USE})[^.!?\n]{{0,80}}?\b(?:{UNTIL})\b|\b(?:{UNTIL})\b[^.!?\n]{{0,80}}?(?:{STOP_USE})",
        negation_inside=True)
    add("restriction", "stop using until a dispute is settled", 0.5,
        r"(?:totdat|tot\sdat|zolang|until|bis|jusqu'a|pending|in\safwachting)\s(?:\w+\s){0,5}?(?:opgelost|afgehandeld|duidelijk|"
        r"beoordeeld|uitgezocht|geklaard|resolved|settled|clarified|decided|geklart|entschieden|bearbeitet|"
        r"resolu|tranche|bezwaar|objection|widerspruch|klacht|complaint|beschwerde)")

    # --- portability (art. 20) ---
    add("portability", "the right to data portability named", 1.3,
        r"overdraagbaarheid|dataportabiliteit|data\s?portabiliteit|portabiliteit|portability|"
        r"datenubertragbarkeit|datenportabilitat|ubertragbarkeit|portabilite", strong=True)
    add("portability", "asks for their data as a file", 1.1,
        near(rf"(?:{MY}|alle|all|de|die|the|dieselben|dezelfde|same|diese|deze|these|ces|memes)\s(?:[\w-]+\s){{0,4}}?"
             rf"(?:{DATA})", FILE_FORMAT, 10))
    add("portability", "asks for a file another party can import", 1.1,
        near(rf"(?:{FILE_FORMAT})|(?:{DATA})",
             r"import\w*|inlezen|inladen|inlezen|uploaden|upload|hochladen|einlesen|einspielen|importieren|"
             r"migrer\w*|migrat\w*|migreren", 10, both=False))
    add("portability", "asks to transfer their data", 1.1,
        rf"\b(?:transfer\w*|overdragen|draag|overzetten|zet(?=\s(?:\w+\s){{0,6}}?over\b)|overbrengen|breng|overhevelen|ubertrag\w*|"
        rf"transferer|transmettre|migrate|migreren|port)\s(?:\w+\s){{0,2}}?(?:{MY}|all|alle|al|toutes)\s"
        rf"(?:\w+\s){{0,3}}?(?:{DATA})\b")
    add("portability", "asks to take their data to another provider", 1.1,
        near(rf"(?:{MY}|alle|all|de|die|the)\s(?:\w+\s)?(?:{DATA})",
             rf"(?:naar|to|zu|an|auf|vers|a)\s(?:een\s|a\s|einen?\s|un\s|une\s|mijn\s|my\s|meinen?\s|mon\s|ma\s)?"
             rf"(?:{ELSEWHERE})\s?"
             r"(?:partij|aanbieder|leverancier|provider|company|supplier|service|anbieter|dienstleister|"
             r"firma|unternehmen|fournisseur|prestataire|webshop|shop|bedrijf|winkel|platform|software|"
             r"system|systeem|crm)|(?:meenemen|mee\snemen|overzetten|overdragen|overbrengen|mitnehmen|"
             r"ubertragen|transferer|elsewhere|ergens\sanders|woanders|ailleurs|overgezet|overgedragen|"
             r"transferred|ubertragen|ubermittelt)", 6))

    # --- objection (art. 21), direct marketing included ---
    add("objection", "the right to object named", 1.3,
        r"(?:bezwaar|objection|widerspruch|opposition)\s(?:\w+\s){0,4}?(?:tegen|against|to|gegen|a)\s"
        r"(?:\w+\s){0,4}?(?:verwerking|gebruik|verwerken|processing|use|using|verarbeitung|nutzung|verwendung|"
        r"traitement|profil\w*|marketing|reclame|werbung|direct|gegevens|data|daten|donnees)|"
        r"recht\s(?:op|van)\sbezwaar|right\sto\sobject|widerspruchsrecht|droit\sd'opposition|"
        r"\bi\s(?:hereby\s)?object\sto\s(?:the\s|any\s|your\s)?(?:\w+\s)?(?:processing|use|marketing|profiling)|"
        r"widerspreche\s(?:\w+\s){0,6}?(?:verarbeitung|nutzung|verwendung|werbung|daten)|"
        r"m'oppose\s(?:\w+\s){0,4}?(?:l')?(?:traitement|utilisation|prospection)|"
        r"bezwaar\s(?:maken|aantekenen|indienen)\s(?:\w+\s){0,3}?(?:verwerk|gebruik)", strong=True)
    add("objection", "wants no more newsletters or marketing", 1.1,
        near(r"afmelden|afmeld\w*|meld\s(?:mij|me|ons)\s(?:\w+\s)?af|uitschrijven|schrijf\s(?:mij|me)\s(?:\w+\s)?uit|"
             r"haal\s(?:mij|me)\s(?:\w+\s)?(?:uit|van|af)|verwijder\s(?:mij|me|mijn\se-?mailadres)|"
             r"unsubscribe|unsubcribe|unsuscribe|remove\s(?:me|my\s(?:e-?mail|address))|take\sme\soff|"
             r"opt[\s-]?out|abmelden|abbestellen|austragen|streichen|entfernen\ssie\smich|"
             r"desabonner|desinscri\w*|retirez[\s-]moi",
             NEWSLETTER + r"|lijst|list|liste|e-?mails|mails", 4))
    add("objection", "asks to be taken off a mailing list", 1.1,
        r"(?:trag|nehm|streich)\w*\s(?:\w+\s){0,4}?(?:" + NEWSLETTER + r"|liste|mailingliste|e-?mail-?liste)\s"
        r"(?:\w+\s)?(?:aus|heraus|raus)\b|(?:von|aus)\s(?:\w+\s)?(?:" + NEWSLETTER + r"|liste|e-?mail-?liste)\s"
        r"(?:\w+\s)?(?:streichen|entfernen|nehmen|austragen|loschen)")
    add("objection", "asks to stop receiving marketing", 1.1,
        r"(?:geen|niet\s(?:meer|langer))\s(?:\w+\s){0,3}?(?:" + NEWSLETTER + r")\s?(?:\w+\s){0,3}?"
        r"(?:meer|ontvangen|sturen|krijgen|hebben)|"
        r"(?:stop|quit|cease)\s(?:sending|emailing|mailing|spamming|contacting|calling)|"
        r"(?:niet|nooit|geen)\s(?:meer|langer)\s(?:\w+\s)?(?:gebeld|gemaild|ge-?e-?maild|benaderd|lastiggevallen|"
        r"gecontacteerd)|(?:not|no\slonger|never)\s(?:\w+\s){0,2}?(?:to\s)?be\s(?:called|contacted|e-?mailed|mailed|"
        r"spammed)|nicht\smehr\s(?:\w+\s)?(?:angerufen|kontaktiert|angeschrieben|angemailt|belastigt)|"
        r"(?:stop|stoppen|ophouden)\s(?:\w+\s)?met\s(?:\w+\s){0,2}?(?:te\s)?(?:mailen|e-?mailen|bellen|benaderen|"
        r"sturen|spammen)|(?:niet|nooit)\s(?:meer|langer)\s(?:\w+\s)?(?:mailen|e-?mailen|bellen|benaderen)|"
        r"(?:hort|horen)\s(?:\w+\s){0,3}?auf[\s,]+(?:\w+\s){0,3}?(?:zu\s)?(?:mailen|schreiben|schicken|senden|"
        r"anzurufen|kontaktieren|zuzuschicken|zuzusenden)|"
        r"(?:don't|do\snot|no\slonger)\s(?:\w+\s)?(?:send|e-?mail|contact)\s(?:me|us)|"
        r"(?:no\smore|don't\swant\s(?:any\s)?(?:more\s)?)(?:\w+\s)?(?:" + NEWSLETTER + r")|"
        r"keine\s(?:\w+\s){0,2}?(?:" + NEWSLETTER + r")\s(?:\w+\s){0,3}?(?:mehr|bekommen|erhalten)|"
        r"(?:" + NEWSLETTER + r")\s(?:\w+\s){0,4}?(?:nicht\smehr|keine\smehr|niet\smeer|geen\smeer|no\slonger|"
        r"ne\splus)\s(?:\w+\s){0,2}?"
        r"(?:bekommen|erhalten|ontvangen|krijgen|receive|get|recevoir)|"
        r"(?:ne\s(?:\w+\s)?plus\s(?:\w+\s)?recevoir|plus\sde\s(?:" + NEWSLETTER + "))")
    add("objection", "asks not to be called or texted", 1.1,
        r"\b(?:don't|do\snot|never|stop|quit)\s(?:\w+\s)?(?:ring\w*|call\w*|phon\w*|text\w*|sms\w*|bother\w*)\s"
        r"(?:me|us)\b|\b(?:nummer|number|telefoonnummer|telefonnummer|numero)\s(?:\w+\s){0,5}?(?:off|uit|van|aus|"
        r"from|de)\s(?:\w+\s){0,3}?(?:\w*list\w*|\w*lijst|\w*liste)\b|\bniet\s(?:meer\s)?(?:bellen|sms'en|smsen|"
        r"appen)\b|\bnicht\smehr\s(?:\w+\s)?(?:anrufen|anzurufen|simsen)\b|\bne\splus\s(?:m'|nous\s)?(?:appeler|"
        r"telephoner|contacter|envoyer|ecrire|solliciter|demarcher)|\barretez\sde\s(?:m'|nous\s)?(?:appeler|"
        r"telephoner|contacter|envoyer|ecrire|solliciter|demarcher)")
    add("objection", "asks to stop the marketing", 1.1,
        r"\b(?:stop|stoppen|stopt|stoppt|ophouden\smet|quit|cease|halt|arretez)\s(?:met\s|with\s|mit\s|avec\s)?"
        r"(?:\w+\s){0,2}?(?:" + NEWSLETTER + ")")
    add("objection", "wants marketing named before no more", 1.1,
        r"(?:" + NEWSLETTER + r")[\s\S]{0,250}?\b(?:wil|wilt|want|will|mochte|veux)\s(?:ze|die|dat|dit|deze|het|"
        r"them|these|those|it|this|that|sie|das|diese|les|en)\s(?:\w+\s)?(?:niet|nicht|not|plus|nie)\s"
        r"(?:meer|mehr|more|langer|longer)\b|(?:" + NEWSLETTER + r")[\s\S]{0,250}?\b(?:don't|do\snot)\swant\s"
        r"(?:them|these|those|it|this|that|any\sof\s(?:it|this|them))\s(?:\w+\s)?(?:anymore|any\s(?:more|longer))")
    add("objection", "wants their data no longer used or processed", 1.0,
        near(rf"(?:{MY})\s(?:\w+\s)?(?:{DATA})",
             r"(?<!\bi\s)(?<!\bik\s)(?<!\bwe\s)(?<!\bich\s)(?:niet|not|nicht|no\slonger|ne\splus|geen)\s(?:meer\s|langer\s|mehr\s|anymore\s)?"
             r"(?:\w+\s){0,3}?(?:gebruiken|gebruikt|verwerken|verwerkt|use|used|process\w*|verwenden|verwendet|"
             r"verarbeiten|verarbeitet|nutzen|genutzt|utiliser|traiter)|stop\s(?:using|processing)|"
             r"aufhoren|stoppen", 6), yields_to="restriction", negation_inside=True)
    add("objection", "no use of their data for marketing", 1.1,
        r"(?:niet|not|nicht|geen|no|ne|keine|don't|dont|never|nooit|nie)\b[^.!?\n]{0,60}?(?:voor|for|fur|zu|pour|"
        r"a\sdes\sfins\sde)\s(?:\w+\s)?(?:\w+\s)?"
        r"(?:marketing|reclame\w*|werbung|werbezwecke\w*|advertising|ads|adverts|advertenties|promoti\w*|"
        r"direct\smarketing|profil\w*|targeting|gerichte\sreclame|personalisierte\swerbung|"
        r"prospection|commerciele\sdoeleinden|commercial\spurposes|marketingdoeleinden|marketingzwecke\w*)",
        negation_inside=True)
    add("objection", "a bare unsubscribe", 1.1,
        r"^\W*(?:please\s|graag\s|bitte\s)?(?:unsubscribe|unsubcribe|afmelden|uitschrijven|abmelden|austragen|"
        r"desabonner|desinscrire|stop)(?:\s(?:me|mij|please|aub|a\.u\.b\.|graag|bitte|svp|thanks|bedankt|danke))*"
        r"\W*$", yields_to="erasure")
    add("objection", "withdraws consent", 1.0,
        r"(?:trek|trekken)\s(?:\w+\s){0,2}?toestemming\s(?:\w+\s){0,3}?in\b|toestemming\s(?:\w+\s){0,2}?"
        r"in\s?trekken|withdraw\w*\s(?:\w+\s){0,2}?consent|revoke\w*\s(?:\w+\s){0,2}?consent|"
        r"widerruf\w*\s(?:\w+\s){0,3}?einwilligung|einwilligung\s(?:\w+\s){0,3}?widerruf\w*|"
        r"retire\w*\s(?:\w+\s){0,2}?consentement", negation_inside=True, yields_to="erasure")
    add("objection", "objects to profiling or automated decisions", 1.0,
        near(r"bezwaar|object|widerspr\w*|oppose|niet|not|nicht|stop", r"profil\w*|geautomatiseerde|"
             r"automated\sdecision|automatisierte", 5))

    # Word families: any verb of stopping or unsubscribing near any kind of marketing, in either order.
    add("objection", "a verb of stopping near marketing", 1.0,
        near(STOP_MARKETING, rf"(?:{NEWSLETTER})\b", 6), family=True)

    # --- article citations are added by classify.py from CITATION ---

    # --- withdrawal of an earlier request ---
    add("withdrawal", "withdraws an earlier request", 1.2,
        rf"(?:trek|trekken|getrokken)\s(?:\w+\s){{0,4}}?(?:{REQUEST_WORDS}|bezwaar)\w*\s(?:\w+\s){{0,4}}?in\b|"
        rf"(?:{REQUEST_WORDS})\w*\s(?:\w+\s){{0,4}}?(?:in\s?trekken|intrek\w*|ingetrokken|annuleren|"
        rf"geannuleerd|vervallen|laten\svervallen|hoeft\sniet\smeer)|\bintrekk\w*\s(?:\w+\s){{0,2}}?"
        rf"(?:{REQUEST_WORDS})|"
        rf"(?:withdraw\w*|cancel\w*|retract\w*|revoke\w*)\s(?:\w+\s){{0,4}}?(?:{REQUEST_WORDS}|objection|"
        rf"sar|dsar)\w*|(?:please\s)?(?:disregard|ignore)\s(?:\w+\s){{0,2}}?(?:previous|earlier|last|"
        rf"former)\s(?:\w+\s)?(?:{REQUEST_WORDS}|e-?mail|mail|message)|"
        rf"(?:ziehe|ziehen)\s(?:\w+\s){{0,5}}?\w*(?:{REQUEST_WORDS}|widerspruch)\w*\s(?:(?:\w+|\d+\.)\s){{0,4}}?"
        r"zuruck|"
        rf"(?:{REQUEST_WORDS})\w*\s(?:\w+\s){{0,4}}?(?:zuruck\w*|hat\ssich\serledigt|gegenstandslos|"
        rf"ist\serledigt)|(?:nehme|nehmen)\s(?:\w+\s){{0,4}}?(?:{REQUEST_WORDS})\w*\s(?:\w+\s)?zuruck|"
        rf"(?:retire|annule)\w*\s(?:\w+\s){{0,3}}?(?:{REQUEST_WORDS})")
    add("withdrawal", "lets an earlier request drop", 1.2,
        rf"\b(?:laat|laten|vergeet)\s(?:\w+\s){{0,5}}?\w*(?:{REQUEST_WORDS})\w*\s(?:\w+\s){{0,5}}?(?:maar\s)?"
        r"(?:zitten|rusten|varen|gaan)\b|"
        rf"(?:{REQUEST_WORDS})\w*\s(?:\w+\s){{0,5}}?laten\s(?:zitten|rusten|varen|vallen)\b|\blaat\s(?:het|dat|dit)?\s?maar\s(?:zitten|rusten)\W+(?:\w+\s)?"
        r"(?:het\s|dat\s)?hoeft\sniet\smeer|"
        rf"\b(?:never\s?mind|ignore|disregard|forget(?:\sabout)?|drop)\s(?:\w+\s){{0,3}}?\w*(?:{REQUEST_WORDS})\w*|"
        rf"\b(?:vergessen\ssie|vergesst|ignorieren\ssie|ignoriert)\s(?:\w+\s){{0,3}}?\w*(?:{REQUEST_WORDS})\w*|"
        rf"\b(?:oubliez|ignorez|laissez\stomber)\s(?:\w+\s){{0,3}}?(?:{REQUEST_WORDS})")

    # --- authority: supervisory authority, police, tax office ---
    add("authority", "a supervisory authority", 1.2,
        r"autoriteit\s?persoonsgegevens|autoriteitpersoonsgegevens|data\sprotection\sauthority|"
        r"supervisory\sauthority|information\scommissioner|\bico\b|datenschutzbehorde|aufsichtsbehorde|"
        r"datenschutzbeauftragte[rn]?\sdes\slandes|landesbeauftragte\w*\sfur\s(?:den\s)?datenschutz|\bbfdi\b|"
        r"\bcnil\b|\bedpb\b|\b(?:ldi|lfdi|lfd|baylda|hmbbfdi|uldsh|lda)\b|autorite\sde\sprotection\sdes\sdonnees|"
        r"gegevensbeschermingsautoriteit|datenschutzaufsicht\w*|aufsichtsbehorde\w*")
    add("authority", "police, prosecutor or tax office", 1.2,
        r"\bpolitie\b|openbaar\sministerie|officier\svan\sjustitie|rechter-commissaris|belastingdienst|\bfiod\b|"
        r"opsporing\w*|\bpolice\b|law\senforcement|prosecutor|tax\s(?:office|authority|authorities)|\bhmrc\b|"
        r"\bpolizei\w*|staatsanwaltschaft|kriminalpolizei|finanzamt|steuerfahndung|zollfahndung|"
        r"gendarmerie|procureur|administration\sfiscale|direction\sgenerale\sdes\sfinances")
    add("authority", "an investigation or legal demand", 0.8,
        r"strafrechtelijk\w*\sonderzoek|fiscaal\w*\sonderzoek|vordering\s(?:tot|van|ex|ingevolge)|\bvordering\b|"
        r"abgabenordnung|§\s?\d+\s?ao\b|steuerlich\w*\s(?:\w+\s)?(?:prufung|ermittlung\w*|verfahren)|"
        r"betriebsprufung|aussenprufung|artikel\s126\w*|126n[a-z]*\s(?:sv|wetboek)|informatiebeschikking|ons\skenmerk|uw\skenmerk|"
        r"criminal\sinvestigation|tax\sinvestigation|court\sorder|subpoena|production\sorder|warrant|"
        r"ermittlungsverfahren|strafverfahren|aktenzeichen|auskunftsersuchen\sgem|§\s?\d+\sstpo|\bstpo\b|"
        r"requisition|enquete\spenale|bestandsdaten|stellung\szu\snehmen|stellungnahme|"
        r"communiquer[\s,]+(?:[\w']+[\s,]+){0,8}?position|uw\szienswijze|your\s(?:response|comments)\swithin")
    add("authority", "a complaint lodged with an authority", 0.8,
        r"complaint\s(?:\w+\s){0,3}?(?:lodged|filed|received|submitted)|(?:lodged|filed|submitted)\s(?:\w+\s){0,2}?"
        r"complaint|klacht\s(?:\w+\s){0,3}?(?:ontvangen|ingediend)|beschwerde\s(?:\w+\s){0,3}?(?:eingegangen|"
        r"eingereicht|erhalten)|plainte\s(?:\w+\s){0,3}?(?:deposee|recue)|beschwerdefuhrer\w*|"
        r"saisie?\s(?:d'une?\s|\w+\s){0,2}?plainte|beschwerde\snach\sart\w*\.?\s?77|complaint\sunder\sart\w*\.?\s?77|"
        r"klacht\s(?:op\sgrond\svan|ingevolge)\sart\w*\.?\s?77")

    # --- contexts that are not requests: order, delivery, invoice, subscription, newsletters, jobs ---
    add("negative", "about an order, delivery or invoice", 1.0,
        r"\b(?:bestelling\w*|order\s?(?:nummer|nr|number|no)?|ordernummer|bestelnummer|levering|bezorg\w*|"
        r"pakket\w*|zending|verzend\w*|factuur\w*|retour\w*|garantie\w*|reparatie|delivery|shipping|"
        r"shipment|parcel|package|invoice|refund|warranty|return\w*|tracking|bestellung|bestellnummer|"
        r"lieferung|liefer\w*|versand\w*|paket|sendung|rechnung|garantie|ruckerstattung|commande|livraison|"
        r"colis|facture|remboursement)\b|#\s?\d{3,}")
    add("negative", "about a subscription or login", 0.8,
        r"\b(?:abonnement\w*|subscription\w*|abo|wachtwoord|password|passwort|mot\sde\spasse|inloggen|login|"
        r"log\sin|anmelden|inlog\w*|licentie\w*|licen[cs]e\w*|lizenz\w*)\b")
    add("negative", "a job application", 1.0,
        r"\b(?:sollicit\w*|vacature\w*|curriculum|\bcv\b|resume|job\sapplication|application\sfor\sthe|"
        r"open\sposition|bewerbung\w*|lebenslauf|stellenanzeige|candidature|motivatiebrief|cover\sletter)\b")
    add("negative", "a study, survey or interview", 1.0,
        r"\b(?:scriptie|afstudeer\w*|thesis|dissertation|masterarbeit|bachelorarbeit|enquete|survey|umfrage|"
        r"questionnaire|vragenlijst|interview\w*)\b")
    add("negative", "bulk mail or newsletter", 1.0,
        r"(?:klik|click|klicken|cliquez)\s(?:\w+\s){0,3}?(?:hier|here|hier|ici)\s(?:\w+\s){0,3}?"
        r"(?:af\ste\smelden|afmelden|unsubscribe|abzumelden|abmelden|desabonner|desinscrire)|"
        r"to\sunsubscribe|om\s(?:je|u|uzelf)\saf\ste\smelden|wil\s(?:je|u)\s(?:\w+\s){0,3}?niet\smeer\sontvangen|"
        r"(?:if\syou|wenn\ssie|als\s(?:je|u))\s(?:\w+\s){0,4}?(?:no\slonger|niet\smeer|nicht\smehr|keine)\s"
        r"(?:\w+\s){0,3}?(?:receive|ontvangen|erhalten)|view\s(?:this\s)?(?:email\s)?in\s(?:your\s)?browser|"
        r"manage\s(?:your\s)?(?:preferences|subscription)|(?:sie\serhalten|you\sreceive|you\sare\sreceiving|"
        r"je\sontvangt|u\sontvangt|vous\srecevez)\s(?:diesen|dieses|diese|this|deze|dit|ce|cette)\s(?:\w+\s)?"
        r"(?:newsletter|nieuwsbrief|e-?mail|mail|bericht|nachricht|message|lettre)\s(?:\w+\s)?(?:weil|because|omdat|"
        r"parce|als)|bekijk\s(?:deze\s)?(?:e-?mail|nieuwsbrief)\s"
        r"(?:online|in\s(?:je|uw)\sbrowser)|im\sbrowser\sansehen|you\sare\sreceiving\sthis")
    add("negative", "a supplier's privacy notice or breach notice", 1.0,
        r"\b(?:informationspflicht\w*|informatieplicht\w*|information\sobligations?|art(?:ikel|icle|\.)?\s?13\s"
        r"(?:und|and|en|et|&|/)\s(?:art\.?\s?)?14|unbefugte[nr]?\szugriff\w*|unauthori[sz]ed\saccess|"
        r"ongeautoriseerde\stoegang|onbevoegde\stoegang|acces\snon\sautorise|sicherheitsvorfall|datenpanne|"
        r"data\sbreach|security\sincident|datalek|beveiligingsincident|violation\sde\sdonnees|"
        r"(?:wir|we|wij)\s(?:haben|have|hebben)\s(?:\w+\s){0,3}?(?:aufsichtsbehorde|supervisory\sauthority|ico|"
        r"autoriteit\spersoonsgegevens|ap)\s(?:\w+\s)?(?:informiert|notified|informed|gemeld|ingelicht)|"
        r"(?:geschafts|handels)partner\w*|business\spartners?|zakenrelatie\w*)\b")
    add("negative", "a sales pitch about privacy requests", 1.0,
        r"\b(?:(?:kostenlos|gratis|free)\s(?:\w+\s){0,2}?(?:test\w*|trial|proberen|uitproberen|demo)|"
        r"(?:test\w*|probeer\w*|try)\s(?:sie\s|het\s|it\s)?(?:\d+\s(?:tage|dagen|days)\s)?(?:kostenlos|gratis|free)|"
        r"free\strial|proefperiode|(?:book|plan|request|vraag)\s(?:a\s|een\s)?(?:\w+\s)?demo|demo\s(?:aanvragen|buchen)|"
        r"in\s(?:wenigen|a\sfew|enkele|een\spaar)\sklicks?|in\s(?:a\sfew|enkele|een\spaar)\s(?:clicks|klikken)|"
        r"(?:unsere|our|onze)\s(?:\w+\s)?(?:software|losung|tool|platform|plattform|solution|oplossing)|"
        r"(?:betroffenen|data\ssubject|betrokkenen)(?:anfragen|\srequests|verzoeken))\b")
    add("negative", "phishing or spam", 1.0,
        r"verify\s(?:your\s)?account|verifieer\s(?:uw|je)\s(?:account|gegevens)|"
        r"(?:uw|je|your|ihre)\s(?:\w+\s)?(?:gegevens|account|rekening|data|details|konto|daten|identiteit|identity)\s"
        r"(?:\w+\s){0,2}?(?:te\s|zu\s)?(?:verifi\w*|valideren|verify|confirm|bestatigen|verifizieren)|"
        r"(?:anders|otherwise|or\selse|sonst|ansonsten)\s(?:\w+\s){0,3}?(?:geblokkeerd|opgeschort|verwijderd|"
        r"suspended|blocked|deleted|deactivated|gesperrt|geloscht)|bevestig\s(?:uw|je)\s"
        r"(?:account|gegevens|identiteit)\s(?:\w+\s){0,3}?(?:binnen|voor|within)|will\sbe\s(?:suspended|"
        r"deleted|closed|deactivated)|wordt\s(?:\w+\s)?(?:geblokkeerd|verwijderd|opgeschort)\s(?:\w+\s){0,3}?"
        r"(?:binnen|tenzij)|wird\s(?:\w+\s)?(?:gesperrt|geloscht)|bitcoin|crypto|lottery|loterij|"
        r"(?:confirm|bevestig|bestatig|confirmer|verifier|verify|verifieer)\w*\s(?:vos|votre|your|uw|je|ihre)\s"
        r"(?:\w+\s)?(?:informations|donnees|coordonnees|details|gegevens|daten|identite|identity|identiteit)|"
        r"sera\s(?:\w+\s)?(?:bloque|suspendu|supprime|desactive)e?|"
        r"gewonnen|congratulations|you\shave\swon|seo\sservices|backlinks|guest\spost|"
        r"your\smailbox\s(?:is\s)?(?:full|quota)|mailbox\squota|inheritance|beneficiary")
    add("negative", "writes as the company, not as a data subject", 0.8,
        r"\b(?:wij|we)\s(?:hebben|have|zullen|will|'ve)\s(?:\w+\s){0,5}?(?:uw|your|je)\s(?:\w+\s)?(?:gegevens|data|"
        r"account|order|bestelling|details|information|informatie|klantnummer|customer\snumber)|"
        r"\b(?:wij|we)\s(?:hebben|have|'ve)\s(?:\w+\s)?(?:updated|bijgewerkt|aangepast|gewijzigd|changed)\s"
        r"(?:our|onze|ons)\s(?:records|administratie|systeem|system|bestand|privacy\s?\w+|data\sprotection\s\w+)|"
        r"\bour\sprivacy\s(?:policy|statement|notice)\s(?:has|have)\s|"
        r"\bwij\shebben\sonze\sprivacy\w*\s(?:\w+\s)?(?:aangepast|gewijzigd|bijgewerkt)|"
        r"\bons\sprivacybeleid\s(?:is|wordt)|unsere\sdatenschutzerklarung")
    add("negative", "writes as the company, not as a data subject", 0.8,
        r"\b(?:ons|onze|our|unser\w*|notre)\s(?:\w+\s)?(?:iban|bankrekeningnummer|rekeningnummer|bank\s?account|"
        r"bankverbindung|kontonummer|bankgegevens|bank\sdetails)\b|\b(?:geachte|beste)\srelatie\b")
    return rules


RULES: tuple[Rule, ...] = tuple(_rules())

LAW = (
    r"avg|u?avg|gdpr|g\.d\.p\.r\.?|dsgvo|ds-gvo|rgpd|agdpr|algemene\sverordening\sgegevensbescherming|"
    r"general\sdata\sprotection\sregulation|datenschutz-?grundverordnung|reglement\sgeneral"
)
ARTICLE_NUMBERS = r"1[5-9]|2[0-2]"
CITATION = R(
    rf"\b(?:art(?:ikel|icle|ikels|icles|\.|s\.|s)?|§)\s?((?:{ARTICLE_NUMBERS})(?:\s?(?:,|en|and|und|et|&|/|\+|-|or|of|oder|ou)\s?"
    rf"(?:art(?:ikel|icle|\.)?\s?)?(?:{ARTICLE_NUMBERS}))*)\b(?:\(\d+\)(?:\([a-z]\))?)?(?:\s?(?:lid|abs\.?|absatz|para\.?|paragraph|\(\d\)|"
    rf"sub|onder|lit\.?)\s?\w+)*[\s,]+(?:\w+\s){{0,3}}?(?:{LAW})\b"
    rf"|\b(?:{LAW})[\s,-]+(?:art(?:ikel|icle|\.)?|§)\s?((?:{ARTICLE_NUMBERS})(?:\s?(?:,|en|and|und|et|&|/)\s?"
    rf"(?:{ARTICLE_NUMBERS}))*)\b"
)
ARTICLE_TYPES = {
    "15": "access", "16": "rectification", "17": "erasure", "18": "restriction", "20": "portability",
    "21": "objection",
}

# Signs that the sender asks something (a request rather than a remark), used to rank confidence.
REQUEST_MARKER = R(
    r"\b(?:graag|gaarne|verzoek\w*|wil\s|willen|wens\w*|vraag|kunt\su|kunnen\sjullie|kun\sje|zou|zouden|"
    r"gelieve|alstublieft|aub|svp|please|pls|plz|request\w*|want|would\slike|i'd\slike|need|could\syou|"
    r"can\syou|kindly|bitte|ersuche|mochte|verlange|fordere|beantrage|bitten|je\svoudrais|je\ssouhaite|"
    r"je\sdemande|veuillez|merci\sde|pourriez)"
)
# The sender chases or forwards an earlier mail: the quoted part then says what they want.
FOLLOW_UP = R(
    r"nog\s(?:steeds\s|altijd\s)?(?:geen|niets|niks)\s(?:\w+\s)?(?:reactie|antwoord|gehoord|ontvangen)|herinnering|"
    r"rappel|reminder|still\sno\s(?:answer|reply|response)|"
    r"still\s(?:no|not|haven't|have\snot)|(?:no|any)\s(?:reply|response|answer)\syet|"
    r"noch\s(?:keine|nichts)|erinnerung|nachfrage|zie\s(?:onder|hieronder|beneden|onderstaand)|onderstaand\w*|"
    r"see\s(?:below|my\s(?:previous|earlier))|as\s(?:requested|asked)\s(?:below|before|earlier)|"
    r"siehe\s(?:unten|meine|untenstehend)|untenstehende|voir\sci-dessous|sans\sreponse|"
    r"(?:wie|as|zoals)\s(?:\w+\s){0,3}?(?:angefragt|asked|gevraagd|vermeld)"
)


# --- screening: which patterns can match a text at all -----------------------------------------------------------
# Running ~60 patterns over every mail costs ~450 µs, and most of them cannot match: "asks to delete their data"
# needs a delete verb *and* a word for data somewhere in the text. ``Screen`` reads each compiled pattern's syntax
# tree for such needs — groups of literal strings, one of each group in every match — finds all literals in a text
# with one trie regex, and runs only the patterns whose every group occurs. Derived from the patterns themselves,
# so editing a rule cannot make the screen disagree with it.

_P = re._parser  # type: ignore[attr-defined]
_C = re._constants  # type: ignore[attr-defined]
_ZERO_WIDTH = (_C.AT, _C.ASSERT, _C.ASSERT_NOT)
_REPEATS = (_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT)
_WORD_CACHE = 50_000  # words whose needs are remembered (~10 MB at most)
_COMBINATIONS = 64  # an alternation's needs are combined up to this many ways; beyond, the weakest are left out

Need = frozenset[str]  # one of these literals is in every match


def _rank(need: Need) -> tuple[int, int]:
    """Long literals screen well, short ones ("me", "de") match nearly every mail; fewer is better."""
    return min(min(map(len, need)), 6), -len(need)


def _prune(needs: list[Need]) -> list[Need]:
    """Drop needs implied by another (a superset of literals is met whenever the subset is)."""
    unique = sorted(set(needs), key=len)
    return [n for i, n in enumerate(unique) if not any(m <= n for m in unique[:i])]


def _needs(items: list[tuple[object, object]]) -> list[Need]:
    """What every match of the parsed sequence ``items`` contains: all of the returned needs; [] if nothing known."""
    needs: list[Need] = []
    run: list[str] = []
    for op, av in items:
        if op is _C.LITERAL:
            run.append(chr(av))  # type: ignore[arg-type]
            continue
        if op in _ZERO_WIDTH:  # takes no characters: the literals either side are adjacent in the text
            continue
        if run:
            needs.append(frozenset({"".join(run)}))
            run = []
        if op is _C.SUBPATTERN:
            needs += _needs(av[3].data)  # type: ignore[index]
        elif op is _C.ATOMIC_GROUP:
            needs += _needs(av.data)  # type: ignore[attr-defined]
        elif op is _C.BRANCH:
            needs += _either([_needs(branch.data) for branch in av[1]])  # type: ignore[index]
        elif op in _REPEATS and av[0] >= 1:  # type: ignore[index]
            needs += _needs(av[2].data)  # type: ignore[index]
    if run:
        needs.append(frozenset({"".join(run)}))
    return _prune(needs)


def _either(branches: list[list[Need]]) -> list[Need]:
    """Needs of an alternation: (a and b) or (c and d) implies (a or c), (a or d), (b or c), (b or d)."""
    if not branches or any(not b for b in branches):
        return []
    branches = [sorted(branch, key=_rank, reverse=True) for branch in branches]
    while math.prod(map(len, branches)) > _COMBINATIONS:  # keep each branch's best needs
        longest = max(branches, key=len)
        longest.pop()
    combined: list[Need] = [frozenset()]
    for branch in branches:
        combined = [done | need for done in combined for need in branch]
    return _prune(combined)


_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")
_ENDS = frozenset(".!?")
_CROSSING_CATEGORIES = frozenset({_C.CATEGORY_NOT_DIGIT, _C.CATEGORY_NOT_SPACE, _C.CATEGORY_NOT_WORD,
                                  _C.CATEGORY_NOT_LINEBREAK})


def _in_set_crosses(items: list[tuple[object, object]]) -> bool:
    """Whether a character class ``[...]`` takes one of . ! ?"""
    negate = bool(items) and items[0][0] is _C.NEGATE
    hit = False
    for op, av in items[1:] if negate else items:
        if op is _C.LITERAL:
            hit = hit or chr(av) in _ENDS  # type: ignore[arg-type]
        elif op is _C.RANGE:
            hit = hit or any(av[0] <= ord(ch) <= av[1] for ch in _ENDS)  # type: ignore[index]
        elif op is _C.CATEGORY:
            hit = hit or av in _CROSSING_CATEGORIES
    # A negated class takes . ! ? unless it lists all three: [^\s.!?;:] stays inside a sentence.
    listed = {chr(av) for op, av in items if op is _C.LITERAL}  # type: ignore[arg-type]
    return not listed >= _ENDS if negate else hit


def _crosses(items: list[tuple[object, object]], word_follows: bool = False) -> bool:
    """Whether a match can take a sentence end (. ! ? before a space), or look at or past one.

    ``word_follows``: a letter is certain to follow this part of the pattern (the "." of ``tel.nr``), so a dot
    here is inside a word, not a sentence end.
    """
    for index, (op, av) in enumerate(items):
        after = items[index + 1] if index + 1 < len(items) else None
        safe = (after[0] is _C.LITERAL and chr(after[1]).isalnum()) if after else word_follows  # type: ignore
        if op is _C.LITERAL:
            if chr(av) in _ENDS and not safe:  # type: ignore[arg-type]
                return True
        elif op in (_C.ANY, _C.NOT_LITERAL):
            if not safe:
                return True
        elif op is _C.AT:
            if av in (_C.AT_END, _C.AT_END_STRING):
                return True
        elif op is _C.IN:
            if not safe and _in_set_crosses(av):  # type: ignore[arg-type]
                return True
        elif op is _C.SUBPATTERN:
            if _crosses(av[3].data, safe):  # type: ignore[index]
                return True
        elif op is _C.BRANCH:
            if any(_crosses(branch.data, safe) for branch in av[1]):  # type: ignore[index]
                return True
        elif op in _REPEATS:
            if _crosses(av[2].data, safe and av[1] == 1):  # type: ignore[index]
                return True
        elif op is _C.ATOMIC_GROUP:
            if _crosses(av.data, safe):  # type: ignore[attr-defined]
                return True
        elif op in (_C.ASSERT, _C.ASSERT_NOT):
            if av[0] == 1 and _crosses(av[1].data):  # type: ignore[index]  # a look-ahead
                return True
        elif op is not _C.CATEGORY:  # group references and anything unforeseen: assume the worst
            return True
    return False


def _trie_pattern(words: set[str]) -> str:
    """One regex matching the longest of ``words`` that starts at a position (greedy over a trie)."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def render(node: dict[str, dict]) -> str:
        alts = [re.escape(ch) + render(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return render(trie)


def _screening_needs(pattern: re.Pattern[str]) -> list[Need]:
    """The needs worth screening on: those of literals of 3+ characters, else of 2 or a sign like "#"."""
    needs = _needs(_P.parse(pattern.pattern, pattern.flags).data)
    for shortest in (3, 2):
        good = [n for n in needs if all(len(s) >= shortest or not s.isalpha() for s in n)]
        if good:
            return good
    return []


class Screen:
    """Tells whether each of ``patterns`` can match a text, from the literals it needs (see above)."""

    def __init__(self, patterns: list[re.Pattern[str]]) -> None:
        ids: dict[Need, int] = {}
        self.needs = [frozenset(ids.setdefault(n, len(ids)) for n in _screening_needs(p)) for p in patterns]
        # Patterns that can match only inside one sentence are run only on the sentences that meet their needs.
        self.in_sentence = [not _crosses(_P.parse(p.pattern, p.flags).data) for p in patterns]
        owners: dict[str, set[int]] = {}
        for need, number in ids.items():
            for literal in need:
                owners.setdefault(literal, set()).add(number)
        # The scan reports the longest literal at each position; the shorter ones starting there are its prefixes.
        self._met = {
            literal: frozenset().union(*(owners[literal[:n]] for n in range(1, len(literal) + 1)
                                         if literal[:n] in owners))
            for literal in owners
        }
        if any(ch.isspace() for literal in owners for ch in literal):
            raise ValueError("a screening literal spans words")  # met() looks for literals within words
        self._scan = re.compile(f"(?=({_trie_pattern(set(owners))}))")
        self._words: dict[str, frozenset[int]] = {}

    def sentences(self, text: str) -> list[tuple[int, int, frozenset[int]]]:
        """(start, end, needs met) of each stretch of ``text`` between sentence ends (. ! ? before a space)."""
        spans, start = [], 0
        for end in _SENTENCE_END.finditer(text):
            if end.start() > start:
                spans.append((start, end.start()))
            start = end.end()
        if start < len(text):
            spans.append((start, len(text)))
        return [(begin, stop, self.met(text[begin:stop])) for begin, stop in spans]

    def met(self, text: str) -> frozenset[int]:
        """The needs met by ``text``: pattern ``i`` can match only if ``needs[i] <= met(text)``.

        Literals hold no white space, so each is inside one word; the needs a word meets are remembered, as
        mail repeats its vocabulary, and the word scan is the costly part.
        """
        words = self._words
        if len(words) > _WORD_CACHE:
            words.clear()
        unique = set(text.split())
        found = [words.get(word) for word in unique]
        if None in found:
            for word in unique:
                if word not in words:
                    words[word] = frozenset().union(*(self._met[m] for m in self._scan.findall(word)))
            found = [words[word] for word in unique]
        return frozenset().union(*found)


# Contexts that classify checks around a match, screened like the rules: only mails that can hold one pay for it.
CONTEXTS = {"told": RIGHT_TOLD, "thanks": THANKS_FOR, "done": ANY_PARTICIPLE, "device": DEVICE_DATA}
# The rules, then the citation pattern (index ``len(RULES)``), then the contexts.
SCREEN = Screen([rule.pattern for rule in RULES] + [CITATION, *CONTEXTS.values()])
CITATION_NEEDS = SCREEN.needs[len(RULES)]
CONTEXT_NEEDS = dict(zip(CONTEXTS, SCREEN.needs[len(RULES) + 1:], strict=True))
