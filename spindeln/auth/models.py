"""Accounts of the people who manage programmes and read results."""

from __future__ import annotations

import enum

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

    def set_password(self, password: str) -> None:
        """Store a salted scrypt hash of `password`."""
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        """Whether `password` is this user's password."""
        return check_password_hash(self.password_hash, password)
