"""One round's respondents by unit × profession, and which of those groups its release shows.

The summary answers this for one group at a time; the handout asks it for every group of a round
(whose comments it may print, how many answered in each profession), so it gets the whole table at
once here, with the round's release (`release.RoundRelease.respondents`) for the same counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from spindeln.analysis.summary import axis_positions
from spindeln.analysis.suppression import Suppression


@dataclass(frozen=True, eq=False)
class RespondentGroups:
    """A round's head counts by unit × profession and its release's decision on them."""

    unit_ids: tuple[int, ...]
    profession_ids: tuple[int, ...]
    #: (units, professions): respondents.
    counts: np.ndarray
    suppression: Suppression

    def shown(self, unit_id: int | None = None, profession_id: int | None = None) -> bool:
        """Whether the group of a unit and/or a profession (None: all) may show figures."""
        return not self.suppression.group(*self._indexes(unit_id, profession_id))

    def count(self, unit_id: int | None = None, profession_id: int | None = None) -> int | None:
        """The respondents in the group; None when the group is hidden (its size would tell too much).

        The whole round's head count is always shown, as in the summary.
        """
        unit, profession = self._indexes(unit_id, profession_id)
        if (unit is not None or profession is not None) and self.suppression.group(unit, profession):
            return None
        rows = self.counts if unit is None else self.counts[unit:unit + 1]
        return int(rows.sum() if profession is None else rows[:, profession].sum())

    def _indexes(self, unit_id: int | None, profession_id: int | None) -> tuple[int | None, int | None]:
        try:
            return (None if unit_id is None else self.unit_ids.index(unit_id),
                    None if profession_id is None else self.profession_ids.index(profession_id))
        except ValueError as error:
            raise ValueError(f"unit {unit_id} or profession {profession_id} is not one of the round's axes") from error


def respondent_groups(unit_id: np.ndarray, profession_id: np.ndarray, unit_ids: Sequence[int],
                      profession_ids: Sequence[int], decision: Suppression) -> RespondentGroups:
    """Count one round's respondents (their unit and profession ids) into groups, with the release's decision.

    `unit_ids` and `profession_ids` are the programme's axes, the axes `decision` is on; a response
    naming another id is an error.
    """
    units, professions = tuple(int(i) for i in unit_ids), tuple(int(i) for i in profession_ids)
    unit_index = axis_positions(np.asarray(unit_id, dtype=np.int64), np.array(units, dtype=np.int64), "unit")
    profession_index = axis_positions(np.asarray(profession_id, dtype=np.int64),
                                      np.array(professions, dtype=np.int64), "profession")
    counts = np.bincount(unit_index * len(professions) + profession_index,
                         minlength=len(units) * len(professions)).reshape(len(units), len(professions))
    return RespondentGroups(units, professions, counts, decision)
