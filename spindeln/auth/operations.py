"""Writes to user accounts. Operations flush; the caller commits."""

from __future__ import annotations

from sqlalchemy import func, select

from spindeln.auth.models import Role, User
from spindeln.db import db

MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """An account change that cannot be made, with a message for the person making it."""


def add_user(email: str, password: str, role: Role) -> User:
    """Create an account; the e-mail address must be new and the password long enough."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise AccountError(f"{email!r} is not an e-mail address")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters long")
    if user_by_email(email) is not None:
        raise AccountError(f"there is already a user {email}")
    user = User(email=email, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def user_by_email(email: str) -> User | None:
    """The user with this e-mail address, compared without case."""
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
