"""The one bridge from the database to the analysis: responses in, arrays out, summary built.

Everything else in `spindeln.analysis` is pure; this module reads with SQLAlchemy 2.x `select()`
and hands plain arrays and plain data to `summary.summarise_mixed`.
"""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Sequence
from operator import itemgetter

import numpy as np
from sqlalchemy import Engine, delete, func, insert, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from spindeln.analysis import release as release_rule
from spindeln.analysis.data import ResponseData, RoundInfo
from spindeln.analysis.groups import RespondentGroups, respondent_groups
from spindeln.analysis.release import RoundRelease
from spindeln.analysis.schema import Summary
from spindeln.analysis.summary import decide_releases, summarise_mixed
from spindeln.instrument import Instrument, InstrumentRegistry
from spindeln.programmes.models import Profession, Programme, Unit
from spindeln.survey.models import CANNOT_ASSESS_BYTE, ReleaseRecord, Response, Round, RoundArrays, RoundState

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
                  profession: Profession | None = None) -> Summary:
    """The summary (see `summary.summarise`) of some rounds of a programme (None: all of them)."""
    for chosen, what in ((unit, "unit"), (profession, "profession")):
        if chosen is not None and chosen.programme_id != programme.id:
            raise ValueError(f"{what} {chosen!r} does not belong to programme {programme.slug}")
    if round_numbers is None:
        rounds = list(session.scalars(
            select(Round).where(Round.programme_id == programme.id).order_by(Round.number)))
    else:
        rounds = _rounds(session, programme, round_numbers)
    units, professions = _axes(session, programme)

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
        releases=load_releases(session, rounds, list(units), list(professions)),
    )


def load_respondent_groups(session: Session, programme: Programme, measurement_round: Round,
                           instruments: InstrumentRegistry) -> RespondentGroups:
    """One round's respondents by unit × profession, with the release's decision on every group.

    The same decision `build_summary` shows a group by, for all groups of the round in one read.
    """
    data, units, professions, release = load_round_release(session, programme, measurement_round, instruments)
    return respondent_groups(data.unit_id, data.profession_id, units, professions, release.respondents)


def load_round_release(session: Session, programme: Programme, measurement_round: Round,
                       instruments: InstrumentRegistry) -> tuple[ResponseData, list[int], list[int], RoundRelease]:
    """A round's responses, the programme's unit and profession ids (in display order) and the round's
    release on those axes: the kept one, or decided now when it has none (a round not closed by
    `close_round`)."""
    instrument = instruments.get(measurement_round.instrument_id, measurement_round.instrument_version)
    data = _read(session, [measurement_round], instrument)
    units, professions = (list(axis) for axis in _axes(session, programme))
    release = load_releases(session, [measurement_round], units, professions).get(measurement_round.number)
    if release is None:
        release = decide_releases(data, instrument, [_info(measurement_round)], units=units, professions=professions,
                                  min_group_size=programme.min_group_size)[measurement_round.number]
    return data, units, professions, release


def _info(measurement_round: Round) -> RoundInfo:
    return RoundInfo(measurement_round.number, measurement_round.title, measurement_round.instrument_id,
                     measurement_round.instrument_version)


def load_releases(session: Session, rounds: Sequence[Round], unit_ids: Sequence[int],
                  profession_ids: Sequence[int]) -> dict[int, RoundRelease]:
    """The frozen releases of these rounds, by round number, on these axes; rounds without one are left out."""
    if not rounds:
        return {}
    numbers = {measurement_round.id: measurement_round.number for measurement_round in rounds}
    releases = {}
    for round_id, stored in session.execute(
            select(ReleaseRecord.round_id, ReleaseRecord.release).where(ReleaseRecord.round_id.in_(list(numbers)))):
        release, decided_units, decided_professions, _rule = release_rule.unpack(stored)
        releases[numbers[round_id]] = release.on_axes(decided_units, decided_professions, unit_ids, profession_ids)
    return releases


def decide_release(session: Session, programme: Programme, measurement_round: Round,
                   instrument: Instrument) -> tuple[RoundRelease, list[int], list[int], int]:
    """Decide a round's release from all its responses: (release, unit ids, profession ids, responses).

    The axes are the programme's units and professions in id order, the order the release is kept in.
    """
    data = _read(session, [measurement_round], instrument, pack=False)
    unit_ids = sorted(session.scalars(select(Unit.id).where(Unit.programme_id == programme.id)))
    profession_ids = sorted(session.scalars(select(Profession.id).where(Profession.programme_id == programme.id)))
    release = decide_releases(data, instrument, [_info(measurement_round)], units=unit_ids,
                              professions=profession_ids,
                              min_group_size=programme.min_group_size)[measurement_round.number]
    return release, unit_ids, profession_ids, len(data)


def _axes(session: Session, programme: Programme) -> tuple[dict[int, str], dict[int, str]]:
    """The programme's units (id → name, by name) and professions (id → key, in their order): the
    axes of every table the anonymity rule decides on."""
    units = {row.id: row.name for row in session.execute(
        select(Unit.id, Unit.name).where(Unit.programme_id == programme.id).order_by(Unit.name))}
    professions = {row.id: row.key for row in session.execute(
        select(Profession.id, Profession.key).where(Profession.programme_id == programme.id)
        .order_by(Profession.position, Profession.id))}
    return units, professions


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
    The count alone would miss nothing either, but PostgreSQL hands out ids before commit, so a
    response can become visible after one with a higher id; the pair catches both.
    """
    if not round_ids:
        return {}
    # One count and one max per round, each answered from an index on responses (round_id, ...):
    # a GROUP BY over every response of a large programme took two to three times longer.
    of_round = Response.round_id == Round.id
    rows = session.execute(
        select(Round.id,
               select(func.count()).select_from(Response).where(of_round).scalar_subquery(),
               select(func.max(Response.id)).where(of_round).scalar_subquery())
        .where(Round.id.in_(list(round_ids)))
    ).all()
    found = {round_id: (count, last) for round_id, count, last in rows}
    return {round_id: found.get(round_id, (0, None)) for round_id in round_ids}


def _read(session: Session, rounds: list[Round], instrument: Instrument, pack: bool = True) -> ResponseData:
    """Read the responses of rounds that share `instrument` and decode their answer bytes.

    Closed rounds come from their packed arrays (`RoundArrays`) when those are current, and are packed
    on the first read (unless `pack` is false); the other rounds are read response by response.
    """
    item_count = len(instrument.items)
    if not rounds:
        return ResponseData.empty(item_count)
    fingerprints = round_fingerprints(session, [round_.id for round_ in rounds])
    numbers = {round_.id: round_.number for round_ in rounds}
    # Each part: answer codes item by item (items × responses), round numbers, unit ids, profession ids.
    parts = []
    packed = set()
    for round_id, response_count, last_response_id, stored in _packed_rows(session, list(numbers)):
        if (response_count, last_response_id) == fingerprints[round_id]:
            arrays = _unpack(stored)
            if arrays is not None:
                codes, unit_ids, profession_ids = arrays
                parts.append((codes, np.full(len(unit_ids), numbers[round_id], dtype=np.int64),
                              unit_ids, profession_ids))
                packed.add(round_id)
    unpacked = [round_ for round_ in rounds if round_.id not in packed]
    if unpacked:
        read = _read_rows(session, [round_.id for round_ in unpacked], instrument)
        for round_ in unpacked:
            codes, unit_ids, profession_ids = read[round_.id]
            parts.append((codes, np.full(len(unit_ids), round_.number, dtype=np.int64), unit_ids, profession_ids))
            if pack and round_.state is RoundState.closed and fingerprints[round_.id][0] > 0:
                _pack(session, round_.id, fingerprints[round_.id], codes, unit_ids, profession_ids)
    if sum(len(part[1]) for part in parts) == 0:
        return ResponseData.empty(item_count)
    # Item after item in memory, as packed: the analysis reads the answers to one item at a time.
    codes = np.concatenate([part[0] for part in parts], axis=1).T
    round_numbers, unit_ids, profession_ids = (np.concatenate([part[column] for part in parts]) for column in (1, 2, 3))
    try:
        return ResponseData.from_codes(
            codes, scale_min=instrument.scale.min, scale_max=instrument.scale.max, cannot_assess=CANNOT_ASSESS_BYTE,
            round_number=round_numbers, unit_id=unit_ids, profession_id=profession_ids)
    except ValueError as error:
        raise ValueError(f"a stored answer lies outside the scale of {instrument.id} {instrument.version}: "
                         f"{error}") from None


def _packed_rows(session: Session, round_ids: list[int]) -> list[tuple[int, int, int | None, bytes]]:
    """(round id, response count, last response id, packed arrays) of the rounds packed among these."""
    return _driver_rows(session, select(
        RoundArrays.round_id, RoundArrays.response_count, RoundArrays.last_response_id, RoundArrays.arrays,
    ).where(RoundArrays.round_id.in_(round_ids)))


def _driver_rows(session: Session, statement) -> list[tuple]:
    """The rows of a large read straight from the driver's cursor, in the session's transaction.

    Building SQLAlchemy's result rows took longer than the reading itself when a summary reads a
    million responses, and so did PostgreSQL's text format, in which every byte of a bytea travels
    as two hex digits (psycopg asks for the binary format instead). The statement's parameters must
    be integers: they are written into the SQL.
    """
    connection = session.connection()
    sql = str(statement.compile(connection, compile_kwargs={"literal_binds": True}))
    if connection.dialect.driver == "psycopg":
        cursor = connection.connection.driver_connection.cursor(binary=True)
    else:
        cursor = connection.connection.cursor()
    try:
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()


def _read_rows(session: Session, round_ids: list[int],
               instrument: Instrument) -> dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Every response of these rounds, response by response: round id → (answer codes, items ×
    responses; unit ids; profession ids)."""
    rows = _driver_rows(session, select(Response.round_id, Response.unit_id, Response.profession_id,
                                        Response.answers).where(Response.round_id.in_(round_ids)))
    # One pass per column: zip(*rows) over a million rows costs several times more.
    columns = [list(map(itemgetter(column), rows)) for column in range(4)]
    item_count = len(instrument.items)
    stored = b"".join(columns[3])
    if len(stored) != len(rows) * item_count:
        wrong = next(len(answers) for answers in columns[3] if len(answers) != item_count)
        raise ValueError(f"a response holds {wrong} answers, instrument {instrument.id} "
                         f"{instrument.version} has {item_count} items")
    codes = np.frombuffer(stored, dtype=np.uint8).reshape(len(rows), item_count)
    round_of_row, unit_ids, profession_ids = (np.array(column, dtype=np.int64) for column in columns[:3])
    # Round by round, item after item.
    order = np.argsort(round_of_row, kind="stable")
    codes, unit_ids, profession_ids = codes[order].T, unit_ids[order], profession_ids[order]
    starts = np.searchsorted(round_of_row[order], round_ids, side="left")
    stops = np.searchsorted(round_of_row[order], round_ids, side="right")
    return {round_id: (codes[:, start:stop], unit_ids[start:stop], profession_ids[start:stop])
            for round_id, start, stop in zip(round_ids, starts.tolist(), stops.tolist())}


#: Format of the packed arrays; a row in an older format is packed again on the next read.
PACKED_FORMAT = 2


def _pack(session: Session, round_id: int, fingerprint: tuple[int, int | None], codes: np.ndarray,
          unit_ids: np.ndarray, profession_ids: np.ndarray) -> None:
    """Store a closed round's arrays for the next read; a cache, so a failure to write only costs speed.

    The answer codes (items × responses) are stored item after item, the responses ordered by unit
    and profession, so that the unit and profession of every response shrink to one (unit,
    profession, size) triple per group: a round of a large programme packs into about a byte per
    answer.
    """
    bind = session.get_bind()
    if not isinstance(bind, Engine):
        return
    order = np.lexsort((profession_ids, unit_ids))
    unit_ids, profession_ids = unit_ids[order], profession_ids[order]
    starts = np.flatnonzero(np.diff(unit_ids, prepend=-1) | np.diff(profession_ids, prepend=-1))
    buffer = io.BytesIO()
    np.savez(buffer, format=np.array(PACKED_FORMAT), codes=np.ascontiguousarray(codes[:, order]),
             group_unit_id=unit_ids[starts].astype(np.int32),
             group_profession_id=profession_ids[starts].astype(np.int32),
             group_size=np.diff(np.append(starts, len(order))).astype(np.int32))
    try:
        # Its own short transaction: the caller's session only reads, and may never commit.
        with bind.begin() as connection:
            connection.execute(delete(RoundArrays).where(RoundArrays.round_id == round_id))
            connection.execute(insert(RoundArrays).values(
                round_id=round_id, response_count=fingerprint[0], last_response_id=fingerprint[1],
                arrays=buffer.getvalue()))
    except SQLAlchemyError:
        logger.warning("Could not store the packed arrays of round %s", round_id, exc_info=True)


def _unpack(stored: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """A packed round's (codes (items × responses), unit ids, profession ids); None for a row in an
    older format or one that cannot be read, which the caller reads afresh and packs again."""
    try:
        with np.load(io.BytesIO(stored)) as arrays:
            if "format" not in arrays.files or int(arrays["format"]) != PACKED_FORMAT:
                return None
            sizes = arrays["group_size"]
            return (arrays["codes"], np.repeat(arrays["group_unit_id"], sizes),
                    np.repeat(arrays["group_profession_id"], sizes))
    except (ValueError, KeyError, OSError, zipfile.BadZipFile):
        logger.warning("Could not read packed arrays; reading the responses instead", exc_info=True)
        return None
