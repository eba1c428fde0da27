"""Storing a response. Operations flush; the caller commits."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from spindeln.db import db
from spindeln.instrument import Instrument
from spindeln.programmes.models import Profession, Unit
from spindeln.survey.models import Response, Round, RoundState, RoundStateError, SubmissionReceipt, encode_answers


def store_response(
    measurement_round: Round,
    instrument: Instrument,
    unit: Unit,
    profession: Profession,
    answers: list[int | None],
    comment: str | None,
    submission_key: str,
    today: dt.date | None = None,
) -> bool:
    """Store one response; False, storing nothing, when this form page was already submitted.

    `RoundStateError` (nothing stored) when the round closed in the meantime: its release is decided
    on the responses it had when it closed, and it takes no more. On PostgreSQL the round's row is
    read with a shared lock, so a closing under way waits for this response to commit, or this
    response for the closing. SQLite has no row locks: there the state is read again after the
    response is written, when this transaction holds the database's only write lock, so a closing
    either committed before (and the response is refused) or waits until this one has committed.
    """
    _ensure_open(measurement_round, lock=True)
    digest = hashlib.sha256(submission_key.encode("ascii")).digest()
    comment = (comment or "").strip() or None
    receipt = SubmissionReceipt(digest=digest, round_id=measurement_round.id)
    response = Response(
        round_id=measurement_round.id,
        unit_id=unit.id,
        profession_id=profession.id,
        submitted_on=today or dt.date.today(),
        answers=encode_answers(answers, instrument.scale.min),
        comment=comment,
    )
    db.session.add_all([receipt, response])
    try:
        # Both rows in one flush: on SQLite the first INSERT takes the database's single write lock,
        # held until the commit, so nothing is left to do between the two while others wait.
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        if db.session.get(SubmissionReceipt, digest) is not None:
            return False
        raise
    if db.session.get_bind().dialect.name == "sqlite":
        try:
            _ensure_open(measurement_round, lock=False)
        except RoundStateError:
            db.session.rollback()
            raise
    return True


def _ensure_open(measurement_round: Round, lock: bool) -> None:
    """RoundStateError unless the round, as stored now, takes responses."""
    query = select(Round.state).where(Round.id == measurement_round.id)
    state = db.session.scalar(query.with_for_update(read=True) if lock else query)
    if state is not RoundState.open:
        raise RoundStateError(f"round {measurement_round.number} is {getattr(state, 'value', state)}; "
                              "it takes no responses")
