"""The one bridge from the database to the analysis: responses in, arrays out, summary built.

Everything else in `spindeln.analysis` is pure; this module reads with SQLAlchemy 2.x `select()`
and hands plain arrays and plain data to `summary.summarise_mixed`.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from spindeln.analysis.data import ResponseData, RoundInfo
from spindeln.analysis.summary import summarise_mixed
from spindeln.instrument import Instrument, InstrumentRegistry
from spindeln.programmes.models import Profession, Programme, Unit
from spindeln.survey.models import CANNOT_ASSESS_BYTE, Response, Round


def load_responses(session: Session, programme: Programme, round_numbers: Sequence[int],
                   instrument: Instrument | None = None) -> ResponseData:
    """Every response of the given rounds of a programme, as arrays.

    The rounds must share one instrument; pass it as `instrument`, or leave it None to look it
    up among the shipped instruments.
    """
    rounds = _rounds(session, programme, round_numbers)
    idents = {(round_.instrument_id, round_.instrument_version) for round_ in rounds}
    if len(idents) > 1:
        raise ValueError(f"rounds {sorted(round_numbers)} used different instruments: {sorted(idents)}")
    if instrument is None:
        ident = idents.pop() if idents else (programme.instrument_id, programme.instrument_version)
        instrument = InstrumentRegistry().get(*ident)
    return _read(session, rounds, instrument)


def build_summary(session: Session, programme: Programme, instruments: InstrumentRegistry,
                  round_numbers: Sequence[int] | None = None, unit: Unit | None = None,
                  profession: Profession | None = None) -> dict:
    """The summary (see `summary.summarise`) of some rounds of a programme (None: all of them)."""
    for chosen, what in ((unit, "unit"), (profession, "profession")):
        if chosen is not None and chosen.programme_id != programme.id:
            raise ValueError(f"{what} {chosen!r} does not belong to programme {programme.slug}")
    if round_numbers is None:
        rounds = list(session.scalars(
            select(Round).where(Round.programme_id == programme.id).order_by(Round.number)))
    else:
        rounds = _rounds(session, programme, round_numbers)
    units = {row.id: row.name for row in session.execute(
        select(Unit.id, Unit.name).where(Unit.programme_id == programme.id).order_by(Unit.name))}
    professions = {row.id: row.key for row in session.execute(
        select(Profession.id, Profession.key).where(Profession.programme_id == programme.id)
        .order_by(Profession.position, Profession.id))}

    # One part per instrument: answers of different instruments do not fit one array.
    by_instrument: dict[tuple[str, str], list[Round]] = {}
    for round_ in rounds:
        by_instrument.setdefault((round_.instrument_id, round_.instrument_version), []).append(round_)
    parts = []
    for ident, group in by_instrument.items():
        instrument = instruments.get(*ident)
        infos = [RoundInfo(r.number, r.title, r.instrument_id, r.instrument_version) for r in group]
        parts.append((_read(session, group, instrument), instrument, infos))
    if not parts:
        instrument = instruments.get(programme.instrument_id, programme.instrument_version)
        parts.append((ResponseData.empty(len(instrument.items)), instrument, []))

    return summarise_mixed(
        parts,
        programme={"slug": programme.slug, "name": programme.name},
        unit=None if unit is None else (unit.id, unit.name),
        profession=None if profession is None else (profession.id, profession.key),
        min_group_size=programme.min_group_size,
        units=units,
        professions=professions,
    )


def _rounds(session: Session, programme: Programme, round_numbers: Sequence[int]) -> list[Round]:
    """The programme's rounds with these numbers, in number order; ValueError naming any that do not exist."""
    wanted = sorted(set(round_numbers))
    rounds = list(session.scalars(
        select(Round).where(Round.programme_id == programme.id, Round.number.in_(wanted)).order_by(Round.number)))
    missing = sorted(set(wanted) - {round_.number for round_ in rounds})
    if missing:
        raise ValueError(f"programme {programme.slug} has no round(s) {missing}")
    return rounds


def _read(session: Session, rounds: list[Round], instrument: Instrument) -> ResponseData:
    """Read the responses of rounds that share `instrument` and decode their answer bytes."""
    item_count = len(instrument.items)
    if not rounds:
        return ResponseData.empty(item_count)
    rows = session.execute(
        select(Response.round_id, Response.unit_id, Response.profession_id, Response.answers)
        .where(Response.round_id.in_([round_.id for round_ in rounds]))
    ).all()
    if not rows:
        return ResponseData.empty(item_count)
    # One pass per column: zip(*rows) over a million rows costs several times more.
    round_ids, unit_ids, profession_ids, stored = (list(map(itemgetter(column), rows)) for column in range(4))

    packed = b"".join(stored)
    if len(packed) != len(rows) * item_count:
        wrong = next(len(answers) for answers in stored if len(answers) != item_count)
        raise ValueError(f"a response holds {wrong} answers, instrument {instrument.id} "
                         f"{instrument.version} has {item_count} items")
    codes = np.frombuffer(packed, dtype=np.uint8).reshape(len(rows), item_count)
    cannot_assess = codes == CANNOT_ASSESS_BYTE
    if (codes[~cannot_assess] >= instrument.scale.points).any():
        raise ValueError(f"a stored answer lies outside the scale of {instrument.id} {instrument.version}")
    answers = codes.astype(np.float64) + instrument.scale.min
    answers[cannot_assess] = np.nan

    # Round ids to round numbers through a sorted lookup, without a per-row loop.
    known_ids = np.array([round_.id for round_ in rounds], dtype=np.int64)
    known_numbers = np.array([round_.number for round_ in rounds], dtype=np.int64)
    order = np.argsort(known_ids)
    round_id_array = np.array(round_ids, dtype=np.int64)
    numbers = known_numbers[order][np.searchsorted(known_ids[order], round_id_array)]
    return ResponseData(
        answers=answers,
        round_number=numbers,
        unit_id=np.array(unit_ids, dtype=np.int64),
        profession_id=np.array(profession_ids, dtype=np.int64),
    )
