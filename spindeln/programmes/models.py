"""A measurement programme, its units and its professions."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from spindeln.db import Base

if TYPE_CHECKING:
    from spindeln.survey.models import Round

#: The professions of early parenting support in STIS; a programme may name others.
DEFAULT_PROFESSIONS = (
    ("foraldraradgivare", "Föräldrarådgivare", "Parent adviser"),
    ("oppna_forskolan", "Öppna förskolan", "Open preschool"),
    ("bvc_bmm", "BVC/BMM", "Child and maternal health care (BVC/BMM)"),
)
DEFAULT_MIN_GROUP_SIZE = 3


class Programme(Base):
    """A measurement programme: the same instrument asked of the same organisations, round after round."""

    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    #: The instrument new rounds are created with.
    instrument_id: Mapped[str] = mapped_column(String(64))
    instrument_version: Mapped[str] = mapped_column(String(32))
    #: No figure is shown for a group with fewer respondents than this.
    min_group_size: Mapped[int] = mapped_column(default=DEFAULT_MIN_GROUP_SIZE)

    units: Mapped[list[Unit]] = relationship(
        back_populates="programme", order_by="Unit.name", cascade="all, delete-orphan"
    )
    professions: Mapped[list[Profession]] = relationship(
        back_populates="programme", order_by="Profession.position", cascade="all, delete-orphan"
    )
    rounds: Mapped[list[Round]] = relationship(
        back_populates="programme", order_by="Round.number", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Programme {self.slug}>"


class Unit(Base):
    """A unit that takes part: a district administration or a family centre."""

    __tablename__ = "units"
    __table_args__ = (
        UniqueConstraint("programme_id", "name"),
        UniqueConstraint("programme_id", "key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    #: Short ASCII key for files and URLs, e.g. "hasselby_vallingby".
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))

    programme: Mapped[Programme] = relationship(back_populates="units")

    def __repr__(self) -> str:
        return f"<Unit {self.name}>"


class Profession(Base):
    """A profession that respondents choose from, e.g. BVC/BMM."""

    __tablename__ = "professions"
    __table_args__ = (
        UniqueConstraint("programme_id", "key"),
        UniqueConstraint("programme_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    #: Swedish name, as respondents know it.
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    #: Order in forms and charts.
    position: Mapped[int] = mapped_column(default=0)

    programme: Mapped[Programme] = relationship(back_populates="professions")

    def display_name(self, language: str) -> str:
        """The name in `language`, Swedish where no English name is given."""
        return self.name_en if language == "en" and self.name_en else self.name

    def __repr__(self) -> str:
        return f"<Profession {self.key}>"


class ImportRecord(Base):
    """A file of responses imported into a programme, remembered so the same file is never imported twice."""

    __tablename__ = "import_records"
    __table_args__ = (UniqueConstraint("programme_id", "digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    #: SHA-256 of the file's rows as read (independent of encoding and separator).
    digest: Mapped[bytes] = mapped_column(LargeBinary(32))
    filename: Mapped[str] = mapped_column(String(255))
    imported_on: Mapped[dt.date] = mapped_column(Date)
    response_count: Mapped[int]
