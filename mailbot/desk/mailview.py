"""A stored mail as staff see it: headers, text, sanitised HTML, attachments listed but never opened.

Mail HTML comes from anyone. It is cleaned with nh3 (no scripts, styles, forms, frames, event handlers, images)
and then shown in a sandboxed iframe under the desk's Content-Security-Policy, so even a sanitiser miss cannot
run or load anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import nh3

# nh3's default tags without images (tracking pixels) and without anything that could embed or submit.
ALLOWED_TAGS = nh3.ALLOWED_TAGS - {"img"}


@dataclass(frozen=True)
class AttachmentInfo:
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class MailView:
    headers: list[tuple[str, str]] = field(default_factory=list)
    text: str = ""
    html: str = ""
    attachments: list[AttachmentInfo] = field(default_factory=list)


def sanitise(html: str) -> str:
    return nh3.clean(html, tags=ALLOWED_TAGS, link_rel="noopener noreferrer nofollow",
                     url_schemes={"http", "https", "mailto"})


def _decoded(part: EmailMessage) -> str:
    try:
        return str(part.get_content())
    except (LookupError, UnicodeDecodeError, AssertionError):
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""


def view(raw: bytes | None) -> MailView:
    """Never raises on a broken mail: staff must still see what can be seen."""
    if not raw:
        return MailView()
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(msg, EmailMessage)
    headers = [(name, str(msg.get(name, ""))) for name in ("From", "To", "Cc", "Reply-To", "Date", "Subject",
                                                          "Message-ID") if msg.get(name) is not None]
    text = html = ""
    attachments: list[AttachmentInfo] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        disposition = part.get_content_disposition()
        ctype = part.get_content_type()
        if disposition == "attachment" or part.get_filename():
            payload = part.get_payload(decode=True)
            attachments.append(AttachmentInfo(part.get_filename() or "(unnamed)", ctype,
                                              len(payload) if isinstance(payload, bytes) else 0))
        elif ctype == "text/plain" and not text:
            text = _decoded(part)
        elif ctype == "text/html" and not html:
            html = sanitise(_decoded(part))
    return MailView(headers, text, html, attachments)
