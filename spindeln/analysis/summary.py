"""The summary: every figure of a selection of rounds as one JSON-ready dict ("spindeln.summary/1").

The pages, charts, PDF, CLI and API all read this dict; its shape is typed in `schema` and
docs/summary.md describes it field by field. Every figure is of a group the round's release
(`release.RoundRelease`) shows, and is computed from that group's tallies alone. The work is done on counts: the responses are tallied once into tables by round, unit and
profession (respondents, numeric answers per item, respondents scored per dimension), the anonymity
rule runs on those tables, and every figure is computed from the tallies of the selected group (by
item and scale value, and by respondent score).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from spindeln.analysis import agreement
from spindeln.analysis.data import ResponseData, RoundInfo
from spindeln.analysis.prompts import discussion_prompts
from spindeln.analysis.stats import Distribution, cliffs_delta, describe, mean_interval, welch_interval
from spindeln.analysis.change import ALPHA, benjamini_hochberg, brunner_munzel, holm, kruskal_wallis
from spindeln.analysis.release import RoundRelease, decide_round
from spindeln.analysis.schema import (
    ChangeEntry,
    Comparison,
    DimensionEntry,
    ItemEntry,
    ProfessionsEntry,
    PromptEntry,
    RoundEntry,
    Summary,
    Trend,
    TrendPoint,
)
from spindeln.analysis.suppression import Suppression
from spindeln.instrument import Instrument

SCHEMA = "spindeln.summary/2"
#: Key of the whole instrument among the dimensions.
WHOLE_INSTRUMENT = "all"
#: A comparison with fewer respondents than this on either side is flagged `small_sample`: the
#: t interval leans on approximate normality, which a handful of ratings does not give.
SMALL_SAMPLE = 10
DEFAULT_MIN_GROUP_SIZE = 3

__all__ = ["ResponseData", "RoundInfo", "SCHEMA", "decide_releases", "dimension_items", "summarise",
           "summarise_mixed"]


def summarise(
    data: ResponseData,
    instrument: Instrument,
    *,
    programme: dict,
    rounds: list[RoundInfo],
    unit: tuple[int, str] | None = None,
    profession: tuple[int, str] | None = None,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    units: dict[int, str],
    professions: dict[int, str],
    releases: Mapping[int, RoundRelease] | None = None,
) -> Summary:
    """The summary of a selection: `rounds`, optionally one unit (id, name) and/or one profession (id, key).

    `data` must hold every response of the rounds (all units, all professions): the anonymity rule
    is decided on whole rounds. `units` maps unit id → name and `professions` id → key, both in
    display order and complete (a unit without responses still counts in the rule). `releases`
    holds the rounds' frozen releases by round number, on these axes (`RoundRelease.on_axes`); a
    round without one has its release decided here, from its responses.
    """
    return summarise_mixed(
        [(data, instrument, rounds)], programme=programme, unit=unit, profession=profession,
        min_group_size=min_group_size, units=units, professions=professions, releases=releases,
    )


def summarise_mixed(
    parts: Sequence[tuple[ResponseData, Instrument, list[RoundInfo]]],
    *,
    programme: dict,
    unit: tuple[int, str] | None = None,
    profession: tuple[int, str] | None = None,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    units: dict[int, str],
    professions: dict[int, str],
    releases: Mapping[int, RoundRelease] | None = None,
) -> Summary:
    """Like `summarise` for rounds collected with different instruments: one (data, instrument, rounds) part per instrument.

    Rounds of different instruments are listed side by side but never compared; the trend
    follows the rounds that used the instrument of the last round.
    """
    if not parts:
        raise ValueError("summarise_mixed needs at least one part")
    if min_group_size < 1:
        raise ValueError(f"min_group_size must be at least 1, got {min_group_size}")
    axes = _Axes(units, professions)
    selection = _Selection(
        unit=None if unit is None else axes.unit_index(unit[0]),
        profession=None if profession is None else axes.profession_index(profession[0]),
    )
    analyses: list[_RoundAnalysis] = []
    for data, instrument, part_rounds in parts:
        analyses.extend(_analyse_part(data, instrument, part_rounds, axes, selection, min_group_size,
                                      releases or {}))
    analyses.sort(key=lambda analysis: analysis.info.number)
    numbers = [analysis.info.number for analysis in analyses]
    if len(set(numbers)) != len(numbers):
        raise ValueError(f"a round is given twice: {numbers}")

    instrument = analyses[-1].instrument if analyses else parts[-1][1]
    comparisons = [_compare(earlier, later) for earlier, later in _round_pairs(analyses)]
    professions_block = [] if profession is not None else [a.professions_entry for a in analyses]
    prompts: list[PromptEntry] = []
    if analyses:
        last = analyses[-1]
        # The consecutive pairs come first, in order: the last of them ends at the last round.
        previous = comparisons[len(analyses) - 2] if len(analyses) > 1 else None
        prompts = discussion_prompts(last.entry, previous, None if profession is not None else last.professions_entry,
                                     (instrument.scale.min, instrument.scale.max))

    return {
        "schema": SCHEMA,
        "programme": {"slug": programme.get("slug"), "name": programme.get("name")},
        "instrument": {
            "id": instrument.id,
            "version": instrument.version,
            "scale": {"min": instrument.scale.min, "max": instrument.scale.max,
                      "points": instrument.scale.points},
        },
        "filters": {
            "rounds": numbers,
            "unit": None if unit is None else unit[1],
            "profession": None if profession is None else profession[1],
        },
        "min_group_size": min_group_size,
        "agreement": agreement.describe_bands(instrument.scale.points),
        "rounds": [analysis.entry for analysis in analyses],
        "professions": professions_block,
        "comparisons": comparisons,
        "trend": _trend(analyses),
        "prompts": prompts,
    }


# --- selection and tables -------------------------------------------------------------------


@dataclass(frozen=True)
class _Selection:
    """A selected group as indices into the unit and profession axes; None selects all."""

    unit: int | None
    profession: int | None

    def total(self, table: np.ndarray) -> np.ndarray:
        """Sum a table whose first two axes are unit × profession over the selected group."""
        rows = table if self.unit is None else table[self.unit:self.unit + 1]
        rows = rows if self.profession is None else rows[:, self.profession:self.profession + 1]
        return rows.sum(axis=(0, 1))

    def profession_total(self, table: np.ndarray) -> np.ndarray:
        """Sum a table whose first axis is the professions over the selected profession (None: all)."""
        rows = table if self.profession is None else table[self.profession:self.profession + 1]
        return rows.sum(axis=0)

    def rows(self, unit_index: np.ndarray, profession_index: np.ndarray) -> np.ndarray:
        """A mask of the responses that belong to the selected group."""
        mask = np.ones(unit_index.shape, dtype=bool)
        if self.unit is not None:
            mask &= unit_index == self.unit
        if self.profession is not None:
            mask &= profession_index == self.profession
        return mask


class _Axes:
    """The unit and profession axes of the tables, in display order."""

    def __init__(self, units: dict[int, str], professions: dict[int, str]):
        self.unit_ids = np.array(list(units), dtype=np.int64)
        self.unit_names = list(units.values())
        self.profession_ids = np.array(list(professions), dtype=np.int64)
        self.profession_keys = list(professions.values())

    def unit_index(self, unit_id: int) -> int:
        """The axis position of a unit id."""
        return int(axis_positions(np.array([unit_id]), self.unit_ids, "unit")[0])

    def profession_index(self, profession_id: int) -> int:
        """The axis position of a profession id."""
        return int(axis_positions(np.array([profession_id]), self.profession_ids, "profession")[0])


def axis_positions(ids: np.ndarray, axis_ids: np.ndarray, what: str) -> np.ndarray:
    """The position of every id (of a unit, a profession) on an axis of distinct ids; ValueError
    naming ids the axis lacks."""
    if axis_ids.size == 0:
        if ids.size:
            raise ValueError(f"responses name a {what} but no {what}s are given")
        return np.zeros(0, dtype=np.intp)
    positions = _lookup(ids, axis_ids)
    unknown = positions < 0
    if unknown.any():
        raise ValueError(f"unknown {what} id(s): {sorted(set(ids[unknown].tolist()))}")
    return positions


#: Ids spread over at most this many values are looked up in a table, others by a binary search.
_LOOKUP_TABLE_LIMIT = 1 << 20


def _lookup(ids: np.ndarray, axis_ids: np.ndarray) -> np.ndarray:
    """The position of every id on an axis of distinct ids, -1 for ids the axis lacks."""
    if axis_ids.size == 0:
        return np.full(ids.shape, -1, dtype=np.intp)
    low, high = int(axis_ids.min()), int(axis_ids.max())
    if high - low < _LOOKUP_TABLE_LIMIT:
        # One gather per id instead of a binary search: a million responses name a few thousand units.
        # The table runs from low - 1 to high + 1; ids outside low..high land on either end, -1.
        table = np.full(high - low + 3, -1, dtype=np.intp)
        table[axis_ids - (low - 1)] = np.arange(axis_ids.size)
        offsets = ids - (low - 1)
        np.clip(offsets, 0, high - low + 2, out=offsets)
        return table[offsets]
    order = np.argsort(axis_ids)
    found = order[np.searchsorted(axis_ids[order], ids).clip(max=axis_ids.size - 1)]
    return np.where(axis_ids[found] == ids, found, -1)


@dataclass
class _Tables:
    """One instrument's responses tallied by round × unit × profession."""

    #: (rounds, units, professions): respondents.
    respondents: np.ndarray
    #: (rounds, units, professions, items): numeric answers (not "cannot assess") per item.
    answered: np.ndarray
    #: (rounds, professions, items, points + 1): answers per scale value in the selected unit (all
    #: units when none is selected), the last column counting "cannot assess".
    answers: np.ndarray
    #: dimension key → (rounds, units, professions): respondents with a score in the dimension.
    scored: dict[str, np.ndarray]
    #: dimension key → (rounds, bins): the selected group's respondents per score bin.
    score_counts: dict[str, np.ndarray]
    #: dimension key → (bins,): the score of each bin (NaN: no score).
    score_values: dict[str, np.ndarray]
    #: (rounds, units, items, 3): per unit, the selected profession's (all when none) numeric answers:
    #: their number, sum and sum of squares (on the scale), for the ICCs across units.
    unit_items: np.ndarray
    #: dimension key → (rounds, units, 3): the same for respondents' dimension scores.
    unit_scores: dict[str, np.ndarray]
    #: The answer codes (items × responses) and each response's round, unit and profession index:
    #: for figures of unions of units, asked for rarely (a comparison whose units differ).
    codes: np.ndarray
    round_index: np.ndarray
    unit_index: np.ndarray
    profession_index: np.ndarray


def dimension_items(instrument: Instrument) -> dict[str, list[int]]:
    """The item positions of each dimension, then of the whole instrument ("all").

    The whole instrument is its core: the items of the dimensions of the analysis model, without the
    context groups (STIS's two items on the support itself and the users' influence), which say
    something else; an instrument of context groups only has every item in it.
    """
    keys = instrument.item_keys
    groups = {dimension.key: [keys.index(item.key) for item in instrument.items_of(dimension.key)]
              for dimension in instrument.dimensions}
    core = sorted(position for dimension in instrument.dimensions if not dimension.context
                  for position in groups[dimension.key])
    groups[WHOLE_INSTRUMENT] = core or list(range(len(keys)))
    return groups


def _tally(data: ResponseData, instrument: Instrument, rounds: list[RoundInfo],
           axes: _Axes, selection: _Selection) -> _Tables:
    """Count the responses of `rounds` into tables; responses of other rounds are left out.

    The anonymity rule needs every group's head counts, so those are tallied for every unit; the
    answers per scale value only for the selected unit, the only one whose figures are shown.
    """
    scale = instrument.scale
    points = scale.points
    item_count = len(instrument.items)
    if data.item_count != item_count:
        raise ValueError(f"answers have {data.item_count} items, instrument "
                         f"{instrument.id} {instrument.version} has {item_count}")
    round_numbers = np.array([info.number for info in rounds], dtype=np.int64)
    round_index = _lookup(data.round_number, round_numbers)
    in_rounds = round_index >= 0
    # Codes 0 .. points-1 are scale positions, `points` is "cannot assess"; one item per row, so
    # that every pass over an item reads one contiguous column of answers.
    codes = data.positions(scale.min, scale.max).T
    unit_id, profession_id = data.unit_id, data.profession_id
    if not in_rounds.all():
        # Copy only when some responses belong to other rounds: the answers can be large.
        codes, round_index = codes[:, in_rounds], round_index[in_rounds]
        unit_id, profession_id = unit_id[in_rounds], profession_id[in_rounds]
    codes = np.ascontiguousarray(codes)
    unit_index = axis_positions(unit_id, axes.unit_ids, "unit")
    profession_index = axis_positions(profession_id, axes.profession_ids, "profession")
    shape = (len(rounds), axes.unit_ids.size, axes.profession_ids.size)
    cell = (round_index * shape[1] + unit_index) * shape[2] + profession_index
    cell_count = shape[0] * shape[1] * shape[2]
    respondents = np.bincount(cell, minlength=cell_count).reshape(shape)

    # "Cannot assess" is the rare answer: count it, and the numeric answers are the rest.
    cannot_assess = codes == points
    unanswered_item, unanswered_row = np.divmod(np.flatnonzero(cannot_assess), codes.shape[1])
    unanswered = np.bincount(cell[unanswered_row] * item_count + unanswered_item,
                             minlength=cell_count * item_count).reshape(shape + (item_count,))

    # The selected unit's answers per scale value, by round and profession.
    in_unit = slice(None) if selection.unit is None else np.flatnonzero(unit_index == selection.unit)
    answer_group = (round_index[in_unit] * shape[2] + profession_index[in_unit]) * (points + 1)
    answer_index = np.empty_like(answer_group)
    answer_tallies = []
    for item in range(item_count):
        np.add(answer_group, codes[item, in_unit], out=answer_index)
        answer_tallies.append(np.bincount(answer_index, minlength=shape[0] * shape[2] * (points + 1)))
    answer_table = np.stack(answer_tallies, axis=-1).reshape(shape[0], shape[2], points + 1, item_count)

    if selection.unit is None and selection.profession is None:
        selected = slice(None)
    else:
        selected = np.flatnonzero(selection.rows(unit_index, profession_index))
    selected_rounds, selected_codes = round_index[selected].astype(np.int32), codes[:, selected]
    # Per unit, for the ICCs across units: the rows of the selected profession (all of them when none).
    across = slice(None) if selection.profession is None else np.flatnonzero(profession_index == selection.profession)
    unit_cell = (round_index[across] * shape[1] + unit_index[across]).astype(np.int64)
    unit_items = np.zeros((shape[0] * shape[1], item_count, 3))
    for item in range(item_count):
        positions = codes[item, across].astype(np.float64)
        rated = positions < points
        values = np.where(rated, positions + scale.min, 0.0)
        for moment, weights in enumerate((rated.astype(np.float64), values, values * values)):
            unit_items[:, item, moment] = np.bincount(unit_cell, weights=weights, minlength=shape[0] * shape[1])
    unit_items = unit_items.reshape(shape[0], shape[1], item_count, 3)
    selected_units = unit_index[selected]
    unit_scores: dict[str, np.ndarray] = {}
    scored: dict[str, np.ndarray] = {}
    score_counts: dict[str, np.ndarray] = {}
    score_values: dict[str, np.ndarray] = {}
    items_of = dimension_items(instrument)
    core_keys = {dimension.key for dimension in instrument.dimensions if not dimension.context}
    # The core dimensions usually cover the core items once: then the whole instrument's sums are theirs added.
    partition = sorted(column for key in core_keys for column in items_of[key])
    unanswered_in_dimensions = np.zeros(codes.shape[1], dtype=np.int32)
    code_sums_of_dimensions = np.zeros(selected_codes.shape[1], dtype=np.int32)
    for key, columns in items_of.items():
        if key == WHOLE_INSTRUMENT and partition == columns:
            unanswered_in_dimension, code_sums = unanswered_in_dimensions, code_sums_of_dimensions
        else:
            unanswered_in_dimension = _add_rows(cannot_assess, columns)
            code_sums = _add_rows(selected_codes, columns)
            if key in core_keys:
                unanswered_in_dimensions += unanswered_in_dimension
                code_sums_of_dimensions += code_sums
        # A respondent's score is (sum of positions) / (items answered), given only to who answered
        # enough of the dimension's items (`minimum_answered`); the pair is tallied exactly as one bin,
        # so the mean, SD and Cliff's delta of scores come from counts too.
        minimum = minimum_answered(len(columns))
        no_score = len(columns) - unanswered_in_dimension < minimum
        scored[key] = respondents - np.bincount(cell[no_score], minlength=cell_count).reshape(shape)
        sum_range = len(columns) * (points - 1) + 1
        bins = (len(columns) + 1) * sum_range
        # The bin is answered × sum_range + sum of positions answered. Each "cannot assess" takes one
        # from the answered and, being coded `points`, adds `points` to the plain sum of codes.
        bin_index = code_sums - (sum_range + points) * unanswered_in_dimension[selected]
        bin_index += selected_rounds * bins + len(columns) * sum_range
        counts = np.bincount(bin_index, minlength=len(rounds) * bins).reshape(len(rounds), bins)
        # Respondents without a score landed in the bins of too few items answered: they count in none.
        counts[:, :minimum * sum_range] = 0
        score_counts[key] = counts
        if selection.unit is None:
            unit_scores[key] = _unit_score_moments(
                len(columns) - unanswered_in_dimension[selected],
                code_sums - points * unanswered_in_dimension[selected], minimum, scale.min,
                selected_rounds.astype(np.int64) * shape[1] + selected_units, shape[0] * shape[1],
            ).reshape(shape[0], shape[1], 3)
        bin_answered, bin_sum = np.divmod(np.arange(bins), sum_range)
        with np.errstate(divide="ignore", invalid="ignore"):
            score_values[key] = np.where(bin_answered > 0, scale.min + bin_sum / bin_answered, np.nan)

    return _Tables(
        respondents=respondents,
        answered=respondents[..., None] - unanswered,
        answers=answer_table.transpose(0, 1, 3, 2),
        scored=scored,
        score_counts=score_counts,
        score_values=score_values,
        unit_items=unit_items,
        unit_scores=unit_scores,
        codes=codes,
        round_index=round_index,
        unit_index=unit_index,
        profession_index=profession_index,
    )


def _unit_score_moments(answered: np.ndarray, position_sums: np.ndarray, minimum: int, scale_min: int,
                        group: np.ndarray, groups: int) -> np.ndarray:
    """(respondents with a score, sum of scores, sum of squared scores) per group, exactly.

    A score is scale_min + s / a (s the sum of positions over the a items answered). The sums are
    added in whole numbers for each a and divided once, so they do not depend on the order of the
    responses: the same figures after an export and an import.
    """
    moments = np.zeros((groups, 3))
    for count in range(minimum, int(answered.max(initial=0)) + 1):
        rows = answered == count
        if not rows.any():
            continue
        at, sums = group[rows], position_sums[rows].astype(np.int64)
        n = np.bincount(at, minlength=groups)
        total = np.bincount(at, weights=sums, minlength=groups)  # whole numbers, exact in float64
        squares = np.bincount(at, weights=sums * sums, minlength=groups)
        moments[:, 0] += n
        moments[:, 1] += scale_min * n + total / count
        moments[:, 2] += scale_min**2 * n + 2 * scale_min * total / count + squares / count**2
    return moments


def minimum_answered(items: int) -> int:
    """How many of a dimension's items a respondent must have rated to have a score in it: all of a
    dimension of one or two items, at least half of a larger one. Without it, a score would move with
    which items people happened to skip."""
    return items if items <= 2 else math.ceil(items / 2)


def _add_rows(table: np.ndarray, rows: list[int]) -> np.ndarray:
    """The sum (int32) of some rows of a table of small integers or booleans, one row per item.

    Added row by row in 32 bits: numpy's sum over the first axis of a few rows of bytes, or
    adding them in 64 bits, takes several times longer.
    """
    total = np.zeros(table.shape[1], dtype=np.int32)
    for row in rows:
        total += table[row]
    return total


# --- one round ------------------------------------------------------------------------------


@dataclass
class _RoundAnalysis:
    """One round of the selection: its summary entry and what comparisons need."""

    info: RoundInfo
    instrument: Instrument
    entry: RoundEntry
    professions_entry: ProfessionsEntry
    #: Per item in instrument order; None where suppressed.
    item_distributions: list[Distribution | None]
    #: Per dimension key (and "all"); None where suppressed.
    dimension_distributions: dict[str, Distribution | None]
    #: Who answered, by the axis the selection runs across (see `_composition`); None where hidden.
    composition: dict | None
    #: What the figures of several units together need: the tables, the round's place in them, its
    #: release and the selection.
    tables: _Tables
    index: int
    release: RoundRelease
    selection: _Selection
    axes: _Axes


def _analyse_part(data: ResponseData, instrument: Instrument, rounds: list[RoundInfo], axes: _Axes,
                  selection: _Selection, min_group_size: int,
                  releases: Mapping[int, RoundRelease]) -> list[_RoundAnalysis]:
    """Analyse the rounds of one instrument, each by its release (decided here when none is given)."""
    tables = _tally(data, instrument, rounds, axes, selection)
    analyses = []
    for index, info in enumerate(rounds):
        release = releases.get(info.number) or _decide(tables, index, instrument, min_group_size)
        analyses.append(_analyse_round(index, info, instrument, tables, axes, selection, release))
    return analyses


def _decide(tables: _Tables, index: int, instrument: Instrument, min_group_size: int) -> RoundRelease:
    """The release of round `index` of the tables (`release.decide_round`)."""
    items_of = dimension_items(instrument)
    return decide_round(tables.respondents[index], tables.answered[index],
                        {key: tables.scored[key][index] for key in items_of}, items_of, min_group_size)


def decide_releases(data: ResponseData, instrument: Instrument, rounds: list[RoundInfo], *,
                    units: Sequence[int], professions: Sequence[int], min_group_size: int) -> dict[int, RoundRelease]:
    """The release of each round of `data` (all its responses), on the axes of these unit and profession ids."""
    axes = _Axes(dict.fromkeys(units, ""), dict.fromkeys(professions, ""))
    tables = _tally(data, instrument, rounds, axes, _Selection(unit=None, profession=None))
    return {info.number: _decide(tables, index, instrument, min_group_size) for index, info in enumerate(rounds)}


def _analyse_round(index: int, info: RoundInfo, instrument: Instrument, tables: _Tables, axes: _Axes,
                   selection: _Selection, release: RoundRelease) -> _RoundAnalysis:
    """The summary entry of one round for the selected group: only what the round's release shows."""
    points = instrument.scale.points
    scale_values = np.array(instrument.scale.values, dtype=np.float64)
    respondents = tables.respondents[index]
    answers = tables.answers[index]
    item_rules = release.items
    dimension_rules = release.dimensions
    group_suppressed = release.respondents.group(selection.unit, selection.profession)
    selected_answers = selection.profession_total(answers)

    items: list[ItemEntry] = []
    item_distributions: list[Distribution | None] = []
    item_figures: dict[str, tuple[float | None, int]] = {}
    for position, item in enumerate(instrument.items):
        suppressed = item_rules[position].group(selection.unit, selection.profession)
        tally = selected_answers[position]
        distribution = None if suppressed else Distribution.of(scale_values, tally[:points])
        items.append(_item_entry(item.key, item.dimension, tally, distribution, instrument))
        item_distributions.append(distribution)
        item_figures[item.key] = (None, 0) if distribution is None else (distribution.variance(), distribution.n)

    dimensions: list[DimensionEntry] = []
    dimension_distributions: dict[str, Distribution | None] = {}
    for key, columns in dimension_items(instrument).items():
        suppressed = dimension_rules[key].group(selection.unit, selection.profession)
        distribution = None if suppressed else Distribution.of(
            tables.score_values[key], tables.score_counts[key][index])
        item_keys = [instrument.items[column].key for column in columns]
        dimensions.append(_dimension_entry(key, item_keys, distribution, item_figures, points))
        dimension_distributions[key] = distribution

    n_respondents = int(selection.total(respondents))
    whole_round = selection.unit is None and selection.profession is None
    entry = {
        "number": info.number,
        "label": info.label,
        "instrument": {"id": info.instrument_id, "version": info.instrument_version},
        # The whole round's head count tells nothing about opinions; a sub-group's may.
        "n_respondents": n_respondents if whole_round or not group_suppressed else None,
        "suppressed": group_suppressed,
        "items": items,
        "dimensions": dimensions,
    }
    if selection.unit is None:
        entry["icc"] = _iccs(tables, index, release, selection, instrument)
    professions_entry = _professions_entry(info.number, instrument, answers, item_rules, axes, selection)
    return _RoundAnalysis(info, instrument, entry, professions_entry, item_distributions,
                          dimension_distributions, _composition(respondents, release, axes, selection),
                          tables, index, release, selection, axes)


def _composition(respondents: np.ndarray, release: RoundRelease, axes: _Axes, selection: _Selection) -> dict | None:
    """Who answered the round in the selected group, across the units (and professions) it spans.

    Counts are as the release shows them (None: hidden). Whether a group answered at all is public
    (an empty group shows 0, and only groups with someone in them are ever hidden), except in a
    round of fewer than min people, which shows nothing of its groups: then None.
    """
    head = release.respondents
    if head.total:
        return None
    if selection.unit is not None and selection.profession is not None:
        return None
    if selection.unit is not None:
        cells = respondents[selection.unit]
        return {"units": {}, "professions": {key: None if head.cells[selection.unit, p] else int(cells[p])
                                              for p, key in enumerate(axes.profession_keys)},
                "present_units": set(), "present_professions": set(np.flatnonzero(cells > 0).tolist())}
    if selection.profession is not None:
        cells = respondents[:, selection.profession]
        return {"units": {name: None if head.cells[u, selection.profession] else int(cells[u])
                          for u, name in enumerate(axes.unit_names)},
                "professions": {}, "present_units": set(np.flatnonzero(cells > 0).tolist()),
                "present_professions": set()}
    units, professions = respondents.sum(axis=1), respondents.sum(axis=0)
    return {"units": {name: None if head.units[u] else int(units[u]) for u, name in enumerate(axes.unit_names)},
            "professions": {key: None if head.professions[p] else int(professions[p])
                            for p, key in enumerate(axes.profession_keys)},
            "present_units": set(np.flatnonzero(units > 0).tolist()),
            "present_professions": set(np.flatnonzero(professions > 0).tolist())}


def _icc(moments: np.ndarray) -> dict | None:
    """ICC(1) and ICC(2) of a one-way analysis across groups given (n, sum, sum of squares) per group
    (Bliese 2000, as R's multilevel's ICC1 and ICC2 on `aov`: the groups' mean size for k); None with
    fewer than two groups or no variance between them."""
    moments = moments[moments[:, 0] >= 1]
    if len(moments) < 2:
        return None
    n, total, squares = moments[:, 0], moments[:, 1], moments[:, 2]
    within = (squares - total**2 / n).sum()
    between = (total**2 / n).sum() - total.sum() ** 2 / n.sum()
    df_between, df_within = len(n) - 1, n.sum() - len(n)
    if df_within <= 0:
        return None
    msb, msw = between / df_between, within / df_within
    if msb <= 0:
        return None
    k = n.sum() / len(n)
    return {"icc1": float((msb - msw) / (msb + (k - 1) * msw)), "icc2": float((msb - msw) / msb),
            "units": int(len(n))}


def _iccs(tables: _Tables, index: int, release: RoundRelease, selection: _Selection,
          instrument: Instrument) -> list[dict]:
    """ICC(1) and ICC(2) across the units the release shows, per item and dimension: how much of the
    spread lies between units, and how reliably a unit's mean tells units apart (Bliese 2000)."""
    out = []
    for position, item in enumerate(instrument.items):
        rule = release.items[position]
        shown = ~(rule.units if selection.profession is None else rule.cells[:, selection.profession])
        moments = tables.unit_items[index, shown, position]
        out.append({"key": item.key, **(_icc(moments) or
                                        {"icc1": None, "icc2": None, "units": int((moments[:, 0] > 0).sum())})})
    for key, moments in tables.unit_scores.items():
        rule = release.dimensions[key]
        shown = ~(rule.units if selection.profession is None else rule.cells[:, selection.profession])
        out.append({"key": key, **(_icc(moments[index, shown]) or
                                   {"icc1": None, "icc2": None, "units": int((moments[index, shown][:, 0] > 0).sum())})})
    return out


#: The figures of an item, all null where it is hidden.
ITEM_FIGURES = ("n", "cannot_assess", "counts", "mean", "sd", "median", "q1", "q3", "min", "max", "ad_m", "rwg",
                "rwg_star", "rwg_skewed", "awg", "p_agreement", "p_agreement_skewed", "p_spread", "p_ad_m",
                "agreement", "no_band")


def _item_entry(key: str, dimension: str, tally: np.ndarray, distribution: Distribution | None,
                instrument: Instrument) -> ItemEntry:
    """The figures of one item; all null when suppressed (`distribution` None)."""
    scale = instrument.scale
    points = scale.points
    entry = {"key": key, "dimension": dimension, "suppressed": distribution is None}
    if distribution is None:
        entry.update(dict.fromkeys(ITEM_FIGURES))
        return entry
    figures = describe(distribution)
    entry["n"] = figures.pop("n")
    entry["cannot_assess"] = int(tally[points])
    entry["counts"] = {str(value): int(count) for value, count in zip(scale.values, tally[:points])}
    entry.update(figures)
    judged = agreement.assess(distribution, scale.min, scale.max)
    entry.update({
        "ad_m": judged.ad_m, "rwg": judged.rwg, "rwg_star": judged.rwg_star, "rwg_skewed": judged.rwg_skewed,
        "awg": judged.awg, "p_agreement": judged.p_agreement, "p_agreement_skewed": judged.p_agreement_skewed,
        "p_spread": judged.p_spread, "p_ad_m": judged.p_ad_m, "agreement": judged.band, "no_band": judged.no_band,
    })
    return entry


#: The figures of a dimension, all null where it is hidden.
DIMENSION_FIGURES = ("n", "mean", "sd", "rwg_j_star", "p_agreement", "agreement", "no_band")


def _dimension_entry(key: str, item_keys: list[str], distribution: Distribution | None,
                     item_figures: dict[str, tuple[float | None, int]], points: int) -> DimensionEntry:
    """The figures of a dimension (or "all"): the mean of respondents' scores and r*wg(J).

    `item_figures` holds each item's variance and n in this group; a dimension is only shown where all
    its items are.
    """
    entry = {"key": key, "items": item_keys, "suppressed": distribution is None}
    if distribution is None:
        entry.update(dict.fromkeys(DIMENSION_FIGURES))
        return entry
    variances = [item_figures[item][0] for item in item_keys if item_figures[item][0] is not None]
    rated = [item_figures[item][1] for item in item_keys if item_figures[item][0] is not None]
    judged = agreement.assess_dimension(variances, min(rated) if rated else 0, points)
    entry.update({
        "n": distribution.n,
        "mean": distribution.mean(),
        "sd": distribution.sd(),
        "rwg_j_star": judged.rwg_j,
        "p_agreement": judged.p_agreement,
        "agreement": judged.band,
        "no_band": judged.no_band,
    })
    return entry


#: The smallest gap between professions' means worth a prompt, in points of a 1–10 scale (a ninth of
#: the scale's range on any scale): smaller gaps say little even where a test holds.
MIN_GAP_POINTS = 1.0


def _professions_entry(number: int, instrument: Instrument, answers: np.ndarray, item_rules: list[Suppression],
                       axes: _Axes, selection: _Selection) -> ProfessionsEntry:
    """The professions' item means side by side within the selected unit (or all units), with the
    Kruskal–Wallis test across the professions shown, Holm-corrected across the items.

    `answers` is the round's (professions, items, points + 1) table of the selected unit.
    """
    points = instrument.scale.points
    scale_values = np.array(instrument.scale.values, dtype=np.float64)
    smallest_gap = MIN_GAP_POINTS * (points - 1) / 9
    items = []
    for position, item in enumerate(instrument.items):
        means: dict[str, float | None] = {}
        counts: dict[str, int | None] = {}
        distributions = []
        for profession_index, profession_key in enumerate(axes.profession_keys):
            if item_rules[position].group(selection.unit, profession_index):
                means[profession_key] = counts[profession_key] = None
                continue
            distribution = Distribution.of(scale_values, answers[profession_index, position, :points])
            means[profession_key] = distribution.mean()
            counts[profession_key] = distribution.n
            distributions.append(distribution)
        shown = {key: mean for key, mean in means.items() if mean is not None}
        largest_gap = between = None
        if len(shown) >= 2:
            highest = max(shown, key=shown.get)
            lowest = min(shown, key=shown.get)
            largest_gap = shown[highest] - shown[lowest]
            between = [highest, lowest]
        items.append({"key": item.key, "means": means, "n": counts, "largest_gap": largest_gap, "between": between,
                      "p_value": kruskal_wallis(distributions) if len(shown) >= 2 else None})
    for item, adjusted in zip(items, holm([item["p_value"] for item in items])):
        item["p_adjusted"] = adjusted
        item["clear"] = bool(adjusted is not None and adjusted < ALPHA and item["largest_gap"] >= smallest_gap)
    return {"round": number, "items": items, "min_gap": smallest_gap}


# --- across rounds --------------------------------------------------------------------------


def _round_pairs(analyses: list[_RoundAnalysis]) -> list[tuple[_RoundAnalysis, _RoundAnalysis]]:
    """Each consecutive pair of rounds, and first → last when there are more than two."""
    pairs = list(zip(analyses, analyses[1:]))
    if len(analyses) > 2:
        pairs.append((analyses[0], analyses[-1]))
    return pairs


def _compare(earlier: _RoundAnalysis, later: _RoundAnalysis) -> Comparison:
    """The change of every item and dimension from one round to another, tested and corrected.

    Each item's and dimension's change is tested (Brunner–Munzel, `change.brunner_munzel`) and the
    p-values are corrected together (Benjamini–Hochberg): `changed` says whether the change holds.
    Who answered is set side by side; where the units (or professions) that answered differ, the
    change of the units that answered both rounds is given too, as far as the releases show them.
    """
    comparison = {"from_round": earlier.info.number, "to_round": later.info.number,
                  "comparable": True, "reason": None}
    if earlier.info.instrument_ident != later.info.instrument_ident:
        comparison["comparable"] = False
        comparison["reason"] = (
            f"different instruments: round {earlier.info.number} used {earlier.info.instrument_id} "
            f"version {earlier.info.instrument_version}, round {later.info.number} used "
            f"{later.info.instrument_id} version {later.info.instrument_version}"
        )
        comparison["items"] = [_change_entry(item.key, None, None, comparable=False)
                               for item in later.instrument.items]
        comparison["dimensions"] = [_change_entry(key, None, None, comparable=False)
                                    for key in later.dimension_distributions]
        comparison["composition"] = None
        return comparison
    before_items = {item["key"]: item for item in earlier.entry["items"]}
    items = [
        _change_entry(item.key, earlier.item_distributions[position], later.item_distributions[position],
                      cannot_assess=(_cannot_assess_share(before_items[item.key]),
                                     _cannot_assess_share(later.entry["items"][position])))
        for position, item in enumerate(later.instrument.items)
    ]
    dimensions = [_change_entry(key, earlier.dimension_distributions[key], later.dimension_distributions[key])
                  for key in later.dimension_distributions]
    _corrected(items + dimensions)
    comparison["items"], comparison["dimensions"] = items, dimensions
    comparison["composition"] = _composition_change(earlier, later)
    return comparison


def _cannot_assess_share(item: ItemEntry) -> float | None:
    """The share of a group's respondents who could not assess an item (None where hidden)."""
    if item["suppressed"] or item["n"] is None:
        return None
    answered = item["n"] + item["cannot_assess"]
    return item["cannot_assess"] / answered if answered else None


def _corrected(entries: list[ChangeEntry]) -> list[ChangeEntry]:
    """The entries with their p-values corrected together (Benjamini–Hochberg: one family, the
    items and dimensions of a comparison), and whether each change holds."""
    for entry, adjusted in zip(entries, benjamini_hochberg([entry["p_value"] for entry in entries])):
        entry["p_adjusted"] = adjusted
        entry["changed"] = bool(adjusted is not None and adjusted < ALPHA)
    return entries


def _composition_change(earlier: _RoundAnalysis, later: _RoundAnalysis) -> dict | None:
    """Who answered the two rounds, whether that differs, and the change where it is the same people's groups."""
    before, after = earlier.composition, later.composition
    if before is None or after is None:
        return None
    differs = (before["present_units"] != after["present_units"]
               or before["present_professions"] != after["present_professions"])
    block = {"from": {"units": before["units"], "professions": before["professions"]},
             "to": {"units": after["units"], "professions": after["professions"]},
             "differs": differs, "common_units": None, "within_common": None}
    common = sorted(before["present_units"] & after["present_units"])
    if differs and earlier.selection.unit is None and before["present_units"] != after["present_units"] and common:
        names = [later.axes.unit_names[u] for u in common]
        entries = []
        for position, item in enumerate(later.instrument.items):
            parts = [_units_distribution(analysis, position, common) for analysis in (earlier, later)]
            entries.append(_change_entry(item.key, parts[0], parts[1]))
        block["common_units"] = names
        block["within_common"] = _corrected(entries)
    return block


def _units_distribution(analysis: _RoundAnalysis, position: int, units: list[int]) -> Distribution | None:
    """An item's ratings in some units together (of the selected profession, if any), or None where
    the release hides one of them: then their sum is not one the shown figures already give."""
    rule, selection = analysis.release.items[position], analysis.selection
    hidden = rule.units[units] if selection.profession is None else rule.cells[units, selection.profession]
    if hidden.any():
        return None
    tables, points = analysis.tables, analysis.instrument.scale.points
    rows = (tables.round_index == analysis.index) & np.isin(tables.unit_index, units)
    if selection.profession is not None:
        rows &= tables.profession_index == selection.profession
    tally = np.bincount(tables.codes[position, rows], minlength=points + 1)
    return Distribution.of(np.array(analysis.instrument.scale.values, dtype=np.float64), tally[:points])


#: The figures of a change, all null where a side is hidden or the rounds are not comparable.
CHANGE_FIGURES = ("from_mean", "to_mean", "change", "ci_low", "ci_high", "cliffs_delta", "delta_low", "delta_high",
                  "p_value", "small_sample", "from_cannot_assess", "to_cannot_assess")


def _change_entry(key: str, earlier: Distribution | None, later: Distribution | None,
                  comparable: bool = True,
                  cannot_assess: tuple[float | None, float | None] = (None, None)) -> ChangeEntry:
    """The change of the mean (Welch's 95 % interval) and of who rated higher (Cliff's delta with its
    interval, and the Brunner–Munzel test); figures null when a side is hidden or not comparable."""
    suppressed = comparable and (earlier is None or later is None)
    entry = {"key": key}
    if earlier is None or later is None:
        entry.update(dict.fromkeys(CHANGE_FIGURES))
        entry["suppressed"] = suppressed
        return entry
    from_mean, to_mean = earlier.mean(), later.mean()
    ci_low, ci_high = welch_interval(later, earlier)
    test = brunner_munzel(later, earlier)
    entry.update({
        "from_mean": from_mean,
        "to_mean": to_mean,
        "change": None if from_mean is None or to_mean is None else to_mean - from_mean,
        "ci_low": ci_low,
        "ci_high": ci_high,
        "cliffs_delta": cliffs_delta(later, earlier),
        "delta_low": None if test is None else test.delta_low,
        "delta_high": None if test is None else test.delta_high,
        "p_value": None if test is None else float(test.p_value),
        "small_sample": min(earlier.n, later.n) < SMALL_SAMPLE,
        "from_cannot_assess": cannot_assess[0],
        "to_cannot_assess": cannot_assess[1],
        "suppressed": False,
    })
    return entry


def _trend(analyses: list[_RoundAnalysis]) -> Trend:
    """Mean and 95% interval per round of every item and dimension, over the rounds that used the last round's instrument."""
    if not analyses:
        return {"items": [], "dimensions": []}
    last = analyses[-1]
    same = [a for a in analyses if a.info.instrument_ident == last.info.instrument_ident]
    items = [{"key": item.key,
              "points": [_trend_point(a.info.number, a.item_distributions[position]) for a in same]}
             for position, item in enumerate(last.instrument.items)]
    dimensions = [{"key": key,
                   "points": [_trend_point(a.info.number, a.dimension_distributions[key]) for a in same]}
                  for key in last.dimension_distributions]
    return {"items": items, "dimensions": dimensions}


def _trend_point(number: int, distribution: Distribution | None) -> TrendPoint:
    """One round of a trend line."""
    if distribution is None:
        return {"round": number, "mean": None, "ci_low": None, "ci_high": None, "n": None, "suppressed": True}
    ci_low, ci_high = mean_interval(distribution)
    return {"round": number, "mean": distribution.mean(), "ci_low": ci_low, "ci_high": ci_high,
            "n": distribution.n, "suppressed": False}
