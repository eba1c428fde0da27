"""The anonymity release: what it hides and how long it takes, on a city and on a national programme.

    .venv/bin/python bench/bench_release.py [--rounds 6] [--cities 100] [--national-units 3000] [--seed 1]

A city: 20 districts × 4 professions, six rounds; teams of a few people per profession (some
districts lack a profession; now and then one or two people answer for a profession), "cannot
assess" as often as in the demo. A national programme: 3,000 units × 3 professions, one round.

For each round it decides the release as Spindeln does (`summary.decide_releases`: head counts,
nine items, the dimensions) and reports:

- **information lost**: the share of the table's entries (cells, unit and profession totals, the
  round) that hold at least min people and are hidden as cover, over the head counts and over the
  items;
- for the city's head counts, the cover of the **exact minimum** (the mixed-integer programme), of
  the **heuristic** (line rule + audit and repair) and of the **old line-by-line rule** (which the
  audit finds leaking in some rounds), in respondents hidden and in entries;
- the **time** of a round's whole decision, median over the rounds;
- over many simulated cities' histories (`--cities`), how often the old rule leaks and what the
  release and the old rule hide.

Exit status 1 when a release fails the audit or the city's cover is more than 10 % above the exact
minimum.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from spindeln.analysis import release as rule  # noqa: E402
from spindeln.analysis.data import ResponseData, RoundInfo  # noqa: E402
from spindeln.analysis.summary import decide_releases  # noqa: E402
from spindeln.analysis.suppression import suppress  # noqa: E402
from spindeln.instrument import load_instrument, shipped_instrument_files  # noqa: E402

MIN = 3
#: How often each item is "cannot assess" in the demo (spindeln/demo.py).
CANNOT_ASSESS = np.array([0.06, 0.03, 0.08, 0.02, 0.05, 0.02, 0.03, 0.05, 0.14])


def instrument():
    """The shipped instrument: nine items on 1–10."""
    return load_instrument(next(p for p in shipped_instrument_files() if p.name == "spindeln-stis-1.toml"))


def teams(rng: np.random.Generator, units: int, professions: int) -> np.ndarray:
    """Staff per unit and profession: mostly small teams, some professions missing in a unit."""
    return rng.choice([0, 1, 2, 2, 3, 3, 4, 4, 5, 6, 8], size=(units, professions))


def round_data(rng: np.random.Generator, staff: np.ndarray, number: int) -> tuple[ResponseData, np.ndarray]:
    """One round's responses (most of each team answers) and its head counts."""
    heads = rng.binomial(staff, 0.85)
    unit_index, profession_index = np.nonzero(heads)
    counts = heads[unit_index, profession_index]
    units = np.repeat(unit_index + 1, counts)
    professions = np.repeat(profession_index + 1, counts)
    n = int(counts.sum())
    answers = rng.integers(1, 11, size=(n, 9)).astype(np.float64)
    answers[rng.random((n, 9)) < CANNOT_ASSESS] = np.nan
    return ResponseData(answers, np.full(n, number), units, professions), heads


def cover(heads: np.ndarray, decision) -> tuple[int, int]:
    """(respondents in entries hidden as cover, entries of at least min hidden as cover)."""
    first = rule.primary(heads, MIN)
    units, professions, total = rule.margins(heads)
    people = int(heads[decision.cells & ~first.cells].sum() + units[decision.units & ~first.units].sum()
                 + professions[decision.professions & ~first.professions].sum())
    people += total if decision.total and not first.total else 0
    return people, rule.hidden_share(heads, decision, MIN)[0]


def decide_all(data, heads, shape, number, shipped):
    """The release of one round and the seconds it took."""
    started = time.perf_counter()
    release = decide_releases(data, shipped, [RoundInfo(number, "r", shipped.id, shipped.version)],
                              units=list(range(1, shape[0] + 1)), professions=list(range(1, shape[1] + 1)),
                              min_group_size=MIN)[number]
    return release, time.perf_counter() - started


def item_tables(data: ResponseData, shape) -> np.ndarray:
    """Numeric answers per unit × profession × item."""
    answered = np.zeros(shape + (9,), dtype=np.int64)
    np.add.at(answered, (data.unit_id - 1, data.profession_id - 1), (~np.isnan(data.answers)).astype(np.int64))
    return answered


def share(hidden: int, large: int) -> str:
    return f"{hidden:5d} of {large:5d} = {100 * hidden / max(large, 1):5.1f} %"


def city(rng, rounds: int, shipped) -> bool:
    """The city: every figure of the report, and whether its goals were met."""
    staff = teams(rng, 20, 4)
    ok = True
    rows = []
    totals = {key: [0, 0] for key in ("release", "exact", "heuristic", "old")}
    item_lost = [0, 0]
    times = []
    old_leaking = 0
    for number in range(1, rounds + 1):
        data, heads = round_data(rng, staff, number)
        release, seconds = decide_all(data, heads, heads.shape, number, shipped)
        times.append(seconds)
        for decision in release.decisions():
            if rule.audit(heads, heads > 0, decision, MIN) and decision is release.respondents:
                ok = False
        answered = item_tables(data, heads.shape)
        for item, decision in enumerate(release.items):
            if rule.audit(answered[..., item], heads > 0, decision, MIN):
                ok = False
            hidden, large = rule.hidden_share(answered[..., item], decision, MIN)
            first = rule.primary(answered[..., item], MIN)
            item_lost[0] += hidden - rule.hidden_share(answered[..., item], first, MIN)[0]
            item_lost[1] += large
        decisions = {
            "release": release.respondents,
            "exact": rule.protect(heads, MIN, total_public=True, exact=True),
            "heuristic": rule.protect(heads, MIN, total_public=True, exact=False),
            "old": suppress(heads, MIN),
        }
        if rule.audit(heads, heads > 0, decisions["old"], MIN):
            old_leaking += 1
        large = rule.hidden_share(heads, rule.primary(heads, MIN), MIN)[1]
        row = [number]
        for key, decision in decisions.items():
            people, entries = cover(heads, decision)
            totals[key][0] += entries
            totals[key][1] += large
            row.append((people, entries))
        rows.append((row, large, int(heads.sum())))
    print(f"City: 20 units × 4 professions, {rounds} rounds, min group size {MIN}")
    print("round  people  entries≥min   cover (respondents / entries): release   exact  heuristic  old rule")
    for row, large, people in rows:
        cells = "  ".join(f"{p:4d}/{e:2d}" for p, e in row[1:])
        print(f"{row[0]:5d}  {people:6d}  {large:11d}   {cells}")
    for key, label in (("release", "the release (as Spindeln decides)"), ("exact", "the exact minimum"),
                       ("heuristic", "the heuristic"), ("old", "the old line-by-line rule")):
        print(f"  hidden as cover, {label:34}: {share(*totals[key])}")
    print(f"  the old rule leaks in {old_leaking} of {rounds} rounds (the audit finds a small group worked out)")
    print(f"  items, hidden as cover beyond their own small groups:  {share(*item_lost)}")
    exact_people = sum(row[2][0] for row, _large, _people in rows)
    release_people = sum(row[1][0] for row, _large, _people in rows)
    print(f"  respondents hidden as cover: release {release_people}, exact minimum {exact_people}")
    print(f"  decision of a round (head counts, 9 items, 4 dimensions): median {statistics.median(times) * 1000:.0f} ms,"
          f" slowest {max(times) * 1000:.0f} ms")
    if release_people > 1.10 * exact_people:
        print("  GOAL MISSED: the cover is more than 10 % above the exact minimum")
        ok = False
    return ok


def many_cities(rng, cities: int, rounds: int) -> None:
    """Many simulated cities' histories: how often the old rule leaks, and what each rule hides."""
    leaking = 0
    lost = {"release": [0, 0], "old": [0, 0]}
    count = 0
    for _city in range(cities):
        staff = teams(rng, 20, 4)
        for _round in range(rounds):
            heads = rng.binomial(staff, 0.85)
            count += 1
            first = rule.hidden_share(heads, rule.primary(heads, MIN), MIN)[0]
            for key, decision in (("release", rule.protect(heads, MIN, total_public=True)),
                                  ("old", suppress(heads, MIN))):
                hidden, large = rule.hidden_share(heads, decision, MIN)
                lost[key][0] += hidden - first
                lost[key][1] += large
            leaking += bool(rule.audit(heads, heads > 0, suppress(heads, MIN), MIN))
    print(f"\n{cities} simulated cities × {rounds} rounds ({count} rounds), head counts:")
    print(f"  the old line-by-line rule leaks in {leaking} rounds ({100 * leaking / count:.1f} %)")
    print(f"  hidden as cover, the release:   {share(*lost['release'])}")
    print(f"  hidden as cover, the old rule:  {share(*lost['old'])}")


def national(rng, units: int, shipped) -> bool:
    """The national programme: one round of `units` units × 3 professions."""
    staff = teams(rng, units, 3)
    data, heads = round_data(rng, staff, 1)
    release, seconds = decide_all(data, heads, heads.shape, 1, shipped)
    ok = not rule.audit(heads, heads > 0, release.respondents, MIN)
    answered = item_tables(data, heads.shape)
    ok &= not any(rule.audit(answered[..., item], heads > 0, d, MIN) for item, d in enumerate(release.items))
    old = suppress(heads, MIN)
    large = rule.hidden_share(heads, rule.primary(heads, MIN), MIN)[1]
    print(f"\nNational: {units} units × 3 professions, {int(heads.sum())} respondents, one round")
    print(f"  hidden as cover, the release:            {share(rule.hidden_share(heads, release.respondents, MIN)[0] - rule.hidden_share(heads, rule.primary(heads, MIN), MIN)[0], large)}")
    print(f"  hidden as cover, the old line rule:      {share(rule.hidden_share(heads, old, MIN)[0] - rule.hidden_share(heads, rule.primary(heads, MIN), MIN)[0], large)}"
          f"  (leaks: {'yes' if rule.audit(heads, heads > 0, old, MIN) else 'no'})")
    started = time.perf_counter()
    rule.audit(heads, heads > 0, release.respondents, MIN)
    print(f"  one exact audit of the head counts: {(time.perf_counter() - started) * 1000:.0f} ms")
    print(f"  decision of the round (head counts, 9 items, 4 dimensions): {seconds:.2f} s")
    print(f"  every release passes the audit: {'yes' if ok else 'NO'}")
    return ok


def main() -> int:
    """Run the city and the national programme; 1 when a goal was missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--national-units", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cities", type=int, default=100, help="simulated cities for the old rule's leak rate")
    arguments = parser.parse_args()
    rng = np.random.default_rng(arguments.seed)
    shipped = instrument()
    ok = city(rng, arguments.rounds, shipped)
    many_cities(rng, arguments.cities, arguments.rounds)
    ok &= national(rng, arguments.national_units, shipped)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
