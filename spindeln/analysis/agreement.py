"""Agreement (samstämmighet) among respondents: AD_M, rwg, rwg(j) and plain-language bands.

Sources:

- James, L. R., Demaree, R. G. & Wolf, G. (1984). Estimating within-group interrater reliability
  with and without response bias. Journal of Applied Psychology, 69(1), 85–98. (rwg, rwg(j))
- Burke, M. J., Finkelstein, L. M. & Dusig, M. S. (1999). On average deviation indices for
  estimating interrater agreement. Organizational Research Methods, 2(1), 49–68. (AD_M)
- Burke, M. J. & Dunlap, W. P. (2002). Estimating interrater agreement with the average deviation
  index: a user's guide. Organizational Research Methods, 5(2), 159–172. (cut-off c/6)
- LeBreton, J. M. & Senter, J. L. (2008). Answers to 20 questions about interrater reliability and
  interrater agreement. Organizational Research Methods, 11(4), 815–852. (the bands)
"""

from __future__ import annotations

from spindeln.analysis.stats import Distribution

#: rwg at or above this is "high" agreement: the conventional .70 cut-off, where LeBreton &
#: Senter's (2008, Table 3) "strong" agreement begins.
HIGH_RWG = 0.70
#: rwg below this is "low": LeBreton & Senter's "weak" (.31–.50) and "lack of" (.00–.30) agreement.
MODERATE_RWG = 0.50

SOURCE = (
    "rwg and rwg(j): James, Demaree & Wolf (1984), uniform null distribution; AD_M: Burke, "
    "Finkelstein & Dusig (1999), practical cut-off c/6: Burke & Dunlap (2002); bands after "
    "LeBreton & Senter (2008): high = rwg ≥ .70 (strong or very strong) and, for items, "
    "AD_M ≤ c/6; moderate = rwg ≥ .50; low = rwg < .50 (weak or lack of agreement)."
)


def uniform_variance(scale_points: int) -> float:
    """σ²EU = (A² − 1) / 12, the variance of answers spread evenly over A scale points."""
    return (scale_points**2 - 1) / 12


def ad_m_cutoff(scale_points: int) -> float:
    """Burke & Dunlap's (2002) practical cut-off for AD_M: c / 6."""
    return scale_points / 6


def rwg(distribution: Distribution, scale_points: int) -> float | None:
    """Single-item rwg = 1 − s² / σ²EU, truncated to [0, 1]; None when n < 2."""
    variance = distribution.variance()
    if variance is None:
        return None
    return min(1.0, max(0.0, 1.0 - variance / uniform_variance(scale_points)))


def rwg_j(item_variances: list[float], scale_points: int) -> float | None:
    """Multi-item rwg(j) over J items from their sample variances; None without any.

    When the mean item variance exceeds σ²EU (more spread than evenly spread answers, e.g. a
    split group), the formula leaves [0, 1]; rwg(j) is then set to 0, as LeBreton & Senter (2008)
    recommend for such out-of-range values.
    """
    if not item_variances:
        return None
    j = len(item_variances)
    ratio = sum(item_variances) / j / uniform_variance(scale_points)
    if ratio >= 1.0:
        return 0.0
    return j * (1.0 - ratio) / (j * (1.0 - ratio) + ratio)


def band(rwg_value: float | None, ad_m: float | None = None, scale_points: int | None = None) -> str | None:
    """The agreement band "high" | "moderate" | "low" of an rwg (and, for items, AD_M); None when undefined."""
    if rwg_value is None:
        return None
    ad_m_ok = ad_m is None or ad_m <= ad_m_cutoff(scale_points)
    if rwg_value >= HIGH_RWG and ad_m_ok:
        return "high"
    if rwg_value >= MODERATE_RWG:
        return "moderate"
    return "low"


def describe_bands(scale_points: int) -> dict:
    """The "agreement" block of the summary: cut-off, thresholds and sources."""
    cutoff = ad_m_cutoff(scale_points)
    return {
        "ad_m_cutoff": cutoff,
        "bands": {
            "high": {"rwg_min": HIGH_RWG, "ad_m_max": cutoff},
            "moderate": {"rwg_min": MODERATE_RWG},
            "low": {"rwg_min": 0.0},
        },
        "source": SOURCE,
    }
