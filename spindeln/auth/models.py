"""Accounts of the people who manage programmes and read results."""

from __future__ import annotations

import enum
import hashlib
import hmac

from flask_login import UserMixin
from sqlalchemy import Column, Enum, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from spindeln.db import Base


class Role(enum.Enum):
    """What a user may do: admin (everything), researcher (read all), coordinator (manage given programmes)."""

    admin = "admin"
    researcher = "researcher"
    coordinator = "coordinator"


#: The programmes a coordinator manages.
user_programmes = Table(
    "user_programmes",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("programme_id", ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, Base):
    """A person who manages programmes or reads results; respondents never have accounts."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=16, name="user_role"))
    active: Mapped[bool] = mapped_column(default=True)
    #: For coordinators: the programmes they manage. Admins and researchers see every programme.
    programmes: Mapped[list["Programme"]] = relationship(secondary=user_programmes)  # noqa: F821

    @property
    def is_active(self) -> bool:
        """Flask-Login: a deactivated user cannot log in."""
        return self.active

    def get_id(self) -> str:
        """Flask-Login: what the session remembers, the id and a fingerprint of the password hash.

        A new password changes the fingerprint, so every other session of the person ends with it.
        """
        return f"{self.id}-{self.session_fingerprint()}"

    def session_fingerprint(self) -> str:
        """A short digest of the password hash (never the hash itself) for the session."""
        return hashlib.sha256(self.password_hash.encode("utf-8")).hexdigest()[:20]

    def set_password(self, password: str) -> None:
        """Store a salted scrypt hash of `password`."""
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        """Whether `password` is this user's password."""
        return check_password_hash(self.password_hash, password)


def user_from_session(session_id: str, get_user) -> User | None:
    """The active user a session's id (from `User.get_id`) belongs to, if the password is still the same.

    `get_user` loads a user by primary key. Anything else (an old format, a changed password, a
    deactivated account) is no user: the person is logged out.
    """
    user_id, _sep, fingerprint = session_id.partition("-")
    if not user_id.isdigit() or int(user_id) > 2**31 - 1 or not fingerprint:
        return None
    user = get_user(int(user_id))
    if user is None or not user.active:
        return None
    if not hmac.compare_digest(user.session_fingerprint(), fingerprint):
        return None
    return user
