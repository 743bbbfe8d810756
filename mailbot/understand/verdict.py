"""What the understanding step concludes about one mail; every field is explained by ``evidence``."""

from __future__ import annotations

from dataclasses import dataclass

REQUEST_TYPES = ("access", "rectification", "erasure", "restriction", "portability", "objection")


@dataclass(frozen=True)
class Classification:
    """The classifier's verdict.

    ``types`` holds values of REQUEST_TYPES in that order. ``language`` is an ISO 639-1 code of the sender's own
    words. ``authority`` marks mail from or about a supervisory authority, police or tax office: not a
    data-subject request, but staff must see it. ``withdrawal`` marks a mail that withdraws an earlier request;
    ``withdrawal_by_model`` says the text model read it so, not an explicit phrase: staff confirm such a withdrawal
    before a request closes.
    """

    is_request: bool
    types: tuple[str, ...]
    language: str
    confidence: float
    auto_generated: bool
    evidence: tuple[str, ...]
    authority: bool = False
    withdrawal: bool = False
    withdrawal_by_model: bool = False
