"""Reads for results: the summary of a selection named by round numbers, unit and profession names."""

from __future__ import annotations

from spindeln.analysis.loader import build_summary
from spindeln.db import db
from spindeln.programmes.models import Programme
from spindeln.programmes.queries import find_profession, find_unit
from spindeln.results.figures import SelectionError, closed_round_numbers
from spindeln.web import instruments

__all__ = ["SelectionError", "programme_summary"]


def programme_summary(
    programme: Programme, round_numbers: list[int] | None, unit_name: str | None, profession_name: str | None
) -> dict:
    """The summary of closed rounds (all of them when `round_numbers` is None) of a programme's selection.

    Rounds that are still open or drafts are refused: while a round is open the only figure shown is
    its response count.
    """
    closed = closed_round_numbers(programme)
    if round_numbers is None:
        round_numbers = closed
    not_closed = sorted(set(round_numbers) - set(closed))
    if not_closed:
        raise SelectionError(f"round(s) {', '.join(map(str, not_closed))} have no results (not closed, or no such round)")
    unit = profession = None
    if unit_name:
        unit = find_unit(programme, unit_name)
        if unit is None:
            raise SelectionError(f"programme {programme.slug!r} has no unit {unit_name!r}")
    if profession_name:
        profession = find_profession(programme, profession_name)
        if profession is None:
            raise SelectionError(f"programme {programme.slug!r} has no profession {profession_name!r}")
    return build_summary(db.session, programme, instruments(), sorted(set(round_numbers)), unit, profession)
