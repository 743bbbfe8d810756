"""Reply templates → drafts → MIME.

Templates live in ``replies.templates`` and are edited by staff, so they run in Jinja's sandbox. Each kind
has ``<kind>.<lang>.txt`` (first line ``Subject: ...``, then a blank line, then the body) and
``<kind>.<lang>.html`` (the HTML alternative, HTML-escaped). Files starting with ``_`` are partials (layout,
per-language phrases); phrases are plain strings, never macros, because a macro from a text partial called in
an HTML template would come back marked safe and skip escaping.

Context names the templates may use (the caller supplies all but ``company``):

- ``company``: the configured ``Company`` (name, address, email, phone, website, privacy_contact,
  response_days)
- ``request``: ``ref``, ``types`` (values of REQUEST_TYPES), ``received_at`` and ``due_at`` (datetimes),
  ``requester_name`` ("" when unknown), ``language``
- ``processors``: items with ``name``, ``purpose``, ``categories`` (completion of access/portability)
- ``reason`` (rejection); ``new_due_at``, ``extension_reason``, ``months`` (extension)

Filters: ``date(lang)`` formats a date or datetime as a local date in the company's time zone ("14 februari
2027", "14 February 2027", "14. Februar 2027"; ISO for other languages); ``typename(lang)`` names a request
type (English for other languages); ``lines`` turns plain text into escaped HTML with line breaks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from mailbot.config import Company

KINDS = ("acknowledgement", "identity_request", "completion", "rejection", "extension", "identity_confirmed")

_MONTHS = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
           "November", "Dezember"),
}
_DATE_PATTERNS = {"nl": "{day} {month} {year}", "en": "{day} {month} {year}", "de": "{day}. {month} {year}"}

TYPE_NAMES = {
    "nl": {"access": "inzage", "rectification": "rectificatie", "erasure": "verwijdering",
           "restriction": "beperking van de verwerking", "portability": "overdraagbaarheid",
           "objection": "bezwaar"},
    "en": {"access": "access", "rectification": "rectification", "erasure": "erasure",
           "restriction": "restriction of processing", "portability": "data portability",
           "objection": "objection"},
    "de": {"access": "Auskunft", "rectification": "Berichtigung", "erasure": "Löschung",
           "restriction": "Einschränkung der Verarbeitung", "portability": "Datenübertragbarkeit",
           "objection": "Widerspruch"},
}

_NAME = re.compile(r"[a-z][a-z_]*")
_LANGUAGE = re.compile(r"[a-z]{2,3}")
_SUBJECT_PREFIX = "Subject:"
# C0 and C1 controls, DEL, and the Unicode line/paragraph separators some mail software treats as line ends.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_MESSAGE_ID = re.compile(r"<[\x21-\x3b\x3d\x3f-\x7e]+@[\x21-\x3b\x3d\x3f-\x7e]+>")
_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")
_CONTENT_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")


@dataclass(frozen=True)
class Draft:
    """A rendered reply; ``language`` is the template's language, which may be the fallback."""

    kind: str
    language: str
    subject: str
    text: str
    html: str


def type_name(request_type: str, lang: str) -> str:
    """The request type as people call it in ``lang``; English names stand in for languages not listed."""
    return TYPE_NAMES.get(lang, TYPE_NAMES["en"])[request_type]


def format_date(value: date | datetime, lang: str, tz: tzinfo) -> str:
    """A day as people write it; datetimes are first moved into ``tz`` (naive ones are UTC)."""
    if isinstance(value, datetime):
        value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(tz).date()
    if lang not in _MONTHS:
        return value.isoformat()
    return _DATE_PATTERNS[lang].format(day=value.day, month=_MONTHS[lang][value.month - 1], year=value.year)


def _html_lines(text: str) -> Markup:
    return Markup("<br>\n").join(escape(line) for line in str(text).strip().split("\n"))


class Composer:
    """Renders reply drafts from the template folder, in the request's language when a template exists."""

    def __init__(self, templates_dir: Path, company: Company) -> None:
        self.templates_dir = templates_dir
        self.company = company
        self._env = ImmutableSandboxedEnvironment(
            loader=FileSystemLoader(templates_dir),
            autoescape=select_autoescape(enabled_extensions=("html",), default=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self._env.filters["date"] = lambda value, lang: format_date(value, lang, company.tz)
        self._env.filters["typename"] = type_name
        self._env.filters["lines"] = _html_lines

    def available(self, kind: str) -> list[str]:
        """Languages with both a text and an HTML template for ``kind``."""
        if not _NAME.fullmatch(kind):
            return []
        found = []
        for path in self.templates_dir.glob(f"{kind}.*.txt"):
            lang = path.name[len(kind) + 1:-len(".txt")]
            if _LANGUAGE.fullmatch(lang) and path.with_suffix(".html").is_file():
                found.append(lang)
        return sorted(found)

    def render(self, kind: str, language: str, context: Mapping[str, Any]) -> Draft:
        """Render ``kind``; a language without templates falls back to the company's language."""
        languages = self.available(kind)
        lang = language if language in languages else self.company.language
        if lang not in languages:
            raise LookupError(f"no {kind!r} template in {language!r} or {self.company.language!r} "
                              f"in {self.templates_dir}")
        values = {"company": self.company, **context}
        text = self._env.get_template(f"{kind}.{lang}.txt").render(values)
        html = self._env.get_template(f"{kind}.{lang}.html").render(values)
        first, _, body = text.partition("\n")
        if not first.startswith(_SUBJECT_PREFIX):
            raise ValueError(f"{kind}.{lang}.txt: the first line must be 'Subject: ...'")
        return Draft(kind=kind, language=lang, subject=first[len(_SUBJECT_PREFIX):].strip(),
                     text=body.strip("\n") + "\n", html=html.strip() + "\n")


def _one_line(value: str) -> str:
    """Free text for a header: control characters become spaces, so nothing can start a new header."""
    return " ".join(_CONTROL.sub(" ", value).split())


def _address(value: str, what: str) -> Address:
    """Exactly one bare address; CR/LF or anything else that could add a header or recipient is refused."""
    if _CONTROL.search(value):
        raise ValueError(f"{what}: control characters in address {value!r}")
    try:
        address = Address(addr_spec=value.strip())
    except (ValueError, IndexError, HeaderParseError) as exc:
        raise ValueError(f"{what}: not a single valid address: {value!r}") from exc
    if not address.username or not address.domain:
        raise ValueError(f"{what}: not a single valid address: {value!r}")
    if address.domain.isascii():
        return address
    try:  # an internationalised domain travels as IDNA; header encoding would garble it
        domain = address.domain.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValueError(f"{what}: invalid domain in {value!r}") from exc
    return Address(username=address.username, domain=domain)


def valid_address(value: str) -> bool:
    """Whether a reply could be sent to ``value``: the pipeline checks before it opens a request it must answer."""
    try:
        _address(value, "To")
    except ValueError:
        return False
    return True


def _message_id(value: str, what: str) -> str:
    if not _MESSAGE_ID.fullmatch(value):
        raise ValueError(f"{what}: not a valid Message-ID: {value!r}")
    return value


def _subject(subject: str, ref: str) -> str:
    """``[REF] subject`` with the reference exactly once, whatever the template or a reply chain put in.

    An empty ``ref`` (mail that belongs to no request) leaves the subject as it is.
    """
    if not ref:
        return _one_line(subject)
    if not _REF.fullmatch(ref):
        raise ValueError(f"not a valid request reference: {ref!r}")
    rest = re.sub(rf"\s*\[\s*{re.escape(ref)}\s*\]\s*", " ", _one_line(subject), flags=re.IGNORECASE)
    return f"[{ref}] {rest.strip()}".rstrip()


def build_mime(
    draft: Draft,
    *,
    from_address: str,
    from_name: str,
    to: str,
    ref: str,
    in_reply_to: str | None,
    references: Sequence[str],
    auto: bool,
    attachments: Sequence[tuple[str, str, bytes]] = (),
) -> EmailMessage:
    """One reply: text with an HTML alternative, attachments around it, threaded onto the mail it answers.

    ``references`` are the answered mail's own References; malformed ones are dropped (they came from outside
    and must not block the reply), while a malformed ``in_reply_to`` or address is refused with ValueError.
    ``attachments`` are ``(filename, content_type, data)``.
    """
    sender = _address(from_address, "From")
    msg = EmailMessage()
    msg["Subject"] = _subject(draft.subject, ref)
    msg["From"] = Address(display_name=_one_line(from_name), username=sender.username, domain=sender.domain)
    msg["To"] = _address(to, "To")
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = make_msgid(domain=sender.domain)
    thread = [r.strip() for r in references if _MESSAGE_ID.fullmatch(r.strip())]
    if in_reply_to is not None:
        parent = _message_id(in_reply_to.strip(), "In-Reply-To")
        msg["In-Reply-To"] = parent
        thread = [r for r in thread if r != parent] + [parent]
    if thread:
        msg["References"] = " ".join(dict.fromkeys(thread))
    if auto:
        msg["Auto-Submitted"] = "auto-replied"
        msg["X-Auto-Response-Suppress"] = "All"
    msg.set_content(draft.text, cte="quoted-printable")
    msg.add_alternative(draft.html, subtype="html", cte="quoted-printable")
    for filename, content_type, data in attachments:
        name = _one_line(filename).replace("/", "_").replace("\\", "_")
        if not name or not _CONTENT_TYPE.fullmatch(content_type):
            raise ValueError(f"bad attachment {filename!r} ({content_type!r})")
        maintype, subtype = content_type.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg
