"""Descriptive statistics, round-to-round comparisons and confidence intervals.

Every sample here is a `Distribution`: its distinct values with their counts. Ratings live on a
small integer scale and a respondent's dimension score is one of few fractions, so a million
answers become a handful of (value, count) pairs, and every statistic, medians and Cliff's delta
included, is computed exactly from those pairs instead of from the raw answers.

Functions return plain Python floats, or None where a figure is undefined (never NaN).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.special import stdtrit

#: Confidence level of every interval in the summary.
CONFIDENCE = 0.95


@dataclass(frozen=True, eq=False)
class Distribution:
    """A sample as ascending values with their (positive) counts."""

    values: np.ndarray
    counts: np.ndarray

    @classmethod
    def of(cls, values: np.ndarray, counts: np.ndarray) -> Distribution:
        """The distribution of `counts` over `values`, in any order; zero counts are dropped."""
        values = np.asarray(values, dtype=np.float64)
        counts = np.asarray(counts, dtype=np.int64)
        present = counts > 0
        values, counts = values[present], counts[present]
        order = np.argsort(values, kind="stable")
        return cls(values[order], counts[order])

    @classmethod
    def from_sample(cls, sample: np.ndarray) -> Distribution:
        """The distribution of a plain sample; NaN (no answer) is left out."""
        sample = np.asarray(sample, dtype=np.float64)
        values, counts = np.unique(sample[~np.isnan(sample)], return_counts=True)
        return cls(values, counts.astype(np.int64))

    # n and the mean are asked for again and again (by the SD, the quantiles, the comparisons):
    # computed once, since a summary of a large programme holds thousands of distributions.
    @cached_property
    def n(self) -> int:
        """The number of observations."""
        return int(self.counts.sum())

    @cached_property
    def _mean(self) -> float | None:
        n = self.n
        if n == 0:
            return None
        return float(np.dot(self.values, self.counts) / n)

    def mean(self) -> float | None:
        """The arithmetic mean; None when empty."""
        return self._mean

    def variance(self) -> float | None:
        """The sample variance (ddof=1); None when n < 2."""
        n = self.n
        if n < 2:
            return None
        deviations = self.values - self.mean()
        return float(np.dot(self.counts, deviations * deviations) / (n - 1))

    def sd(self) -> float | None:
        """The sample standard deviation (ddof=1); None when n < 2."""
        variance = self.variance()
        return None if variance is None else math.sqrt(variance)

    def mean_absolute_deviation(self) -> float | None:
        """The average absolute deviation from the mean (AD_M); None when empty."""
        n = self.n
        if n == 0:
            return None
        return float(np.dot(self.counts, np.abs(self.values - self.mean())) / n)

    def quantile(self, p: float) -> float | None:
        """The p-quantile by numpy's default ("linear") method; None when empty."""
        n = self.n
        if n == 0:
            return None
        cumulative = np.cumsum(self.counts)
        position = (n - 1) * p
        below = math.floor(position)
        fraction = position - below
        # The i-th smallest observation (0-based) is the first value whose cumulative count exceeds i.
        low = self.values[np.searchsorted(cumulative, below, side="right")]
        high = self.values[np.searchsorted(cumulative, min(below + 1, n - 1), side="right")]
        return float(low + (high - low) * fraction)

    def minimum(self) -> float | None:
        """The smallest value; None when empty."""
        return float(self.values[0]) if self.n else None

    def maximum(self) -> float | None:
        """The largest value; None when empty."""
        return float(self.values[-1]) if self.n else None


def describe(distribution: Distribution) -> dict:
    """n, mean, sd, median, quartiles, min and max of a distribution, as plain numbers or None."""
    return {
        "n": distribution.n,
        "mean": distribution.mean(),
        "sd": distribution.sd(),
        "median": distribution.quantile(0.5),
        "q1": distribution.quantile(0.25),
        "q3": distribution.quantile(0.75),
        "min": distribution.minimum(),
        "max": distribution.maximum(),
    }


def cliffs_delta(later: Distribution, earlier: Distribution) -> float | None:
    """Cliff's delta P(later > earlier) − P(later < earlier) over all pairs; None when a side is empty.

    Positive means the later round rated higher (Cliff 1993).
    """
    n_later, n_earlier = later.n, earlier.n
    if n_later == 0 or n_earlier == 0:
        return None
    cumulative = np.concatenate(([0], np.cumsum(earlier.counts)))
    # For each later value: how many earlier observations lie strictly below and strictly above it.
    below = cumulative[np.searchsorted(earlier.values, later.values, side="left")]
    above = n_earlier - cumulative[np.searchsorted(earlier.values, later.values, side="right")]
    dominance = int(np.dot(later.counts, below - above))
    return dominance / (n_later * n_earlier)


def welch_interval(later: Distribution, earlier: Distribution,
                   confidence: float = CONFIDENCE) -> tuple[float | None, float | None]:
    """Welch's t interval for mean(later) − mean(earlier), independent samples; (None, None) when a side has
    n < 2, or when neither side has any spread: there is nothing to estimate the uncertainty from, and
    an interval of zero width would claim there is none."""
    later_variance, earlier_variance = later.variance(), earlier.variance()
    if later_variance is None or earlier_variance is None:
        return None, None
    change = later.mean() - earlier.mean()
    later_term = later_variance / later.n
    earlier_term = earlier_variance / earlier.n
    squared_error = later_term + earlier_term
    if squared_error == 0:
        return None, None
    df = squared_error**2 / (later_term**2 / (later.n - 1) + earlier_term**2 / (earlier.n - 1))
    half_width = t_quantile(0.5 + confidence / 2, df) * math.sqrt(squared_error)
    return change - half_width, change + half_width


def mean_interval(distribution: Distribution,
                  confidence: float = CONFIDENCE) -> tuple[float | None, float | None]:
    """The t interval for the mean of one sample; (None, None) when n < 2 or without spread (no zero-width intervals)."""
    sd = distribution.sd()
    if not sd:
        return None, None
    mean = distribution.mean()
    half_width = t_quantile(0.5 + confidence / 2, distribution.n - 1) * sd / math.sqrt(distribution.n)
    return mean - half_width, mean + half_width


def t_quantile(p: float, df: float) -> float:
    """The p-quantile of Student's t with `df` (> 0, possibly fractional) degrees of freedom."""
    if not 0.0 < p < 1.0 or not df > 0.0:
        raise ValueError(f"t quantile needs 0 < p < 1 and df > 0, got p={p}, df={df}")
    # scipy.stats.t.ppf computes exactly this, behind a layer of argument handling that costs a
    # hundred times more: a summary asks for hundreds of quantiles.
    return float(stdtrit(df, p))
