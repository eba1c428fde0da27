"""Agreement (samstämmighet) among respondents, read against what chance alone gives.

A group's agreement on an item is told by how little its ratings spread: rwg = 1 − s²/σ²E, the
share of the variance that random answering (the null, σ²E its variance) would give that the group
does not have (James, Demaree & Wolf 1984); AD_M, the mean absolute deviation from the mean (Burke,
Finkelstein & Dusig 1999). A number is not a finding, though: three people answering at random on a
10-point scale reach rwg ≥ .70 one time in four. So every rwg and AD_M here carries its probability
under the null for the group's own n and the scale's points: the share of groups of n random answers
that agree at least as much (Dunlap, Burke & Smith-Crowe 2003 tabulate the same for rwg and AD_M),
exact by enumerating every multiset of n answers where they are few (up to `EXACT_LIMIT`), by a fixed
Monte Carlo sample for larger groups and by the normal approximation of the sample variance for
large ones. A band is only given where chance can be told apart at all (n answers all alike must be
rarer than `ALPHA` under the null), and "high" and "moderate" need rwg beyond chance.

Bands (uniform null):

- `high`: rwg ≥ .70 and p < .05 (LeBreton & Senter 2008: .71–.90 strong, .91–1 very strong);
- `moderate`: rwg ≥ .50 and p < .05;
- `unclear`: rwg ≥ .50 but p ≥ .05: random answers agree that much too often to tell;
- `low`: rwg < .50;
- `split`: more spread than random answers, and significantly so (r*wg = 1 − s²/σ²E below 0 with
  P(s² at least this large) < .05; Lindell & Brandt 1997): the group is divided, not vague;
- None: fewer than two ratings, or too few to tell agreement from chance.

Beside the uniform null, a slightly skewed one (LeBreton & Senter 2008, Table 2: on five points
.05, .15, .20, .35, .25, here stretched to the scale's points): people tend to answer on the
friendly side, which random answering does not. Its rwg is lower; it is reported beside the bands,
which follow the uniform null.

For a dimension (several items) the index is r*wg(J) = 1 − s̄²/σ²E with s̄² the mean of the items'
variances (Lindell, Brandt & Whitney 1999), which, unlike rwg(J) (James et al. 1984), does not grow
with the number of items; its null is J independent items of random answers.

The AD_M cut-off c/6 (Burke & Dunlap 2002) is not part of any band: wherever rwg ≥ .70 it holds
anyway, so it never changed one. AD_M is reported with its own probability under the null.

Sources: Brown & Hauenstein (2005) for a_wg, reported as well; the rest above.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

import numpy as np
from scipy.special import gammaln, ndtr

from spindeln.analysis.stats import Distribution

#: rwg at or above this is "high" agreement (if beyond chance).
HIGH_RWG = 0.70
#: rwg at or above this is "moderate" (if beyond chance); below it is "low".
MODERATE_RWG = 0.50
#: The level a probability under the null must be below to call agreement (or a split) a finding.
ALPHA = 0.05
#: Groups whose multisets of answers number at most this many are enumerated exactly.
EXACT_LIMIT = 50_000
#: Groups up to this size are simulated (Monte Carlo) beyond exact enumeration; larger ones approximated.
SIMULATION_LIMIT = 120
#: Monte Carlo sample size, and its fixed seed: the same figures on every run.
SIMULATIONS = 20_000
SEED = 20031
#: LeBreton & Senter's (2008) slightly skewed null on a 5-point scale.
SLIGHT_SKEW_5 = (0.05, 0.15, 0.20, 0.35, 0.25)

SOURCE = (
    "rwg: James, Demaree & Wolf (1984); r*wg and r*wg(J): Lindell & Brandt (1997), Lindell, Brandt & "
    "Whitney (1999); AD_M: Burke, Finkelstein & Dusig (1999); a_wg: Brown & Hauenstein (2005); "
    "probabilities under the null for the group's n: Dunlap, Burke & Smith-Crowe (2003); bands after "
    "LeBreton & Senter (2008): high = rwg ≥ .70 and p < .05; moderate = rwg ≥ .50 and p < .05; "
    "unclear = rwg ≥ .50, p ≥ .05; low = rwg < .50; split = more spread than random answers, p < .05."
)


# --- null distributions ------------------------------------------------------------------------


def uniform_null(points: int) -> np.ndarray:
    """The probability of each scale point when answers are random: 1/A each."""
    return np.full(points, 1 / points)


def skewed_null(points: int) -> np.ndarray:
    """LeBreton & Senter's slight skew, stretched from five points to `points` through its distribution function."""
    cumulative = np.concatenate([[0.0], np.cumsum(SLIGHT_SKEW_5)])
    at = np.interp(np.linspace(0, 1, points + 1), np.linspace(0, 1, 6), cumulative)
    return np.diff(at)


def null_variance(probabilities: np.ndarray) -> float:
    """σ²E: the variance of one answer under the null."""
    values = np.arange(probabilities.size)
    mean = float(probabilities @ values)
    return float(probabilities @ (values - mean) ** 2)


def uniform_variance(scale_points: int) -> float:
    """σ²EU = (A² − 1) / 12, the variance of answers spread evenly over A scale points."""
    return (scale_points**2 - 1) / 12


@dataclass(frozen=True, eq=False)
class NullSpread:
    """How the spread of n answers drawn from a null distribution falls: sample variances and AD_M
    with their probabilities (exact or simulated), or the normal approximation of the variance."""

    n: int
    #: Sorted sample variances and their probabilities; empty when approximated.
    variances: np.ndarray
    variance_weights: np.ndarray
    ad_ms: np.ndarray
    ad_weights: np.ndarray
    #: The null's variance σ²E, and the mean and SD of the sample variance (for the approximation).
    sigma2: float
    variance_sd: float
    ad_mean: float
    ad_sd: float

    def at_most_variance(self, value: float) -> float:
        """P(s² ≤ value): random answers agree at least this much."""
        if self.variances.size:
            return _probability(self.variance_weights[: np.searchsorted(self.variances, value + 1e-9, "right")].sum())
        return float(ndtr((value - self.sigma2) / self.variance_sd))

    def at_least_variance(self, value: float) -> float:
        """P(s² ≥ value): random answers spread at least this much."""
        if self.variances.size:
            return _probability(self.variance_weights[np.searchsorted(self.variances, value - 1e-9, "left"):].sum())
        return float(1 - ndtr((value - self.sigma2) / self.variance_sd))

    def at_most_ad(self, value: float) -> float:
        """P(AD_M ≤ value)."""
        if self.ad_ms.size:
            return _probability(self.ad_weights[: np.searchsorted(self.ad_ms, value + 1e-9, "right")].sum())
        return float(ndtr((value - self.ad_mean) / self.ad_sd))


def _probability(total: float) -> float:
    """A summed probability, kept in [0, 1] against rounding."""
    return float(min(1.0, max(0.0, total)))


def _spreads(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sample variance (n − 1) and AD_M of groups given as counts per scale point (rows)."""
    n = counts.sum(axis=1)
    values = np.arange(counts.shape[1])
    mean = counts @ values / n
    deviation = values[None, :] - mean[:, None]
    variance = (counts * deviation**2).sum(axis=1) / (n - 1)
    ad_m = (counts * np.abs(deviation)).sum(axis=1) / n
    return variance, ad_m


def _collapse(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct values (rounded so equal spreads meet) and the summed weight of each."""
    rounded = np.round(values, 9)
    distinct, inverse = np.unique(rounded, return_inverse=True)
    return distinct, np.bincount(inverse, weights=weights)


@lru_cache(maxsize=2048)
def null_spread(n: int, points: int, skewed: bool = False) -> NullSpread:
    """The spread of n random answers on `points` scale points (uniform, or slightly skewed)."""
    if n < 2:
        raise ValueError(f"spread needs at least two answers, got {n}")
    probabilities = skewed_null(points) if skewed else uniform_null(points)
    values = np.arange(points)
    sigma2 = null_variance(probabilities)
    mu = float(probabilities @ values)
    mu4 = float(probabilities @ (values - mu) ** 4)
    variance_sd = math.sqrt(max((mu4 - sigma2**2 * (n - 3) / (n - 1)) / n, 1e-12))
    absolute = np.abs(values - mu)
    ad_mean = float(probabilities @ absolute)
    ad_sd = math.sqrt(max(float(probabilities @ absolute**2) - ad_mean**2, 1e-12) / n)
    if math.comb(n + points - 1, points - 1) <= EXACT_LIMIT:
        # Every multiset of n answers as counts per point (stars and bars: where the A − 1 bars go).
        bars = np.array(list(combinations(range(n + points - 1), points - 1)), dtype=np.int64).reshape(-1, points - 1)
        edges = np.concatenate([np.full((len(bars), 1), -1), bars, np.full((len(bars), 1), n + points - 1)], axis=1)
        counts = np.diff(edges, axis=1) - 1
        # The multinomial probability of each multiset of answers.
        log_weight = gammaln(n + 1) - gammaln(counts + 1).sum(axis=1) + counts @ np.log(probabilities)
        weights = np.exp(log_weight)
    elif n <= SIMULATION_LIMIT:
        rng = np.random.default_rng([SEED, n, points, int(skewed)])
        draws = rng.choice(points, size=(SIMULATIONS, n), p=probabilities)
        offsets = draws + points * np.arange(SIMULATIONS)[:, None]
        counts = np.bincount(offsets.ravel(), minlength=SIMULATIONS * points).reshape(SIMULATIONS, points)
        weights = np.full(SIMULATIONS, 1 / SIMULATIONS)
    else:
        empty = np.zeros(0)
        return NullSpread(n, empty, empty, empty, empty, sigma2, variance_sd, ad_mean, ad_sd)
    variance, ad_m = _spreads(counts)
    variances, variance_weights = _collapse(variance, weights)
    ad_ms, ad_weights = _collapse(ad_m, weights)
    return NullSpread(n, variances, variance_weights, ad_ms, ad_weights, sigma2, variance_sd, ad_mean, ad_sd)


@lru_cache(maxsize=1024)
def null_mean_variance(n: int, items: int, points: int) -> tuple[np.ndarray, np.ndarray]:
    """The mean of `items` independent items' sample variances, n random answers each (uniform null):
    sorted values and weights, simulated with the fixed seed (or from the normal approximation)."""
    single = null_spread(n, points)
    if n > SIMULATION_LIMIT:
        return np.zeros(0), np.zeros(0)
    rng = np.random.default_rng([SEED, n, points, items, 7])
    if single.variances.size:
        draws = rng.choice(single.variances, size=(SIMULATIONS, items), p=single.variance_weights / single.variance_weights.sum())
    else:
        draws = rng.normal(single.sigma2, single.variance_sd, size=(SIMULATIONS, items))
    return _collapse(draws.mean(axis=1), np.full(SIMULATIONS, 1 / SIMULATIONS))


# --- one item ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Agreement:
    """One group's agreement on one item, with its probabilities under the null."""

    rwg: float | None
    #: 1 − s²/σ²EU untruncated: below 0 means more spread than random answers.
    rwg_star: float | None
    #: rwg against the slightly skewed null.
    rwg_skewed: float | None
    ad_m: float | None
    awg: float | None
    #: P(random answers agree at least this much), uniform null; and against the skewed null.
    p_agreement: float | None
    p_agreement_skewed: float | None
    #: P(random answers spread at least this much): small for a split group.
    p_spread: float | None
    #: P(random answers have an AD_M at most this small).
    p_ad_m: float | None
    band: str | None
    #: Why there is no band: "too_few" (chance cannot be told apart) or None.
    no_band: str | None


def too_few(n: int, points: int, items: int = 1) -> bool:
    """Whether n answers (to `items` items) are too few to tell agreement from chance: even all of them
    alike is not rarer than ALPHA under the uniform null."""
    return n < 2 or items * (n - 1) * math.log(points) <= -math.log(ALPHA)


def rwg(distribution: Distribution, scale_points: int) -> float | None:
    """Single-item rwg = 1 − s² / σ²EU, truncated to [0, 1]; None when n < 2."""
    variance = distribution.variance()
    if variance is None:
        return None
    return min(1.0, max(0.0, 1.0 - variance / uniform_variance(scale_points)))


def awg(distribution: Distribution, low: float, high: float) -> float | None:
    """Brown & Hauenstein's a_wg: 1 − 2s² / the largest variance possible with this mean; None when undefined."""
    variance, mean, n = distribution.variance(), distribution.mean(), distribution.n
    if variance is None:
        return None
    if math.isclose(mean, low) or math.isclose(mean, high):
        return 1.0
    if mean < (low * (n - 1) + high) / n or mean > (high * (n - 1) + low) / n:
        return None
    largest = ((high + low) * mean - mean**2 - high * low) * n / (n - 1)
    return 1 - 2 * variance / largest


def assess(distribution: Distribution, scale_min: int, scale_max: int) -> Agreement:
    """rwg, r*wg, AD_M, a_wg, their probabilities under the nulls and the band of one group's ratings."""
    points = scale_max - scale_min + 1
    n = distribution.n
    variance = distribution.variance()
    if variance is None:
        # One rating or none: nothing to agree on (R's multilevel gives NA for AD_M too).
        return Agreement(None, None, None, None, None, None, None, None, None, None, None)
    ad_m = distribution.mean_absolute_deviation()
    uniform = null_spread(n, points)
    skewed = null_spread(n, points, skewed=True)
    sigma2_uniform, sigma2_skewed = uniform_variance(points), null_variance(skewed_null(points))
    rwg_value = min(1.0, max(0.0, 1.0 - variance / sigma2_uniform))
    rwg_star = 1.0 - variance / sigma2_uniform
    p_agreement = uniform.at_most_variance(variance)
    p_spread = uniform.at_least_variance(variance)
    agreement = Agreement(
        rwg=rwg_value,
        rwg_star=rwg_star,
        rwg_skewed=min(1.0, max(0.0, 1.0 - variance / sigma2_skewed)),
        ad_m=ad_m,
        awg=awg(distribution, scale_min, scale_max),
        p_agreement=p_agreement,
        p_agreement_skewed=skewed.at_most_variance(variance),
        p_spread=p_spread,
        p_ad_m=uniform.at_most_ad(ad_m),
        band=None,
        no_band=None,
    )
    if too_few(n, points):
        return _with(agreement, band=None, no_band="too_few")
    return _with(agreement, band=band(rwg_value, rwg_star, p_agreement, p_spread), no_band=None)


def band(rwg_value: float, rwg_star: float, p_agreement: float, p_spread: float) -> str:
    """The band of an rwg given its probabilities under the null (see the module's docstring)."""
    if rwg_star < 0 and p_spread < ALPHA:
        return "split"
    if rwg_value >= HIGH_RWG and p_agreement < ALPHA:
        return "high"
    if rwg_value >= MODERATE_RWG and p_agreement < ALPHA:
        return "moderate"
    if rwg_value >= MODERATE_RWG:
        return "unclear"
    return "low"


def _with(agreement: Agreement, **changes) -> Agreement:
    return Agreement(**{**agreement.__dict__, **changes})


# --- several items -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DimensionAgreement:
    """A group's agreement across the items of a dimension: r*wg(J) and its band."""

    rwg_j: float | None
    p_agreement: float | None
    band: str | None
    no_band: str | None


def rwg_j_star(item_variances: list[float], scale_points: int) -> float | None:
    """r*wg(J) = 1 − s̄²/σ²EU over J items (Lindell, Brandt & Whitney 1999); None without any."""
    if not item_variances:
        return None
    return 1.0 - sum(item_variances) / len(item_variances) / uniform_variance(scale_points)


def assess_dimension(item_variances: list[float], n: int, scale_points: int) -> DimensionAgreement:
    """r*wg(J) of a group over the items with a variance, its probability under the uniform null for
    `n` answers to each (the fewest any item had), and its band."""
    value = rwg_j_star(item_variances, scale_points)
    if value is None or n < 2:
        return DimensionAgreement(value, None, None, None)
    items = len(item_variances)
    mean_variance = sum(item_variances) / items
    values, weights = null_mean_variance(n, items, scale_points)
    if values.size:
        p_agreement = _probability(weights[: np.searchsorted(values, mean_variance + 1e-9, "right")].sum())
        p_spread = _probability(weights[np.searchsorted(values, mean_variance - 1e-9, "left"):].sum())
    else:
        single = null_spread(n, scale_points)
        z = (mean_variance - single.sigma2) / (single.variance_sd / math.sqrt(items))
        p_agreement, p_spread = float(ndtr(z)), float(1 - ndtr(z))
    if too_few(n, scale_points, items):
        return DimensionAgreement(value, p_agreement, None, "too_few")
    return DimensionAgreement(value, p_agreement, band(max(0.0, min(1.0, value)), value, p_agreement, p_spread), None)


def describe_bands(scale_points: int) -> dict:
    """The "agreement" block of the summary: thresholds, the nulls and sources."""
    return {
        "alpha": ALPHA,
        "bands": {
            "high": {"rwg_min": HIGH_RWG, "p_max": ALPHA},
            "moderate": {"rwg_min": MODERATE_RWG, "p_max": ALPHA},
            "unclear": {"rwg_min": MODERATE_RWG, "p_min": ALPHA},
            "low": {"rwg_below": MODERATE_RWG},
            "split": {"rwg_star_below": 0.0, "p_spread_max": ALPHA},
        },
        "null_variance": {"uniform": uniform_variance(scale_points),
                          "slightly_skewed": null_variance(skewed_null(scale_points))},
        "fewest_for_a_band": next(n for n in range(2, 1000) if not too_few(n, scale_points)),
        "ad_m_cutoff": scale_points / 6,
        "source": SOURCE,
    }
