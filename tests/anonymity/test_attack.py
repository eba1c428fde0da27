"""The release against an independent attacker: random rounds, every selection, the equations solved.

The attacker (tests/anonymity/attacker.py) knows nothing of the rule; it reads what a user can ask
for and looks for small groups the shown figures determine. It must find nothing in what Spindeln
releases, and it must find something in what the old line-by-line rule released (so that an attacker
that could never find anything would fail here).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spindeln.analysis.data import ResponseData
from spindeln.analysis.release import RoundRelease
from spindeln.analysis.summary import decide_releases, summarise
from spindeln.analysis.suppression import suppress
from tests.analysis.analysis_helpers import make_instrument, round_infos
from tests.anonymity.attacker import Truth, attack

INSTRUMENT = make_instrument(points=4, dimension_sizes=(2, 1))
PROGRAMME = {"slug": "p", "name": "P"}


def build(sizes: np.ndarray, cannot_assess: float, min_group_size: int, seed: int):
    """A round of `sizes` respondents per unit × profession, its data and the attacker's truth."""
    rng = np.random.default_rng(seed)
    unit_ids = [100 + index for index in range(sizes.shape[0])]
    profession_ids = [200 + index for index in range(sizes.shape[1])]
    answers, units, professions = [], [], []
    truth_answers = {}
    scale = INSTRUMENT.scale
    for u, unit_id in enumerate(unit_ids):
        for p, profession_id in enumerate(profession_ids):
            rows = []
            for _ in range(int(sizes[u, p])):
                row = [None if rng.random() < cannot_assess else int(rng.integers(scale.min, scale.max + 1))
                       for _item in INSTRUMENT.items]
                rows.append(row)
                answers.append([np.nan if value is None else value for value in row])
                units.append(unit_id)
                professions.append(profession_id)
            if rows:
                truth_answers[(f"u{u}", f"p{p}")] = rows
    data = ResponseData(np.array(answers, dtype=np.float64).reshape(-1, len(INSTRUMENT.items)),
                        np.ones(len(units), dtype=np.int64), np.array(units), np.array(professions))
    truth = Truth(units=[f"u{u}" for u in range(len(unit_ids))], professions=[f"p{p}" for p in range(len(profession_ids))],
                  items=list(INSTRUMENT.item_keys), dimension_of={i.key: i.dimension for i in INSTRUMENT.items},
                  scale=list(scale.values), answers=truth_answers, min_group_size=min_group_size)
    return data, truth, unit_ids, profession_ids


def asker(data, unit_ids, profession_ids, releases, min_group_size):
    """What a user gets for a selection: the summary of the round through the given releases."""
    units = {unit_id: f"u{index}" for index, unit_id in enumerate(unit_ids)}
    professions = {profession_id: f"p{index}" for index, profession_id in enumerate(profession_ids)}
    unit_by_name = {name: unit_id for unit_id, name in units.items()}
    profession_by_key = {key: profession_id for profession_id, key in professions.items()}

    def ask(selection):
        unit, profession = selection
        return summarise(data, INSTRUMENT, programme=PROGRAMME, rounds=round_infos([1], INSTRUMENT),
                         unit=None if unit is None else (unit_by_name[unit], unit),
                         profession=None if profession is None else (profession_by_key[profession], profession),
                         min_group_size=min_group_size, units=units, professions=professions, releases=releases)
    return ask


@st.composite
def rounds(draw):
    """Sparse rounds: a few units and professions, cells of 0 to 7 people, some 'cannot assess'."""
    unit_count = draw(st.integers(1, 6))
    profession_count = draw(st.integers(1, 4))
    cells = st.sampled_from([0, 0, 1, 1, 2, 3, 4, 7])
    sizes = np.array(draw(st.lists(cells, min_size=unit_count * profession_count,
                                   max_size=unit_count * profession_count))).reshape(unit_count, profession_count)
    cannot_assess = draw(st.sampled_from([0.0, 0.0, 0.2, 0.4]))
    min_group_size = draw(st.sampled_from([3, 3, 3, 2, 4, 5]))
    return sizes, cannot_assess, min_group_size, draw(st.integers(0, 2**16))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rounds())
def test_no_small_group_can_be_worked_out_from_every_selection(case):
    sizes, cannot_assess, min_group_size, seed = case
    data, truth, unit_ids, profession_ids = build(sizes, cannot_assess, min_group_size, seed)
    releases = decide_releases(data, INSTRUMENT, round_infos([1], INSTRUMENT), units=unit_ids,
                               professions=profession_ids, min_group_size=min_group_size)
    findings = attack(truth, asker(data, unit_ids, profession_ids, releases, min_group_size))
    assert not findings, (sizes.tolist(), findings.leaks[:5], findings.few_raters[:5])


def _old_line_by_line_release(data: ResponseData, unit_ids, profession_ids, min_group_size) -> dict[int, RoundRelease]:
    """What the rule before the whole-table release showed: each line of the table checked on its own."""
    position_u = {unit_id: index for index, unit_id in enumerate(unit_ids)}
    position_p = {profession_id: index for index, profession_id in enumerate(profession_ids)}
    shape = (len(unit_ids), len(profession_ids))
    heads = np.zeros(shape, dtype=np.int64)
    answered = np.zeros(shape + (len(INSTRUMENT.items),), dtype=np.int64)
    for row, unit_id, profession_id in zip(data.answers, data.unit_id, data.profession_id):
        cell = position_u[int(unit_id)], position_p[int(profession_id)]
        heads[cell] += 1
        answered[cell] += ~np.isnan(row)
    base = suppress(heads, min_group_size)
    items = tuple(suppress(answered[..., item], min_group_size, start=base) for item in range(answered.shape[-1]))
    dimensions = {key: suppress(heads, min_group_size, start=base) for key in [d.key for d in INSTRUMENT.dimensions] + ["all"]}
    return {1: RoundRelease(respondents=base, items=items, dimensions=dimensions)}


@pytest.mark.parametrize("sizes", [
    # Every line of the table looks protected, yet cell (1, 1) follows from the rows and columns together.
    [[0, 2, 0, 1], [6, 1, 1, 0], [2, 0, 2, 0], [0, 4, 0, 2]],
    # Two small cells of one unit: their sum was determined (the unit minus its shown cells).
    [[1, 1], [3, 0], [1, 4], [2, 3]],
])
def test_the_attacker_breaks_the_old_line_by_line_rule_and_not_the_release(sizes):
    sizes = np.array(sizes)
    data, truth, unit_ids, profession_ids = build(sizes, 0.0, 3, seed=1)
    old = _old_line_by_line_release(data, unit_ids, profession_ids, 3)
    assert attack(truth, asker(data, unit_ids, profession_ids, old, 3)), "the attacker finds nothing even in the old rule"
    releases = decide_releases(data, INSTRUMENT, round_infos([1], INSTRUMENT), units=unit_ids,
                               professions=profession_ids, min_group_size=3)
    assert not attack(truth, asker(data, unit_ids, profession_ids, releases, 3))
