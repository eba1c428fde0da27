"""What the speed-ups for large programmes must not change: the anonymity rule's decisions, the
figures, and that a changed round is never read from a stale cache."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, select, update
from sqlalchemy.orm import Session

from analysis_helpers import PROFESSIONS, PROGRAMME, UNITS, make_instrument, random_answers, round_infos
from spindeln.analysis.data import ResponseData
from spindeln.analysis.loader import PACKED_FORMAT, build_summary, round_fingerprints
from spindeln.analysis.summary import summarise
from spindeln.analysis.suppression import suppress, suppress_tables
from spindeln.instrument import InstrumentRegistry
from spindeln.models import Base, Profession, Programme, Response, Round, RoundArrays, RoundState, Unit
from spindeln.survey.models import CANNOT_ASSESS_BYTE, encode_answers


def reference_suppress(counts: np.ndarray, min_group_size: int, start=None):
    """The rule of docs/anonymity.md written out line by line, as it first was: the yardstick."""
    counts = np.asarray(counts, dtype=np.int64)
    unit_totals, profession_totals, round_total = counts.sum(axis=1), counts.sum(axis=0), int(counts.sum())

    def too_small(n):
        return (n > 0) & (n < min_group_size)

    cells, units, professions = too_small(counts), too_small(unit_totals), too_small(profession_totals)
    total = bool(0 < round_total < min_group_size)
    if start is not None:
        cells |= start.cells
        units |= start.units
        professions |= start.professions
        total = total or start.total

    def protect(members, suppressed):
        changed = False
        while True:
            nonzero = members > 0
            hidden = nonzero & suppressed
            if hidden.sum() == 0:
                return changed, False
            if hidden.sum() > 1 and members[hidden].sum() >= min_group_size:
                return changed, False
            candidates = np.flatnonzero(nonzero & ~suppressed)
            if candidates.size == 0:
                return changed or hidden.sum() == 1, hidden.sum() == 1
            suppressed[candidates[np.argmin(members[candidates])]] = True
            changed = True

    changed = True
    while changed:
        changed = False
        for unit in range(counts.shape[0]):
            if not units[unit]:
                line_changed, units[unit] = protect(counts[unit, :], cells[unit, :])
                changed |= line_changed
        for profession in range(counts.shape[1]):
            if not professions[profession]:
                line_changed, professions[profession] = protect(counts[:, profession], cells[:, profession])
                changed |= line_changed
        for line_counts, line_flags in ((unit_totals, units), (profession_totals, professions)):
            if not total:
                line_changed, total = protect(line_counts, line_flags)
                changed |= line_changed
    return cells, units, professions, bool(total)


def decisions(rule):
    return rule.cells.tolist(), rule.units.tolist(), rule.professions.tolist(), rule.total


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 12), st.integers(1, 4), st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_the_rule_decides_as_the_line_by_line_rule(units, professions, min_group_size, seed):
    rng = np.random.default_rng(seed)
    counts = rng.choice([0, 1, 1, 2, 3, 4, 6, 10], size=(units, professions))
    rule = suppress(counts, min_group_size)
    cells, unit_flags, profession_flags, total = reference_suppress(counts, min_group_size)
    assert decisions(rule) == (cells.tolist(), unit_flags.tolist(), profession_flags.tolist(), total)
    item_counts = np.maximum(counts - rng.integers(0, 3, size=counts.shape), 0)
    item_rule = suppress(item_counts, min_group_size, start=rule)
    cells, unit_flags, profession_flags, total = reference_suppress(item_counts, min_group_size, start=rule)
    assert decisions(item_rule) == (cells.tolist(), unit_flags.tolist(), profession_flags.tolist(), total)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 6), st.integers(1, 30), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_tables_decided_together_are_decided_each_on_its_own(tables, units, professions, seed):
    rng = np.random.default_rng(seed)
    counts = rng.poisson(rng.uniform(0.5, 5), size=(tables, units, professions))
    starts = [suppress(table + rng.integers(0, 2, size=table.shape), 3) for table in counts]
    together = suppress_tables(counts, 3, start=starts)
    assert [decisions(rule) for rule in together] == [
        decisions(suppress(table, 3, start=start)) for table, start in zip(counts, starts)]


def test_answers_as_stored_give_the_same_summary_as_scale_values():
    instrument = make_instrument(points=7, scale_min=0, dimension_sizes=(2, 3))
    rng = np.random.default_rng(4)
    n = 400
    answers = random_answers(rng, n, instrument, cannot_assess=0.1)
    columns = (rng.integers(1, 3, n), rng.choice(list(UNITS), n), rng.choice(list(PROFESSIONS), n))
    codes = np.where(np.isnan(answers), CANNOT_ASSESS_BYTE, answers - instrument.scale.min).astype(np.uint8)
    stored = ResponseData.from_codes(codes, scale_min=0, scale_max=6, cannot_assess=CANNOT_ASSESS_BYTE,
                                     round_number=columns[0], unit_id=columns[1], profession_id=columns[2])
    np.testing.assert_array_equal(stored.answers, answers)
    for unit, profession in ((None, None), (12, None), (None, 23), (13, 21)):
        kwargs = {"programme": PROGRAMME, "rounds": round_infos([1, 2], instrument), "units": UNITS,
                  "professions": PROFESSIONS,
                  "unit": None if unit is None else (unit, UNITS[unit]),
                  "profession": None if profession is None else (profession, PROFESSIONS[profession])}
        as_values = ResponseData(answers, *columns)
        assert summarise(stored, instrument, **kwargs) == summarise(as_values, instrument, **kwargs)


def test_a_stored_answer_off_the_scale_is_an_error():
    codes = np.array([[0, 9, 255], [10, 1, 2]], dtype=np.uint8)
    with pytest.raises(ValueError, match="answer 11 is not a value of the scale 1–10"):
        ResponseData.from_codes(codes, scale_min=1, scale_max=10, cannot_assess=255,
                                round_number=[1, 1], unit_id=[11, 11], profession_id=[21, 21])


@pytest.fixture
def closed_programme(tmp_path):
    """A programme with one closed round of twelve responses in a SQLite file; yields (session, programme)."""
    engine = create_engine(f"sqlite:///{tmp_path / 'scale.sqlite'}")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        programme = Programme(name="P", slug="p", instrument_id="spindeln-stis", instrument_version="1")
        programme.units = [Unit(key="farsta", name="Farsta"), Unit(key="skarpnack", name="Skarpnäck")]
        programme.professions = [Profession(key="bvc_bmm", name="BVC/BMM"),
                                 Profession(key="oppna_forskolan", name="Öppna förskolan")]
        programme.rounds = [Round(number=1, title="Mätning 1", state=RoundState.closed,
                                  instrument_id="spindeln-stis", instrument_version="1")]
        session.add(programme)
        session.flush()
        rng = np.random.default_rng(8)
        for index in range(12):
            values = [None if value == 0 else int(value) for value in rng.integers(0, 11, 9)]
            session.add(Response(id=10 * (index + 1), round_id=programme.rounds[0].id,
                                 unit_id=programme.units[index % 2].id,
                                 profession_id=programme.professions[index // 6].id,
                                 submitted_on=dt.date(2021, 3, 1), answers=encode_answers(values, 1)))
        session.commit()
        yield session, programme
    engine.dispose()


def test_a_round_packed_in_an_older_format_is_read_afresh_and_packed_again(closed_programme):
    session, programme = closed_programme
    registry = InstrumentRegistry()
    fresh = build_summary(session, programme, registry)
    round_id = programme.rounds[0].id
    rows = session.execute(select(Response.unit_id, Response.profession_id, Response.answers)).all()
    # The first format: one row per response in order, with its unit and profession.
    buffer = io.BytesIO()
    np.savez(buffer, answers=np.frombuffer(b"".join(row.answers for row in rows), np.uint8).reshape(-1, 9),
             unit_id=np.array([row.unit_id for row in rows], np.int32),
             profession_id=np.array([row.profession_id for row in rows], np.int32))
    session.execute(update(RoundArrays).where(RoundArrays.round_id == round_id).values(arrays=buffer.getvalue()))
    session.commit()

    assert build_summary(session, programme, registry) == fresh
    session.expire_all()
    stored = session.scalars(select(RoundArrays.arrays).where(RoundArrays.round_id == round_id)).one()
    with np.load(io.BytesIO(stored)) as arrays:
        assert int(arrays["format"]) == PACKED_FORMAT
    assert build_summary(session, programme, registry) == fresh


def test_a_response_that_appears_below_the_newest_is_not_missed(closed_programme):
    """PostgreSQL hands out ids before commit: a response may become visible after a newer one."""
    session, programme = closed_programme
    registry = InstrumentRegistry()
    round_ = programme.rounds[0]
    before = round_fingerprints(session, [round_.id])[round_.id]
    first = build_summary(session, programme, registry)
    assert first["rounds"][0]["n_respondents"] == 12
    session.add(Response(id=55, round_id=round_.id, unit_id=programme.units[0].id,
                         profession_id=programme.professions[0].id, submitted_on=dt.date(2021, 3, 2),
                         answers=encode_answers([10] * 9, 1)))
    session.commit()
    after = round_fingerprints(session, [round_.id])[round_.id]
    assert before == (12, 120) and after == (13, 120)
    assert build_summary(session, programme, registry)["rounds"][0]["n_respondents"] == 13


def test_fingerprints_of_no_rounds_and_of_a_round_without_responses(closed_programme):
    session, programme = closed_programme
    assert round_fingerprints(session, []) == {}
    assert round_fingerprints(session, [999]) == {999: (0, None)}
