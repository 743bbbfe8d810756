"""The desk's interface text in Dutch (the staff's language) and English; a missing key shows the English."""

from __future__ import annotations

from typing import Any

LANGUAGES = ("nl", "en")

_EN: dict[str, str] = {
    "title": "Privacy desk",
    "login": "Log in", "logout": "Log out", "name": "Name", "password": "Password",
    "login_failed": "Name or password is wrong, or the account is disabled.",
    "login_limited": "Too many failed attempts. Wait a few minutes and try again.",
    "session_expired": "Your session has ended. Please log in again.",
    "csrf_failed": "This form has expired. Reload the page and try again.",
    "queue": "Queue", "other_mail": "Other mail", "quarantine": "Quarantine", "authority": "Authority mail",
    "search": "Search", "search_hint": "Reference, name or address", "filter": "Filter", "all": "All",
    "open": "Open", "status": "Status", "type": "Type", "ref": "Reference", "requester": "Requester",
    "received": "Received", "due": "Due", "days_left": "Days left", "overdue": "overdue", "day": "day",
    "days": "days", "today": "today", "no_requests": "No requests match.", "page": "Page", "of": "of",
    "next": "Next", "previous": "Previous", "shown": "shown",
    "processing_stopped": "Processing stopped", "extended": "extended", "anonymised": "anonymised",
    "verified": "verified", "not_verified": "not verified",
    "status.awaiting_identity": "Awaiting identity", "status.pending_approval": "Awaiting approval",
    "status.flagged": "Flagged (suspected forgery)", "status.completed": "Completed",
    "status.rejected": "Rejected", "status.withdrawn": "Withdrawn", "status.discarded": "Discarded",
    "type.access": "access", "type.rectification": "rectification", "type.erasure": "erasure",
    "type.restriction": "restriction", "type.portability": "portability", "type.objection": "objection",
    "mails": "Mails", "attachments": "Attachments", "no_text": "(no text part)", "html_version": "HTML version",
    "authentication": "Authentication results", "identity": "Identity", "evidence": "Classifier evidence",
    "confidence": "confidence", "history": "History", "replies": "Replies", "reply_status.draft": "draft",
    "reply_status.queued": "queued", "reply_status.sent": "sent", "reply_status.failed": "failed",
    "reply_status.discarded": "discarded", "subject": "Subject", "text": "Text", "to": "To",
    "save": "Save changes", "preview": "Preview as sent", "approve": "Approve and send",
    "approve_all": "Approve and send all drafts", "draft_new": "Draft a reply", "draft": "Draft",
    "kind.acknowledgement": "acknowledgement", "kind.identity_request": "identity request",
    "kind.completion": "completion", "kind.rejection": "rejection", "kind.extension": "extension notice",
    "kind.identity_confirmed": "identity confirmed", "kind.digest": "digest", "kind.alert": "alert",
    "decisions": "Decisions", "reason": "Reason", "months": "Months", "note": "Note",
    "reject": "Reject", "verify": "Mark identity verified", "unflag": "Not a forgery: un-flag",
    "discard": "Discard as forgery", "extend": "Extend the deadline", "complete": "Complete",
    "withdraw": "Withdrawn by requester",
    "extend_help": "Art. 12(3): by up to two further months, with a reason, only within the first month. "
                   "An extension notice is drafted for approval.",
    "extend_closed": "The first month has passed or the deadline was extended already: no extension possible.",
    "extend_flagged": "decide on the suspected forgery first.",
    "complete_help": "Drafts the completion (with the copy as JSON and CSV for access, portability and "
                     "objection). Approving it closes the request; an erasure then anonymises the register.",
    "flagged_help": "The receiving server says the sender's address was forged. Nothing was sent.",
    "identity_help": "Verify only after checking who wrote (e.g. a reply from the known address).",
    "approver_only": "Sending and closing decisions need the approver role.",
    "done": "Done", "error": "Not possible", "back": "Back to the queue",
    "preview_title": "Preview of the mail as it will be sent", "headers": "Headers",
    "plain_text": "Plain text", "history_empty": "No history yet.",
    "message_id": "Message-ID", "reason_held": "Reason", "from": "From",
    "language": "Language", "customer": "Customer", "unknown_customer": "not a known customer",
    "no_mail": "No mail in this list.", "flagged_count": "flagged", "identity_count": "awaiting identity",
    "approval_count": "awaiting approval", "quarantine_count": "quarantined", "authority_count": "authority mail",
    # digest and alert
    "digest.subject": "Privacy requests: weekly digest, week {week}",
    "digest.intro": "The privacy desk's week in short. Open each request on the desk to act on it.",
    "digest.new": "New this week", "digest.awaiting_approval": "Awaiting approval",
    "digest.awaiting_identity": "Awaiting identity", "digest.due_soon": "Due within 7 days",
    "digest.overdue": "Overdue", "digest.flagged": "Flagged (suspected forgery)",
    "digest.completed": "Completed this week", "digest.none": "none", "digest.desk": "Desk",
    "alert.subject": "Privacy requests: deadlines within {days} days",
    "alert.intro": "These requests are due within {days} days or overdue:",
}

_NL: dict[str, str] = {
    "title": "Privacybalie",
    "login": "Inloggen", "logout": "Uitloggen", "name": "Naam", "password": "Wachtwoord",
    "login_failed": "Naam of wachtwoord klopt niet, of het account is uitgeschakeld.",
    "login_limited": "Te veel mislukte pogingen. Wacht een paar minuten en probeer het opnieuw.",
    "session_expired": "Uw sessie is verlopen. Log opnieuw in.",
    "csrf_failed": "Dit formulier is verlopen. Laad de pagina opnieuw en probeer het nog eens.",
    "queue": "Wachtrij", "other_mail": "Overige mail", "quarantine": "Quarantaine", "authority": "Mail van instanties",
    "search": "Zoeken", "search_hint": "Kenmerk, naam of adres", "filter": "Filteren", "all": "Alle",
    "open": "Open", "status": "Status", "type": "Soort", "ref": "Kenmerk", "requester": "Verzoeker",
    "received": "Ontvangen", "due": "Uiterlijk", "days_left": "Dagen over", "overdue": "te laat", "day": "dag",
    "days": "dagen", "today": "vandaag", "no_requests": "Geen verzoeken gevonden.", "page": "Pagina",
    "of": "van", "next": "Volgende", "previous": "Vorige", "shown": "getoond",
    "processing_stopped": "Verwerking gestaakt", "extended": "verlengd", "anonymised": "geanonimiseerd",
    "verified": "geverifieerd", "not_verified": "niet geverifieerd",
    "status.awaiting_identity": "Wacht op identificatie", "status.pending_approval": "Wacht op goedkeuring",
    "status.flagged": "Gemarkeerd (vermoedelijk vervalst)", "status.completed": "Afgehandeld",
    "status.rejected": "Afgewezen", "status.withdrawn": "Ingetrokken", "status.discarded": "Verworpen",
    "type.access": "inzage", "type.rectification": "rectificatie", "type.erasure": "verwijdering",
    "type.restriction": "beperking", "type.portability": "overdraagbaarheid", "type.objection": "bezwaar",
    "mails": "E-mails", "attachments": "Bijlagen", "no_text": "(geen tekstdeel)", "html_version": "HTML-versie",
    "authentication": "Authenticatieresultaten", "identity": "Identiteit", "evidence": "Bewijs van de classificatie",
    "confidence": "zekerheid", "history": "Geschiedenis", "replies": "Antwoorden", "reply_status.draft": "concept",
    "reply_status.queued": "in de wachtrij", "reply_status.sent": "verzonden", "reply_status.failed": "mislukt",
    "reply_status.discarded": "vervallen", "subject": "Onderwerp", "text": "Tekst", "to": "Aan",
    "save": "Wijzigingen opslaan", "preview": "Voorbeeld zoals verzonden", "approve": "Goedkeuren en versturen",
    "approve_all": "Alle concepten goedkeuren en versturen", "draft_new": "Antwoord opstellen", "draft": "Opstellen",
    "kind.acknowledgement": "ontvangstbevestiging", "kind.identity_request": "verzoek om identificatie",
    "kind.completion": "afhandeling", "kind.rejection": "afwijzing", "kind.extension": "verlengingsbericht",
    "kind.identity_confirmed": "identiteit bevestigd", "kind.digest": "overzicht", "kind.alert": "waarschuwing",
    "decisions": "Besluiten", "reason": "Reden", "months": "Maanden", "note": "Notitie",
    "reject": "Afwijzen", "verify": "Identiteit geverifieerd", "unflag": "Geen vervalsing: markering opheffen",
    "discard": "Verwerpen als vervalsing", "extend": "Termijn verlengen", "complete": "Afhandelen",
    "withdraw": "Ingetrokken door verzoeker",
    "extend_help": "Art. 12 lid 3: met ten hoogste twee maanden, met reden, alleen binnen de eerste maand. "
                   "Er wordt een verlengingsbericht opgesteld ter goedkeuring.",
    "extend_closed": "De eerste maand is voorbij of de termijn is al verlengd: verlengen kan niet meer.",
    "extend_flagged": "besluit eerst over de vermoedelijke vervalsing.",
    "complete_help": "Stelt de afhandeling op (met de kopie als JSON en CSV bij inzage, overdraagbaarheid en "
                     "bezwaar). Goedkeuren sluit het verzoek; bij verwijdering wordt het register geanonimiseerd.",
    "flagged_help": "De ontvangende server meldt dat het afzenderadres vervalst is. Er is niets verstuurd.",
    "identity_help": "Alleen verifiëren na controle wie schreef (bijv. een antwoord vanaf het bekende adres).",
    "approver_only": "Versturen en afsluiten vraagt de rol goedkeurder.",
    "done": "Gedaan", "error": "Niet mogelijk", "back": "Terug naar de wachtrij",
    "preview_title": "Voorbeeld van de e-mail zoals die verstuurd wordt", "headers": "Kopregels",
    "plain_text": "Platte tekst", "history_empty": "Nog geen geschiedenis.",
    "message_id": "Message-ID", "reason_held": "Reden", "from": "Van",
    "language": "Taal", "customer": "Klant", "unknown_customer": "geen bekende klant",
    "no_mail": "Geen mail in deze lijst.", "flagged_count": "gemarkeerd", "identity_count": "wacht op identificatie",
    "approval_count": "wacht op goedkeuring", "quarantine_count": "in quarantaine",
    "authority_count": "mail van instanties",
    "digest.subject": "Privacyverzoeken: weekoverzicht, week {week}",
    "digest.intro": "De week van de privacybalie in het kort. Open een verzoek op de balie om het af te handelen.",
    "digest.new": "Nieuw deze week", "digest.awaiting_approval": "Wacht op goedkeuring",
    "digest.awaiting_identity": "Wacht op identificatie", "digest.due_soon": "Termijn binnen 7 dagen",
    "digest.overdue": "Te laat", "digest.flagged": "Gemarkeerd (vermoedelijk vervalst)",
    "digest.completed": "Afgehandeld deze week", "digest.none": "geen", "digest.desk": "Balie",
    "alert.subject": "Privacyverzoeken: termijnen binnen {days} dagen",
    "alert.intro": "Deze verzoeken moeten binnen {days} dagen af, of zijn te laat:",
}

_TABLES = {"en": _EN, "nl": _NL}


class Texts(dict[str, str]):
    """Looked up as ``t["key"]`` or ``t("key", name=value)`` in templates; unknown keys fall back to English."""

    def __missing__(self, key: str) -> str:
        return _EN.get(key, key)

    def __call__(self, key: str, **values: Any) -> str:
        return self[key].format(**values)


def texts(lang: str) -> Texts:
    return Texts(_TABLES.get(lang, _EN))
