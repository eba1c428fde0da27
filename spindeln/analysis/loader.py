"""The one bridge from the database to the analysis: responses in, arrays out, summary built.

Everything else in `spindeln.analysis` is pure; this module reads with SQLAlchemy 2.x `select()`
and hands plain arrays and plain data to `summary.summarise_mixed`.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from operator import itemgetter

import numpy as np
from sqlalchemy import Engine, delete, func, insert, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from spindeln.analysis.data import ResponseData, RoundInfo
from spindeln.analysis.summary import summarise_mixed
from spindeln.instrument import Instrument, InstrumentRegistry
from spindeln.programmes.models import Profession, Programme, Unit
from spindeln.survey.models import CANNOT_ASSESS_BYTE, Response, Round, RoundArrays, RoundState

logger = logging.getLogger(__name__)


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


def round_fingerprints(session: Session, round_ids: Sequence[int]) -> dict[int, tuple[int, int | None]]:
    """Each round's response count and highest response id: they change whenever its responses do.

    Responses are only ever added (or removed with their round), so the pair identifies a round's data.
    """
    rows = session.execute(
        select(Response.round_id, func.count(Response.id), func.max(Response.id))
        .where(Response.round_id.in_(list(round_ids)))
        .group_by(Response.round_id)
    ).all()
    found = {round_id: (count, last) for round_id, count, last in rows}
    return {round_id: found.get(round_id, (0, None)) for round_id in round_ids}


def _read(session: Session, rounds: list[Round], instrument: Instrument) -> ResponseData:
    """Read the responses of rounds that share `instrument` and decode their answer bytes.

    Closed rounds come from their packed arrays (`RoundArrays`) when those are current, and are packed
    on the first read; the other rounds are read response by response.
    """
    item_count = len(instrument.items)
    if not rounds:
        return ResponseData.empty(item_count)
    fingerprints = round_fingerprints(session, [round_.id for round_ in rounds])
    packed_rounds = {
        row.round_id: row for row in session.scalars(
            select(RoundArrays).where(RoundArrays.round_id.in_([round_.id for round_ in rounds])))
        if (row.response_count, row.last_response_id) == fingerprints[row.round_id]
    }
    parts = []
    unpacked = [round_ for round_ in rounds if round_.id not in packed_rounds]
    if unpacked:
        read = _read_rows(session, [round_.id for round_ in unpacked], instrument)
        for round_ in unpacked:
            mine = read[1] == round_.id
            part = (read[0][mine], read[1][mine], read[2][mine], read[3][mine])
            parts.append(part)
            if round_.state is RoundState.closed and fingerprints[round_.id][0] > 0:
                _pack(session, round_.id, fingerprints[round_.id], part)
    for round_ in rounds:
        if round_.id in packed_rounds:
            with np.load(io.BytesIO(packed_rounds[round_.id].arrays)) as arrays:
                count = len(arrays["unit_id"])
                parts.append((arrays["answers"], np.full(count, round_.id, dtype=np.int64),
                              arrays["unit_id"].astype(np.int64), arrays["profession_id"].astype(np.int64)))
    codes = np.concatenate([part[0] for part in parts]) if parts else np.empty((0, item_count), np.uint8)
    if codes.shape[0] == 0:
        return ResponseData.empty(item_count)
    round_ids, unit_ids, profession_ids = (np.concatenate([part[column] for part in parts]) for column in (1, 2, 3))
    cannot_assess = codes == CANNOT_ASSESS_BYTE
    if (codes[~cannot_assess] >= instrument.scale.points).any():
        raise ValueError(f"a stored answer lies outside the scale of {instrument.id} {instrument.version}")
    answers = codes.astype(np.float64) + instrument.scale.min
    answers[cannot_assess] = np.nan

    # Round ids to round numbers through a sorted lookup, without a per-row loop.
    known_ids = np.array([round_.id for round_ in rounds], dtype=np.int64)
    known_numbers = np.array([round_.number for round_ in rounds], dtype=np.int64)
    order = np.argsort(known_ids)
    numbers = known_numbers[order][np.searchsorted(known_ids[order], round_ids)]
    return ResponseData(answers=answers, round_number=numbers, unit_id=unit_ids, profession_id=profession_ids)


def _read_rows(session: Session, round_ids: list[int], instrument: Instrument):
    """Every response of these rounds, response by response: (answer codes, round ids, unit ids, profession ids)."""
    rows = session.execute(
        select(Response.round_id, Response.unit_id, Response.profession_id, Response.answers)
        .where(Response.round_id.in_(round_ids))
    ).all()
    # One pass per column: zip(*rows) over a million rows costs several times more.
    columns = [list(map(itemgetter(column), rows)) for column in range(4)]
    stored = columns[3]
    item_count = len(instrument.items)
    wrong = next((len(answers) for answers in stored if len(answers) != item_count), None)
    if wrong is not None:
        raise ValueError(f"a response holds {wrong} answers, instrument {instrument.id} "
                         f"{instrument.version} has {item_count} items")
    codes = np.frombuffer(b"".join(stored), dtype=np.uint8).reshape(len(rows), item_count)
    return (codes, *(np.array(column, dtype=np.int64) for column in columns[:3]))


def _pack(session: Session, round_id: int, fingerprint: tuple[int, int | None], part) -> None:
    """Store a closed round's arrays for the next read; a cache, so a failure to write only costs speed."""
    bind = session.get_bind()
    if not isinstance(bind, Engine):
        return
    buffer = io.BytesIO()
    np.savez(buffer, answers=part[0], unit_id=part[2].astype(np.int32), profession_id=part[3].astype(np.int32))
    try:
        # Its own short transaction: the caller's session only reads, and may never commit.
        with bind.begin() as connection:
            connection.execute(delete(RoundArrays).where(RoundArrays.round_id == round_id))
            connection.execute(insert(RoundArrays).values(
                round_id=round_id, response_count=fingerprint[0], last_response_id=fingerprint[1],
                arrays=buffer.getvalue()))
    except SQLAlchemyError:
        logger.warning("Could not store the packed arrays of round %s", round_id, exc_info=True)
