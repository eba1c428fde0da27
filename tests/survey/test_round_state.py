"""The round's state machine: draft → open → closed, guarded on the model."""

import datetime as dt

import pytest

from spindeln.survey.models import Round, RoundState, RoundStateError


def make_round(**kwargs) -> Round:
    return Round(number=1, title="Mätning 1", state=RoundState.draft, instrument_id="x", instrument_version="1", **kwargs)


def test_draft_opens_then_closes():
    measurement_round = make_round()
    assert not measurement_round.accepts_responses()
    measurement_round.open(today=dt.date(2020, 3, 2))
    assert measurement_round.state is RoundState.open
    assert measurement_round.opens_on == dt.date(2020, 3, 2)
    assert measurement_round.accepts_responses(today=dt.date(2020, 3, 3))
    measurement_round.close(today=dt.date(2020, 3, 20))
    assert measurement_round.state is RoundState.closed
    assert measurement_round.closes_on == dt.date(2020, 3, 20)
    assert not measurement_round.accepts_responses(today=dt.date(2020, 3, 20))


@pytest.mark.parametrize(
    ("state", "action"),
    [(RoundState.draft, "close"), (RoundState.open, "open"), (RoundState.closed, "open"), (RoundState.closed, "close")],
)
def test_other_changes_are_refused(state, action):
    measurement_round = make_round()
    measurement_round.state = state
    with pytest.raises(RoundStateError):
        getattr(measurement_round, action)()
    assert measurement_round.state is state


def test_a_round_whose_closing_date_passed_cannot_be_opened_and_stops_taking_answers():
    measurement_round = make_round(closes_on=dt.date(2020, 3, 20))
    with pytest.raises(RoundStateError, match="has passed"):
        measurement_round.open(today=dt.date(2020, 3, 21))
    measurement_round.open(today=dt.date(2020, 3, 1))
    assert measurement_round.opens_on == dt.date(2020, 3, 1)
    assert measurement_round.accepts_responses(today=dt.date(2020, 3, 20))
    assert not measurement_round.accepts_responses(today=dt.date(2020, 3, 21))


def test_closing_early_moves_the_closing_date_forward_only():
    measurement_round = make_round(closes_on=dt.date(2020, 3, 20))
    measurement_round.open(today=dt.date(2020, 3, 1))
    measurement_round.close(today=dt.date(2020, 3, 10))
    assert measurement_round.closes_on == dt.date(2020, 3, 10)
