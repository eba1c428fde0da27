"""Reads for import and export: earlier imports, the rounds an export covers, their responses."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, select

from spindeln.db import db
from spindeln.programmes.models import ImportRecord, Programme
from spindeln.survey.models import Response, Round, RoundState


def import_record(programme: Programme, digest: bytes) -> ImportRecord | None:
    """The earlier import of a file with this digest into the programme."""
    return db.session.scalar(
        select(ImportRecord).where(ImportRecord.programme_id == programme.id, ImportRecord.digest == digest)
    )


def import_records(programme: Programme) -> list[ImportRecord]:
    """The programme's imports, newest first."""
    return list(db.session.scalars(
        select(ImportRecord).where(ImportRecord.programme_id == programme.id)
        .order_by(ImportRecord.imported_on.desc(), ImportRecord.id.desc())
    ))


def closed_rounds(programme: Programme) -> list[Round]:
    """The programme's closed rounds, in number order: the only ones whose data leave the app."""
    return [r for r in programme.rounds if r.state is RoundState.closed]


def responses_of(rounds: list[Round]) -> Iterator[tuple[int, int, int, bytes, str | None]]:
    """(round id, unit id, profession id, answers, comment) of every response of the rounds, in no set order."""
    if not rounds:
        return iter(())
    return iter(db.session.execute(
        select(Response.round_id, Response.unit_id, Response.profession_id, Response.answers, Response.comment)
        .where(Response.round_id.in_([r.id for r in rounds]))
    ))


def group_counts(rounds: list[Round]) -> dict[tuple[int, int, int], int]:
    """Respondents per (round id, unit id, profession id) of the rounds."""
    if not rounds:
        return {}
    rows = db.session.execute(
        select(Response.round_id, Response.unit_id, Response.profession_id, func.count())
        .where(Response.round_id.in_([r.id for r in rounds]))
        .group_by(Response.round_id, Response.unit_id, Response.profession_id)
    )
    return {(round_id, unit_id, profession_id): count for round_id, unit_id, profession_id, count in rows}
