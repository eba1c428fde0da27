"""Reads for results: the summary of a selection named by round numbers, unit and profession names."""

from __future__ import annotations

from spindeln.analysis.schema import Summary
from spindeln.programmes.models import Programme
from spindeln.programmes.queries import find_profession, find_unit
from spindeln.results import gate
from spindeln.results.gate import SelectionError

__all__ = ["SelectionError", "programme_summary"]


def programme_summary(
    programme: Programme, round_numbers: list[int] | None, unit_name: str | None, profession_name: str | None
) -> Summary:
    """The summary of readable rounds (all of them when `round_numbers` is None) of a programme's selection.

    Rounds that are still open or drafts are refused: while a round is open the only figure shown is
    its response count.
    """
    unit = profession = None
    if unit_name:
        unit = find_unit(programme, unit_name)
        if unit is None:
            raise SelectionError(f"programme {programme.slug!r} has no unit {unit_name!r}")
    if profession_name:
        profession = find_profession(programme, profession_name)
        if profession is None:
            raise SelectionError(f"programme {programme.slug!r} has no profession {profession_name!r}")
    return gate.summary(programme, round_numbers, unit, profession)
