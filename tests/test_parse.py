"""The parser, the quote/signature split and HTML → text, on mail as real clients and servers write it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from mailbot.mail.html_text import html_to_text
from mailbot.mail.message import Attachment, AuthResults
from mailbot.mail.parse import ParseError, auth_results, parse
from mailbot.mail.quotes import split

MAILS = Path(__file__).parent / "mails"
CET = timezone(timedelta(hours=1))


def load(name: str) -> bytes:
    return (MAILS / name).read_bytes()


def mail(headers: str, body: str = "Hallo,\n\nIk wil inzage.\n", *, charset: str = "utf-8") -> bytes:
    return (headers.strip("\n") + "\n\n" + body).encode(charset)


# --- real clients ----------------------------------------------------------------------------------------------


def test_outlook_exchange_reply() -> None:
    raw = load("outlook-exchange-reply-nl.eml")
    msg = parse(raw)
    assert b"\r\n" in raw
    assert msg.message_id == "<AM0PR04MB6466C3B0E7D7F0F1A8E3B6E8C2F42@AM0PR04MB6466.eurprd04.prod.outlook.com>"
    assert not msg.message_id_derived
    assert msg.from_addr == "m.devries@bakkerij-devries.nl"
    assert msg.from_name == "Marieke de Vries | Bakkerij de Vries"
    assert msg.to == ("info@itsb.nu",)
    assert msg.cc == ("peter@bakkerij-devries.nl",)
    assert msg.subject == "RE: [AVG-2025-0007] Uw verzoek om inzage"
    assert msg.date == datetime(2025, 2, 4, 9, 31, 12, tzinfo=UTC)
    assert msg.in_reply_to == ("<AVG-2025-0007.ack.1738591200@itsb.nu>",)
    assert msg.references == ("<20250203141500.4F2A1C0042@mail.itsb.nu>", "<AVG-2025-0007.ack.1738591200@itsb.nu>")
    assert msg.return_path == "m.devries@bakkerij-devries.nl"
    assert msg.content_type == "multipart/alternative"
    assert msg.auth == AuthResults(
        dmarc="pass", compauth="pass", spf="pass", dkim="pass", raw=msg.header("Authentication-Results")
    )
    assert msg.text == (
        "Goedemorgen,\n\nDank voor de snelle reactie. Mijn klantnummer is 10452; het account staat op mijn "
        "zakelijke adres. Wilt u de gegevens ook naar mijn collega Peter sturen? Hij beheert onze bestellingen "
        "voor het café."
    )
    assert msg.signature.startswith("Met vriendelijke groet,\n\nMarieke de Vries\nBakkerij de Vries")
    assert msg.signature.endswith("het bericht te verwijderen.")
    assert msg.quoted.startswith("Van: IT Services Best <info@itsb.nu>\nVerzonden: maandag 3 februari 2025 15:00")
    assert "binnen 30 dagen." in msg.quoted
    assert msg.html is not None and msg.html.startswith("<html")
    assert msg.attachments == ()
    assert msg.defects == ()
    assert msg.raw == raw


def test_outlook_headers_kept_in_order_unfolded() -> None:
    msg = parse(load("outlook-exchange-reply-nl.eml"))
    names = [name for name, _ in msg.headers]
    assert names[:3] == ["Return-Path", "Received", "Received"]
    assert names.count("Received") == 4
    assert names[-1] == "MIME-Version"
    assert msg.header("x-ms-exchange-organization-scl") == "1"
    assert msg.header("Thread-Topic") == "[AVG-2025-0007] Uw verzoek om inzage"
    assert all("\n" not in value and "\r" not in value for _, value in msg.headers)
    assert msg.header_all("received")[0].startswith("from AM9PR04MB8181.eurprd04.prod.outlook.com")


def test_outlook_html_alternative_gives_the_same_own_words() -> None:
    msg = parse(load("outlook-exchange-reply-nl.eml"))
    assert msg.html is not None
    parts = split(html_to_text(msg.html))
    assert parts.text == " ".join(msg.text.split()).replace("Goedemorgen, ", "Goedemorgen,\n\n")
    assert parts.quoted.startswith("Van: IT Services Best <info@itsb.nu>\nVerzonden: maandag 3 februari 2025")
    assert parts.signature == "Met vriendelijke groet,\n\nMarieke de Vries"
    assert "MsoNormal" not in parts.text + parts.quoted


def test_gmail_base64_plain_part_and_attribution() -> None:
    msg = parse(load("gmail-reply-en.eml"))
    assert msg.from_addr == "sarah.johnson1987@gmail.com"
    assert msg.text == (
        "Hi there,\n\nThanks for the quick reply. Could you please also remove my phone number from your\n"
        "mailing list? I never agreed to receive text messages."
    )
    assert msg.signature == "Best regards,\nSarah Johnson"
    assert msg.quoted.splitlines()[0] == "On Tue, 4 Feb 2025 at 09:12, IT Services Best <info@itsb.nu> wrote:"
    assert "> We have received your request [AVG-2025-0012]." in msg.quoted
    assert msg.return_path == "sarah.johnson1987@gmail.com"
    assert msg.date == datetime(2025, 2, 4, 9, 48, 10, tzinfo=UTC)


def test_gmail_authentication_results_not_the_arc_copy() -> None:
    msg = parse(load("gmail-reply-en.eml"))
    assert msg.auth.dmarc == "pass"
    assert msg.auth.spf == "pass"
    assert msg.auth.dkim == "pass"
    assert msg.auth.compauth is None
    assert msg.auth.raw is not None and msg.auth.raw.startswith("mx.google.com;")
    assert "i=1" not in msg.auth.raw


def test_gmail_html_blockquote_becomes_a_quote() -> None:
    msg = parse(load("gmail-reply-en.eml"))
    assert msg.html is not None
    parts = split(html_to_text(msg.html))
    assert parts.text.startswith("Hi there,\n\nThanks for the quick reply.")
    assert parts.signature == "Best regards,\nSarah Johnson"
    assert parts.quoted.splitlines() == [
        "On Tue, 4 Feb 2025 at 09:12, IT Services Best <info@itsb.nu> wrote:",
        "> Dear Sarah,",
        ">",
        "> We have received your request [AVG-2025-0012].",
    ]


def test_apple_mail_nested_alternative_with_pdf() -> None:
    msg = parse(load("apple-mail-de.eml"))
    assert msg.from_name == "Jürgen Müller"
    assert msg.subject == "Re: Auskunft über meine Daten"
    assert msg.text == (
        "Guten Tag,\n\nanbei die Kopie meines Ausweises, wie gewünscht. Bitte schicken Sie mir die Auskunft nach "
        "Art. 15 DSGVO."
    )
    assert msg.signature == "Viele Grüße\nJürgen Müller"
    assert msg.quoted.startswith("> Am 03.02.2025 um 16:40 schrieb IT Services Best <info@itsb.nu>:")
    assert msg.attachments == (Attachment("Ausweis Jürgen Müller.pdf", "application/pdf", 96),)
    assert msg.date == datetime(2025, 2, 4, 10, 19, 58, tzinfo=CET)


def test_apple_mail_rspamd_results_and_forged_header_below_received() -> None:
    msg = parse(load("apple-mail-de.eml"))
    assert (msg.auth.dmarc, msg.auth.spf, msg.auth.dkim) == ("pass", "pass", "pass")
    assert msg.auth.raw is not None and "header.from=posteo.de" in msg.auth.raw
    assert "header.from=itsb.nu" not in msg.auth.raw  # written by the sender, below our Received line


def test_thunderbird_flowed_text_signature_and_rfc2231_filename() -> None:
    msg = parse(load("thunderbird-nl.eml"))
    assert msg.text == (
        "Hallo,\n\nHierbij het gevraagde bewijs van mijn adres (een afschrift van de energierekening). "
        "Mijn BSN heb ik zwart gemaakt.\n\nIk hoop dat dit zo voldoende is."
    )
    assert msg.quoted == (
        "Op 04-02-2025 om 09:15 schreef IT Services Best:\n> Beste mevrouw Jansen,\n>\n> Wilt u zich identificeren?"
    )
    assert msg.signature == "--\nAnouk Jansen\nKerkstraat 12, 5611 AB Eindhoven"
    assert msg.attachments == (Attachment("energierekening – zwart.pdf", "application/pdf", 96),)


def test_only_the_topmost_of_several_authentication_results_counts() -> None:
    # OpenDMARC, OpenDKIM and the SPF daemon each wrote a header; only the topmost (OpenDMARC's) is read.
    msg = parse(load("thunderbird-nl.eml"))
    assert (msg.auth.dmarc, msg.auth.spf, msg.auth.dkim, msg.auth.compauth) == ("pass", None, None, None)
    assert msg.auth.raw is not None and msg.auth.raw.count("mail.itsb.nu;") == 1


def test_iphone_html_only() -> None:
    msg = parse(load("iphone-html-only.eml"))
    assert msg.content_type == "text/html"
    assert (
        msg.text
        == "Hoi,\n\nWillen jullie mijn account en al mijn gegevens verwijderen? Ik bestel niet meer bij jullie."
    )
    assert msg.signature == "Groetjes Lisa\n\nVerstuurd vanaf mijn iPhone"
    assert msg.html is not None and 'dir="ltr"' in msg.html
    assert msg.auth.compauth == "pass"


def test_windows_1252_body_and_subject() -> None:
    msg = parse(load("windows-1252.eml"))
    assert msg.subject == "Factuur € 49,95 – “gegevens”"
    assert msg.from_name == "Kees Vermëulen"
    assert "Op de factuur van € 49,95 staat nog mijn oude adres." in msg.text
    assert "Straßburgerweg 3, 2° etage (“achterkant”)." in msg.text
    assert msg.signature == "Met vriendelijke groet,\nKees Vermëulen"
    assert msg.defects == ()


def test_unknown_charset_x_unknown() -> None:
    msg = parse(load("unknown-charset.eml"))
    assert 'naam van mijn eenmanszaak "Çiçek Bloemen".' in msg.text
    assert msg.defects == ("text/plain part: unknown charset 'x-unknown', read as utf-8",)


def test_broken_base64_part() -> None:
    msg = parse(load("broken-base64.eml"))
    assert msg.text == "Goedemiddag,\n\nWilt u al mijn gegevens wissen? Mijn klantnummer is 20931."
    assert msg.signature == "Met vriendelijke groeten,\nTom De Vos"
    assert "text/plain: InvalidBase64CharactersDefect" in msg.defects
    assert "text/plain: InvalidBase64PaddingDefect" in msg.defects
    assert [a.filename for a in msg.attachments] == ["scan.jpg"]


def test_rfc2047_name_with_bad_encoding() -> None:
    msg = parse(load("bad-rfc2047-name.eml"))
    assert msg.from_name == "René Duböis"  # Latin-1 bytes labelled UTF-8
    assert msg.from_addr == "rene.dubois@example.fr"
    assert msg.subject == "Demande d'accès à mes données (RGPD)"  # two words, the second without padding
    assert msg.defects == ("encoded header word: bytes not valid utf-8, read as cp1252",)
    assert msg.signature == "Cordialement,\nRené Dubois"


def test_8bit_latin1_headers() -> None:
    msg = parse(load("8bit-headers-latin1.eml"))
    assert msg.from_name == "Frans Peëters"
    assert msg.subject == "Gegevens én account verwijderen"
    assert msg.header("Subject") == "Gegevens én account verwijderen"
    assert msg.defects == ("header From: 8-bit bytes", "header Subject: 8-bit bytes")


def test_8bit_utf8_headers() -> None:
    msg = parse(mail("From: Zoë Çelik <zoe@example.nl>\nSubject: Gegevens van Zoë"))
    assert (msg.from_name, msg.subject) == ("Zoë Çelik", "Gegevens van Zoë")


def test_no_message_id_gets_a_stable_derived_one() -> None:
    raw = load("no-message-id.eml")
    msg = parse(raw)
    assert msg.message_id_derived
    assert re.fullmatch(r"<[0-9a-f]{32}@derived\.mailbot\.invalid>", msg.message_id)
    assert parse(raw).message_id == msg.message_id
    assert msg.text == "Ik wil weten welke gegevens jullie van me hebben.\nHenk"


def test_derived_message_id_ignores_delivery_differences() -> None:
    raw = load("no-message-id.eml")
    redelivered = b"Received: from relay2.itsb.nu by mx.itsb.nu; Wed, 5 Feb 2025 12:01:00 +0100\r\n" + raw.replace(
        b"\n", b"\r\n"
    )
    assert parse(redelivered).message_id == parse(raw).message_id
    assert parse(raw.replace(b"van me hebben", b"van mij hebben")).message_id != parse(raw).message_id


def test_message_id_without_angle_brackets() -> None:
    msg = parse(mail("From: jan@example.nl\nMessage-ID: 1234.abcd@mail.example.nl"))
    assert msg.message_id == "<1234.abcd@mail.example.nl>"
    assert not msg.message_id_derived


def test_headers_that_break_policy_default() -> None:
    # Each of these makes email.policy.default raise on access (IndexError / AttributeError in Python 3.11).
    msg = parse(mail('From: "Jan" <jan@example.nl>, <\nMessage-ID: <a@[b>\nTo: =?utf-8?q?x?=@'))
    assert msg.from_addr == "jan@example.nl"
    assert msg.from_name == "Jan"
    assert msg.message_id == "<a@[b>"
    assert msg.header("To") == "x@"


def test_unterminated_message_id_is_derived() -> None:
    msg = parse(mail("From: jan@example.nl\nMessage-ID: <"))
    assert msg.message_id_derived


def test_date_with_minus_0000_is_utc() -> None:
    msg = parse(mail("From: jan@example.nl\nDate: Tue, 4 Feb 2025 09:00:00 -0000"))
    assert msg.date == datetime(2025, 2, 4, 9, 0, tzinfo=UTC)


def test_broken_date_is_none() -> None:
    msg = parse(mail("From: jan@example.nl\nDate: Tuesday the 32nd"))
    assert msg.date is None
    assert msg.defects == ("unreadable Date: 'Tuesday the 32nd'",)


def test_references_and_in_reply_to_split_into_ids() -> None:
    msg = parse(
        mail(
            "From: jan@example.nl\nIn-Reply-To: Your message of Monday <a1@x.nl>\n"
            "References: <r1@x.nl>\n <r2@x.nl><a1@x.nl>\nReferences: <r3@x.nl>"
        )
    )
    assert msg.in_reply_to == ("<a1@x.nl>",)
    assert msg.references == ("<r1@x.nl>", "<r2@x.nl>", "<a1@x.nl>", "<r3@x.nl>")
    assert msg.thread_ids == ("<a1@x.nl>", "<r1@x.nl>", "<r2@x.nl>", "<r3@x.nl>")


def test_addresses_lower_cased_bare_and_groups() -> None:
    msg = parse(
        mail(
            'From: "De Vries, Jan" <Jan.DeVries@Example.NL>\nTo: undisclosed-recipients:;\n'
            "Cc: A <A@X.NL>, b@x.nl, A@x.nl\nReply-To: Jan Privé <JAN@privé.example>"
        )
    )
    assert (msg.from_addr, msg.from_name) == ("jan.devries@example.nl", "De Vries, Jan")
    assert msg.to == ()
    assert msg.cc == ("a@x.nl", "b@x.nl")
    assert msg.reply_to == ("jan@privé.example",)


def test_encoded_name_with_unquoted_comma() -> None:
    msg = parse(mail("From: =?iso-8859-1?Q?M=FCller,_Hans?= <hans@example.de>"))
    assert (msg.from_name, msg.from_addr) == ("Müller, Hans", "hans@example.de")


def test_encoded_words_split_inside_a_character() -> None:
    msg = parse(mail("From: jan@example.nl\nSubject: =?utf-8?Q?=C3?= =?utf-8?Q?=84ndern?= bitte"))
    assert msg.subject == "Ändern bitte"


def test_missing_from_is_empty() -> None:
    msg = parse(mail("To: info@itsb.nu\nSubject: inzage"))
    assert (msg.from_addr, msg.from_name) == ("", "")
    assert msg.text == "Hallo,\n\nIk wil inzage."


def test_empty_return_path() -> None:
    assert parse(mail("Return-Path: <>\nFrom: jan@example.nl")).return_path == ""
    assert parse(mail("From: jan@example.nl")).return_path is None
    assert parse(mail("Return-Path: <Bounce@Example.NL>\nFrom: jan@example.nl")).return_path == "bounce@example.nl"


def test_mbox_from_line() -> None:
    msg = parse(b"From jan@example.nl Tue Feb  4 09:00:00 2025\n" + mail("From: jan@example.nl\nSubject: inzage"))
    assert (msg.from_addr, msg.subject) == ("jan@example.nl", "inzage")


def test_attachment_only_mail() -> None:
    raw = mail(
        "From: jan@example.nl\nContent-Type: application/pdf; name=id.pdf\n"
        "Content-Disposition: attachment; filename=id.pdf\nContent-Transfer-Encoding: base64",
        "JVBERi0xLjQK\n",
    )
    msg = parse(raw)
    assert msg.text == ""
    assert msg.attachments == (Attachment("id.pdf", "application/pdf", 9),)


def test_forward_as_attachment_is_listed_not_read() -> None:
    raw = mail(
        'From: jan@example.nl\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b"',
        "--b\nContent-Type: text/plain\n\nZie bijlage.\n--b\nContent-Type: message/rfc822\n\n"
        "From: oud@example.nl\nSubject: oud\n\nOude tekst.\n--b--\n",
    )
    msg = parse(raw)
    assert msg.text == "Zie bijlage."
    assert [(a.content_type, a.size > 0) for a in msg.attachments] == [("message/rfc822", True)]


def test_too_deep_mime_nesting_is_a_parse_error() -> None:
    levels = 3000
    raw = b"From: jan@example.nl\nContent-Type: multipart/mixed; boundary=b0\n\n"
    raw += b"".join(b"--b%d\nContent-Type: multipart/mixed; boundary=b%d\n\n" % (i, i + 1) for i in range(levels))
    with pytest.raises(ParseError, match="cannot read the mail structure"):
        parse(raw)


def test_30_mb_mail_is_too_large() -> None:
    raw = mail("From: jan@example.nl\nSubject: scans", "x" * 30_000_000)
    with pytest.raises(ParseError) as caught:
        parse(raw)
    assert caught.value.reason == "too large: 30 MB > 25 MB"


def test_max_bytes_is_configurable() -> None:
    raw = mail("From: jan@example.nl")
    assert parse(raw, max_bytes=len(raw)).from_addr == "jan@example.nl"
    with pytest.raises(ParseError, match=r"too large: \d+ bytes > 10 bytes"):
        parse(raw, max_bytes=10)


def test_empty_input_is_not_a_mail() -> None:
    with pytest.raises(ParseError) as caught:
        parse(b" \r\n")
    assert caught.value.reason == "not a mail: empty"


def test_binary_file_is_not_a_mail() -> None:
    with pytest.raises(ParseError) as caught:
        parse(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    assert caught.value.reason == "not a mail: no headers"


def test_no_from_and_no_body_is_not_a_mail() -> None:
    with pytest.raises(ParseError) as caught:
        parse(mail("Subject: hallo\nTo: info@itsb.nu", ""))
    assert caught.value.reason == "not a mail: no sender and no content"


def test_exchange_ndr_parts() -> None:
    msg = parse(load("exchange-ndr-nl.eml"))
    assert msg.content_type == "multipart/report"
    assert msg.from_addr == "microsoftexchange329e71ec88ae4615bbc36ab6ce41109e@itsb.nu"
    assert msg.text.startswith("Uw bericht aan oud.adres@bakkerij-devries.nl kan niet worden bezorgd.")
    assert "Wij hebben uw verzoek ontvangen." not in msg.text
    assert [a.content_type for a in msg.attachments] == ["message/delivery-status", "message/rfc822"]
    assert msg.return_path is None


def test_postfix_dsn_bounce_parts() -> None:
    msg = parse(load("postfix-dsn-bounce.eml"))
    assert msg.return_path == ""
    assert (msg.from_addr, msg.from_name) == ("mailer-daemon@mail.itsb.nu", "Mail Delivery System")
    assert msg.text.startswith("This is the mail system at host mail.itsb.nu.")
    assert [a.content_type for a in msg.attachments] == ["message/delivery-status", "text/rfc822-headers"]


def test_read_receipt_mdn_parts() -> None:
    msg = parse(load("read-receipt-mdn-nl.eml"))
    assert msg.attachments == (Attachment("MDNPart2.txt", "message/disposition-notification", 210),)
    assert msg.text.startswith("Dit is een leesbevestiging")


def test_hostile_html_leaks_nothing() -> None:
    msg = parse(load("hostile-html.eml"))
    seen = msg.text + msg.quoted + msg.signature
    assert "LEAK" not in seen
    assert "<script" not in seen.lower()
    assert "javascript" not in seen.lower()
    assert "evil.example" not in seen
    assert msg.text.startswith("Geachte heer/mevrouw,\n\nVerwijder al mijn gegevens.\n\nKlik hier of hier")
    assert "vergeet mij" not in msg.text  # hidden with CSS: a person never sees it
    assert msg.signature == "Met vriendelijke groet,\nA. Tester"


def test_newsletter_html_hidden_preheader_and_links() -> None:
    msg = parse(load("newsletter-list-unsubscribe.eml"))
    assert "Alleen deze week" not in msg.text
    assert "Nieuwsbrief februari" not in msg.text  # <title>
    assert "Bekijk het aanbod (https://leverancier.example/aanbod?utm_source=nl)" in msg.text
    assert "\u200c" not in msg.text


def test_gmail_forward_keeps_own_words_apart() -> None:
    msg = parse(load("gmail-forward-nl.eml"))
    assert msg.text.startswith("Hallo,\n\nDit verzoek stuurde ik in december al naar jullie oude adres.")
    assert msg.text.endswith("Ruud")
    assert msg.quoted.startswith("---------- Forwarded message ---------\nVan: Ruud Hendriks")
    assert "Verwijder al mijn gegevens uit uw klantenbestand" in msg.quoted


# --- Authentication-Results -----------------------------------------------------------------------------------


def ar(*values: str) -> AuthResults:
    return auth_results(tuple(("Authentication-Results", v) for v in values))


def test_auth_no_header() -> None:
    assert auth_results((("From", "jan@example.nl"),)) == AuthResults()


def test_auth_exchange_compauth_fail() -> None:
    result = ar(
        "spf=fail (sender IP is 203.0.113.66) smtp.mailfrom=example.nl; dkim=none (message not signed) "
        "header.d=none;dmarc=fail action=quarantine header.from=example.nl;compauth=fail reason=000"
    )
    assert (result.spf, result.dkim, result.dmarc, result.compauth) == ("fail", "none", "fail", "fail")


def test_auth_dkim_passes_if_any_signature_passes() -> None:
    assert ar("mx.itsb.nu; dkim=fail header.d=a.nl; dkim=pass header.d=b.nl").dkim == "pass"
    assert ar("mx.itsb.nu; dkim=neutral header.d=a.nl; dkim=fail header.d=b.nl").dkim == "neutral"


def test_auth_comments_with_separators_and_case() -> None:
    result = ar("mx.itsb.nu 1; SPF=Pass (ip=1.2.3.4; helo=x) smtp.mailfrom=a.nl; DMARC = FAIL (p=reject; x=y)")
    assert (result.spf, result.dmarc, result.dkim) == ("pass", "fail", None)


def test_auth_none() -> None:
    result = ar("mx.itsb.nu; none")
    assert (result.dmarc, result.spf, result.dkim, result.compauth, result.raw) == (None,) * 4 + ("mx.itsb.nu; none",)


def test_auth_only_the_topmost_header_is_trusted() -> None:
    headers = (
        ("Authentication-Results", "mx.itsb.nu; dmarc=fail header.from=bank.nl"),
        ("Received", "from evil.example by mx.itsb.nu"),
        ("Authentication-Results", "mx.itsb.nu; dmarc=pass; spf=pass; dkim=pass"),
    )
    result = auth_results(headers)
    assert (result.dmarc, result.spf, result.dkim) == ("fail", None, None)


def test_auth_headers_below_the_topmost_are_not_trusted() -> None:
    headers = (
        ("Authentication-Results", "mx.itsb.nu; dmarc=fail header.from=bank.nl"),
        ("Authentication-Results", "mx.itsb.nu; dmarc=pass; spf=pass"),
        ("Authentication-Results", "other.example; dkim=pass"),
        ("Received", "from evil.example by mx.itsb.nu"),
    )
    result = auth_results(headers)
    assert (result.dmarc, result.spf, result.dkim) == ("fail", None, None)


# --- quotes and signatures ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "block",
    [
        "From: Info <info@itsb.nu>\nSent: Monday, 3 February 2025 15:00\nTo: Jan\nSubject: Re: request",
        "Von: Info <info@itsb.nu>\nGesendet: Montag, 3. Februar 2025 15:00\nAn: Jan\nBetreff: Anfrage",
        "Van: Info <info@itsb.nu>\nVerzonden: maandag 3 februari 2025 15:00\nAan: Jan\nOnderwerp: Verzoek",
        "-----Original Message-----\nFrom: Info\nSent: Monday\nSubject: request",
        "-----Oorspronkelijk bericht-----\nVan: Info\nVerzonden: maandag\nOnderwerp: verzoek",
        "________________________________\nFrom: Info <info@itsb.nu>\nSent: Monday\nTo: Jan",
        "---------- Forwarded message ---------\nFrom: Info <info@itsb.nu>\nDate: Mon",
        "Begin forwarded message:\n\nFrom: Info <info@itsb.nu>\nSubject: request",
        "-------- Doorgestuurd bericht --------\nOnderwerp: verzoek\nDatum: maandag",
        "-------- Weitergeleitete Nachricht --------\nBetreff: Anfrage\nDatum: Montag",
        "Le lun. 3 févr. 2025 à 15:00, Info <info@itsb.nu> a écrit :\nBonjour",
        "Am Mo., 3. Feb. 2025 um 15:00 Uhr schrieb Info <info@itsb.nu>:\nHallo",
        "Op ma 3 feb 2025 om 15:00 schreef Info <info@itsb.nu>:\nBeste Jan",
        "On Mon, 3 Feb 2025 at 15:00, Info <info@itsb.nu> wrote:\nDear Jan",
    ],
)
def test_quote_markers(block: str) -> None:
    parts = split(f"Please delete my data.\n\n{block}\n\nWe received your request.")
    assert parts.text == "Please delete my data."
    assert parts.quoted == f"{block}\n\nWe received your request."


def test_attribution_wrapped_over_two_lines() -> None:
    parts = split(
        "Yes, please.\n\nOn Mon, Feb 3, 2025 at 3:00 PM IT Services Best <\ninfo@itsb.nu> wrote:\n> Shall we?"
    )
    assert parts.text == "Yes, please."
    assert parts.quoted == "On Mon, Feb 3, 2025 at 3:00 PM IT Services Best <\ninfo@itsb.nu> wrote:\n> Shall we?"


def test_bottom_posting_keeps_answers_between_quotes() -> None:
    parts = split("Op ma 3 feb schreef Info:\n> Welk klantnummer?\n\n10452\n\n> En uw adres?\n\nDorpsstraat 5")
    assert parts.text == "10452\n\nDorpsstraat 5"
    assert parts.quoted == "Op ma 3 feb schreef Info:\n> Welk klantnummer?\n> En uw adres?"


def test_underscore_line_without_header_block_is_not_a_quote() -> None:
    parts = split("Graag inzage.\n____________________\nJan de Vries")
    assert parts.text == "Graag inzage.\n____________________\nJan de Vries"
    assert parts.quoted == ""


@pytest.mark.parametrize(
    "sign_off",
    [
        "Met vriendelijke groet,",
        "Vriendelijke groeten",
        "Groetjes,",
        "Groet, Jan",
        "Kind regards,",
        "Best regards",
        "Mit freundlichen Grüßen",
        "Viele Grüße",
        "Cordialement,",
        "Thanks,",
    ],
)
def test_sign_offs(sign_off: str) -> None:
    parts = split(f"Ik wil mijn gegevens inzien.\n\n{sign_off}\nJan de Vries\n06 12345678")
    assert parts.text == "Ik wil mijn gegevens inzien."
    assert parts.signature == f"{sign_off}\nJan de Vries\n06 12345678"


@pytest.mark.parametrize(
    "footer",
    ["Sent from my iPhone", "Verstuurd vanaf mijn iPhone", "Von meinem iPhone gesendet", "Get Outlook for Android"],
)
def test_mobile_footers(footer: str) -> None:
    parts = split(f"Delete my account please.\n\n{footer}")
    assert (parts.text, parts.signature) == ("Delete my account please.", footer)


def test_signature_delimiter() -> None:
    parts = split("Graag inzage.\n\n-- \nJan de Vries\nwww.example.nl")
    assert (parts.text, parts.signature) == ("Graag inzage.", "--\nJan de Vries\nwww.example.nl")


@pytest.mark.parametrize(
    "disclaimer",
    [
        "Dit e-mailbericht is uitsluitend bestemd voor de geadresseerde.",
        "This e-mail and any attachments are confidential and intended solely for the addressee.",
        "Diese E-Mail enthält vertrauliche Informationen.",
    ],
)
def test_legal_disclaimers(disclaimer: str) -> None:
    parts = split(f"Please send me my data.\nJan\n\n{disclaimer}")
    assert (parts.text, parts.signature) == ("Please send me my data.\nJan", disclaimer)


def test_body_that_starts_with_a_greeting_is_not_cut() -> None:
    parts = split("Groeten uit Delft,\n\nIk wil graag weten welke gegevens u van mij heeft.")
    assert parts.text == "Groeten uit Delft,\n\nIk wil graag weten welke gegevens u van mij heeft."
    assert parts.signature == ""


def test_sign_off_followed_by_a_question_is_not_a_signature() -> None:
    parts = split("Hi,\n\nThanks!\nCan you also delete my account?\n\nEmma")
    assert parts.text == "Hi,\n\nThanks!\nCan you also delete my account?\n\nEmma"
    assert parts.signature == ""


# --- HTML → text ----------------------------------------------------------------------------------------------


def test_html_lists_tables_and_breaks() -> None:
    text = html_to_text(
        "<p>Graag:</p><ul><li>inzage</li><li>een kopie</li></ul><table><tr><td>Naam</td><td>Jan</td></tr>"
        "<tr><td>Klant</td><td>10452</td></tr></table><div>a<br><br>b</div>"
    )
    assert text == "Graag:\n\n- inzage\n- een kopie\n\nNaam Jan\nKlant 10452\n\na\n\nb"


def test_html_links() -> None:
    text = html_to_text(
        '<a href="https://itsb.nu/privacy">privacybeleid</a> <a href="https://itsb.nu">https://itsb.nu</a> '
        '<a href="mailto:info@itsb.nu">mail ons</a> <a href="JavaScript:alert(1)">klik</a>'
    )
    assert text == "privacybeleid (https://itsb.nu/privacy) https://itsb.nu mail ons klik"


def test_html_empty_or_comment_only() -> None:
    assert html_to_text("") == ""
    assert html_to_text("<!-- niets -->") == ""
    assert html_to_text("<html><head><title>t</title></head><body></body></html>") == ""


def test_html_xml_declaration_with_encoding() -> None:
    assert html_to_text('<?xml version="1.0" encoding="iso-8859-1"?><p>café</p>') == "café"


def test_html_deep_nesting_does_not_crash() -> None:
    assert html_to_text("<div>" * 100_000 + "diep" + "</div>" * 100_000) in ("", "diep")
    assert html_to_text("<blockquote>" * 50 + "x" + "</blockquote>" * 50) == "> " * 50 + "x"


# --- found by fuzzing the fixtures ----------------------------------------------------------------------------


def test_charset_label_with_nul() -> None:
    msg = parse(b'From: a@example.nl\nContent-Type: text/plain; charset="utf\x00-8"\n\nh\xc3\xa9\n')
    assert msg.text == "hé"
    assert msg.defects == ("text/plain part: unknown charset 'utf\\x00-8', read as utf-8",)


def test_rfc2231_charset_parameter() -> None:
    msg = parse(b"From: a@example.nl\nContent-Type: text/plain; charset*=us-ascii''utf-8\n\nh\xc3\xa9\n")
    assert msg.text == "hé"


def test_report_part_the_generator_cannot_rewrite_is_still_listed() -> None:
    # \x1c is a line break to str.splitlines, so the generator sees an embedded header and refuses to write it.
    raw = (
        b"From: MAILER-DAEMON@example.nl\nContent-Type: multipart/report; report-type=delivery-status;"
        b' boundary="b"\n\n--b\nContent-Type: text/plain\n\nNiet bezorgd.\n--b\n'
        b"Content-Type: message/delivery-status\n\n"
        b"Reporting-MTA: dns;AM9PR04MB\x1c8181.eurprd04.prod.-From-MTA: dns;mail.itsb.nu\n--b--\n"
    )
    msg = parse(raw)
    assert msg.text == "Niet bezorgd."
    assert msg.attachments == (Attachment("", "message/delivery-status", 0),)
