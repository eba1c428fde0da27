"""Reads for import and export: earlier imports and the responses of the rounds an export covers."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from spindeln.db import db
from spindeln.programmes.models import ImportRecord, Programme
from spindeln.survey.models import Response, Round


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


def responses_of(rounds: list[Round]) -> Iterator[tuple[int, int, int, bytes, str | None]]:
    """(round id, unit id, profession id, answers, comment) of every response of the rounds, in no set order."""
    if not rounds:
        return iter(())
    return iter(db.session.execute(
        select(Response.round_id, Response.unit_id, Response.profession_id, Response.answers, Response.comment)
        .where(Response.round_id.in_([r.id for r in rounds]))
    ))
