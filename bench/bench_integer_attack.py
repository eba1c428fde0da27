"""What an attacker who also uses whole numbers learns of hidden small groups: the limit of the rule.

    .venv/bin/python bench/bench_integer_attack.py [--rounds 1,2,3,4,5,6] [--joint]

The anonymity rule (docs/anonymity.md) guarantees what statistics offices audit: no hidden group's
figure is a *linear combination* of the figures shown. An attacker can do more: the unknown counts
are whole numbers and never negative, so an integer programme over everything shown can narrow a
hidden group's answers, and sometimes pin them. This bench is that attacker, written apart from the
rule: it reads every selection an API user can ask for (the round, each unit, each profession, each
unit × profession) of the demo programme's closed rounds through the gate, as the API serves them,
and for each hidden group of 1 to min − 1 people (its head count, or an item's raters) asks a mixed-
integer solver (scipy's HiGHS):

- **items**: unknowns are each group's count per scale value and "cannot assess" of one item;
  equations are every shown head count and every shown count per value;
- **--joint** (slow): unknowns are each group's joint counts of the two items of a two-item
  dimension; equations add the dimension's shown n, mean and SD (its sum and sum of squares);
  `--without-sd` leaves the SD out, to see what showing it costs.

A group's answers are *pinned* when every count is the same in every whole-number solution, and an
answer is *certain* when some scale value has a lower bound of at least one (the attacker knows that
somebody in the group gave it). Groups are counted apart by why they are small: fewer than min
people (their head count is hidden), or at least min people of whom fewer than min rated the item
(the rest could not assess it). Both are checked against the stored answers. The figures go in
docs/anonymity.md; nothing here is a goal the rule meets (exit status 0 always).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from click.testing import CliRunner  # noqa: E402

from spindeln import create_app  # noqa: E402
from spindeln.cli import main as cli  # noqa: E402

TIME_LIMIT = 60.0


class Programme:
    """What the attacker has: every selection's summary entry, and (to check) the stored answers."""

    def __init__(self, folder: Path):
        from sqlalchemy import select

        from spindeln.db import db
        from spindeln.programmes.models import Programme as ProgrammeRow
        from spindeln.results import gate
        from spindeln.survey.models import Response, Round, decode_answers

        self.app = create_app(instance_path=folder)
        with self.app.app_context():
            programme = db.session.scalar(select(ProgrammeRow).where(ProgrammeRow.slug == "stis-ytterstaden"))
            self.units = [unit.id for unit in programme.units]
            self.professions = [profession.id for profession in programme.professions]
            self.min_group_size = programme.min_group_size
            self.rounds = gate.readable_numbers(programme)
            self.shown: dict[int, dict] = {}
            self.truth: dict[int, dict] = {}
            for number in self.rounds:
                entries = {}
                for u in [None, *range(len(self.units))]:
                    for p in [None, *range(len(self.professions))]:
                        unit = None if u is None else programme.units[u]
                        profession = None if p is None else programme.professions[p]
                        entries[u, p] = gate.summary(programme, [number], unit, profession)["rounds"][0]
                self.shown[number] = entries
                measurement_round = db.session.scalar(
                    select(Round).where(Round.programme_id == programme.id, Round.number == number))
                answers: dict = {}
                for response in db.session.scalars(select(Response).where(Response.round_id == measurement_round.id)):
                    cell = (self.units.index(response.unit_id), self.professions.index(response.profession_id))
                    answers.setdefault(cell, []).append(decode_answers(response.answers, 1))
                self.truth[number] = answers
        self.cells = [(u, p) for u in range(len(self.units)) for p in range(len(self.professions))]

    def members(self, u, p) -> list[int]:
        """The cells (indexes) of a selection."""
        return [index for index, (cu, cp) in enumerate(self.cells) if (u is None or cu == u) and (p is None or cp == p)]


VALUES = [*range(1, 11), None]  # the scale's ten values and "cannot assess"


class Model:
    """Equations over non-negative whole unknowns: rows of {unknown: coefficient} with a value each."""

    def __init__(self, size: int):
        self.size, self.rows, self.values = size, [], []

    def equal(self, coefficients: dict[int, float], value: float) -> None:
        self.rows.append(coefficients)
        self.values.append(value)

    def matrix(self):
        rows, columns, data = [], [], []
        for row, coefficients in enumerate(self.rows):
            for column, coefficient in coefficients.items():
                rows.append(row)
                columns.append(column)
                data.append(coefficient)
        return coo_matrix((data, (rows, columns)), shape=(len(self.rows), self.size)).tocsr()

    def bound(self, objective: np.ndarray, matrix) -> float | None:
        """The least value of the objective over the whole-number solutions (None if the solver gives up)."""
        values = np.array(self.values, dtype=float)
        result = milp(objective, integrality=np.ones(self.size), bounds=Bounds(0, np.inf),
                      constraints=[LinearConstraint(matrix, values - 1e-6, values + 1e-6)],
                      options={"time_limit": TIME_LIMIT})
        return None if result.status != 0 else float(result.fun)


def item_model(data: Programme, number: int, item: int) -> tuple[Model, callable]:
    """Unknowns x[cell, value] of one item; equations: head counts and counts per value shown."""
    size = len(VALUES)
    model = Model(len(data.cells) * size)
    at = lambda cell, value: cell * size + value  # noqa: E731
    for (u, p), entry in data.shown[number].items():
        members = data.members(u, p)
        if entry["n_respondents"] is not None:
            model.equal({at(c, v): 1 for c in members for v in range(size)}, entry["n_respondents"])
        figures = entry["items"][item]
        if figures["suppressed"]:
            continue
        for v, value in enumerate(VALUES):
            shown = figures["cannot_assess"] if value is None else figures["counts"][str(value)]
            model.equal({at(c, v): 1 for c in members}, shown)
    return model, at


def joint_model(data: Programme, number: int, dimension: str, first: int, second: int,
                squares: bool = True) -> tuple[Model, callable]:
    """Unknowns x[cell, value of the first item, value of the second]; equations: head counts, both
    items' counts per value, and the dimension's n, sum and sum of squares where shown."""
    size = len(VALUES)
    model = Model(len(data.cells) * size * size)
    at = lambda cell, a, b: (cell * size + a) * size + b  # noqa: E731
    for (u, p), entry in data.shown[number].items():
        members = data.members(u, p)
        if entry["n_respondents"] is not None:
            model.equal({at(c, a, b): 1 for c in members for a in range(size) for b in range(size)},
                        entry["n_respondents"])
        for item, axis in ((first, 0), (second, 1)):
            figures = entry["items"][item]
            if figures["suppressed"]:
                continue
            for v, value in enumerate(VALUES):
                shown = figures["cannot_assess"] if value is None else figures["counts"][str(value)]
                model.equal({(at(c, v, o) if axis == 0 else at(c, o, v)): 1 for c in members for o in range(size)},
                            shown)
        figures = next(d for d in entry["dimensions"] if d["key"] == dimension)
        if figures["suppressed"] or not figures["n"]:
            continue
        n, mean, sd = figures["n"], figures["mean"], figures["sd"] or 0.0
        scored = {(a, b): (VALUES[a] + VALUES[b]) for a in range(size - 1) for b in range(size - 1)}
        model.equal({at(c, a, b): 1 for c in members for (a, b) in scored}, n)
        model.equal({at(c, a, b): s for c in members for (a, b), s in scored.items()}, round(2 * n * mean))
        if squares:  # the sum of squared scores, from the SD
            total = (n - 1) * sd**2 + n * mean**2
            model.equal({at(c, a, b): s * s for c in members for (a, b), s in scored.items()}, round(4 * total))
    return model, at


def examine(model: Model, unknowns: list[int], truth: list[int]) -> tuple[bool, bool]:
    """(pinned, some answer certain) for one hidden group whose counts are the `unknowns` (grouped
    per value: `unknowns[v]` lists the unknowns summing to value v's count), checked against `truth`."""
    matrix = model.matrix()
    pinned, certain = True, False
    for value, columns in enumerate(unknowns):
        objective = np.zeros(model.size)
        objective[columns] = 1
        low = model.bound(objective, matrix)
        if low is None:
            return False, False
        low = round(low)
        assert low <= truth[value], "the attacker's model is wrong: a bound excludes the stored answers"
        certain |= low >= 1 and VALUES[value] is not None
        if pinned:
            high = model.bound(-objective, matrix)
            pinned = high is not None and round(-high) == low
    return pinned, certain


def attack(data: Programme, number: int, joint: bool, squares: bool = True) -> dict[str, np.ndarray]:
    """Per kind of small group ("people": fewer than min people; "raters": fewer than min rated the
    item), the hidden groups × items examined, pinned and with an answer certain, in one round."""
    small = data.min_group_size
    entries = data.shown[number]
    targets = []
    for item in range(9):
        for c, (u, p) in enumerate(data.cells):
            people = data.truth[number].get((u, p), [])
            raters = sum(1 for answers in people if answers[item] is not None)
            if not entries[u, p]["items"][item]["suppressed"] or not people:
                continue
            if 0 < len(people) < small:
                targets.append(("people", item, c, people))
            elif 0 < raters < small:
                targets.append(("raters", item, c, people))
    size = len(VALUES)
    models = {}
    found = {"people": np.zeros(3, dtype=int), "raters": np.zeros(3, dtype=int)}
    for kind, item, c, people in targets:
        truth = [sum(1 for answers in people if answers[item] == value) for value in VALUES]
        if item not in models:
            models[item] = item_model(data, number, item)
        model, at = models[item]
        result = examine(model, [[at(c, v)] for v in range(size)], truth)
        if joint:
            for dimension, pair in (("regelverk", (0, 1)), ("synsatt", (5, 6)), ("sammanhang", (7, 8))):
                if item in pair:
                    if pair not in models:
                        models[pair] = joint_model(data, number, dimension, *pair, squares=squares)
                    model, at = models[pair]
                    columns = [[at(c, v, o) if item == pair[0] else at(c, o, v) for o in range(size)]
                               for v in range(size)]
                    result = tuple(a or b for a, b in zip(result, examine(model, columns, truth)))
        found[kind] += (1, result[0], result[1])
    return found


def main() -> int:
    """Make the demo, attack its rounds, print what was learnt."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", default="1,2,3,4,5,6")
    parser.add_argument("--joint", action="store_true", help="also the two-item dimensions' joint counts (slow)")
    parser.add_argument("--without-sd", action="store_true",
                        help="with --joint: leave out the dimensions' SD, as if it were not shown")
    arguments = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="spindeln-integer-"))
    try:
        runner = CliRunner()
        for args in (["init"], ["demo"]):
            result = runner.invoke(cli, ["--instance", str(folder), *args])
            assert result.exit_code == 0, result.output
        data = Programme(folder)
        print(f"The demo programme, groups of 1 to {data.min_group_size - 1} people (head count or an item's "
              f"raters) that the release hides; {'items and two-item dimensions' if arguments.joint else 'items'}:")
        totals = {"people": np.zeros(3, dtype=int), "raters": np.zeros(3, dtype=int)}
        for number in [int(part) for part in arguments.rounds.split(",")]:
            started = time.perf_counter()
            found = attack(data, number, arguments.joint, squares=not arguments.without_sd)
            line = []
            for kind, counts in found.items():
                totals[kind] += counts
                line.append(f"{kind}: {counts[0]:3d} examined, {counts[1]:2d} pinned, {counts[2]:2d} with an answer certain")
            print(f"  round {number}: " + "; ".join(line) + f"  ({time.perf_counter() - started:.0f} s)")
        for kind, label in (("people", f"groups of fewer than {data.min_group_size} people"),
                            ("raters", f"items rated by fewer than {data.min_group_size} in a larger group")):
            examined, pinned, certain = totals[kind]
            print(f"  {label}: {examined} group × item, answers pinned in {pinned} ({pinned / max(examined, 1):.0%}), "
                  f"some answer certain in {certain} ({certain / max(examined, 1):.0%})")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
