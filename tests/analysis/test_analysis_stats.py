"""Every statistic against an independent reference (numpy on raw answers, scipy, or the formula written out)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from spindeln.analysis import agreement
from spindeln.analysis.stats import (
    Distribution, cliffs_delta, describe, mean_interval, t_quantile, welch_interval,
)

TOLERANCE = dict(rel=1e-9, abs=1e-9)


@st.composite
def rating_samples(draw, max_n: int = 300):
    """A scale (2–11 points, any minimum) and a sample of ratings with some "cannot assess" (NaN)."""
    points = draw(st.integers(2, 11))
    scale_min = draw(st.integers(-3, 3))
    n = draw(st.integers(0, max_n))
    seed = draw(st.integers(0, 2**32 - 1))
    cannot_assess = draw(st.sampled_from([0.0, 0.1, 0.5, 1.0]))
    rng = np.random.default_rng(seed)
    # A skewed rather than flat distribution, so that ties and empty scale values both occur.
    weights = rng.dirichlet(np.full(points, 0.5))
    sample = (scale_min + rng.choice(points, size=n, p=weights)).astype(np.float64)
    sample[rng.random(n) < cannot_assess] = np.nan
    return points, scale_min, sample


def tallied(points: int, scale_min: int, sample: np.ndarray) -> Distribution:
    """The distribution as the summary builds it: counts per scale value."""
    numeric = sample[~np.isnan(sample)]
    counts = np.bincount((numeric - scale_min).astype(int), minlength=points)
    return Distribution.of(np.arange(scale_min, scale_min + points, dtype=float), counts)


def near(actual, expected):
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        assert actual is None
    else:
        assert actual == pytest.approx(expected, **TOLERANCE)


@settings(max_examples=150, deadline=None)
@given(rating_samples())
def test_item_statistics_match_numpy(case):
    points, scale_min, sample = case
    numeric = sample[~np.isnan(sample)]
    figures = describe(tallied(points, scale_min, sample))
    assert figures["n"] == numeric.size
    if numeric.size == 0:
        assert all(figures[name] is None for name in ("mean", "sd", "median", "q1", "q3", "min", "max"))
        return
    near(figures["mean"], float(np.mean(numeric)))
    near(figures["sd"], float(np.std(numeric, ddof=1)) if numeric.size >= 2 else None)
    near(figures["median"], float(np.median(numeric)))
    near(figures["q1"], float(np.percentile(numeric, 25)))
    near(figures["q3"], float(np.percentile(numeric, 75)))
    near(figures["min"], float(numeric.min()))
    near(figures["max"], float(numeric.max()))


@settings(max_examples=150, deadline=None)
@given(rating_samples())
def test_agreement_matches_its_definition(case):
    points, scale_min, sample = case
    numeric = sample[~np.isnan(sample)]
    distribution = tallied(points, scale_min, sample)
    if numeric.size == 0:
        assert distribution.mean_absolute_deviation() is None
        assert agreement.rwg(distribution, points) is None
        return
    near(distribution.mean_absolute_deviation(), float(np.mean(np.abs(numeric - numeric.mean()))))
    expected_rwg = None
    if numeric.size >= 2:
        expected_rwg = float(np.clip(1 - np.var(numeric, ddof=1) / ((points**2 - 1) / 12), 0, 1))
    near(agreement.rwg(distribution, points), expected_rwg)


@settings(max_examples=150, deadline=None)
@given(rating_samples(max_n=120), rating_samples(max_n=120))
def test_cliffs_delta_counts_every_pair(later_case, earlier_case):
    later = later_case[2][~np.isnan(later_case[2])]
    earlier = earlier_case[2][~np.isnan(earlier_case[2])]
    result = cliffs_delta(Distribution.from_sample(later), Distribution.from_sample(earlier))
    if later.size == 0 or earlier.size == 0:
        assert result is None
        return
    near(result, float(np.sign(later[:, None] - earlier[None, :]).mean()))


@settings(max_examples=150, deadline=None)
@given(rating_samples(), rating_samples())
def test_welch_interval_matches_scipy(later_case, earlier_case):
    later = later_case[2][~np.isnan(later_case[2])]
    earlier = earlier_case[2][~np.isnan(earlier_case[2])]
    low, high = welch_interval(Distribution.from_sample(later), Distribution.from_sample(earlier))
    if later.size < 2 or earlier.size < 2:
        assert (low, high) == (None, None)
        return
    if later.var() == 0 and earlier.var() == 0:
        # No spread on either side: nothing to estimate the uncertainty from; never a zero-width interval.
        assert (low, high) == (None, None)
        return
    with warnings.catch_warnings():
        # scipy warns when one side has no spread; its interval is still right.
        warnings.simplefilter("ignore", RuntimeWarning)
        interval = scipy_stats.ttest_ind(later, earlier, equal_var=False).confidence_interval(0.95)
    near(low, float(interval.low))
    near(high, float(interval.high))


@settings(max_examples=150, deadline=None)
@given(rating_samples())
def test_mean_interval_matches_scipy(case):
    numeric = case[2][~np.isnan(case[2])]
    low, high = mean_interval(Distribution.from_sample(numeric))
    if numeric.size < 2:
        assert (low, high) == (None, None)
        return
    sem = np.std(numeric, ddof=1) / np.sqrt(numeric.size)
    if sem == 0:
        assert (low, high) == (None, None)  # no zero-width intervals
        return
    expected = scipy_stats.t.interval(0.95, numeric.size - 1, loc=numeric.mean(), scale=sem)
    near(low, float(expected[0]))
    near(high, float(expected[1]))


@settings(max_examples=300, deadline=None)
@given(st.floats(0.5, 1e8), st.floats(0.0005, 0.9995))
def test_t_quantile_matches_scipy(df, p):
    assert t_quantile(p, df) == pytest.approx(float(scipy_stats.t.ppf(p, df)), rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("df", [1, 2, 3, 9.5, 199.999, 200, 1e4])
def test_t_quantile_at_95_percent(df):
    assert t_quantile(0.975, df) == pytest.approx(float(scipy_stats.t.ppf(0.975, df)), rel=1e-10)
