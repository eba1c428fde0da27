"""An attacker who reads every figure an account can get about a round and solves the equations.

Written apart from the anonymity rule: nothing here asks `spindeln.analysis.release` or the gate what
is hidden. The attacker reads the summaries a user can ask for (every unit, every profession, every
profession in every unit, the whole round; plus, where given, the raw export's groups), turns each
shown figure into a linear fact about the unknown cells of the round's unit × profession table, and
asks, with exact rational arithmetic, which groups of people the facts pin down:

- per cell, the head count, the number who gave each answer to each item (and "cannot assess"),
  and the sum of the ratings of each item (from means × n, here and in the professions side by side);
- a dimension's mean over a group whose members all rated all its items is the mean of those items'
  means: the attacker uses that too, in a round where no one used "cannot assess" on them.

A *leak* is a set of cells holding 1 to min − 1 people (head count, or answers to the item in
question) whose figure the facts determine: a cell, a unit, a profession, the round, or a union of
small cells (two single people whose sum is known can each read the other's answer). The one figure
that may be known of a small group is the head count of a whole round: it is the live count
everyone in the room saw.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

Cell = tuple[str, str]
#: A selection as the API takes it: (unit name or None, profession key or None).
Selection = tuple[str | None, str | None]


class RowSpace:
    """The span of the known combinations of some unknowns: a combination in it is determined.

    Rows are small integers and fractions 1/k; the span is found once, by a singular value
    decomposition, and membership is a residual far below any real difference (1e-9).
    """

    def __init__(self, size: int):
        self.size = size
        self.rows: list[np.ndarray] = []
        self._basis: np.ndarray | None = None

    def add(self, vector: Iterable) -> None:
        """Learn that the combination `vector` of the unknowns is known."""
        self.rows.append(np.asarray(list(vector), dtype=np.float64))
        self._basis = None

    def contains(self, vector: Iterable) -> bool:
        """Whether the combination `vector` is determined by what is known."""
        vector = np.asarray(list(vector), dtype=np.float64)
        if not vector.any():
            return True
        if not self.rows:
            return False
        if self._basis is None:
            matrix = np.vstack(self.rows)
            _u, singular, right = np.linalg.svd(matrix, full_matrices=False)
            rank = int((singular > 1e-9 * max(1.0, singular[0])).sum())
            self._basis = right[:rank]
        residual = vector - self._basis.T @ (self._basis @ vector)
        return bool(np.abs(residual).max() < 1e-9)


@dataclass
class Truth:
    """What the test knows and the attacker does not: who is in each cell and what they answered."""

    units: list[str]
    professions: list[str]
    items: list[str]
    #: item key → dimension key, in instrument order.
    dimension_of: dict[str, str]
    #: The values of the rating scale.
    scale: list[int]
    #: cell → list of answers per respondent (one value or None per item).
    answers: dict[Cell, list[list[int | None]]]
    min_group_size: int

    def cells(self) -> list[Cell]:
        return [(unit, profession) for unit in self.units for profession in self.professions]

    def head(self, cell: Cell) -> int:
        return len(self.answers.get(cell, []))

    def answered(self, cell: Cell, item: str) -> int:
        position = self.items.index(item)
        return sum(1 for row in self.answers.get(cell, []) if row[position] is not None)


def group_cells(truth: Truth, unit: str | None, profession: str | None) -> list[Cell]:
    """The cells of a selection."""
    return [(u, p) for u, p in truth.cells() if unit in (None, u) and profession in (None, p)]


@dataclass
class Findings:
    """What the attacker worked out that it must not have.

    `leaks` are figures of groups of 1 to min − 1 people; `few_raters` figures of an item that 1 to
    min − 1 people of a larger group rated.
    """

    leaks: list[str] = field(default_factory=list)
    few_raters: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.leaks or self.few_raters)


class Attacker:
    """Collects the facts of one round and looks for small groups they determine."""

    def __init__(self, truth: Truth):
        self.truth = truth
        self.cells = truth.cells()
        self.position = {cell: index for index, cell in enumerate(self.cells)}
        self.spaces: dict[str, RowSpace] = {}
        #: Facts across items: the unknowns are every item's rating sum in every cell.
        self.sums = RowSpace(len(self.cells) * len(truth.items))
        self.no_cannot_assess: set[str] = set()
        self.dimension_facts: list[tuple[list[Cell], str]] = []

    def _space(self, statistic: str) -> RowSpace:
        return self.spaces.setdefault(statistic, RowSpace(len(self.cells)))

    def _indicator(self, cells: Iterable[Cell]) -> list[int]:
        vector = [0] * len(self.cells)
        for cell in cells:
            vector[self.position[cell]] = 1
        return vector

    def _learn(self, statistic: str, cells: list[Cell]) -> None:
        self._space(statistic).add(self._indicator(cells))

    def _learn_sum(self, item: str, cells: list[Cell]) -> None:
        vector = [0] * self.sums.size
        offset = self.truth.items.index(item) * len(self.cells)
        for cell in cells:
            vector[offset + self.position[cell]] = 1
        self.sums.add(vector)

    def read_summary(self, selection: Selection, summary: dict) -> None:
        """Turn every figure of one selection's summary (one round) into facts."""
        unit, profession = selection
        cells = group_cells(self.truth, unit, profession)
        [entry] = summary["rounds"]
        if entry["n_respondents"] is not None:
            self._learn("head", cells)
        for item in entry["items"]:
            if item["suppressed"]:
                continue
            for value in item["counts"]:
                self._learn(f"{item['key']}={value}", cells)
            self._learn(f"{item['key']}=cannot", cells)
            self._learn(f"{item['key']}=answered", cells)
            self._learn("head", cells)
            if item["n"]:
                self._learn_sum(item["key"], cells)
            if selection == (None, None) and item["cannot_assess"] == 0:
                self.no_cannot_assess.add(item["key"])
        for dimension in entry["dimensions"]:
            if not dimension["suppressed"] and dimension["n"] and dimension["n"] == entry["n_respondents"]:
                self.dimension_facts.append((cells, dimension["key"]))
        for block in summary.get("professions", []):
            for item in block["items"]:
                for key, n in item["n"].items():
                    if n is not None:
                        group = group_cells(self.truth, unit, key)
                        self._learn(f"{item['key']}=answered", group)
                        self._learn_sum(item["key"], group)

    def read_groups(self, groups: Iterable[tuple[list[Cell], set[str]]]) -> None:
        """Raw export: every listed group's rows are known, in full for the items given."""
        for cells, items in groups:
            self._learn("head", cells)
            for item in items:
                self._learn_sum(item, cells)
                for category in [*map(str, self.truth.scale), "cannot", "answered"]:
                    self._learn(f"{item}={category}", cells)

    def _dimension_members(self, key: str) -> list[str]:
        if key == "all":
            return list(self.truth.items)
        return [item for item in self.truth.items if self.truth.dimension_of[item] == key]

    def solve(self) -> Findings:
        """Every small group or union of small cells that the facts determine."""
        truth = self.truth
        smallest = truth.min_group_size
        for cells, key in self.dimension_facts:
            members = self._dimension_members(key)
            # Everyone in the group has a score; with no "cannot assess" on these items anywhere in the
            # round, the score sum is the items' rating sums averaged: a fact across items.
            if members and set(members) <= self.no_cannot_assess:
                vector = [0.0] * self.sums.size
                for item in members:
                    offset = truth.items.index(item) * len(self.cells)
                    for cell in cells:
                        vector[offset + self.position[cell]] = 1 / len(members)
                self.sums.add(vector)

        findings = Findings()
        everyone = sum(truth.head(cell) for cell in truth.cells())
        for name, cells in _candidate_groups(truth, truth.head):
            head = sum(truth.head(cell) for cell in cells)
            if 1 <= head < smallest:
                for statistic, space in self.spaces.items():
                    # The round's head count is public (the live count): a group of everyone may show it.
                    if statistic == "head" and head == everyone:
                        continue
                    if space.contains(self._indicator(cells)):
                        findings.leaks.append(f"{statistic} of {name} ({head} people)")
                for item in truth.items:
                    if self._sum_known(item, cells):
                        findings.leaks.append(f"sum of {item} of {name} ({head} people)")
        for item in truth.items:
            for name, cells in _candidate_groups(truth, lambda cell, item=item: truth.answered(cell, item)):
                answered = sum(truth.answered(cell, item) for cell in cells)
                if 1 <= answered < smallest:
                    for statistic, space in self.spaces.items():
                        if statistic.startswith(f"{item}=") and space.contains(self._indicator(cells)):
                            findings.few_raters.append(f"{statistic} of {name} ({answered} rated {item})")
                    if self._sum_known(item, cells):
                        findings.few_raters.append(f"sum of {item} of {name} ({answered} rated it)")
        return findings

    def _sum_known(self, item: str, cells: list[Cell]) -> bool:
        vector = [0] * self.sums.size
        offset = self.truth.items.index(item) * len(self.cells)
        for cell in cells:
            vector[offset + self.position[cell]] = 1
        return self.sums.contains(vector)


def _candidate_groups(truth: Truth, size: Callable[[Cell], int]) -> list[tuple[str, list[Cell]]]:
    """The groups whose figures must stay hidden when they hold few people (by `size`): every cell,
    unit and profession, the round, and unions of up to min − 1 small cells."""
    groups: list[tuple[str, list[Cell]]] = [("the round", truth.cells())]
    groups += [(f"unit {unit}", group_cells(truth, unit, None)) for unit in truth.units]
    groups += [(f"profession {profession}", group_cells(truth, None, profession)) for profession in truth.professions]
    groups += [(f"cell {unit}/{profession}", [(unit, profession)]) for unit, profession in truth.cells()]
    small = [cell for cell in truth.cells() if 1 <= size(cell) < truth.min_group_size]
    for count in range(2, truth.min_group_size):
        for combination in itertools.combinations(small, count):
            if sum(size(cell) for cell in combination) < truth.min_group_size:
                groups.append((" + ".join(f"{u}/{p}" for u, p in combination), list(combination)))
    return groups


def attack(truth: Truth, ask: Callable[[Selection], dict],
           export_groups: Iterable[tuple[list[Cell], set[str]]] = ()) -> Findings:
    """Ask for every selection of the round, read an export's groups if given, and solve."""
    attacker = Attacker(truth)
    selections: list[Selection] = [(None, None)]
    selections += [(unit, None) for unit in truth.units]
    selections += [(None, profession) for profession in truth.professions]
    selections += [(unit, profession) for unit in truth.units for profession in truth.professions]
    for selection in selections:
        attacker.read_summary(selection, ask(selection))
    attacker.read_groups(export_groups)
    return attacker.solve()
