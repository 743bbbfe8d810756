"""Desk sessions, CSRF tokens and the login rate limit.

The session is a cookie signed with itsdangerous: the account id, a fingerprint of its password hash (a new
password ends old sessions), a CSRF token and the login time. It expires ``session_minutes`` after login,
checked here against an injectable clock so tests need not wait. No personal data is in it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Engine
from sqlmodel import Session

from mailbot.register.models import Staff
from mailbot.register.store import StateStore

COOKIE = "desk_session"
LOGIN_COOKIE = "desk_login"
SECRET_STATE = "desk:secret-key"


def secret_key(configured: str, engine: Engine) -> str:
    """desk.secret_key when set; else one made once and kept in the register, so restarts keep sessions."""
    if configured:
        return configured
    state = StateStore(engine)
    key = state.get(SECRET_STATE)
    if key is None:
        state.set(SECRET_STATE, secrets.token_urlsafe(32))
        key = state.get(SECRET_STATE)
    assert key is not None
    return key


def fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    csrf: str

    @property
    def approver(self) -> bool:
        return self.role == "approver"


class Sessions:
    def __init__(self, key: str, minutes: int, clock: Callable[[], float] = time.time) -> None:
        self._session = URLSafeSerializer(key, salt="desk-session")
        self._login = URLSafeSerializer(key, salt="desk-login")
        self.max_age = minutes * 60
        self.clock = clock

    def issue(self, staff: Staff) -> str:
        return self._session.dumps({"id": staff.id, "fp": fingerprint(staff.password_hash),
                                    "csrf": secrets.token_urlsafe(24), "at": int(self.clock())})

    def user(self, cookie: str | None, engine: Engine) -> User | None:
        """The logged-in account, or None: bad signature, expired, disabled, or password changed since."""
        if not cookie:
            return None
        try:
            data: dict[str, Any] = self._session.loads(cookie)
        except BadSignature:
            return None
        if not isinstance(data, dict) or self.clock() - float(data.get("at", 0)) > self.max_age:
            return None
        with Session(engine) as session:
            staff = session.get(Staff, data.get("id"))
            if staff is None or staff.disabled or fingerprint(staff.password_hash) != data.get("fp"):
                return None
            return User(id=staff.id or 0, name=staff.name, role=staff.role, csrf=str(data["csrf"]))

    def login_token(self) -> tuple[str, str]:
        """(token, cookie) for the login form, which has no session yet to hold a CSRF token."""
        token = secrets.token_urlsafe(24)
        return token, self._login.dumps({"csrf": token, "at": int(self.clock())})

    def login_token_ok(self, cookie: str | None, token: str) -> bool:
        if not cookie or not token:
            return False
        try:
            data = self._login.loads(cookie)
        except BadSignature:
            return False
        fresh = self.clock() - float(data.get("at", 0)) <= 3600
        return fresh and hmac.compare_digest(str(data.get("csrf", "")), token)


def csrf_ok(user: User, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(user.csrf, token or "")


class LoginLimiter:
    """At most ``attempts`` failed logins per ``window`` seconds, per client address and per account name."""

    def __init__(self, attempts: int = 5, window: float = 900, clock: Callable[[], float] = time.monotonic):
        self.attempts = attempts
        self.window = window
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, key: str) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and self.clock() - times[0] > self.window:
            times.popleft()
        return times

    def blocked(self, *keys: str) -> bool:
        return any(len(self._recent(k)) >= self.attempts for k in keys)

    def failed(self, *keys: str) -> None:
        for key in keys:
            self._recent(key).append(self.clock())

    def succeeded(self, *keys: str) -> None:
        for key in keys:
            self._failures.pop(key, None)
