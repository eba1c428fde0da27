"""The summary's shape ("spindeln.summary/2") as types: what every page, chart, handout and export reads.

The summary is plain JSON-ready data (docs/summary.md describes every field); these TypedDicts
name its parts, so that a new statistic is added in one place and a type checker follows every
reader. A figure the release hides is None, with `suppressed` true.
"""

from __future__ import annotations

from typing import TypedDict


class ScaleShape(TypedDict):
    """The instrument's rating scale."""

    min: int
    max: int
    points: int


class InstrumentShape(TypedDict):
    """The instrument of the last selected round."""

    id: str
    version: str
    scale: ScaleShape


class Filters(TypedDict):
    """The selection the summary is of."""

    rounds: list[int]
    unit: str | None
    profession: str | None


class ItemEntry(TypedDict):
    """One item's figures in one round and group."""

    key: str
    dimension: str
    suppressed: bool
    n: int | None
    cannot_assess: int | None
    counts: dict[str, int] | None
    mean: float | None
    sd: float | None
    median: float | None
    q1: float | None
    q3: float | None
    min: float | None
    max: float | None
    ad_m: float | None
    rwg: float | None
    rwg_star: float | None
    rwg_skewed: float | None
    awg: float | None
    p_agreement: float | None
    p_agreement_skewed: float | None
    p_spread: float | None
    p_ad_m: float | None
    #: "high", "moderate", "unclear", "low", "split" or None.
    agreement: str | None
    #: Why there is no band ("too_few"), or None.
    no_band: str | None


class DimensionEntry(TypedDict):
    """One dimension's (or the whole instrument's, key "all") figures in one round and group."""

    key: str
    items: list[str]
    suppressed: bool
    n: int | None
    mean: float | None
    sd: float | None
    rwg_j_star: float | None
    p_agreement: float | None
    agreement: str | None
    no_band: str | None


class IccEntry(TypedDict):
    """How much of an item's (or dimension's) spread lies between the units shown."""

    key: str
    icc1: float | None
    icc2: float | None
    units: int


class RoundEntry(TypedDict, total=False):
    """One selected round: the group's head count, items and dimensions."""

    number: int
    label: str
    instrument: dict[str, str]
    n_respondents: int | None
    suppressed: bool
    items: list[ItemEntry]
    dimensions: list[DimensionEntry]
    #: Only when no unit is selected.
    icc: list[IccEntry]


class ProfessionsItem(TypedDict):
    """One item's means per profession, side by side."""

    key: str
    means: dict[str, float | None]
    n: dict[str, int | None]
    largest_gap: float | None
    between: list[str] | None
    p_value: float | None
    p_adjusted: float | None
    #: The gap holds (after correction) and is at least `min_gap`.
    clear: bool


class ProfessionsEntry(TypedDict):
    """The professions side by side in one round."""

    round: int
    items: list[ProfessionsItem]
    min_gap: float


class ChangeEntry(TypedDict):
    """The change of one item or dimension between two rounds."""

    key: str
    from_mean: float | None
    to_mean: float | None
    change: float | None
    ci_low: float | None
    ci_high: float | None
    cliffs_delta: float | None
    delta_low: float | None
    delta_high: float | None
    p_value: float | None
    p_adjusted: float | None
    #: The change holds after Benjamini–Hochberg's correction across the items and dimensions compared together.
    changed: bool
    small_sample: bool | None
    from_cannot_assess: float | None
    to_cannot_assess: float | None
    suppressed: bool


#: Who answered the two rounds ("from", "to": {"units": {name: n or None}, "professions": {key: n or
#: None}}), whether that differs, and the change of the units that answered both where it does.
Composition = TypedDict("Composition", {
    "from": dict, "to": dict, "differs": bool, "common_units": "list[str] | None",
    "within_common": "list[ChangeEntry] | None",
})


class Comparison(TypedDict):
    """Two rounds set against each other."""

    from_round: int
    to_round: int
    comparable: bool
    reason: str | None
    items: list[ChangeEntry]
    dimensions: list[ChangeEntry]
    composition: Composition | None


class TrendPoint(TypedDict):
    """One round of a trend line."""

    round: int
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    n: int | None
    suppressed: bool


class TrendSeries(TypedDict):
    """The trend of one item or dimension."""

    key: str
    points: list[TrendPoint]


class Trend(TypedDict):
    """Every item's and dimension's trend."""

    items: list[TrendSeries]
    dimensions: list[TrendSeries]


class PromptEntry(TypedDict):
    """A discussion prompt as data; the pages word it."""

    kind: str
    round: int
    item: str | None
    figures: dict


class Summary(TypedDict):
    """The whole summary of a selection."""

    schema: str
    programme: dict[str, str | None]
    instrument: InstrumentShape
    filters: Filters
    min_group_size: int
    agreement: dict
    rounds: list[RoundEntry]
    professions: list[ProfessionsEntry]
    comparisons: list[Comparison]
    trend: Trend
    prompts: list[PromptEntry]
