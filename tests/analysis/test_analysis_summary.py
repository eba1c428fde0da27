"""The summary as a whole: figures against a straightforward reference, shape, comparability, JSON."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from analysis_helpers import (
    PROFESSIONS, PROGRAMME, UNITS, make_instrument, random_answers, round_infos, shipped_instrument, table_data,
)
from spindeln.analysis.data import ResponseData, RoundInfo
from spindeln.analysis.summary import summarise, summarise_mixed

TOLERANCE = dict(rel=1e-9, abs=1e-9)


def run(data, instrument, rounds=(1,), unit=None, profession=None, min_group_size=3, infos=None):
    return summarise(
        data, instrument, programme=PROGRAMME, rounds=infos or round_infos(rounds, instrument),
        unit=None if unit is None else (unit, UNITS[unit]),
        profession=None if profession is None else (profession, PROFESSIONS[profession]),
        min_group_size=min_group_size, units=UNITS, professions=PROFESSIONS,
    )


def near(actual, expected):
    if expected is None:
        assert actual is None
    else:
        assert actual == pytest.approx(expected, **TOLERANCE)


def reference_scores(answers):
    """Each respondent's mean of their numeric answers, for who answered enough of the items (all of
    one or two, at least half of more); the others left out."""
    items = answers.shape[1]
    enough = items if items <= 2 else int(np.ceil(items / 2))
    answered = (~np.isnan(answers)).sum(axis=1) >= enough
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(answers[answered], axis=1)


@settings(max_examples=40, deadline=None)
@given(
    points=st.integers(2, 11), scale_min=st.integers(0, 2),
    dimension_sizes=st.lists(st.integers(1, 4), min_size=1, max_size=3),
    n=st.integers(0, 250), cannot_assess=st.sampled_from([0.0, 0.15, 0.6]),
    unit=st.sampled_from([None, 12]), profession=st.sampled_from([None, 22]),
    seed=st.integers(0, 2**32 - 1),
)
def test_figures_match_a_reference(points, scale_min, dimension_sizes, n, cannot_assess, unit, profession, seed):
    instrument = make_instrument(points, scale_min, tuple(dimension_sizes))
    rng = np.random.default_rng(seed)
    data = ResponseData(random_answers(rng, n, instrument, cannot_assess), rng.integers(1, 3, n),
                        rng.choice(list(UNITS), n), rng.choice(list(PROFESSIONS), n))
    # min_group_size 1 shows everything, so every figure can be checked.
    summary = run(data, instrument, rounds=(1, 2), unit=unit, profession=profession, min_group_size=1)
    json.dumps(summary, allow_nan=False)
    selected = np.ones(n, dtype=bool)
    if unit is not None:
        selected &= data.unit_id == unit
    if profession is not None:
        selected &= data.profession_id == profession
    sigma2 = (points**2 - 1) / 12
    by_round = {number: data.answers[selected & (data.round_number == number)] for number in (1, 2)}

    for entry in summary["rounds"]:
        answers = by_round[entry["number"]]
        assert entry["n_respondents"] == answers.shape[0]
        variances = {}
        for column, item in enumerate(entry["items"]):
            values = answers[:, column][~np.isnan(answers[:, column])]
            assert item["n"] == values.size and item["cannot_assess"] == answers.shape[0] - values.size
            assert item["counts"] == {str(v): int((values == v).sum()) for v in range(scale_min, scale_min + points)}
            if values.size == 0:
                assert item["mean"] is None and item["median"] is None and item["agreement"] is None
                continue
            near(item["mean"], values.mean())
            near(item["median"], float(np.median(values)))
            near(item["q1"], float(np.percentile(values, 25)))
            near(item["q3"], float(np.percentile(values, 75)))
            near(item["ad_m"], float(np.abs(values - values.mean()).mean()) if values.size >= 2 else None)
            if values.size >= 2:
                variances[item["key"]] = values.var(ddof=1)
                near(item["sd"], values.std(ddof=1))
                near(item["rwg"], float(np.clip(1 - values.var(ddof=1) / sigma2, 0, 1)))
        keys = [item["key"] for item in entry["items"]]
        for dimension in entry["dimensions"]:
            columns = [keys.index(key) for key in dimension["items"]]
            scores = reference_scores(answers[:, columns])
            assert dimension["n"] == scores.size
            near(dimension["mean"], float(scores.mean()) if scores.size else None)
            near(dimension["sd"], float(scores.std(ddof=1)) if scores.size >= 2 else None)
            item_variances = [variances[key] for key in dimension["items"] if key in variances]
            # r*wg(J): one minus the mean item variance over the random one (Lindell et al. 1999).
            expected = 1 - np.mean(item_variances) / sigma2 if item_variances else None
            near(dimension["rwg_j_star"], expected)

    comparison = summary["comparisons"][0]
    assert (comparison["from_round"], comparison["to_round"], comparison["comparable"]) == (1, 2, True)
    for column, change in enumerate(comparison["items"]):
        earlier = by_round[1][:, column][~np.isnan(by_round[1][:, column])]
        later = by_round[2][:, column][~np.isnan(by_round[2][:, column])]
        check_change(change, earlier, later)
    for change, dimension in zip(comparison["dimensions"], summary["rounds"][0]["dimensions"]):
        columns = [keys.index(key) for key in dimension["items"]]
        check_change(change, reference_scores(by_round[1][:, columns]), reference_scores(by_round[2][:, columns]))

    if profession is None:
        for entry in summary["professions"]:
            answers = data.answers[(data.round_number == entry["round"])
                                   & ((data.unit_id == unit) if unit else True)]
            professions = data.profession_id[(data.round_number == entry["round"])
                                             & ((data.unit_id == unit) if unit else True)]
            for column, item in enumerate(entry["items"]):
                for profession_id, key in PROFESSIONS.items():
                    values = answers[professions == profession_id, column]
                    values = values[~np.isnan(values)]
                    near(item["means"][key], float(values.mean()) if values.size else None)
                shown = [mean for mean in item["means"].values() if mean is not None]
                near(item["largest_gap"], max(shown) - min(shown) if len(shown) >= 2 else None)
    else:
        assert summary["professions"] == []


def check_change(change, earlier, later):
    """Change, Welch interval (scipy) and Cliff's delta (all pairs) of one item or dimension."""
    assert change["small_sample"] == (min(earlier.size, later.size) < 10)
    if earlier.size == 0 or later.size == 0:
        assert change["change"] is None and change["cliffs_delta"] is None
        return
    near(change["change"], later.mean() - earlier.mean())
    near(change["cliffs_delta"], float(np.sign(later[:, None] - earlier[None, :]).mean()))
    if earlier.size < 2 or later.size < 2:
        assert change["ci_low"] is None
    elif earlier.var() == 0 and later.var() == 0:
        assert change["ci_low"] is None and change["ci_high"] is None  # never an interval of zero width
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            interval = scipy_stats.ttest_ind(later, earlier, equal_var=False).confidence_interval(0.95)
        near(change["ci_low"], float(interval.low))
        near(change["ci_high"], float(interval.high))


def realistic_table(rounds=(1, 2, 3)):
    return {(number, unit, profession): 3 + (unit + profession + number) % 6
            for number in rounds for unit in UNITS for profession in PROFESSIONS}


def test_shape_follows_the_contract():
    instrument = shipped_instrument()
    summary = run(table_data(instrument, realistic_table(), cannot_assess=0.05), instrument, rounds=(1, 2, 3))
    assert list(summary) == ["schema", "programme", "instrument", "filters", "min_group_size", "agreement",
                             "rounds", "professions", "comparisons", "trend", "prompts"]
    assert summary["schema"] == "spindeln.summary/2"
    assert summary["instrument"] == {"id": "spindeln-stis", "version": "1",
                                     "scale": {"min": 1, "max": 10, "points": 10}}
    assert summary["filters"] == {"rounds": [1, 2, 3], "unit": None, "profession": None}
    assert summary["agreement"]["ad_m_cutoff"] == pytest.approx(10 / 6)  # reported, part of no band
    assert summary["agreement"]["fewest_for_a_band"] == 3
    entry = summary["rounds"][0]
    assert list(entry) == ["number", "label", "instrument", "n_respondents", "suppressed", "items", "dimensions",
                           "icc"]
    assert [item["key"] for item in entry["items"]] == list(instrument.item_keys)
    assert list(entry["items"][0]) == ["key", "dimension", "suppressed", "n", "cannot_assess", "counts", "mean",
                                       "sd", "median", "q1", "q3", "min", "max", "ad_m", "rwg", "rwg_star",
                                       "rwg_skewed", "awg", "p_agreement", "p_agreement_skewed", "p_spread",
                                       "p_ad_m", "agreement", "no_band"]
    assert list(entry["dimensions"][0]) == ["key", "items", "suppressed", "n", "mean", "sd", "rwg_j_star",
                                            "p_agreement", "agreement", "no_band"]
    assert [icc["key"] for icc in entry["icc"]] == [*instrument.item_keys, "regelverk", "organisation", "synsatt",
                                                    "sammanhang", "all"]
    assert list(entry["items"][0]["counts"]) == [str(value) for value in range(1, 11)]
    assert [d["key"] for d in entry["dimensions"]] == ["regelverk", "organisation", "synsatt", "sammanhang", "all"]
    assert entry["dimensions"][0]["items"] == ["q1", "q2"]
    # The whole instrument is its seven core items: the context group (q8, q9) stays out.
    assert entry["dimensions"][-1]["items"] == [f"q{i}" for i in range(1, 8)]
    change = summary["comparisons"][0]["items"][0]
    assert list(change) == ["key", "from_mean", "to_mean", "change", "ci_low", "ci_high", "cliffs_delta",
                            "delta_low", "delta_high", "p_value", "small_sample", "from_cannot_assess",
                            "to_cannot_assess", "suppressed", "p_adjusted", "changed"]
    assert set(summary["comparisons"][0]["composition"]) == {"from", "to", "differs", "common_units", "within_common"}
    assert [(c["from_round"], c["to_round"]) for c in summary["comparisons"]] == [(1, 2), (2, 3), (1, 3)]
    assert [p["round"] for p in summary["trend"]["items"][0]["points"]] == [1, 2, 3]
    assert [p["round"] for p in summary["professions"]] == [1, 2, 3]
    assert set(summary["professions"][0]["items"][0]["means"]) == set(PROFESSIONS.values())
    assert len(summary["prompts"]) <= 9
    assert {p["kind"] for p in summary["prompts"]} <= {"lowest", "disagreement", "change", "no_clear_change", "gap"}
    assert all(p["round"] == 3 for p in summary["prompts"])
    json.dumps(summary, allow_nan=False)


def test_different_instrument_versions_are_not_compared():
    instrument = make_instrument()
    infos = [RoundInfo(1, "Mätning 1", "test", "1"), RoundInfo(2, "Mätning 2", "test", "2")]
    table = {(1, 12, 21): 5, (2, 12, 21): 5}
    summary = run(table_data(instrument, table), instrument, infos=infos)
    comparison = summary["comparisons"][0]
    assert comparison["comparable"] is False
    assert "version 1" in comparison["reason"] and "version 2" in comparison["reason"]
    assert all(item["change"] is None and item["ci_low"] is None for item in comparison["items"])
    assert [p["round"] for p in summary["trend"]["items"][0]["points"]] == [2]


def test_rounds_of_different_instruments_side_by_side():
    old, new = make_instrument(version="1"), make_instrument(version="2", dimension_sizes=(2, 2, 1))
    parts = [(table_data(old, {(1, 12, 21): 5}), old, round_infos([1], old)),
             (table_data(new, {(2, 12, 21): 6}), new, round_infos([2], new))]
    summary = summarise_mixed(parts, programme=PROGRAMME, min_group_size=3, units=UNITS, professions=PROFESSIONS)
    assert summary["instrument"]["version"] == "2"
    assert [entry["instrument"]["version"] for entry in summary["rounds"]] == ["1", "2"]
    assert summary["comparisons"][0]["comparable"] is False
    json.dumps(summary, allow_nan=False)


@pytest.mark.parametrize("table", [
    {},
    {(1, 12, 21): 1},
    {(1, 12, 21): 3, (2, 12, 22): 1},
    {(1, 12, 21): 3},
])
@pytest.mark.parametrize("cannot_assess", [0.0, 1.0])
def test_edge_cases_serialise_without_nan(table, cannot_assess):
    instrument = shipped_instrument()
    for unit in (None, 12):
        summary = run(table_data(instrument, table, cannot_assess=cannot_assess), instrument, rounds=(1, 2), unit=unit)
        text = json.dumps(summary, allow_nan=False)
        assert "numpy" not in text
        assert len(summary["rounds"]) == 2


def test_no_numpy_scalars_anywhere():
    instrument = shipped_instrument()
    summary = run(table_data(instrument, realistic_table()), instrument, rounds=(1, 2, 3))

    def walk(node):
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        else:
            assert node is None or type(node) in (int, float, str, bool)

    walk(summary)


def test_unknown_unit_is_an_error():
    instrument = make_instrument()
    data = ResponseData(np.ones((1, 5)), np.array([1]), np.array([99]), np.array([21]))
    with pytest.raises(ValueError, match="unit"):
        run(data, instrument)


def test_answers_off_the_scale_are_an_error():
    instrument = make_instrument()
    data = ResponseData(np.full((1, 5), 11.0), np.array([1]), np.array([12]), np.array([21]))
    with pytest.raises(ValueError, match="scale"):
        run(data, instrument)
