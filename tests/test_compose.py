"""Reply templates rendered for real, in every language, and the MIME they become, parsed back."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
from jinja2 import UndefinedError
from jinja2.exceptions import SecurityError

from mailbot.config import DEFAULT_PROCESSORS, DEFAULT_TEMPLATES, REQUEST_TYPES, Company
from mailbot.deadlines import due_at, extended_due_at
from mailbot.replies.compose import KINDS, TYPE_NAMES, Composer, Draft, build_mime, format_date

LANGUAGES = ("nl", "en", "de")
HOSTILE = '<script>alert("x")</script> Jan & Co'
REF = "AVG-2027-0007"
# 23:30 UTC on 14 Jan is 15 Jan in Amsterdam; due 30 days later: 14 Feb; extended by two months: 15 Apr.
RECEIVED = datetime(2027, 1, 14, 23, 30, tzinfo=UTC)
RECEIVED_TEXT = {"nl": "15 januari 2027", "en": "15 January 2027", "de": "15. Januar 2027"}
DUE_TEXT = {"nl": "14 februari 2027", "en": "14 February 2027", "de": "14. Februar 2027"}
NEW_DUE_TEXT = {"nl": "15 april 2027", "en": "15 April 2027", "de": "15. April 2027"}


@pytest.fixture
def company() -> Company:
    return Company()


@pytest.fixture
def composer(company: Company) -> Composer:
    return Composer(DEFAULT_TEMPLATES, company)


def context(company: Company, *, types: tuple[str, ...] = REQUEST_TYPES, name: str = HOSTILE,
            language: str = "nl", months: int = 2) -> dict[str, Any]:
    return {
        "request": {
            "ref": REF,
            "types": list(types),
            "received_at": RECEIVED,
            "due_at": due_at(RECEIVED, company.tz, company.response_days),
            "requester_name": name,
            "language": language,
        },
        "processors": DEFAULT_PROCESSORS,
        "reason": "Wij hebben geen gegevens van u <verwerkt>.",
        "new_due_at": extended_due_at(RECEIVED, company.tz, months),
        "extension_reason": "Uw verzoek betreft veel systemen.",
        "months": months,
    }


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_in_every_language(composer: Composer, company: Company, kind: str, lang: str) -> None:
    draft = composer.render(kind, lang, context(company, language=lang))
    assert (draft.kind, draft.language) == (kind, lang)
    assert draft.subject and "\n" not in draft.subject and "Subject" not in draft.text
    for body in (draft.text, draft.html):
        assert REF in body
        assert company.privacy_contact in body
    assert draft.html.startswith("<!DOCTYPE html>") and f'<html lang="{lang}">' in draft.html
    assert "<script>" not in draft.html
    if kind in ("acknowledgement", "identity_confirmed"):
        assert DUE_TEXT[lang] in draft.text and DUE_TEXT[lang] in draft.html
    if kind == "extension":
        assert NEW_DUE_TEXT[lang] in draft.text and NEW_DUE_TEXT[lang] in draft.html
    if kind not in ("identity_request", "identity_confirmed"):
        assert RECEIVED_TEXT[lang] in draft.text
    if kind in ("acknowledgement", "completion", "rejection", "extension", "identity_confirmed"):
        assert "https://autoriteitpersoonsgegevens.nl" in draft.text
        assert HOSTILE in draft.text  # plain text is not escaped
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Jan &amp; Co" in draft.html


@pytest.mark.parametrize("lang", LANGUAGES)
def test_acknowledgement_per_type(composer: Composer, company: Company, lang: str) -> None:
    draft = composer.render("acknowledgement", lang, context(company, types=("access", "objection")))
    names = TYPE_NAMES[lang]
    assert names["access"].lower() in draft.text.lower() and names["objection"].lower() in draft.text.lower()
    assert names["erasure"].lower() not in draft.text.lower()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_identity_request_reveals_nothing(composer: Composer, company: Company, lang: str) -> None:
    draft = composer.render("identity_request", lang, context(company, name="Jan Jansen"))
    for body in (draft.text.lower(), draft.html.lower()):
        assert "jan jansen" not in body
        assert DUE_TEXT[lang].lower() not in body
        for request_type in REQUEST_TYPES:
            assert TYPE_NAMES[lang][request_type].lower() not in body
    assert "BSN" in draft.text and str(company.response_days) in draft.text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_completion_lists_processors_only_for_copies(composer: Composer, company: Company, lang: str) -> None:
    with_copies = composer.render("completion", lang, context(company, types=("portability",)))
    assert "JSON" in with_copies.text and "CSV" in with_copies.text
    for processor in DEFAULT_PROCESSORS:
        assert processor.name in with_copies.text and processor.name in with_copies.html
        assert ", ".join(processor.categories) in with_copies.text
    plain = context(company, types=("rectification",))
    del plain["processors"]
    draft = composer.render("completion", lang, plain)
    assert DEFAULT_PROCESSORS[0].name not in draft.text


@pytest.mark.parametrize(
    ("lang", "wording"), [("nl", "één maand"), ("en", "one month"), ("de", "einen Monat")]
)
def test_extension_by_one_month(composer: Composer, company: Company, lang: str, wording: str) -> None:
    draft = composer.render("extension", lang, context(company, months=1))
    assert wording in draft.text
    assert format_date(extended_due_at(RECEIVED, company.tz, 1), lang, company.tz) in draft.text


def test_no_name_gives_a_polite_general_greeting(composer: Composer, company: Company) -> None:
    greetings = {
        "nl": "Geachte heer, mevrouw,", "en": "Dear Sir or Madam,", "de": "Sehr geehrte Damen und Herren,",
    }
    for lang, greeting in greetings.items():
        assert composer.render("acknowledgement", lang, context(company, name="")).text.startswith(greeting)


def test_hostile_company_details_are_escaped_in_html(tmp_path: Path) -> None:
    company = Company(name="A & B <i>", privacy_contact="<b>Mylène</b>")
    draft = Composer(DEFAULT_TEMPLATES, company).render("identity_request", "nl", context(company))
    assert "A &amp; B &lt;i&gt;" in draft.html and "&lt;b&gt;Mylène&lt;/b&gt;" in draft.html
    assert "<i>" not in draft.html and "<b>" not in draft.html
    assert "<b>Mylène</b>" in draft.text


def test_available_languages(composer: Composer, tmp_path: Path, company: Company) -> None:
    for kind in KINDS:
        assert composer.available(kind) == sorted(LANGUAGES)
    assert composer.available("unknown") == []
    assert composer.available("../templates/acknowledgement") == []
    (tmp_path / "note.fr.txt").write_text("Subject: x\n\ny\n")
    (tmp_path / "note.es.html").write_text("<p>y</p>")
    assert Composer(tmp_path, company).available("note") == []


def test_language_without_template_falls_back_to_company_language(company: Company) -> None:
    draft = Composer(DEFAULT_TEMPLATES, company).render("acknowledgement", "fr", context(company))
    assert draft.language == "nl" and DUE_TEXT["nl"] in draft.text
    english = Company(language="en")
    draft = Composer(DEFAULT_TEMPLATES, english).render("rejection", "../nl", context(english))
    assert draft.language == "en"
    french = Company(language="fr")
    with pytest.raises(LookupError, match="no 'acknowledgement' template"):
        Composer(DEFAULT_TEMPLATES, french).render("acknowledgement", "es", context(french))


def write_templates(folder: Path, kind: str, text: str, html: str = "<p>ok</p>") -> None:
    (folder / f"{kind}.nl.txt").write_text(text, encoding="utf-8")
    (folder / f"{kind}.nl.html").write_text(html, encoding="utf-8")


@pytest.mark.parametrize(
    "code",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ company.__class__.__init__.__globals__ }}",
        "{{ request.types.append('erasure') }}",
        "{{ request.update({'ref': 'X'}) }}",
    ],
)
def test_sandbox_refuses_unsafe_template_code(tmp_path: Path, company: Company, code: str) -> None:
    write_templates(tmp_path, "evil", f"Subject: x\n\n{code}\n")
    ctx = context(company)
    with pytest.raises(SecurityError):
        Composer(tmp_path, company).render("evil", "nl", ctx)
    assert ctx["request"]["types"] == list(REQUEST_TYPES) and ctx["request"]["ref"] == REF


def test_missing_context_is_an_error(composer: Composer, company: Company) -> None:
    ctx = context(company)
    del ctx["reason"]
    with pytest.raises(UndefinedError, match="reason"):
        composer.render("rejection", "nl", ctx)


def test_first_line_must_be_the_subject(tmp_path: Path, company: Company) -> None:
    write_templates(tmp_path, "bad", "Hallo\n\nbody\n")
    with pytest.raises(ValueError, match="Subject"):
        Composer(tmp_path, company).render("bad", "nl", {})


def test_date_filter() -> None:
    amsterdam = Company().tz
    assert format_date(datetime(2027, 2, 13, 23, 30), "nl", amsterdam) == "14 februari 2027"  # naive = UTC
    assert format_date(date(2027, 3, 1), "de", amsterdam) == "1. März 2027"
    assert format_date(date(2027, 3, 1), "fr", amsterdam) == "2027-03-01"


# --- MIME ---------------------------------------------------------------------------------------------------

DRAFT = Draft(kind="acknowledgement", language="nl", subject="Ontvangstbevestiging van uw privacyverzoek",
              text="Geachte heer, mevrouw,\n\nTot ziens — Mylène\n", html="<p>Geachte heer, mevrouw,</p>\n")
PARENT = "<CAF00d-1@mail.example.nl>"
EARLIER = ("<first@example.nl>", "<second@example.nl>")


def mime(draft: Draft = DRAFT, **overrides: Any) -> EmailMessage:
    args: dict[str, Any] = {
        "from_address": "info@itsb.nu", "from_name": "IT Services Best", "to": "jan@example.nl", "ref": REF,
        "in_reply_to": PARENT, "references": EARLIER, "auto": True,
    }
    args.update(overrides)
    return build_mime(draft, **args)


def parse(msg: EmailMessage) -> EmailMessage:
    parsed = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_headers_of_an_automatic_reply() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    parsed = parse(mime(from_name="Mylène van IT Services Best"))
    assert parsed["Subject"] == f"[{REF}] Ontvangstbevestiging van uw privacyverzoek"
    assert parsed["From"].addresses[0].display_name == "Mylène van IT Services Best"
    assert parsed["From"].addresses[0].addr_spec == "info@itsb.nu"
    assert [a.addr_spec for a in parsed["To"].addresses] == ["jan@example.nl"]
    sent = parsedate_to_datetime(parsed["Date"])
    assert before <= sent <= datetime.now(UTC) + timedelta(seconds=1)
    assert parsed["Message-ID"].startswith("<") and parsed["Message-ID"].endswith("@itsb.nu>")
    assert parsed["In-Reply-To"] == PARENT
    assert parsed["References"].split() == [*EARLIER, PARENT]
    assert parsed["Auto-Submitted"] == "auto-replied"
    assert parsed["X-Auto-Response-Suppress"] == "All"


def test_internationalised_domain_is_sent_as_idna() -> None:
    parsed = parse(mime(to="jan@müller.de"))
    assert [a.addr_spec for a in parsed["To"].addresses] == ["jan@xn--mller-kva.de"]


def test_message_ids_are_unique() -> None:
    assert mime()["Message-ID"] != mime()["Message-ID"]


def test_staff_reply_is_not_marked_automatic_and_may_start_a_thread() -> None:
    parsed = parse(mime(auto=False, in_reply_to=None, references=()))
    for header in ("Auto-Submitted", "X-Auto-Response-Suppress", "In-Reply-To", "References"):
        assert header not in parsed


def test_references_keep_the_parent_last_and_once() -> None:
    parsed = parse(mime(references=(PARENT, *EARLIER)))
    assert parsed["References"].split() == [*EARLIER, PARENT]
    assert parse(mime(references=()))["References"] == PARENT


@pytest.mark.parametrize(
    "subject", [f"[{REF}] Ontvangst", f"Re: [{REF.lower()}] Ontvangst", f"Ontvangst [ {REF} ]"]
)
def test_reference_appears_exactly_once(subject: str) -> None:
    parsed = parse(mime(Draft("acknowledgement", "nl", subject, "x\n", "<p>x</p>\n")))
    assert parsed["Subject"].upper().count(f"[{REF}]") == 1
    assert parsed["Subject"].startswith(f"[{REF}] ")


def test_mail_without_a_request_has_no_reference() -> None:
    assert parse(mime(ref=""))["Subject"] == DRAFT.subject


def test_text_with_html_alternative() -> None:
    parsed = parse(mime())
    assert parsed.get_content_type() == "multipart/alternative"
    parts = list(parsed.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert parts[0].get_content() == DRAFT.text
    assert parts[1].get_content() == DRAFT.html
    assert parts[0].get_content_charset() == "utf-8"


def test_attachments_wrap_the_alternative_in_mixed() -> None:
    files = [("AVG-2027-0007.json", "application/json", b'{"naam": "Jan"}'),
             ("AVG-2027-0007.csv", "text/csv", b"naam\r\nJan\r\n")]
    parsed = parse(mime(attachments=files))
    assert parsed.get_content_type() == "multipart/mixed"
    body, *attached = parsed.iter_parts()
    assert body.get_content_type() == "multipart/alternative"
    assert [(a.get_filename(), a.get_content_type(), a.get_payload(decode=True)) for a in attached] == files


@pytest.mark.parametrize(
    "overrides",
    [
        {"to": "jan@example.nl\r\nBcc: evil@example.com"},
        {"to": "jan@example.nl, evil@example.com"},
        {"to": "Jan <jan@example.nl>"},
        {"to": "jan"},
        {"to": ""},
        {"to": "josé@example.nl"},
        {"from_address": "info@itsb.nu\nBcc: evil@example.com"},
        {"in_reply_to": f"{PARENT}\r\nBcc: evil@example.com"},
        {"in_reply_to": "not-an-id"},
        {"ref": "AVG-1\r\nBcc: evil@example.com"},
        {"attachments": [("x.json", "application/json\r\nBcc: e@x", b"{}")]},
    ],
)
def test_outside_values_that_could_inject_headers_are_refused(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        mime(**overrides)


def test_free_text_loses_its_line_breaks() -> None:
    hostile = Draft("acknowledgement", "nl", "Hallo\r\nBcc: evil@example.com\x00\u2028x", "x\n", "<p>x</p>\n")
    msg = mime(hostile, from_name="IT\r\nBcc: evil@example.com",
               references=("<ok@example.nl>", "<bad@example.nl>\r\nBcc: evil@example.com", "junk"),
               attachments=[("a\r\nBcc: evil.json", "application/json", b"{}")])
    raw = msg.as_bytes()
    assert b"\nBcc:" not in raw and b"\rBcc:" not in raw
    parsed = parse(msg)
    assert "Bcc" not in parsed
    assert parsed["Subject"] == f"[{REF}] Hallo Bcc: evil@example.com x"
    assert parsed["From"].addresses[0].display_name == "IT Bcc: evil@example.com"
    assert parsed["References"].split() == ["<ok@example.nl>", PARENT]
    assert [p.get_filename() for p in parsed.iter_attachments()] == ["a Bcc: evil.json"]
