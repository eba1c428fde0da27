"""Reads of rounds, links and response counts."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from spindeln.db import db
from spindeln.survey.models import Link, Response, Round


def link_by_token(token: str) -> Link | None:
    """The active (not revoked) link with this token, its round and programme loaded with it."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(
        select(Link)
        .where(Link.token == token, Link.revoked.is_(False))
        .options(joinedload(Link.round).joinedload(Round.programme))
    )


def response_count(measurement_round: Round) -> int:
    """How many responses the round has."""
    return db.session.scalar(select(func.count(Response.id)).where(Response.round_id == measurement_round.id))
