"""The suppression pattern of a table, and the line-by-line rule the release starts large tables with.

`Suppression` says which entries of one round's unit × profession table are hidden: cells, unit
totals, profession totals, the round's total. The release (`release.py`) decides it on the whole
table with an exact audit; for tables too large for its exact solver it starts from the line-by-line
rule here, which alone does not protect every table (rows and columns together can still give a
cell away), and then repairs what the audit finds.

The line-by-line rule:

1. Primary: every cell, unit total, profession total and the round total with 0 < n < min.
2. Complementary: a *line* is a set of groups whose sum is itself shown: a unit's professions
   (summed by the unit total), a profession's units (the profession total), the unit totals and
   the profession totals (both summed by the round total). In every line whose sum is shown, if
   exactly one nonzero member is suppressed, or the suppressed nonzero members together count
   fewer than min, the smallest nonzero member still shown is suppressed too. If no member is
   left to suppress and the one suppressed member is the line's only nonzero member, the line's
   sum is suppressed instead (it equals that member).
3. Step 2 repeats until nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Suppression:
    """Which groups of one round's unit × profession table are suppressed."""

    #: (units, professions) bool: the unit × profession cells.
    cells: np.ndarray
    #: (units,) bool: the unit totals.
    units: np.ndarray
    #: (professions,) bool: the profession totals.
    professions: np.ndarray
    #: The whole round.
    total: bool

    def group(self, unit: int | None = None, profession: int | None = None) -> bool:
        """Whether the group selected by a unit index and/or a profession index (None: all) is suppressed."""
        if unit is None and profession is None:
            return self.total
        if profession is None:
            return bool(self.units[unit])
        if unit is None:
            return bool(self.professions[profession])
        return bool(self.cells[unit, profession])


def suppress(counts: np.ndarray, min_group_size: int, start: Suppression | None = None) -> Suppression:
    """Apply the anonymity rule to a unit × profession table of counts.

    `start` is an earlier decision to build on (the respondents' suppression when `counts` are an
    item's numeric answers): everything suppressed there stays suppressed.
    """
    return suppress_tables(np.asarray(counts)[None], min_group_size, None if start is None else [start])[0]


def suppress_tables(counts: np.ndarray, min_group_size: int,
                    start: list[Suppression] | None = None) -> list[Suppression]:
    """`suppress` on a stack of unit × profession tables (tables × units × professions), each on its own.

    The same decisions as one `suppress` per table, made together: a programme of thousands of
    units has hundreds of tables per summary (a round's respondents, each item, each dimension).
    `start` holds one earlier decision per table, or is None.
    """
    if min_group_size < 1:
        raise ValueError(f"min_group_size must be at least 1, got {min_group_size}")
    counts = np.asarray(counts, dtype=np.int64)
    if counts.ndim != 3:
        raise ValueError(f"counts must be tables × units × professions, got shape {counts.shape}")
    unit_totals = _line_sums(counts)
    profession_totals = _line_sums(counts.transpose(0, 2, 1))
    round_totals = _line_sums(unit_totals)

    def too_small(n: np.ndarray) -> np.ndarray:
        return (n > 0) & (n < min_group_size)

    cells = too_small(counts)
    units = too_small(unit_totals)
    professions = too_small(profession_totals)
    total = too_small(round_totals)
    if start is not None:
        if len(start) != counts.shape[0]:
            raise ValueError(f"start must hold one decision per table: {len(start)} for {counts.shape[0]} tables")
        cells |= np.array([decision.cells for decision in start], dtype=bool).reshape(cells.shape)
        units |= np.array([decision.units for decision in start], dtype=bool).reshape(units.shape)
        professions |= np.array([decision.professions for decision in start], dtype=bool).reshape(professions.shape)
        total |= np.array([decision.total for decision in start], dtype=bool)

    # Lines of one kind (the units' rows, the professions' columns) share no member, so all lines
    # of a kind are protected at once; the kinds follow each other as the rule lists them. A table
    # whose pass changed nothing stays as it is in the passes the others still need.
    nonzero = counts > 0
    changed = True
    while changed:
        rows_changed, rows_hidden = _protect_lines(counts, nonzero, cells, ~units, min_group_size)
        units |= rows_hidden
        columns_changed, columns_hidden = _protect_lines(
            counts.transpose(0, 2, 1), nonzero.transpose(0, 2, 1), cells.transpose(0, 2, 1), ~professions,
            min_group_size)
        professions |= columns_hidden
        changed = bool(rows_changed.any() or columns_changed.any())
        for line_counts, line_flags in ((unit_totals, units), (profession_totals, professions)):
            line_changed, line_hidden = _protect_lines(line_counts, line_counts > 0, line_flags, ~total, min_group_size)
            changed |= bool(line_changed.any())
            total |= line_hidden
    return [Suppression(cells=cells[index], units=units[index], professions=professions[index],
                        total=bool(total[index])) for index in range(counts.shape[0])]


def _protect_lines(members: np.ndarray, nonzero: np.ndarray, suppressed: np.ndarray, shown: np.ndarray,
                   min_group_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Suppress members of lines (in place) until the suppressed part of each cannot be told apart.

    The last axis of `members` (and of `nonzero`, members > 0) runs along a line, the others name
    the lines; `suppressed` holds the members' flags (a view: changed in place), and only the lines
    whose sum is `shown` are looked at. Returns, per line, whether anything changed and whether the
    line's sum must be suppressed. The sum must go when a suppressed member is the line's only
    nonzero member: the sum would show it.
    """
    changed = np.zeros(shown.shape, dtype=bool)
    hide_sum = np.zeros(shown.shape, dtype=bool)
    hidden = nonzero & suppressed
    hidden_count = _line_sums(hidden.astype(np.int64))
    hidden_sum = _line_sums(members * hidden)
    pending = np.nonzero(shown & _at_risk(hidden_count, hidden_sum, min_group_size))
    # Each pass suppresses one more member of every line still at risk, so it ends within a line's length.
    while pending[0].size:
        line_members, line_nonzero = members[pending], nonzero[pending]
        line_hidden = line_nonzero & suppressed[pending]
        candidates = line_nonzero & ~line_hidden
        has_candidate = candidates.any(axis=-1)
        # Every nonzero member is hidden, so the line's sum equals their sum. With two or more that
        # is a shown group of at least min (the sum is shown); with one it is that member.
        lone = ~has_candidate & (np.count_nonzero(line_hidden, axis=-1) == 1)
        lone_lines = tuple(index[lone] for index in pending)
        hide_sum[lone_lines] = True
        changed[lone_lines] = True
        pending = tuple(index[has_candidate] for index in pending)
        if not pending[0].size:
            break
        line_members, line_nonzero = line_members[has_candidate], line_nonzero[has_candidate]
        # The smallest shown member costs the least information to hide; ties go to the first.
        smallest = np.where(candidates[has_candidate], line_members, np.iinfo(np.int64).max).argmin(axis=-1)
        suppressed[pending + (smallest,)] = True
        changed[pending] = True
        line_hidden = line_nonzero & suppressed[pending]
        still = _at_risk(np.count_nonzero(line_hidden, axis=-1), (line_members * line_hidden).sum(axis=-1),
                         min_group_size)
        pending = tuple(index[still] for index in pending)
    return changed, hide_sum


def _at_risk(hidden_count: np.ndarray, hidden_sum: np.ndarray, min_group_size: int) -> np.ndarray:
    """Lines whose hidden members could be told apart: exactly one, or several counting fewer than min."""
    return (hidden_count == 1) | ((hidden_count > 1) & (hidden_sum < min_group_size))


def _line_sums(values: np.ndarray) -> np.ndarray:
    """The sum along the last axis.

    numpy's reductions along a short axis, or along a strided one, take several times longer than
    adding slices or einsum on the tables here (a summary suppresses hundreds of them).
    """
    if values.shape[-1] == 0:
        return np.zeros(values.shape[:-1], dtype=values.dtype)
    if values.shape[-1] <= 8:
        total = np.array(values[..., 0])
        for member in range(1, values.shape[-1]):
            total += values[..., member]
        return total
    return np.einsum("...l->...", values)
