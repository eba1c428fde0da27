"""Whether something changed, or differs: tests for ratings on an ordinal scale, corrected for testing many.

Nine items are compared at every comparison, and with nine tests at the 5 % level one of them
"changes" in a third of comparisons where nothing did. So a change is only called a change when its
test holds after Benjamini and Hochberg's correction across the items and dimensions compared
together (Benjamini & Hochberg 1995): where nothing changed, some change is called in at most 5 %
of comparisons, and where many items move together (the usual real change) they are found far more
often than with Holm's correction (Holm 1979), which the single-round findings use. The tests suit
ratings: they compare who rated higher, not means of numbers that are only ordered.

- **Two rounds**: the Brunner–Munzel test of the relative effect p = P(later > earlier) +
  ½·P(equal) (Brunner & Munzel 2000), as a studentized permutation test (Neubert & Brunner 2007):
  its p-value is the share of random splits of the two rounds' ratings (a fixed seed, `PERMUTATIONS`
  of them) whose statistic is at least as far from 0; with `ASYMPTOTIC_FROM` ratings a side or more,
  the t approximation. It allows unequal spread in the two rounds
  and keeps its level with five ratings a side, where the t approximation does not (5.5–7.6 % at
  n = 5–8 in bench/bench_guidance.py). Cliff's delta is 2p − 1 (Cliff 1993), with the interval from
  the test's standard error; where the ratings leave no spread to estimate it from (everyone 7,
  then everyone 8), there is no interval, never one of zero width.
- **Professions**: the Kruskal–Wallis test across the professions shown (tie-corrected).

Everything works on `Distribution`s: counts per distinct value, no raw answers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import chdtrc, stdtr, stdtrit

from spindeln.analysis.stats import CONFIDENCE, Distribution

#: Random splits of the ratings for one permutation p-value; its smallest is 1 / (PERMUTATIONS + 1).
PERMUTATIONS = 2000
#: With at least this many ratings on both sides the t approximation is used instead of permutations:
#: it keeps its level there (bench/bench_guidance.py), and large rounds need no thousands of splits.
ASYMPTOTIC_FROM = 50
#: The seed of the splits: the same data give the same p-value on every run.
SEED = 2000
#: A test holds when its p-value, corrected for the items tested together, is below this.
ALPHA = 0.05


@dataclass(frozen=True)
class ChangeTest:
    """The Brunner–Munzel comparison of a later round's ratings with an earlier round's."""

    #: P(later > earlier) + ½·P(later = earlier).
    relative_effect: float
    cliffs_delta: float
    #: Cliff's delta's 95 % interval; None where it cannot be estimated.
    delta_low: float | None
    delta_high: float | None
    #: Two-sided permutation p-value, before correction.
    p_value: float


def _pooled(later: Distribution, earlier: Distribution) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct values of both samples, ascending, and each sample's counts on them."""
    values = np.union1d(later.values, earlier.values)
    later_counts = np.zeros(values.size, dtype=np.int64)
    earlier_counts = np.zeros(values.size, dtype=np.int64)
    # A distribution may list one value more than once (dimension scores from different bins): add.
    np.add.at(later_counts, np.searchsorted(values, later.values), later.counts)
    np.add.at(earlier_counts, np.searchsorted(values, earlier.values), earlier.counts)
    return values, later_counts, earlier_counts


def _midranks(counts: np.ndarray) -> np.ndarray:
    """The midrank of each value (last axis) among counts of tied values."""
    above = np.cumsum(counts, axis=-1)
    return above - (counts - 1) / 2


def _statistic(earlier: np.ndarray, later: np.ndarray, overall: np.ndarray) -> tuple[np.ndarray, ...]:
    """Brunner–Munzel's statistic for counts of the two groups (last axis: values), with the overall
    midranks `overall`: (statistic, relative effect, standard error, degrees of freedom)."""
    n1 = earlier.sum(axis=-1)
    n2 = later.sum(axis=-1)
    mean1 = (earlier * overall).sum(axis=-1) / n1
    mean2 = (later * overall).sum(axis=-1) / n2
    # Placement deviations: overall rank minus rank within the own group, centred.
    d1 = overall - _midranks(earlier) - (mean1 - (n1 + 1) / 2)[..., None]
    d2 = overall - _midranks(later) - (mean2 - (n2 + 1) / 2)[..., None]
    s1 = (earlier * d1**2).sum(axis=-1) / (n1 - 1)
    s2 = (later * d2**2).sum(axis=-1) / (n2 - 1)
    spread = n1 * s1 + n2 * s2
    effect = (mean2 - (n2 + 1) / 2) / n1
    centred = effect - 0.5
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = np.where(spread > 0, n1 * n2 * centred / np.sqrt(spread),
                             np.where(np.isclose(centred, 0), 0.0, np.sign(centred) * np.inf))
        df = np.where(spread > 0, spread**2 / ((n1 * s1) ** 2 / (n1 - 1) + (n2 * s2) ** 2 / (n2 - 1)), np.nan)
    return statistic, effect, np.sqrt(spread) / (n1 * n2), df


def brunner_munzel(later: Distribution, earlier: Distribution) -> ChangeTest | None:
    """The permutation Brunner–Munzel test of later against earlier; None when a side has fewer than two."""
    if later.n < 2 or earlier.n < 2:
        return None
    values, later_counts, earlier_counts = _pooled(later, earlier)
    overall = _midranks(later_counts + earlier_counts)
    statistic, effect, error, df = (float(x) for x in _statistic(earlier_counts, later_counts, overall))
    if min(later.n, earlier.n) >= ASYMPTOTIC_FROM and math.isfinite(df):
        p_value = float(2 * stdtr(df, -abs(statistic)))
    else:
        rng = np.random.default_rng(SEED)
        total = later_counts + earlier_counts
        shuffled = rng.multivariate_hypergeometric(total, earlier.n, size=PERMUTATIONS)
        permuted = _statistic(shuffled, total - shuffled, overall)[0]
        extreme = np.count_nonzero(np.abs(permuted) >= abs(statistic) - 1e-9)
        p_value = (1 + extreme) / (1 + PERMUTATIONS)
    delta = 2 * effect - 1
    low = high = None
    if error > 0 and math.isfinite(df) and df > 0:
        half = float(stdtrit(df, 0.5 + CONFIDENCE / 2)) * error
        low, high = max(-1.0, 2 * (effect - half) - 1), min(1.0, 2 * (effect + half) - 1)
    return ChangeTest(relative_effect=effect, cliffs_delta=delta, delta_low=low, delta_high=high, p_value=p_value)


def holm(p_values: Sequence[float | None]) -> list[float | None]:
    """Holm's step-down adjusted p-values (family-wise), None kept where there is no test."""
    tested = [(p, index) for index, p in enumerate(p_values) if p is not None]
    adjusted: list[float | None] = [None] * len(p_values)
    running = 0.0
    for rank, (p, index) in enumerate(sorted(tested)):
        running = max(running, min(1.0, (len(tested) - rank) * p))
        adjusted[index] = running
    return adjusted


def benjamini_hochberg(p_values: Sequence[float | None]) -> list[float | None]:
    """Benjamini–Hochberg's step-up adjusted p-values (false discovery rate), None kept where there
    is no test. Where nothing changed at all, a family of tests gives any adjusted p below α in at
    most a share α of cases (independent or positively dependent tests), as Holm's does; where many
    items move together it finds them far more often."""
    tested = sorted((p, index) for index, p in enumerate(p_values) if p is not None)
    adjusted: list[float | None] = [None] * len(p_values)
    running = 1.0
    for rank in range(len(tested), 0, -1):
        p, index = tested[rank - 1]
        running = min(running, len(tested) * p / rank)
        adjusted[index] = running
    return adjusted


def kruskal_wallis(groups: Sequence[Distribution]) -> float | None:
    """The tie-corrected Kruskal–Wallis p-value across groups (chi-square, k − 1 df); None with fewer
    than two groups of ratings or no spread at all."""
    groups = [group for group in groups if group.n > 0]
    if len(groups) < 2:
        return None
    values = np.unique(np.concatenate([group.values for group in groups]))
    counts = np.zeros((len(groups), values.size), dtype=np.int64)
    for row, group in enumerate(groups):
        np.add.at(counts[row], np.searchsorted(values, group.values), group.counts)
    total = counts.sum(axis=0)
    n = int(total.sum())
    ranks = _midranks(total)
    sizes = counts.sum(axis=1)
    rank_sums = counts @ ranks
    h = 12 / (n * (n + 1)) * float((rank_sums**2 / sizes).sum()) - 3 * (n + 1)
    ties = 1 - float((total**3 - total).sum()) / (n**3 - n) if n > 1 else 0.0
    if ties <= 0:
        return None
    return float(chdtrc(len(groups) - 1, h / ties))
