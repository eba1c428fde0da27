"""Writes to user accounts. Operations flush; the caller commits."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from spindeln.auth.models import Role, User
from spindeln.db import db
from spindeln.programmes.models import Programme

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


def all_users() -> list[User]:
    """Every account, by e-mail address."""
    return list(db.session.scalars(select(User).order_by(User.email)))


def active_admin_count() -> int:
    """How many active admins there are."""
    return db.session.scalar(select(func.count()).select_from(User).where(User.role == Role.admin, User.active.is_(True)))


def _is_last_active_admin(user: User) -> bool:
    return user.role is Role.admin and user.active and active_admin_count() <= 1


def change_role(user: User, role: Role, acting: User) -> None:
    """Give `user` another role; never one's own, never the last active admin's.

    A user who stops being a coordinator loses their programmes, so that becoming one again later
    does not silently bring old access back.
    """
    if user.id == acting.id:
        raise AccountError(_l("You cannot change your own role."))
    if role is not Role.admin and _is_last_active_admin(user):
        raise AccountError(_l("%(email)s is the last active admin: make someone else admin first.", email=user.email))
    user.role = role
    if role is not Role.coordinator:
        user.programmes = []
    db.session.flush()


def assign_programmes(user: User, programmes: list[Programme]) -> None:
    """Set the programmes a coordinator manages."""
    if user.role is not Role.coordinator:
        raise AccountError(_l("Only coordinators are given programmes; the other roles see every programme."))
    user.programmes = list(programmes)
    db.session.flush()


def set_active(user: User, active: bool, acting: User) -> None:
    """Deactivate (no more log-in, open sessions end) or reactivate `user`; never oneself or the last active admin."""
    if user.id == acting.id:
        raise AccountError(_l("You cannot deactivate your own account."))
    if not active and _is_last_active_admin(user):
        raise AccountError(_l("%(email)s is the last active admin and cannot be deactivated.", email=user.email))
    user.active = active
    db.session.flush()
