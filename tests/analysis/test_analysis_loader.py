"""The loader: from the database (SQLite in memory, no Flask app) to arrays and a summary."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from analysis_helpers import make_instrument, shipped_instrument
from spindeln.analysis.loader import build_summary, load_responses
from spindeln.instrument import InstrumentRegistry
from spindeln.models import Base, Profession, Programme, Response, Round, Unit
from spindeln.survey.models import encode_answers


@pytest.fixture
def session():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        yield session
    engine.dispose()


@pytest.fixture
def registry():
    registry = InstrumentRegistry()
    registry.add(make_instrument(points=10, dimension_sizes=(4, 5), instrument_id="spindeln-stis", version="2"))
    return registry


@pytest.fixture
def programme(session):
    programme = Programme(name="STIS ytterstaden", slug="stis", instrument_id="spindeln-stis", instrument_version="1")
    programme.units = [Unit(key="farsta", name="Farsta"), Unit(key="hasselby_vallingby", name="Hässelby-Vällingby")]
    programme.professions = [Profession(key="foraldraradgivare", name="Föräldrarådgivare", position=0),
                             Profession(key="bvc_bmm", name="BVC/BMM", position=1)]
    programme.rounds = [Round(number=n, title=f"Mätning {n}", instrument_id="spindeln-stis", instrument_version="1")
                        for n in (1, 2)]
    session.add(programme)
    session.flush()
    return programme


def add_responses(session, programme, round_number, unit, profession, answer_rows):
    round_ = next(r for r in programme.rounds if r.number == round_number)
    for values in answer_rows:
        session.add(Response(round_id=round_.id, unit_id=unit.id, profession_id=profession.id,
                             submitted_on=dt.date(2020, 3, 1), answers=encode_answers(values, 1)))
    session.flush()


def test_load_responses_decodes_answers(session, programme):
    farsta, hasselby = programme.units
    advisers, bvc = programme.professions
    add_responses(session, programme, 1, farsta, advisers, [[1, 2, 3, 4, 5, 6, 7, 8, 9], [10, None, 1, 1, 1, 1, 1, 1, 1]])
    add_responses(session, programme, 2, hasselby, bvc, [[None] * 9])
    data = load_responses(session, programme, [1, 2], shipped_instrument())
    # Responses come in no set order (their ids are random): by round, then by the first answer.
    order = np.lexsort((data.answers[:, 0], data.round_number))
    assert data.round_number[order].tolist() == [1, 1, 2]
    assert data.unit_id[order].tolist() == [farsta.id, farsta.id, hasselby.id]
    assert data.profession_id[order].tolist() == [advisers.id, advisers.id, bvc.id]
    np.testing.assert_array_equal(data.answers[order][0], np.arange(1, 10))
    assert data.answers[order][1, 0] == 10 and np.isnan(data.answers[order][1, 1])
    assert np.isnan(data.answers[order][2]).all()
    assert load_responses(session, programme, [1]).answers.shape == (2, 9)


def test_build_summary_reads_the_whole_programme(session, programme, registry):
    farsta, hasselby = programme.units
    advisers, bvc = programme.professions
    rng = np.random.default_rng(3)
    for number in (1, 2):
        for unit in (farsta, hasselby):
            for profession, count in ((advisers, 6), (bvc, 4)):
                add_responses(session, programme, number, unit, profession,
                              rng.integers(1, 11, size=(count, 9)).tolist())
    summary = build_summary(session, programme, registry)
    assert summary["programme"] == {"slug": "stis", "name": "STIS ytterstaden"}
    assert summary["filters"] == {"rounds": [1, 2], "unit": None, "profession": None}
    assert [entry["n_respondents"] for entry in summary["rounds"]] == [20, 20]
    assert summary["comparisons"][0]["comparable"] is True
    assert set(summary["professions"][0]["items"][0]["means"]) == {"foraldraradgivare", "bvc_bmm"}

    one = build_summary(session, programme, registry, round_numbers=[2], unit=hasselby, profession=bvc)
    assert one["filters"] == {"rounds": [2], "unit": "Hässelby-Vällingby", "profession": "bvc_bmm"}
    assert one["rounds"][0]["n_respondents"] == 4 and one["professions"] == []
    json.dumps(one, allow_nan=False)


def test_new_instrument_version_is_listed_but_not_compared(session, programme, registry):
    farsta = programme.units[0]
    advisers = programme.professions[0]
    programme.rounds.append(Round(number=3, title="Mätning 3", instrument_id="spindeln-stis", instrument_version="2"))
    session.flush()
    add_responses(session, programme, 2, farsta, advisers, [[5] * 9] * 4)
    add_responses(session, programme, 3, farsta, advisers, [[6] * 9] * 4)
    summary = build_summary(session, programme, registry, round_numbers=[2, 3])
    assert summary["instrument"]["version"] == "2"
    assert summary["comparisons"][0]["comparable"] is False
    assert summary["rounds"][1]["items"][0]["mean"] == 6.0


def test_unknown_round_is_an_error(session, programme, registry):
    with pytest.raises(ValueError, match=r"no round\(s\) \[7\]"):
        build_summary(session, programme, registry, round_numbers=[1, 7])


def test_empty_programme(session, registry):
    programme = Programme(name="Tom", slug="tom", instrument_id="spindeln-stis", instrument_version="1")
    session.add(programme)
    session.flush()
    summary = build_summary(session, programme, registry)
    assert summary["rounds"] == [] and summary["prompts"] == [] and summary["comparisons"] == []
    json.dumps(summary, allow_nan=False)


def test_closed_rounds_are_read_from_their_packed_arrays_and_repacked_when_they_change(tmp_path):
    """The cache of a closed round gives the same summary, and a new response is never missed."""
    import datetime as dt

    from sqlalchemy import create_engine, func, select
    from sqlalchemy.orm import Session

    from spindeln.analysis.loader import build_summary
    from spindeln.instrument import InstrumentRegistry
    from spindeln.models import Base, Profession, Programme, Response, Round, RoundArrays, RoundState, Unit
    from spindeln.survey.models import encode_answers

    engine = create_engine(f"sqlite:///{tmp_path / 'cache.sqlite'}")
    Base.metadata.create_all(engine)
    registry = InstrumentRegistry()
    with Session(engine) as session:
        programme = Programme(name="P", slug="p", instrument_id="spindeln-stis", instrument_version="1")
        unit = Unit(key="farsta", name="Farsta")
        profession = Profession(key="bvc_bmm", name="BVC/BMM")
        programme.units.append(unit)
        programme.professions.append(profession)
        closed = Round(number=1, title="Mätning 1", state=RoundState.closed, instrument_id="spindeln-stis",
                       instrument_version="1")
        programme.rounds.append(closed)
        session.add(programme)
        session.flush()
        for value in (3, 5, 7, 8):
            session.add(Response(round_id=closed.id, unit_id=unit.id, profession_id=profession.id,
                                 submitted_on=dt.date(2020, 1, 1), answers=encode_answers([value] * 9, 1)))
        session.commit()
        first = build_summary(session, programme, registry, [1])
        assert session.scalar(select(func.count()).select_from(RoundArrays)) == 1
        again = build_summary(session, programme, registry, [1])
        assert again == first
        session.add(Response(round_id=closed.id, unit_id=unit.id, profession_id=profession.id,
                             submitted_on=dt.date(2020, 1, 2), answers=encode_answers([10] * 9, 1)))
        session.commit()
        changed = build_summary(session, programme, registry, [1])
        assert changed["rounds"][0]["n_respondents"] == 5
        assert changed["rounds"][0]["items"][0]["max"] == 10
    engine.dispose()
