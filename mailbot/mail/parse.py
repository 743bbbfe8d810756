"""Raw mail bytes → Message, for any mail a real mailbox holds.

The stdlib parser runs with the compat32 policy, which never raises on access; decoding is done here with fallbacks
(declared charset, then UTF-8, then Windows-1252 with replacement) so that broken headers, bogus charsets and bad
base64 become recorded ``defects`` rather than lost mail. Only mail that cannot be a mail at all raises ParseError.
"""

from __future__ import annotations

import binascii
import codecs
import hashlib
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from email import message_from_bytes
from email.errors import MessageError
from email.message import Message as EmailMessage
from email.policy import compat32
from email.utils import getaddresses, parsedate_to_datetime

from mailbot.mail.html_text import html_to_text
from mailbot.mail.message import Attachment, AuthResults, Message
from mailbot.mail.quotes import split


class ParseError(Exception):
    """The bytes cannot be handled as a mail; ``reason`` says why in words staff understand."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?]*)\?=")
_MSG_ID = re.compile(r"<[^<>\s]+>")
# C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_PEEK_BYTES = 256_000  # headers beyond this are not worth reading for an id
_MAX_DEPTH = 30  # MIME nesting deeper than any mail client writes is not followed
_BODY_TYPES = ("text/plain", "text/html")
_ALWAYS_ATTACHED = ("message/", "text/rfc822-headers")  # reports and enclosed mail: not the sender's words


def parse(raw: bytes, *, max_bytes: int = 25_000_000) -> Message:
    """Parse one mail; raise ParseError when it is too large, not a mail, or has neither sender nor content."""
    raw = bytes(raw)
    if len(raw) > max_bytes:
        raise ParseError(f"too large: {_size(len(raw))} > {_size(max_bytes)}")
    if not raw.strip():
        raise ParseError("not a mail: empty")
    try:
        return _parse(raw)
    except ParseError:
        raise
    except RecursionError as error:
        raise ParseError("cannot read the mail structure: nested too deeply") from error
    except Exception as error:  # hostile input can trip the stdlib in ways no list foresees; keep the mail
        raise ParseError(f"cannot read the mail: {type(error).__name__}: {error}"[:200]) from error


def peek_message_id(raw: bytes) -> str:
    """The Message-ID from the header block alone ("" when there is none), for mail that cannot be handled whole."""
    head = bytes(raw[:_PEEK_BYTES]).replace(b"\r\n", b"\n").lstrip(b"\n").split(b"\n\n", 1)[0]
    try:
        mail = message_from_bytes(head + b"\n\n", policy=compat32)
        return _message_id(next(iter(_values(mail, "Message-ID")), "")) or ""
    except Exception:  # hostile header bytes: the quarantine keeps the mail, an id is only a convenience
        return ""


def _parse(raw: bytes) -> Message:
    mail = message_from_bytes(raw.lstrip(b"\r\n"), policy=compat32)
    if not mail.keys():
        raise ParseError("not a mail: no headers")
    defects: list[str] = []
    headers = tuple(_headers(mail, defects))

    def first(name: str) -> str:
        return next(iter(_values(mail, name)), "")

    from_pairs = _addresses(first("From"))
    from_name, from_addr = next(((n, a) for n, a in from_pairs if a), ("", ""))
    if not from_addr and first("From"):
        defects.append(f"From without an address: {first('From')[:80]!r}")

    body = _Body(defects)
    text = body.read(mail)
    parts = split(text)
    if not from_addr and not text.strip() and not body.attachments:
        raise ParseError("not a mail: no sender and no content")
    for part in _parts(mail, 0):
        defects.extend(f"{part.get_content_type()}: {type(d).__name__}" for d in part.defects)

    message_id = _message_id(first("Message-ID"))
    return Message(
        message_id=message_id or _derived_id(raw, mail),
        message_id_derived=message_id is None,
        from_addr=from_addr,
        from_name=_one_line(_decode_words(from_name, defects)),
        subject=_one_line(_decode_words(first("Subject"), defects)),
        text=parts.text,
        quoted=parts.quoted,
        signature=parts.signature,
        html=body.html,
        date=_date(first("Date"), defects),
        to=_address_list(mail, "To"),
        cc=_address_list(mail, "Cc"),
        reply_to=_address_list(mail, "Reply-To"),
        in_reply_to=_ids(first("In-Reply-To")),
        references=_ids(" ".join(_values(mail, "References"))),
        return_path=_return_path(mail),
        content_type=mail.get_content_type(),
        headers=headers,
        attachments=tuple(body.attachments),
        auth=auth_results(headers),
        defects=tuple(dict.fromkeys(defects)),
        raw=raw,
    )


# --- headers -------------------------------------------------------------------------------------------------


def _values(mail: EmailMessage, name: str) -> Iterable[str]:
    """Each occurrence of a header, unfolded, 8-bit bytes decoded, encoded words left as they are."""
    wanted = name.lower()
    for key, value in mail.raw_items():
        if key.lower() == wanted:
            yield _unfold(_unsurrogate(str(value)))


def _headers(mail: EmailMessage, defects: list[str]) -> Iterable[tuple[str, str]]:
    for key, value in mail.raw_items():
        text = str(value)
        if _has_surrogates(text):
            defects.append(f"header {key}: 8-bit bytes")
        yield key, _decode_words(_unfold(_unsurrogate(text)), defects).strip()


def _one_line(value: str) -> str:
    """A decoded header as one line: an encoded word may carry CR, LF or other controls that would otherwise
    reach the register, the desk and the name in a reply's salutation."""
    return " ".join(_CONTROL.sub(" ", value).split())


def _unfold(value: str) -> str:
    return _FOLD.sub("", value).replace("\r", "").replace("\n", "").strip()


def _has_surrogates(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def _unsurrogate(text: str) -> str:
    """Undo the parser's surrogateescape for raw 8-bit bytes in headers: UTF-8 when valid, else Windows-1252."""
    if not _has_surrogates(text):
        return text
    return _decode_bytes(text.encode("utf-8", "surrogateescape"), "utf-8")[0]


def _decode_words(value: str, defects: list[str]) -> str:
    """RFC 2047 decoding that survives wrong charsets, bad base64 and words split mid-character."""
    out: list[str] = []
    pending: list[tuple[str, bytes]] = []  # adjacent encoded words, joined before decoding
    position = 0

    def flush() -> None:
        for charset, data in _merge_runs(pending):
            text, defect = _decode_bytes(data, charset)
            if defect:
                defects.append(f"encoded header word: {defect}")
            out.append(text)
        pending.clear()

    for match in _ENCODED_WORD.finditer(value):
        gap = value[position : match.start()]
        if gap.strip() or not pending:
            flush()
            out.append(gap)
        charset, encoding, payload = match.group(1).split("*")[0], match.group(2).upper(), match.group(3)
        data = _word_bytes(payload, encoding)
        if data is None:
            flush()
            defects.append(f"undecodable encoded word {match.group(0)[:60]!r}")
            out.append(match.group(0))
        else:
            pending.append((charset, data))
        position = match.end()
    flush()
    out.append(value[position:])
    return "".join(out)


def _merge_runs(words: list[tuple[str, bytes]]) -> Iterable[tuple[str, bytes]]:
    charset, data = "", b""
    for word_charset, word_data in words:
        if data and word_charset.lower() != charset.lower():
            yield charset, data
            data = b""
        charset, data = word_charset, data + word_data
    if data:
        yield charset, data


def _word_bytes(payload: str, encoding: str) -> bytes | None:
    raw = payload.encode("utf-8")
    try:
        if encoding == "Q":
            return binascii.a2b_qp(raw, header=True)
        raw = re.sub(rb"[^A-Za-z0-9+/]", b"", raw)
        if len(raw) % 4 == 1:  # a lone trailing character carries no whole byte
            raw = raw[:-1]
        return binascii.a2b_base64(raw + b"=" * (-len(raw) % 4))
    except binascii.Error:
        return None


def _decode_bytes(data: bytes, charset: str | None) -> tuple[str, str | None]:
    """Text of ``data``: the declared charset, then UTF-8, then Windows-1252; a defect note when it fell back.

    Labels as browsers read them: ISO-8859-1 is read as Windows-1252 (its superset, which is what senders
    meant), and US-ASCII as UTF-8 (8-bit bytes under an ASCII label are nearly always UTF-8).
    """
    label = (charset or "").strip().strip("\"'").lower()
    try:
        codec = codecs.lookup(label).name if label else "utf-8"
        unknown = False
    except (LookupError, ValueError):  # ValueError: a label with a NUL in it
        codec, unknown = "utf-8", True
    chain = {"ascii": ["utf-8"], "latin-1": ["cp1252", "latin-1"], "iso8859-1": ["cp1252", "latin-1"]}.get(
        codec, [codec, "utf-8"]
    )
    for candidate in chain:
        try:
            text = data.decode(candidate)
        except (UnicodeError, LookupError):  # LookupError: a codec that is not for text, such as base64
            continue
        if unknown:
            return text, f"unknown charset {label!r}, read as {candidate}"
        return text, None
    what = f"unknown charset {label!r}" if unknown else f"bytes not valid {label or 'utf-8'}"
    return data.decode("cp1252", "replace"), f"{what}, read as cp1252"


def _addresses(value: str) -> list[tuple[str, str]]:
    """(display name with encoded words intact, lower-cased bare address) pairs of an address header."""
    words: list[str] = []

    def protect(match: re.Match[str]) -> str:  # encoded words may hold commas or brackets that break parsing
        words.append(match.group(0))
        return f"mailbotword{len(words) - 1}x"

    pairs = getaddresses([_ENCODED_WORD.sub(protect, value)])
    restore = re.compile(r"mailbotword(\d+)x")
    return [
        (restore.sub(lambda m: words[int(m.group(1))], name), restore.sub("", addr).strip().lower())
        for name, addr in pairs
    ]


def _address_list(mail: EmailMessage, name: str) -> tuple[str, ...]:
    found = [addr for value in _values(mail, name) for _, addr in _addresses(value) if addr]
    return tuple(dict.fromkeys(found))


def _message_id(value: str) -> str | None:
    match = _MSG_ID.search(value)
    if match:
        return match.group(0)
    bare = value.strip().strip("<>").strip()
    return f"<{bare}>" if bare and not any(ch.isspace() for ch in bare) else None


def _derived_id(raw: bytes, mail: EmailMessage) -> str:
    """A stable id for mail without one: the same mail gives the same id however it was delivered or stored.

    Only headers the sender wrote are used (not Received, Return-Path or Delivered-To, which each hop adds), and
    line endings and trailing blanks of the body are normalised.
    """
    digest = hashlib.sha256()
    for name in ("From", "To", "Cc", "Subject", "Date", "In-Reply-To", "References"):
        for value in _values(mail, name):
            digest.update(f"{name.lower()}:{' '.join(value.split())}\n".encode())
    normalised = raw.replace(b"\r\n", b"\n")
    body = normalised.split(b"\n\n", 1)[1] if b"\n\n" in normalised else b""
    digest.update(b"\n" + b"\n".join(line.rstrip() for line in body.rstrip().split(b"\n")))
    return f"<{digest.hexdigest()[:32]}@derived.mailbot.invalid>"


def _ids(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_MSG_ID.findall(value)))


def _date(value: str, defects: list[str]) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        defects.append(f"unreadable Date: {value[:60]!r}")
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)  # "-0000": UTC, sender's zone unknown


def _return_path(mail: EmailMessage) -> str | None:
    value = next(iter(_values(mail, "Return-Path")), None)
    if value is None:
        return None
    if not value.strip("<> \t"):
        return ""
    return next((addr for _, addr in _addresses(value) if addr), value.strip("<> \t").lower())


# --- body ----------------------------------------------------------------------------------------------------


def _parts(part: EmailMessage, depth: int) -> Iterable[EmailMessage]:
    """Every part, depth-limited (Message.walk has no limit)."""
    yield part
    if depth < _MAX_DEPTH and part.is_multipart():
        for child in part.get_payload():
            if isinstance(child, EmailMessage):
                yield from _parts(child, depth + 1)


class _Body:
    """Collects the readable text, the HTML source and the attachments of a MIME tree."""

    def __init__(self, defects: list[str]) -> None:
        self.defects = defects
        self.html: str | None = None
        self.attachments: list[Attachment] = []

    def read(self, mail: EmailMessage) -> str:
        """The readable text of the whole mail; fills ``html`` and ``attachments`` on the way."""
        return self._render(mail, 0)[0]

    def _render(self, part: EmailMessage, depth: int) -> tuple[str, bool]:
        """(readable text, whether it came from plain text) of a part; attachments are recorded on the way."""
        ctype = part.get_content_type()
        if depth > _MAX_DEPTH:
            self.defects.append(f"MIME nesting deeper than {_MAX_DEPTH} levels not read")
            return "", False
        if ctype.startswith(_ALWAYS_ATTACHED) or self._is_attachment(part, ctype):
            self.attachments.append(self._attachment(part, ctype))
            return "", False
        if not part.is_multipart():
            return self._leaf_text(part, ctype), ctype == "text/plain"
        children = [c for c in part.get_payload() if isinstance(c, EmailMessage)]
        rendered = [self._render(child, depth + 1) for child in children]
        subtype = part.get_content_subtype()
        if subtype == "alternative":
            plain = next((text for text, is_plain in rendered if is_plain and text.strip()), None)
            if plain is not None:
                return plain, True
            return next((text for text, _ in reversed(rendered) if text.strip()), ""), False
        if subtype in ("related", "report", "signed"):  # the first part is the body; the rest supports it
            rendered = rendered[:1]
        texts = [text for text, _ in rendered if text.strip()]
        return "\n\n".join(texts), any(is_plain for _, is_plain in rendered)

    def _is_attachment(self, part: EmailMessage, ctype: str) -> bool:
        if part.is_multipart():
            return False
        disposition = (part.get_content_disposition() or "").lower()
        return disposition == "attachment" or bool(self._filename(part)) or ctype not in _BODY_TYPES

    def _leaf_text(self, part: EmailMessage, ctype: str) -> str:
        data = part.get_payload(decode=True) or b""
        text, defect = _decode_bytes(data, part.get_content_charset())
        if defect:
            self.defects.append(f"{ctype} part: {defect}")
        if ctype == "text/html":
            if self.html is None:
                self.html = text
            return html_to_text(text)
        text = text.replace("\r\n", "\n")
        if (part.get_param("format") or "").lower() == "flowed":
            return _unflow(text, delsp=(part.get_param("delsp") or "").lower() == "yes")
        return text

    def _attachment(self, part: EmailMessage, ctype: str) -> Attachment:
        if part.is_multipart():  # message/rfc822 and delivery reports hold parsed messages
            size = sum(len(_as_bytes(p)) for p in part.get_payload() if isinstance(p, EmailMessage))
        else:
            size = len(part.get_payload(decode=True) or b"")
        return Attachment(filename=self._filename(part), content_type=ctype, size=size)

    def _filename(self, part: EmailMessage) -> str:
        try:
            name = part.get_filename() or ""
        except (LookupError, ValueError, UnicodeError):
            name = part.get_param("name", "", header="content-type")
            name = name if isinstance(name, str) else ""
        return _decode_words(_unsurrogate(name), self.defects).strip()


def _unflow(text: str, *, delsp: bool) -> str:
    """Join the soft line breaks of format=flowed text (RFC 3676), as Thunderbird and Apple Mail send it."""
    lines: list[str] = []
    pending, pending_depth = "", -1
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:].removeprefix(" ")  # undo space-stuffing
        if pending_depth not in (-1, depth):  # a paragraph never flows into another quote depth
            lines.append(_quote_prefix(pending_depth) + pending)
            pending = ""
        soft = content.endswith(" ") and content != "-- "
        pending += content[:-1] if soft and delsp else content
        pending_depth = depth
        if not soft:
            lines.append(_quote_prefix(depth) + pending)
            pending, pending_depth = "", -1
    if pending_depth != -1:
        lines.append(_quote_prefix(pending_depth) + pending)
    return "\n".join(lines)


def _quote_prefix(depth: int) -> str:
    return "> " * depth


def _as_bytes(part: EmailMessage) -> bytes:
    """The part written out again, to size an attached mail; the generator refuses some broken headers."""
    try:
        return part.as_bytes()
    except (LookupError, ValueError, UnicodeError, MessageError):
        return b""


# --- Authentication-Results ----------------------------------------------------------------------------------


def auth_results(headers: tuple[tuple[str, str], ...]) -> AuthResults:
    """The verdicts of the receiving server: its topmost Authentication-Results header, and no other.

    Any header below it may have been written by the sender (or a hop before ours) and is not trusted, even with
    our server's name in it. Exchange Online writes all methods into one header, as does rspamd.
    """
    top = next((value for name, value in headers if name.lower() == "authentication-results"), None)
    if top is None:
        return AuthResults()
    results = _parse_auth(top)[1]
    dkim = results.get("dkim", [])
    return AuthResults(
        dmarc=next(iter(results.get("dmarc", [])), None),
        compauth=next(iter(results.get("compauth", [])), None),
        spf=next(iter(results.get("spf", [])), None),
        dkim="pass" if "pass" in dkim else next(iter(dkim), None),
        raw=top,
    )


def _parse_auth(value: str) -> tuple[str, dict[str, list[str]]]:
    """(authserv-id, method → results) of one RFC 8601 header; Exchange Online leaves the authserv-id out."""
    segments = [s.strip() for s in _strip_comments(value).split(";")]
    server = ""
    if segments and "=" not in segments[0].split(" ", 1)[0]:
        server = segments.pop(0).split(" ", 1)[0].lower()
    results: dict[str, list[str]] = {}
    for segment in segments:
        match = re.match(r"([A-Za-z0-9_.-]+)(?:/\d+)?\s*=\s*([A-Za-z0-9_-]+)", segment)
        if match:
            results.setdefault(match.group(1).lower(), []).append(match.group(2).lower())
    return server, results


def _strip_comments(value: str) -> str:
    """Drop (nested) RFC 5322 comments outside quoted strings: they may hold ';' and '=' in free text."""
    out: list[str] = []
    depth, quoted, escaped = 0, False, False
    for ch in value:
        if escaped:
            escaped = False
            if not depth:
                out.append(ch)
            continue
        if ch == "\\":
            escaped = True
            if not depth:
                out.append(ch)
        elif ch == '"' and not depth:
            quoted = not quoted
            out.append(ch)
        elif ch == "(" and not quoted:
            depth += 1
        elif ch == ")" and not quoted and depth:
            depth -= 1
        elif not depth:
            out.append(ch)
    return "".join(out)


def _size(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.0f} MB"
    if n >= 1_000:
        return f"{n / 1_000:.0f} kB"
    return f"{n} bytes"
