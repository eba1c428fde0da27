"""Agreement, its probabilities under the null, the change tests and the ICCs, pinned to references.

The reference values come from R's multilevel package (Bliese), computed once by
tests/analysis/reference/make_multilevel_fixtures.R and kept as CSV files beside it: CI needs no R.
The probabilities under the null are checked against brute force over every sequence of answers.
"""

from __future__ import annotations

import csv
import itertools
import math
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import brunnermunzel, false_discovery_control, kruskal

from spindeln.analysis import agreement
from spindeln.analysis.change import benjamini_hochberg, brunner_munzel, holm, kruskal_wallis
from spindeln.analysis.stats import Distribution
from spindeln.analysis.summary import _icc

REFERENCE = Path(__file__).parent / "reference"
ITEMS = ("q1", "q2", "q3")


def _read(name: str) -> list[dict]:
    with open(REFERENCE / name, newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def _number(text: str) -> float | None:
    return None if text in ("", "NA") else float(text)


def _groups() -> dict[int, dict[str, list[int]]]:
    groups: dict[int, dict[str, list[int]]] = {}
    for row in _read("ratings.csv"):
        group = groups.setdefault(int(row["group"]), {item: [] for item in ITEMS})
        for item in ITEMS:
            if row[item]:
                group[item].append(int(row[item]))
    return groups


def _close(ours, theirs, what):
    if theirs is None:
        assert ours is None, what
    else:
        assert ours is not None and math.isclose(ours, theirs, rel_tol=1e-9, abs_tol=1e-12), (what, ours, theirs)


def test_rwg_r_star_wg_ad_m_and_a_wg_match_r_multilevel():
    groups = _groups()
    for row in _read("groups.csv"):
        group = groups[int(row["group"])]
        for item in ITEMS:
            judged = agreement.assess(Distribution.from_sample(np.array(group[item], dtype=float)), 1, 10)
            what = (row["group"], item)
            _close(judged.rwg, _number(row[f"rwg_{item}"]), ("rwg", what))
            _close(judged.rwg_star, _number(row[f"rwgstar_{item}"]), ("r*wg", what))
            _close(judged.ad_m, _number(row[f"adm_{item}"]), ("AD_M", what))
            _close(judged.awg, _number(row[f"awg_{item}"]), ("a_wg", what))


def test_r_star_wg_j_matches_r_multilevel_rwg_j_lindell():
    groups = _groups()
    ratings = _read("ratings.csv")
    for row in _read("groups.csv"):
        complete = [r for r in ratings if r["group"] == row["group"] and all(r[item] for item in ITEMS)]
        variances = [float(np.var([int(r[item]) for r in complete], ddof=1)) for item in ITEMS] \
            if len(complete) > 1 else []
        _close(agreement.rwg_j_star(variances, 10), _number(row["rwgjstar"]), ("r*wg(J)", row["group"]))
    assert groups


def test_icc1_and_icc2_match_r_multilevel():
    groups = _groups()
    for row in _read("icc.csv"):
        moments = np.array([[len(g[row["item"]]), sum(g[row["item"]]), sum(v * v for v in g[row["item"]])]
                            for g in groups.values()], dtype=float)
        result = _icc(moments)
        _close(result["icc1"], float(row["icc1"]), ("ICC1", row["item"]))
        _close(result["icc2"], float(row["icc2"]), ("ICC2", row["item"]))


@pytest.mark.parametrize("n,points", [(2, 10), (3, 10), (4, 10), (5, 6), (3, 5)])
def test_the_null_probabilities_are_exact(n, points):
    sequences = np.array(list(itertools.product(range(points), repeat=n)), dtype=float)
    variance = sequences.var(axis=1, ddof=1)
    ad_m = np.abs(sequences - sequences.mean(axis=1, keepdims=True)).mean(axis=1)
    null = agreement.null_spread(n, points)
    for value in np.unique(np.round(variance, 9))[:12]:
        assert math.isclose(null.at_most_variance(value), float((variance <= value + 1e-9).mean()), abs_tol=1e-12)
        assert math.isclose(null.at_least_variance(value), float((variance >= value - 1e-9).mean()), abs_tol=1e-12)
    for value in np.unique(np.round(ad_m, 9))[:12]:
        assert math.isclose(null.at_most_ad(value), float((ad_m <= value + 1e-9).mean()), abs_tol=1e-12)


def test_a_band_needs_agreement_beyond_chance():
    # Three people agreeing closely: random triples agree that well 6 % of the time: unclear, not high.
    close_three = agreement.assess(Distribution.from_sample(np.array([7.0, 7, 8])), 1, 10)
    assert close_three.rwg > 0.9 and close_three.band == "unclear" and close_three.p_agreement > 0.05
    # Two can never be told from chance on ten points (10 % of random pairs are equal).
    pair = agreement.assess(Distribution.from_sample(np.array([7.0, 7])), 1, 10)
    assert pair.band is None and pair.no_band == "too_few"
    # Ten people in close agreement: high.
    ten = agreement.assess(Distribution.from_sample(np.array([7.0, 7, 8, 7, 6, 7, 8, 7, 7, 8])), 1, 10)
    assert ten.band == "high" and ten.p_agreement < 0.001
    # A team split between 1 and 10 is not the same as random answers: split.
    split = agreement.assess(Distribution.from_sample(np.array([1.0, 1, 1, 10, 10, 10, 1, 10])), 1, 10)
    assert split.rwg == 0.0 and split.rwg_star < 0 and split.band == "split"
    random_like = agreement.assess(Distribution.from_sample(np.array([1.0, 3, 5, 7, 9, 2, 4, 6, 8, 10])), 1, 10)
    assert random_like.band == "low"
    # The slightly skewed null expects less spread: its rwg is lower.
    assert ten.rwg_skewed < ten.rwg


def test_uniform_random_answers_are_rarely_called_high():
    rng = np.random.default_rng(5)
    for n in (3, 4, 5, 8, 12, 20):
        bands = [agreement.assess(Distribution.from_sample(rng.integers(1, 11, n).astype(float)), 1, 10).band
                 for _ in range(400)]
        assert bands.count("high") / len(bands) <= 0.05 + 0.03, (n, bands.count("high"))


def test_r_star_wg_j_does_not_grow_with_the_number_of_items():
    # Same mean item variance, more items: rwg(J) (James et al.) would climb towards 1; r*wg(J) does not.
    assert agreement.rwg_j_star([4.0] * 2, 10) == agreement.rwg_j_star([4.0] * 9, 10)


def test_brunner_munzel_matches_scipy_and_has_no_zero_width_interval():
    rng = np.random.default_rng(2)
    for _ in range(50):
        earlier, later = rng.integers(1, 11, rng.integers(60, 80)), rng.integers(1, 11, rng.integers(60, 80))
        ours = brunner_munzel(Distribution.from_sample(later.astype(float)), Distribution.from_sample(earlier.astype(float)))
        theirs = brunnermunzel(earlier, later)  # asymptotic from 50 a side: the same p-value
        assert math.isclose(ours.p_value, theirs.pvalue, rel_tol=1e-9)
        pairs = np.sign(later[:, None] - earlier[None, :]).mean()
        assert math.isclose(ours.cliffs_delta, float(pairs), abs_tol=1e-12)
        assert ours.delta_low < ours.cliffs_delta < ours.delta_high
    # Everyone 7, then everyone 8: a clear difference, and no interval to speak of.
    constant = brunner_munzel(Distribution.from_sample(np.full(6, 8.0)), Distribution.from_sample(np.full(6, 7.0)))
    assert constant.cliffs_delta == 1.0 and constant.delta_low is None and constant.p_value < 0.01


def test_benjamini_hochberg_matches_scipy_and_keeps_untested_items_untested():
    rng = np.random.default_rng(8)
    for _ in range(50):
        p_values = rng.random(rng.integers(1, 15)) ** 3
        assert np.allclose(benjamini_hochberg(list(p_values)), false_discovery_control(p_values))
    assert benjamini_hochberg([0.01, None, 0.04, 0.03, 0.2]) == pytest.approx([0.04, None, 0.16 / 3, 0.16 / 3, 0.2])


def test_holm_and_kruskal_wallis():
    assert holm([0.01, 0.04, None, 0.03, 0.005]) == [0.03, 0.06, None, 0.06, 0.02]
    rng = np.random.default_rng(4)
    for _ in range(30):
        samples = [rng.integers(1, 11, rng.integers(2, 20)) for _ in range(3)]
        assert math.isclose(kruskal_wallis([Distribution.from_sample(s.astype(float)) for s in samples]),
                            kruskal(*samples).pvalue, rel_tol=1e-9)
