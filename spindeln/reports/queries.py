"""Reads the handout needs besides the summary: which rounds are closed, and the free-text comments."""

from __future__ import annotations

from sqlalchemy import func, select

from spindeln.db import db
from spindeln.programmes.models import Profession, Programme, Unit
from spindeln.survey.models import Response, Round, RoundState


def closed_rounds(programme: Programme, up_to: int) -> list[Round]:
    """The programme's closed rounds numbered `up_to` or lower, in number order."""
    return list(db.session.scalars(
        select(Round)
        .where(Round.programme_id == programme.id, Round.state == RoundState.closed, Round.number <= up_to)
        .order_by(Round.number)
    ))


def comments_by_group(measurement_round: Round, unit: Unit | None = None,
                      profession: Profession | None = None) -> dict[tuple[int, int], list[str]]:
    """The round's non-empty comments by (unit id, profession id), within a unit and/or profession if given.

    Whether a group's comments may be shown is not decided here: the caller asks the anonymity
    rule about each group.
    """
    query = select(Response.unit_id, Response.profession_id, Response.comment).where(
        Response.round_id == measurement_round.id,
        Response.comment.is_not(None),
        func.length(func.trim(Response.comment)) > 0,
    )
    if unit is not None:
        query = query.where(Response.unit_id == unit.id)
    if profession is not None:
        query = query.where(Response.profession_id == profession.id)
    groups: dict[tuple[int, int], list[str]] = {}
    for unit_id, profession_id, comment in db.session.execute(query):
        groups.setdefault((unit_id, profession_id), []).append(comment.strip())
    return groups
