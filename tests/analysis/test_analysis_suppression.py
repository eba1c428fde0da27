"""The anonymity rule: primary and complementary suppression, and how the summary shows it."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis_helpers import PROFESSIONS, PROGRAMME, UNITS, make_instrument, round_infos, shipped_instrument, table_data
from spindeln.analysis.summary import summarise
from spindeln.analysis.suppression import suppress

FARSTA, HASSELBY, ENSKEDE = 12, 13, 11
ADVISERS, PRESCHOOL, BVC = 21, 22, 23


def line_is_safe(members, suppressed, min_group_size):
    """The sum minus the shown members must reveal nothing or a group of at least min of two or more groups."""
    hidden = (members > 0) & suppressed
    return hidden.sum() == 0 or (hidden.sum() >= 2 and members[hidden].sum() >= min_group_size)


def assert_rule_holds(counts, rule, min_group_size):
    unit_totals, profession_totals = counts.sum(axis=1), counts.sum(axis=0)
    for n, suppressed in ((counts, rule.cells), (unit_totals, rule.units), (profession_totals, rule.professions)):
        assert not ((n > 0) & (n < min_group_size) & ~suppressed).any()
    for unit in range(counts.shape[0]):
        if not rule.units[unit]:
            assert line_is_safe(counts[unit], rule.cells[unit], min_group_size)
    for profession in range(counts.shape[1]):
        if not rule.professions[profession]:
            assert line_is_safe(counts[:, profession], rule.cells[:, profession], min_group_size)
    if not rule.total:
        assert line_is_safe(unit_totals, rule.units, min_group_size)
        assert line_is_safe(profession_totals, rule.professions, min_group_size)


def test_unit_of_ten_with_two_midwives_hides_a_second_profession():
    # Farsta: 2 BVC/BMM, 4 advisers, 4 preschool; the unit total (10) is shown.
    counts = np.array([[4, 4, 2], [9, 8, 7]])
    rule = suppress(counts, 3)
    assert rule.cells[0, 2]
    assert not rule.units[0]
    # Farsta's total minus the advisers and the preschool would give the two midwives away.
    assert rule.cells[0].sum() >= 2
    assert_rule_holds(counts, rule, 3)


def test_profession_across_units_hides_a_second_unit():
    # BVC/BMM: 2 in one unit, 9 and 8 in the others; the profession total (19) is shown.
    counts = np.array([[6, 5, 2], [7, 6, 9], [5, 5, 8]])
    rule = suppress(counts, 3)
    assert rule.cells[0, 2]
    assert rule.cells[:, 2].sum() >= 2
    assert_rule_holds(counts, rule, 3)


def test_two_single_respondents_are_not_enough_cover():
    # 1 + 1 hidden out of a shown 10 would reveal a group of two: hide the 8 too.
    counts = np.array([[1, 1, 8]])
    rule = suppress(counts, 3)
    assert rule.cells.all()


def test_unit_totals_protect_each_other_under_the_round_total():
    counts = np.array([[1, 1, 0], [5, 5, 5], [6, 6, 6]])
    rule = suppress(counts, 3)
    assert rule.units[0]
    assert rule.units[1]  # the next smallest unit total
    assert not rule.total
    assert_rule_holds(counts, rule, 3)


def test_start_is_kept():
    counts = np.array([[5, 5], [5, 5]])
    base = suppress(np.array([[5, 2], [5, 5]]), 3)
    item_rule = suppress(counts, 3, start=base)
    assert (item_rule.cells >= base.cells).all()


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 6), st.integers(1, 4), st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_rule_holds_on_any_table(units, professions, min_group_size, seed):
    rng = np.random.default_rng(seed)
    counts = rng.choice([0, 1, 2, 3, 4, 6, 10, 30], size=(units, professions))
    rule = suppress(counts, min_group_size)
    assert_rule_holds(counts, rule, min_group_size)
    item_counts = np.minimum(counts, rng.integers(0, 12, size=counts.shape))
    item_rule = suppress(item_counts, min_group_size, start=rule)
    assert_rule_holds(item_counts, item_rule, min_group_size)
    assert (item_rule.cells >= rule.cells).all()


def summary(data, instrument, rounds=(1,), unit=None, profession=None, min_group_size=3):
    return summarise(
        data, instrument, programme=PROGRAMME, rounds=round_infos(rounds, instrument),
        unit=None if unit is None else (unit, UNITS[unit]),
        profession=None if profession is None else (profession, PROFESSIONS[profession]),
        min_group_size=min_group_size, units=UNITS, professions=PROFESSIONS,
    )


def small_table():
    return {
        (1, FARSTA, ADVISERS): 4, (1, FARSTA, PRESCHOOL): 4, (1, FARSTA, BVC): 2,
        (1, HASSELBY, ADVISERS): 9, (1, HASSELBY, PRESCHOOL): 8, (1, HASSELBY, BVC): 7,
        (1, ENSKEDE, ADVISERS): 6, (1, ENSKEDE, PRESCHOOL): 5, (1, ENSKEDE, BVC): 8,
    }


def test_summary_never_shows_the_small_group_by_subtraction():
    instrument = make_instrument()
    data = table_data(instrument, small_table())
    farsta = summary(data, instrument, unit=FARSTA)["rounds"][0]
    assert not farsta["suppressed"] and farsta["n_respondents"] == 10
    shown = []
    for profession in PROFESSIONS:
        cell = summary(data, instrument, unit=FARSTA, profession=profession)["rounds"][0]
        if cell["suppressed"]:
            assert cell["n_respondents"] is None
            assert all(item["mean"] is None and item["counts"] is None and item["suppressed"] for item in cell["items"])
            assert all(dimension["mean"] is None for dimension in cell["dimensions"])
        else:
            shown.append(cell["n_respondents"])
    # What Farsta's total minus the shown professions leaves is at least min_group_size people.
    assert len(shown) <= 1 and 10 - sum(shown) >= 3
    # In the profession comparison within Farsta, hidden professions have null means.
    professions = summary(data, instrument, unit=FARSTA)["professions"][0]["items"][0]
    assert professions["means"]["bvc_bmm"] is None
    assert sum(mean is None for mean in professions["means"].values()) >= 2


def test_whole_round_head_count_is_always_shown():
    instrument = make_instrument()
    data = table_data(instrument, {(1, FARSTA, BVC): 2})
    whole = summary(data, instrument)["rounds"][0]
    assert whole["suppressed"] and whole["n_respondents"] == 2
    assert all(item["suppressed"] and item["mean"] is None for item in whole["items"])
    unit = summary(data, instrument, unit=FARSTA)["rounds"][0]
    assert unit["suppressed"] and unit["n_respondents"] is None


def test_item_answered_by_too_few_is_suppressed_in_a_shown_group_with_the_items_it_shares_a_dimension_with():
    instrument = make_instrument(dimension_sizes=(2,))
    data = table_data(instrument, {(1, HASSELBY, ADVISERS): 5, (1, HASSELBY, PRESCHOOL): 5,
                                   (1, HASSELBY, BVC): 5})
    data.answers[:, 0] = np.nan
    data.answers[:2, 0] = 7  # two advisers rate q1; everybody else cannot assess it
    rounds = summary(data, instrument)["rounds"][0]
    q1, q2 = rounds["items"]
    assert not rounds["suppressed"] and rounds["n_respondents"] == 15
    assert q1["suppressed"] and q1["mean"] is None and q1["cannot_assess"] is None
    # q2's answers beside the dimension's n, mean and SD would give q1's: they are hidden together.
    assert q2["suppressed"] and q2["mean"] is None and q2["counts"] is None
    assert rounds["dimensions"][0]["suppressed"]


def test_a_context_item_stays_shown_when_a_core_item_is_hidden():
    instrument = shipped_instrument()
    data = table_data(instrument, {(1, HASSELBY, ADVISERS): 5, (1, HASSELBY, PRESCHOOL): 5,
                                   (1, HASSELBY, BVC): 5})
    data.answers[2:, 0] = np.nan  # only two rate the first core item
    items = summary(data, instrument)["rounds"][0]["items"]
    context = {item.key for dimension in instrument.dimensions if dimension.context
               for item in instrument.items_of(dimension.key)}
    assert context and all(item["suppressed"] == (item["key"] not in context) for item in items)


def test_rounds_are_never_pooled():
    instrument = make_instrument()
    table = {(1, HASSELBY, ADVISERS): 5, (2, HASSELBY, ADVISERS): 2, (2, FARSTA, ADVISERS): 6}
    result = summary(table_data(instrument, table), instrument, rounds=(1, 2), unit=HASSELBY)
    assert [entry["number"] for entry in result["rounds"]] == [1, 2]
    assert not result["rounds"][0]["suppressed"] and result["rounds"][0]["n_respondents"] == 5
    assert result["rounds"][1]["suppressed"]
    change = result["comparisons"][0]["items"][0]
    assert change["suppressed"] and change["change"] is None and change["from_mean"] is None
    points = result["trend"]["items"][0]["points"]
    assert [point["suppressed"] for point in points] == [False, True]
    assert points[1]["mean"] is None and points[1]["n"] is None


def test_a_line_whose_only_member_is_hidden_hides_its_sum():
    # Unit 0 has only advisers (10). They are hidden to cover the lone adviser of unit 1, so the
    # unit's total, which equals them, must go too.
    counts = np.array([[10, 0], [1, 5]])
    rule = suppress(counts, 3)
    assert rule.cells[0, 0] and rule.units[0]
    assert_rule_holds(counts, rule, 3)
