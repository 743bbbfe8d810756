"""Whether a mail may be treated as coming from the customer it names, judged from the parsed Message alone.

Only the receiving server's own verdict counts (the topmost Authentication-Results, parsed into ``msg.auth``):
anything lower down was written by servers the sender controls. Of its methods only DMARC and Exchange
Online's composite verdict (compauth) say something about the From address; a bare SPF or DKIM pass does not,
because neither checks that the authenticated domain is the one in From.

Result words, and why:

- ``fail`` (DMARC or compauth) → authentication ``"fail"``: the server found the From address forged. Any
  reply would go to the real owner of that address (backscatter), so nothing is sent and staff decide.
- ``pass`` (DMARC or compauth) → ``"pass"``: SPF or DKIM passed for the From domain itself.
- everything else → ``"none"``, including the qualified passes: ``dmarc=bestguesspass`` (Microsoft: the domain
  publishes no DMARC record; alignment was guessed, the owner never asked for it to be checked) and
  ``compauth=softpass`` (Microsoft's implicit, low-confidence pass). Both are weaker than the evidence we need
  before a reply may mention what someone asked; in Exchange Online such mail usually carries
  ``compauth=pass`` as well when the guess is sound. ``none``, ``temperror``, ``permerror``, ``neutral``,
  unknown words and a missing header mean the same: no usable verdict.

A fail in either method outweighs a pass in the other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import getaddresses
from typing import Literal

from mailbot.mail.message import Message

Outcome = Literal["verified", "identify", "forged"]
Authentication = Literal["pass", "fail", "none"]
_HEADER_FROM = re.compile(r"\bheader\.from\s*=\s*\"?([A-Za-z0-9.-]+)", re.IGNORECASE)


@dataclass(frozen=True)
class IdentityVerdict:
    """What the desk and the pipeline need: the outcome and the facts behind it, in words staff can read."""

    outcome: Outcome
    known_customer: bool
    authentication: Authentication
    reply_to_elsewhere: bool
    reasons: tuple[str, ...]


def _word(result: str | None) -> str | None:
    return result.strip().lower() if result is not None else None


def _authentication(msg: Message) -> tuple[Authentication, str]:
    verdicts = {"DMARC": _word(msg.auth.dmarc), "compauth": _word(msg.auth.compauth)}
    seen = ", ".join(f"{method}={word}" for method, word in verdicts.items() if word is not None)
    if "fail" in verdicts.values():
        return "fail", f"the receiving server found the From address forged ({seen})"
    if "pass" in verdicts.values():
        return "pass", f"the receiving server confirmed the From address ({seen})"
    if seen:
        return "none", f"the receiving server could not confirm the From address ({seen})"
    return "none", "the receiving server gave no DMARC or compauth verdict"


def _foreign_reply_to(msg: Message) -> tuple[str, ...]:
    own = msg.from_addr.strip().lower()
    return tuple(addr for addr in msg.reply_to if addr.strip().lower() != own)


def _ambiguous_from(msg: Message) -> str | None:
    """Why the server's verdict may be about another address than ``msg.from_addr``, or None.

    With several From headers or addresses, servers differ in which one DMARC checks (RFC 7489 §6.6.1 leaves
    it open) while mailbot answers the first: a pass for ``boef@evil.example`` must not verify ``jan@``.
    The same holds when the verdict names its own ``header.from`` domain and that is not the From domain.
    """
    values = msg.header_all("From")
    if len(values) > 1:
        return f"the mail has {len(values)} From headers"
    addresses = [addr for _, addr in getaddresses(values) if "@" in addr]
    if len(addresses) > 1:
        return f"the From header names {len(addresses)} addresses"
    checked = {d.lower().rstrip(".") for d in _HEADER_FROM.findall(msg.auth.raw or "")}
    domain = msg.from_addr.rpartition("@")[2]
    if checked and domain not in checked:
        return f"the server's verdict is about {', '.join(sorted(checked))}, not {domain or 'the From address'}"
    return None


def judge(msg: Message, *, known_customer: bool) -> IdentityVerdict:
    """Forged when the server says so; verified only for a known customer, authenticated, answered at From."""
    authentication, auth_reason = _authentication(msg)
    foreign = _foreign_reply_to(msg)
    reasons = [
        f"{msg.from_addr} is a known customer address" if known_customer
        else f"{msg.from_addr} is not a known customer address",
        auth_reason,
    ]
    if foreign:
        reasons.append(f"Reply-To points elsewhere ({', '.join(foreign)}) than From ({msg.from_addr})")
    ambiguous = _ambiguous_from(msg) if authentication == "pass" else None
    if ambiguous:
        reasons.append(f"{ambiguous}: the pass does not prove {msg.from_addr}")
    outcome: Outcome
    if authentication == "fail":
        outcome = "forged"
        reasons.append("nothing is sent: a reply would reach the real owner of the address; staff decide")
    elif known_customer and authentication == "pass" and not foreign and not ambiguous:
        outcome = "verified"
    else:
        outcome = "identify"
        reasons.append("the sender must identify first; the reply reveals nothing")
    return IdentityVerdict(
        outcome=outcome,
        known_customer=known_customer,
        authentication=authentication,
        reply_to_elsewhere=bool(foreign),
        reasons=tuple(reasons),
    )
