"""The gate: the one place that decides which rounds may be read and what each of them shows.

Every figure Spindeln shows leaves through here: the results pages, the charts and their texts,
meeting mode, the PDF handout, the API, the CLI and the exports. Nothing else decides that a round
can be read, which rounds a round is compared with by default, or which groups are shown.

- A round can be read once it is closed, and then it is frozen: its release (which of its groups
  show figures, decided on the whole table by `analysis.release`) was decided when it closed and
  is kept (`results.operations.freeze_round`); it takes no more responses.
- Rounds are compared only when they used the same instrument, id and version. By default a round
  is compared with the previous readable round of its instrument and with the first.
- Every summary, group count and comment comes from the rounds' releases; see docs/anonymity.md.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence

from sqlalchemy import func, select

from spindeln.analysis.groups import RespondentGroups, respondent_groups
from spindeln.analysis.loader import build_summary, load_respondent_groups, load_round_release, round_fingerprints
from spindeln.analysis.schema import Summary
from spindeln.analysis.summary import dimension_items
from spindeln.db import db
from spindeln.programmes.models import Profession, Programme, Unit
from spindeln.survey.models import ReleaseRecord, Response, Round, RoundState
from spindeln.web import instrument_of, instruments

logger = logging.getLogger(__name__)


class SelectionError(ValueError):
    """A selection of results that cannot be shown; the message says why."""


class NotReleased(Exception):
    """A closed round without a kept release, or whose responses changed after it: nothing of it is shown.

    Neither happens to a round closed by `close_round` (or imported) in a database `spindeln db
    upgrade` has brought up to date; deciding a release anew when asked could give a second,
    different release of the same round, and the two together could tell what each hides.
    """

    def __init__(self, message: str, changed: bool = False):
        super().__init__(message)
        #: The round's responses changed after its release (rather than: it has none yet).
        self.changed = changed


def require_released(rounds: Sequence[Round]) -> None:
    """`NotReleased` unless every round has its kept release, decided on the responses it has now."""
    ids = [measurement_round.id for measurement_round in rounds]
    if not ids:
        return
    kept = dict(db.session.execute(
        select(ReleaseRecord.round_id, ReleaseRecord.response_count).where(ReleaseRecord.round_id.in_(ids))).all())
    counts = round_fingerprints(db.session, ids)
    for measurement_round in rounds:
        if measurement_round.id not in kept:
            raise NotReleased(f"round {measurement_round.number} has no release yet: an administrator runs "
                              "`spindeln db upgrade`, which decides it")
        if kept[measurement_round.id] != counts[measurement_round.id][0]:
            logger.error("Round %s (id %s) has %s responses, its release was decided on %s: its figures are withheld",
                         measurement_round.number, measurement_round.id, counts[measurement_round.id][0],
                         kept[measurement_round.id])
            raise NotReleased(f"round {measurement_round.number} has changed since its results were released, "
                              "so none of them are shown", changed=True)


def is_readable(measurement_round: Round) -> bool:
    """Whether the round's results may be read: it is closed (while open, only its count is shown)."""
    return measurement_round.state is RoundState.closed


def readable_rounds(programme: Programme, up_to: int | None = None) -> list[Round]:
    """The programme's rounds whose results may be read (numbered `up_to` or lower), in number order."""
    query = select(Round).where(Round.programme_id == programme.id, Round.state == RoundState.closed)
    if up_to is not None:
        query = query.where(Round.number <= up_to)
    return list(db.session.scalars(query.order_by(Round.number)))


def readable_numbers(programme: Programme) -> list[int]:
    """The numbers of the programme's readable rounds, in order."""
    return list(db.session.scalars(
        select(Round.number).where(Round.programme_id == programme.id, Round.state == RoundState.closed)
        .order_by(Round.number)))


def readable_round(programme: Programme, number: int) -> Round | None:
    """The programme's round `number` if its results may be read."""
    return db.session.scalar(select(Round).where(
        Round.programme_id == programme.id, Round.number == number, Round.state == RoundState.closed))


def comparable(first: Round, second: Round) -> bool:
    """Whether two rounds can be compared: collected with the same instrument, id and version."""
    return (first.instrument_id, first.instrument_version) == (second.instrument_id, second.instrument_version)


def earlier_comparable(programme: Programme, measurement_round: Round) -> list[Round]:
    """The readable rounds before this one that it can be compared with, in order."""
    return [r for r in readable_rounds(programme, up_to=measurement_round.number - 1)
            if comparable(r, measurement_round)]


def previous_round(programme: Programme, measurement_round: Round) -> Round | None:
    """The latest readable round before this one that it can be compared with."""
    earlier = earlier_comparable(programme, measurement_round)
    return earlier[-1] if earlier else None


def default_comparison(programme: Programme, measurement_round: Round) -> list[int]:
    """The rounds a round is compared with when none are chosen: the first and the previous comparable one."""
    earlier = earlier_comparable(programme, measurement_round)
    return sorted({earlier[0].number, earlier[-1].number}) if earlier else []


def chosen_comparison(programme: Programme, measurement_round: Round, chosen: Sequence[int],
                      most: int) -> list[int]:
    """Rounds chosen to compare with this one, checked: readable, comparable, other than it, at most `most`."""
    wanted = sorted(set(chosen) - {measurement_round.number})
    by_number = {r.number: r for r in readable_rounds(programme)}
    unknown = [number for number in wanted if number not in by_number]
    if unknown:
        raise SelectionError(f"round(s) {', '.join(map(str, unknown))} have no results to compare with")
    other = [number for number in wanted if not comparable(by_number[number], measurement_round)]
    if other:
        raise SelectionError(f"round(s) {', '.join(map(str, other))} used another instrument and cannot be "
                             "compared with this one")
    if len(wanted) > most:
        raise SelectionError(f"at most {most} rounds can be compared with this one")
    return wanted


def summary(programme: Programme, round_numbers: Sequence[int] | None = None, unit: Unit | None = None,
            profession: Profession | None = None) -> Summary:
    """The summary (docs/summary.md) of readable rounds (all of them when None) of one selection.

    `SelectionError` for a round that is not readable, or a unit or profession of another programme.
    """
    readable = readable_numbers(programme)
    numbers = readable if round_numbers is None else sorted(set(round_numbers))
    not_readable = sorted(set(numbers) - set(readable))
    if not_readable:
        raise SelectionError(f"round(s) {', '.join(map(str, not_readable))} have no results (not closed, or no "
                             "such round)")
    for chosen in (unit, profession):
        if chosen is not None and chosen.programme_id != programme.id:
            raise SelectionError(f"{chosen!r} does not belong to programme {programme.slug}")
    require_released(readable_rounds_numbered(programme, numbers))
    return build_summary(db.session, programme, instruments(), numbers, unit, profession)


def readable_rounds_numbered(programme: Programme, numbers: Sequence[int]) -> list[Round]:
    """The programme's readable rounds with these numbers."""
    return list(db.session.scalars(select(Round).where(
        Round.programme_id == programme.id, Round.state == RoundState.closed, Round.number.in_(list(numbers)))))


def groups(programme: Programme, measurement_round: Round) -> RespondentGroups:
    """A readable round's head counts by unit × profession, with its release's decision on every group."""
    if not is_readable(measurement_round):
        raise SelectionError(f"round {measurement_round.number} has no results (not closed)")
    require_released([measurement_round])
    return load_respondent_groups(db.session, programme, measurement_round, instruments())


def shown_answers(programme: Programme, measurement_round: Round) -> dict[tuple[int, int], tuple[bool, ...]]:
    """What a readable round's release shows row by row: for each shown (unit id, profession id) group
    with respondents, which items (in instrument order) its rows may show.

    The raw export lists exactly this: the rows of hidden groups are not in it at all; and in a shown
    group, an item is withheld where the release hides it, or hides a dimension it belongs to
    (the whole instrument included). Rows tie each person's answers together, and a dimension's
    mean and SD over a larger group, where it is shown, would otherwise let the withheld answers be
    solved person by person from the others.
    """
    if not is_readable(measurement_round):
        raise SelectionError(f"round {measurement_round.number} has no results (not closed)")
    require_released([measurement_round])
    data, units, professions, release = load_round_release(db.session, programme, measurement_round, instruments())
    round_groups = respondent_groups(data.unit_id, data.profession_id, units, professions, release.respondents)
    items_of = dimension_items(instrument_of(measurement_round))
    dimensions_of = [[key for key, members in items_of.items() if position in members]
                     for position in range(len(release.items))]
    shown = {}
    for u, unit_id in enumerate(units):
        for p, profession_id in enumerate(professions):
            if round_groups.counts[u, p] and not release.respondents.cells[u, p]:
                shown[(unit_id, profession_id)] = tuple(
                    not item.cells[u, p] and not any(release.dimensions[key].cells[u, p] for key in keys)
                    for item, keys in zip(release.items, dimensions_of))
    return shown


def shown_comments(programme: Programme, measurement_round: Round, unit: Unit | None = None,
                   profession: Profession | None = None,
                   round_groups: RespondentGroups | None = None) -> list[tuple[str, int]]:
    """The round's comments from groups its release shows, as (text, times given), ordered by text.

    A comment can tell who wrote it far better than a rating: each unit × profession group is asked,
    and the comments of a hidden one are left out altogether. Ordered by text, never by when they
    were stored.
    """
    round_groups = round_groups or groups(programme, measurement_round)
    query = select(Response.unit_id, Response.profession_id, Response.comment).where(
        Response.round_id == measurement_round.id,
        Response.comment.is_not(None),
        func.length(func.trim(Response.comment)) > 0,
    )
    if unit is not None:
        query = query.where(Response.unit_id == unit.id)
    if profession is not None:
        query = query.where(Response.profession_id == profession.id)
    counter: Counter[str] = Counter()
    for unit_id, profession_id, comment in db.session.execute(query):
        if round_groups.shown(unit_id, profession_id):
            counter[comment.strip()] += 1
    return sorted(counter.items(), key=lambda pair: (pair[0].casefold(), pair[0]))
