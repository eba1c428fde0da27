"""Accounts of the people who manage programmes and read results."""

from __future__ import annotations

import enum

from flask_login import UserMixin
from sqlalchemy import Enum, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from spindeln.db import Base


class Role(enum.Enum):
    """What a user may do: admin (everything), researcher (read all), coordinator (manage given programmes)."""

    admin = "admin"
    researcher = "researcher"
    coordinator = "coordinator"





class User(UserMixin, Base):
    """A person who manages programmes or reads results; respondents never have accounts."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=16, name="user_role"))
    active: Mapped[bool] = mapped_column(default=True)

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
