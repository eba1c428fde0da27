"""The anonymity rule: which groups of a round may show figures.

Suppression is decided per round on the whole unit × profession table of counts, whatever the
question asked, so that no two shown figures can be subtracted to reveal a small group:

1. Primary: every cell, unit total, profession total and the round total with 0 < n < min.
2. Complementary: a *line* is a set of groups whose sum is itself shown: a unit's professions
   (summed by the unit total), a profession's units (the profession total), the unit totals and
   the profession totals (both summed by the round total). In every line whose sum is shown, if
   exactly one nonzero member is suppressed, or the suppressed nonzero members together count
   fewer than min, the smallest nonzero member still shown is suppressed too. If no member is
   left to suppress and the one suppressed member is the line's only nonzero member, the line's
   sum is suppressed instead (it equals that member).
3. Step 2 repeats until nothing changes.

A line's sum minus its shown members then always reveals a group of at least min respondents
made of two or more suppressed groups, never one suppressed group alone. The same rule runs for
each item on the counts of numeric answers (and for each dimension on the respondents who have a
score), starting from the respondents' suppression, so that an item answered by fewer than min
people is not shown, directly or by subtraction. See docs/anonymity.md.
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
    if min_group_size < 1:
        raise ValueError(f"min_group_size must be at least 1, got {min_group_size}")
    counts = np.asarray(counts, dtype=np.int64)
    unit_totals = counts.sum(axis=1)
    profession_totals = counts.sum(axis=0)
    round_total = int(counts.sum())

    def too_small(n: np.ndarray) -> np.ndarray:
        return (n > 0) & (n < min_group_size)

    cells = too_small(counts)
    units = too_small(unit_totals)
    professions = too_small(profession_totals)
    total = bool(0 < round_total < min_group_size)
    if start is not None:
        cells |= start.cells
        units |= start.units
        professions |= start.professions
        total = total or start.total

    # Each line: its members' counts and their suppression flags (a view, changed in place),
    # looked at only while the line's sum is shown.
    changed = True
    while changed:
        changed = False
        for unit in range(counts.shape[0]):
            if not units[unit]:
                changed_line, units[unit] = _protect_line(counts[unit, :], cells[unit, :], min_group_size)
                changed |= changed_line
        for profession in range(counts.shape[1]):
            if not professions[profession]:
                changed_line, professions[profession] = _protect_line(
                    counts[:, profession], cells[:, profession], min_group_size)
                changed |= changed_line
        for line_counts, line_flags in ((unit_totals, units), (profession_totals, professions)):
            if not total:
                changed_line, total = _protect_line(line_counts, line_flags, min_group_size)
                changed |= changed_line
    return Suppression(cells=cells, units=units, professions=professions, total=bool(total))


def _protect_line(members: np.ndarray, suppressed: np.ndarray, min_group_size: int) -> tuple[bool, bool]:
    """Suppress members of one line (in place) until its suppressed part cannot be told apart.

    Returns (whether anything changed, whether the line's sum must be suppressed). The sum must
    go when a suppressed member is the line's only nonzero member: the sum would then show it.
    """
    changed = False
    while True:
        nonzero = members > 0
        hidden = nonzero & suppressed
        hidden_count = int(hidden.sum())
        if hidden_count == 0:
            return changed, False
        if hidden_count > 1 and int(members[hidden].sum()) >= min_group_size:
            return changed, False
        candidates = np.flatnonzero(nonzero & ~suppressed)
        if candidates.size == 0:
            # Every nonzero member is hidden, so the line's sum equals their sum. With two or more
            # that is a shown group of at least min (the sum is shown); with one it is that member.
            hide_sum = hidden_count == 1
            return changed or hide_sum, hide_sum
        # The smallest shown member costs the least information to hide; ties go to the first.
        smallest = candidates[np.argmin(members[candidates])]
        suppressed[smallest] = True
        changed = True
