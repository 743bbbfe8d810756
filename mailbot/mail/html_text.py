"""HTML mail bodies → the plain text a person sees in their mail client.

libxml2 (through lxml) parses any HTML, however broken or hostile, without running or fetching anything. Only
what a reader would see becomes text: scripts, styles, comments, the head, embedded objects and elements hidden
with CSS are dropped, so no code and no hidden keyword can reach the classifier. Quoted mail in ``<blockquote>``
comes out with ``> `` line prefixes so the quote splitter treats it like a plain-text quote.
"""

from __future__ import annotations

import re

from lxml import etree, html

# Content a reader never sees; dropped with everything inside.
_INVISIBLE = frozenset(
    {
        "head", "title", "script", "style", "template", "iframe", "frame", "frameset", "object", "embed",
        "applet", "svg", "math", "canvas", "audio", "video", "map", "select", "button", "input", "meta", "link",
        "base",
    }
)  # fmt: skip
_PARAGRAPH = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "dl", "pre", "hr"})
_LINE = frozenset(
    {
        "div", "tr", "li", "dt", "dd", "address", "article", "aside", "center", "details", "fieldset",
        "figcaption", "figure", "footer", "form", "header", "main", "nav", "section", "summary", "caption",
        "textarea", "legend", "tbody", "thead", "tfoot", "body", "html",
    }
)  # fmt: skip
_CELL = frozenset({"td", "th"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all", re.IGNORECASE)
# Zero-width and soft-hyphen characters newsletters use to pad previews; they also split words invisibly.
_INVISIBLE_CHARS = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Block boundaries are marked while rendering and settled in _tidy, so that adjacent blocks share one break.
_LINE_BREAK, _PARA = "\x01", "\x02"
_BREAKS = re.compile(r"[ \x01\x02\n]*[\x01\x02\n][ \x01\x02\n]*")
_SPACES = re.compile(r"[ \t\r\n\f\xa0]+")
_PARSER = html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, encoding="utf-8")


def html_to_text(source: str) -> str:
    """Readable text of an HTML body; ``""`` for an empty or unparsable document."""
    if not source.strip():
        return ""
    try:
        root = html.document_fromstring(source.encode("utf-8", "replace"), parser=_PARSER)
    except (etree.ParserError, ValueError):
        return ""
    return _tidy(_render(root, pre=False))


def _render(element: etree._Element, *, pre: bool) -> str:
    """Text of one element and its children (not its tail), with newlines where a browser breaks lines.

    Recursion is safe: libxml2 (without ``huge_tree``) nests at most 256 levels deep.
    """
    tag = element.tag.lower() if isinstance(element.tag, str) else ""
    if not tag or tag in _INVISIBLE or _hidden(element):
        return ""
    if tag == "br":
        return "\n"
    pre = pre or tag == "pre"
    parts = [_text(element.text, pre=pre)]
    for child in element:
        parts.append(_render(child, pre=pre))
        parts.append(_text(child.tail, pre=pre))
    inner = "".join(parts)
    if tag == "blockquote":
        quoted = _tidy(inner)
        return _PARA + "\n".join(f"> {line}" if line else ">" for line in quoted.split("\n")) + _PARA
    if tag == "a":
        return inner + _link_suffix(element.get("href", ""), inner)
    if tag == "li":
        return _LINE_BREAK + "- " + inner.strip() + _LINE_BREAK
    if tag in _CELL:
        return inner + "  "
    if tag in _PARAGRAPH:
        return _PARA + inner + _PARA
    if tag in _LINE:
        return _LINE_BREAK + inner + _LINE_BREAK
    return inner


def _hidden(element: etree._Element) -> bool:
    return element.get("hidden") is not None or bool(_HIDDEN_STYLE.search(element.get("style", "")))


def _text(value: str | None, *, pre: bool) -> str:
    if not value:
        return ""
    value = _CONTROL.sub("", value.translate(_INVISIBLE_CHARS))
    return value.replace("\xa0", " ") if pre else _SPACES.sub(" ", value)


def _link_suffix(href: str, label: str) -> str:
    """Show where a web link goes when its words do not say it; other schemes (javascript:, data:) never."""
    href = href.strip()
    if not re.match(r"https?://", href, re.IGNORECASE) or href.rstrip("/") in label:
        return ""
    return f" ({href})"


def _tidy(text: str) -> str:
    text = _BREAKS.sub(_settle_break, text)
    return "\n".join(" ".join(line.split()) for line in text.split("\n")).strip("\n")


def _settle_break(run: re.Match[str]) -> str:
    """One run of breaks, settled as a browser lays them out, at most one blank line.

    A block boundary ends the current line if it has text; ``<br>`` always ends a line, so a ``<br>`` alone in an
    empty ``<div>`` (how Gmail writes a blank line) makes a blank line, while one at the end of a block does not.
    """
    newlines = 0
    for mark in run[0]:
        if mark == "\n":
            newlines += 1
        elif mark == _LINE_BREAK:
            newlines = max(newlines, 1)
        elif mark == _PARA:
            newlines = max(newlines, 2)
    return "\n" * min(2, newlines)
