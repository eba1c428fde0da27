"""A round's groups all at once (`load_respondent_groups`) decide as the summary does one group at a time."""

import numpy as np
import pytest

from spindeln.analysis.groups import respondent_groups
from spindeln.analysis.loader import build_summary, load_respondent_groups
from spindeln.analysis.release import decide_round
from spindeln.db import db
from spindeln.demo import create_demo
from spindeln.web import instruments


def test_every_group_of_a_round_is_shown_or_hidden_as_its_summary_says(app):
    programme, _user = create_demo(seed=7)  # BVC/BMM in Skärholmen: two people
    db.session.commit()
    measurement_round = next(r for r in programme.rounds if r.number == 6)
    groups = load_respondent_groups(db.session, programme, measurement_round, instruments())
    hidden = 0
    for unit in [None, *programme.units]:
        for profession in [None, *programme.professions]:
            entry = build_summary(db.session, programme, instruments(), [6], unit, profession)["rounds"][0]
            unit_id, profession_id = getattr(unit, "id", None), getattr(profession, "id", None)
            assert groups.shown(unit_id, profession_id) is not entry["suppressed"], (unit, profession)
            assert groups.count(unit_id, profession_id) == entry["n_respondents"], (unit, profession)
            hidden += entry["suppressed"]
    assert hidden >= 2  # the small group, and the one that covers it


def _head_decision(counts):
    counts = np.asarray(counts)
    return decide_round(counts, counts[..., None], {}, {}, 3).respondents


def test_a_response_of_a_unit_the_programme_lacks_is_an_error():
    with pytest.raises(ValueError, match="unknown unit id"):
        respondent_groups(np.array([1, 9]), np.array([1, 1]), [1, 2], [1], _head_decision([[1], [0]]))


def test_the_whole_round_head_count_is_shown_even_when_small():
    groups = respondent_groups(np.array([1, 1]), np.array([5, 5]), [1], [5, 6], _head_decision([[2, 0]]))
    assert not groups.shown()
    assert groups.count() == 2
    assert groups.count(1, 5) is None
