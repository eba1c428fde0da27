"""Writes of the results layer: a closed round's release, decided once and kept.

Operations flush; the caller commits, in the same transaction as the change that closed the round
(or imported it), so a round is never closed without its release.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select, text

from spindeln.analysis import release as release_rule
from spindeln.analysis.loader import decide_release
from spindeln.db import db
from spindeln.instrument import InstrumentRegistry
from spindeln.survey.models import ReleaseRecord, Round, RoundState, RoundStateError, SubmissionReceipt


def freeze_round(measurement_round: Round, instruments: InstrumentRegistry,
                 today: dt.date | None = None) -> ReleaseRecord:
    """Decide a closed round's release and keep it; forget what could tell the order its answers came in.

    The release is decided once, on all the round's responses, and never again: a round whose
    figures can be read takes no more responses (docs/anonymity.md), and two releases of the same
    round could be combined. The receipts of the round's forms are deleted (a closed round takes no
    form), and on PostgreSQL, which keeps rows where they were written, the round's responses are
    written again in the order of their random ids.
    """
    if measurement_round.state is not RoundState.closed:
        raise RoundStateError(f"round {measurement_round.number} is {measurement_round.state.value}; "
                              "only a closed round has a release")
    existing = db.session.get(ReleaseRecord, measurement_round.id)
    if existing is not None:
        return existing
    db.session.flush()
    instrument = instruments.get(measurement_round.instrument_id, measurement_round.instrument_version)
    programme = measurement_round.programme
    release, unit_ids, profession_ids, count = decide_release(db.session, programme, measurement_round, instrument)
    record = ReleaseRecord(
        round_id=measurement_round.id,
        rule=release_rule.RULE,
        min_group_size=programme.min_group_size,
        response_count=count,
        decided_on=today or dt.date.today(),
        release=release_rule.pack(release, unit_ids, profession_ids),
    )
    db.session.add(record)
    db.session.execute(delete(SubmissionReceipt).where(SubmissionReceipt.round_id == measurement_round.id))
    _rewrite_in_id_order(measurement_round)
    db.session.flush()
    return record


def _rewrite_in_id_order(measurement_round: Round) -> None:
    """Write the round's responses again, in the order of their (random) ids.

    A database keeps a row's bytes where they were first written: PostgreSQL lists a table's rows
    (and `pg_dump` writes them) in that order, and SQLite, which sorts rows by id, still lays out the
    bytes within a page in the order they came. Written again in id order, they lie in an order that
    means nothing; SQLite zeroes what is deleted (`secure_delete`, spindeln/db.py).
    """
    connection = db.session.connection()
    parameters = {"round_id": measurement_round.id}
    connection.execute(text("CREATE TEMPORARY TABLE round_responses AS "
                            "SELECT * FROM responses WHERE round_id = :round_id"), parameters)
    connection.execute(text("DELETE FROM responses WHERE round_id = :round_id"), parameters)
    connection.execute(text("INSERT INTO responses SELECT * FROM round_responses ORDER BY id"))
    connection.execute(text("DROP TABLE round_responses"))


def unreleased_rounds() -> list[Round]:
    """The closed rounds that have no release yet (closed before releases were kept)."""
    return list(db.session.scalars(
        select(Round).where(Round.state == RoundState.closed,
                            ~select(ReleaseRecord.round_id).where(ReleaseRecord.round_id == Round.id).exists())
        .order_by(Round.programme_id, Round.number)))


def freeze_unreleased(instruments: InstrumentRegistry, today: dt.date | None = None) -> list[Round]:
    """Freeze every closed round that has no release yet."""
    unreleased = unreleased_rounds()
    for measurement_round in unreleased:
        freeze_round(measurement_round, instruments, today)
    return unreleased
