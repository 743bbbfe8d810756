"""Desk accounts: the functions behind `mailbot staff add|list|disable|password` and the login check.

Passwords are stored as Argon2id hashes only. A password change or a disabled account ends every open session
(the session cookie carries a fingerprint of the hash, see auth.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine
from sqlmodel import Session, select

from mailbot.register.models import Staff

ROLES = ("staff", "approver")
MIN_PASSWORD = 6
_hasher = PasswordHasher()
# Verified against when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY = _hasher.hash("not a password of anyone")


class AccountError(Exception):
    """A staff command that cannot be done; one line for the CLI to print."""


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")


def _get(session: Session, name: str) -> Staff:
    staff = session.exec(select(Staff).where(Staff.name == name.strip())).first()
    if staff is None:
        raise AccountError(f"no desk account named {name.strip()!r}")
    return staff


def add(engine: Engine, name: str, role: str, password: str, *, email: str = "") -> Staff:
    name = name.strip()
    if not name or len(name) > 100 or any(c.isspace() for c in name):
        raise AccountError("a name is 1 to 100 characters without spaces")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    _check_password(password)
    with Session(engine, expire_on_commit=False) as session:
        if session.exec(select(Staff).where(Staff.name == name)).first() is not None:
            raise AccountError(f"a desk account named {name!r} exists already")
        staff = Staff(name=name, role=role, email=email.strip().lower(), password_hash=_hasher.hash(password))
        session.add(staff)
        session.commit()
        return staff


def list_accounts(engine: Engine) -> Sequence[Staff]:
    with Session(engine, expire_on_commit=False) as session:
        return session.exec(select(Staff).order_by(Staff.name)).all()


def disable(engine: Engine, name: str) -> Staff:
    with Session(engine, expire_on_commit=False) as session:
        staff = _get(session, name)
        staff.disabled = True
        session.add(staff)
        session.commit()
        return staff


def set_password(engine: Engine, name: str, password: str, *, role: str | None = None) -> Staff:
    """New password (and optionally role); re-enables a disabled account, since an admin chose to hand it back."""
    _check_password(password)
    if role is not None and role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    with Session(engine, expire_on_commit=False) as session:
        staff = _get(session, name)
        staff.password_hash = _hasher.hash(password)
        staff.disabled = False
        if role is not None:
            staff.role = role
        session.add(staff)
        session.commit()
        return staff


def authenticate(engine: Engine, name: str, password: str) -> Staff | None:
    """The account when name and password match and it is enabled; rehashes when Argon2's parameters changed."""
    with Session(engine, expire_on_commit=False) as session:
        staff = session.exec(select(Staff).where(Staff.name == name.strip())).first()
        try:
            _hasher.verify(staff.password_hash if staff else _DUMMY, password)
        except (VerificationError, InvalidHashError):
            return None
        if staff is None or staff.disabled:
            return None
        if _hasher.check_needs_rehash(staff.password_hash):
            staff.password_hash = _hasher.hash(password)
            session.add(staff)
            session.commit()
        return staff
