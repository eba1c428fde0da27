"""Rounds, their links and the anonymous responses."""

from __future__ import annotations

import datetime as dt
import enum
import secrets

from sqlalchemy import BigInteger, Date, Enum, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from spindeln.db import Base
from spindeln.programmes.models import Profession, Programme, Unit

#: Stored byte for "cannot assess"; any other byte is the scale value minus the scale minimum.
CANNOT_ASSESS_BYTE = 255


class RoundState(enum.Enum):
    """Where a round is in its life: draft → open → closed."""

    draft = "draft"
    open = "open"
    closed = "closed"


class RoundStateError(Exception):
    """A state change the round's state does not allow."""


class Round(Base):
    """A measurement round (mätomgång) of a programme."""

    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("programme_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    opens_on: Mapped[dt.date | None] = mapped_column(Date)
    closes_on: Mapped[dt.date | None] = mapped_column(Date)
    state: Mapped[RoundState] = mapped_column(
        Enum(RoundState, native_enum=False, length=16, name="round_state"), default=RoundState.draft
    )
    #: The instrument this round's answers were collected with; fixed when the round is created.
    instrument_id: Mapped[str] = mapped_column(String(64))
    instrument_version: Mapped[str] = mapped_column(String(32))

    programme: Mapped[Programme] = relationship(back_populates="rounds")
    links: Mapped[list[Link]] = relationship(back_populates="round", cascade="all, delete-orphan")

    def open(self, today: dt.date | None = None) -> None:
        """Start taking responses; only a draft round can be opened."""
        if self.state is not RoundState.draft:
            raise RoundStateError(f"round {self.number} is {self.state.value}; only a draft round can be opened")
        today = today or dt.date.today()
        if self.closes_on is not None and self.closes_on < today:
            raise RoundStateError(f"round {self.number} closes on {self.closes_on}, which has passed")
        self.state = RoundState.open
        if self.opens_on is None or self.opens_on > today:
            self.opens_on = today

    def close(self, today: dt.date | None = None) -> None:
        """Stop taking responses; only an open round can be closed."""
        if self.state is not RoundState.open:
            raise RoundStateError(f"round {self.number} is {self.state.value}; only an open round can be closed")
        today = today or dt.date.today()
        self.state = RoundState.closed
        if self.closes_on is None or self.closes_on > today:
            self.closes_on = today

    def accepts_responses(self, today: dt.date | None = None) -> bool:
        """Whether a respondent may answer now: the round is open and its closing date has not passed."""
        today = today or dt.date.today()
        return self.state is RoundState.open and (self.closes_on is None or today <= self.closes_on)

    def __repr__(self) -> str:
        return f"<Round {self.number} {self.state.value}>"


def new_token() -> str:
    """An unguessable link token: 128 bits of randomness, URL-safe."""
    return secrets.token_urlsafe(16)


class Link(Base):
    """A respondent link to a round, optionally bound to one unit."""

    __tablename__ = "links"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    #: When set, respondents of this link belong to this unit and are not asked for one.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    #: A revoked link answers like an unknown one; a new link replaces it.
    revoked: Mapped[bool] = mapped_column(default=False)

    round: Mapped[Round] = relationship(back_populates="links")
    unit: Mapped[Unit | None] = relationship()


#: Response ids are drawn at random from 1 .. 2**62: ids handed out in order would tell the order of
#: submission, which anyone in the room can match with the live count on the projector.
RESPONSE_ID_SPACE = 2**62


def new_response_id() -> int:
    """A random response id, unrelated to when the response came."""
    return secrets.randbelow(RESPONSE_ID_SPACE) + 1


class Response(Base):
    """One respondent's anonymous answers to one round.

    Deliberately holds nothing that identifies a person: no name, address, IP address, user agent
    or time of day, only the day of submission. Its id is random (`new_response_id`), so the id says
    nothing of when it came; and since a database keeps a row's bytes where they were first written,
    closing a round writes its responses anew in id order (`results.operations.freeze_round`).
    """

    __tablename__ = "responses"
    __table_args__ = (
        Index("ix_responses_round_unit_profession", "round_id", "unit_id", "profession_id"),
        # A round's fingerprint (analysis.loader.round_fingerprints) from indexes alone: its newest
        # response is one step down this one, its response count an index-only scan.
        Index("ix_responses_round_id_id", "round_id", "id"),
    )

    #: Random (`new_response_id`). On SQLite an INTEGER primary key is the rowid: rows are sorted by it.
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                    autoincrement=False, default=new_response_id)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    profession_id: Mapped[int] = mapped_column(ForeignKey("professions.id", ondelete="RESTRICT"))
    submitted_on: Mapped[dt.date] = mapped_column(Date)
    #: One byte per item in instrument order: the value minus the scale minimum, or 255 for
    #: "cannot assess". Compact, and read straight into a numpy array by the analysis loader.
    answers: Mapped[bytes] = mapped_column(LargeBinary)
    comment: Mapped[str | None] = mapped_column(Text)

    round: Mapped[Round] = relationship()
    unit: Mapped[Unit] = relationship()
    profession: Mapped[Profession] = relationship()


class SubmissionReceipt(Base):
    """Proof that a form was already submitted, so that a second press of submit stores nothing.

    Kept apart from the response, with no link to it: the receipt tells that *a* form was
    submitted, never which response it became. On SQLite the table has no rowid, so receipts are
    kept in the order of their digests, not of their arrival; a round's receipts are deleted when it
    closes, since a closed round takes no form anyway.
    """

    __tablename__ = "submission_receipts"
    __table_args__ = {"sqlite_with_rowid": False}

    #: SHA-256 of the one-time key of the form page.
    digest: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)


def encode_answers(values: list[int | None], scale_min: int) -> bytes:
    """Pack answers (a scale value, or None for "cannot assess") into the stored bytes."""
    return bytes(CANNOT_ASSESS_BYTE if value is None else value - scale_min for value in values)


def decode_answers(stored: bytes, scale_min: int) -> list[int | None]:
    """Unpack stored answers into scale values, None for "cannot assess"."""
    return [None if byte == CANNOT_ASSESS_BYTE else byte + scale_min for byte in stored]


class RoundArrays(Base):
    """A closed round's responses packed as arrays, so a summary reads one row instead of every response.

    A cache, never the record: it is valid while the round's response count and highest response id
    are the ones it was packed at, and is packed again when they change (an import into the round).
    """

    __tablename__ = "round_arrays"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    response_count: Mapped[int]
    last_response_id: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    #: numpy .npz, see `analysis.loader._pack`: the answer codes item by item, the responses grouped
    #: by unit and profession. Stored uncompressed on PostgreSQL (migration 0004): it hardly
    #: compresses, and decompressing it took longer than reading it.
    arrays: Mapped[bytes] = mapped_column(LargeBinary)


class ReleaseRecord(Base):
    """A closed round's release: which of its groups show figures, decided once and kept.

    Decided when the round closes (or is imported) by `analysis.release`, on the whole table of
    the round, and never again: two different releases of the same round could be combined to work
    out what each of them hides. See docs/anonymity.md.
    """

    __tablename__ = "round_releases"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    #: The rule it was decided by (`analysis.release.RULE`).
    rule: Mapped[str] = mapped_column(String(32))
    min_group_size: Mapped[int]
    #: The round's responses when it was decided; a closed round takes no more.
    response_count: Mapped[int]
    decided_on: Mapped[dt.date] = mapped_column(Date)
    #: `analysis.release.pack`: the axes and every decision's flags.
    release: Mapped[bytes] = mapped_column(LargeBinary)
