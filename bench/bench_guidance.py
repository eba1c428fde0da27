"""How often the summary tells a meeting something that is not there, and how often it finds what is.

    .venv/bin/python bench/bench_guidance.py [--reps 200] [--seed 1]

Every simulated round goes through `spindeln.analysis.summary.summarise`, the code the pages, the
handout and the meeting use, with the shipped instrument (nine items on 1–10). Reported:

1. **Change prompts on noise**: pairs of rounds drawn from the same answers (5 to 30 people a round;
   uniform, centred, friendly-skewed and split answer distributions; items correlated within a
   person), the share of pairs with any "change" prompt (family-wise: at least one item called
   changed). Goal: at most 5 %.
2. **Power**: the share of pairs, 20 people a round, in which a real shift of one point (every
   item, or one item only) is called a change, per item and per core dimension.
3. **Agreement on random answers**: uniform random answers of groups of n, the share of items called
   "high" (and "moderate") agreement, at every n where a band is given, beside the probability the
   null distribution itself gives. Goal: at most 5 % high.
4. **Other prompts on noise**: "rated low" where answers centre on the scale's middle, "professions
   differ" where three professions answer alike; the share of rounds with one (goal: at most 5 %);
   and how often an item rated two points below the middle is called low.
5. **Who answered**: round 1 from units A and B, round 2 from B and C, the same answers within each
   unit (A low, C high): the share of pairs with a change prompt for the programme.

Exit status 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from spindeln.analysis import agreement  # noqa: E402
from spindeln.analysis.data import ResponseData, RoundInfo  # noqa: E402
from spindeln.analysis.summary import summarise  # noqa: E402
from spindeln.instrument import load_instrument, shipped_instrument_files  # noqa: E402

INSTRUMENT = load_instrument(next(p for p in shipped_instrument_files() if p.name == "spindeln-stis-1.toml"))
PROGRAMME = {"slug": "bench", "name": "bench"}
SIZES = (5, 8, 10, 15, 20, 30)
DISTRIBUTIONS = ("uniform", "centred", "friendly", "split")


def answers(rng: np.random.Generator, n: int, kind: str, shift: np.ndarray | float = 0.0) -> np.ndarray:
    """n people's ratings of nine items (1–10): a person effect makes their items go together."""
    person = rng.normal(0, 1.0, size=(n, 1))
    if kind == "uniform":
        values = rng.integers(1, 11, size=(n, 9)).astype(float)
    elif kind == "centred":
        values = np.rint(5.5 + person + rng.normal(0, 1.5, size=(n, 9)))
    elif kind == "friendly":
        values = np.rint(7.5 + person + rng.normal(0, 1.6, size=(n, 9)))
    else:  # split: half the group low, half high
        side = np.where(rng.random((n, 1)) < 0.5, 3.0, 8.0)
        values = np.rint(side + rng.normal(0, 1.2, size=(n, 9)))
    return np.clip(values + shift, 1, 10)


def summary(rounds: list[np.ndarray], units: list[np.ndarray] | None = None, professions: list[np.ndarray] | None = None):
    """The summary of rounds of answers (all in one unit and profession unless given)."""
    data = ResponseData(
        np.vstack(rounds),
        np.concatenate([np.full(len(a), number) for number, a in enumerate(rounds, start=1)]),
        np.concatenate(units) if units else np.ones(sum(len(a) for a in rounds), dtype=int),
        np.concatenate(professions) if professions else np.ones(sum(len(a) for a in rounds), dtype=int),
    )
    infos = [RoundInfo(number, f"r{number}", INSTRUMENT.id, INSTRUMENT.version) for number in range(1, len(rounds) + 1)]
    unit_ids = sorted(set(data.unit_id.tolist())) or [1]
    profession_ids = sorted(set(data.profession_id.tolist())) or [1]
    return summarise(data, INSTRUMENT, programme=PROGRAMME, rounds=infos, min_group_size=3,
                     units={u: f"u{u}" for u in unit_ids}, professions={p: f"p{p}" for p in profession_ids})


def exact_high(n: int, points: int = 10) -> float:
    """P("high agreement") for n uniform random answers, from the null distribution the band uses:
    the share of random groups whose variance is both small enough for rwg ≥ .70 and rare enough."""
    null = agreement.null_spread(n, points)
    if not null.variances.size:
        return 0.0
    rwg = 1 - null.variances / agreement.uniform_variance(points)
    rare = np.cumsum(null.variance_weights) < agreement.ALPHA
    return float(null.variance_weights[(rwg >= agreement.HIGH_RWG) & rare].sum())


def kinds(result) -> set[str]:
    return {prompt["kind"] for prompt in result["prompts"]}


def main() -> int:
    """Run the simulations and print what the goals ask; 1 when one is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    rng = np.random.default_rng(arguments.seed)
    reps = arguments.reps
    ok = True
    started = time.perf_counter()

    print(f"1. Change prompts on noise: share of pairs of rounds from the same answers with a change prompt "
          f"({reps} pairs each; goal ≤ 5 %)")
    print("   n a round  " + "".join(f"{kind:>10}" for kind in DISTRIBUTIONS))
    for n in SIZES:
        cells = []
        for kind in DISTRIBUTIONS:
            fired = sum("change" in kinds(summary([answers(rng, n, kind), answers(rng, n, kind)])) for _ in range(reps))
            cells.append(fired / reps)
            ok &= fired / reps <= 0.05 + 2 * np.sqrt(0.05 * 0.95 / reps)
        print(f"   {n:9d}  " + "".join(f"{share:>9.1%} " for share in cells))

    print("\n2. Power, 20 people a round (centred answers), a real shift of one point:")
    every = single = any_item = dimensions = 0
    for _ in range(reps):
        result = summary([answers(rng, 20, "centred"), answers(rng, 20, "centred", shift=1.0)])
        comparison = result["comparisons"][0]
        every += sum(entry["changed"] for entry in comparison["items"]) / 9
        any_item += "change" in kinds(result)
        core = [entry for entry in comparison["dimensions"] if entry["key"] in ("regelverk", "organisation", "synsatt")]
        dimensions += sum(entry["changed"] for entry in core) / len(core)
        shift = np.zeros(9)
        shift[0] = 1.0
        result = summary([answers(rng, 20, "centred"), answers(rng, 20, "centred", shift=shift)])
        single += result["comparisons"][0]["items"][0]["changed"]
    print(f"   every item shifted: each item called changed in {every / reps:.1%} of pairs, each core dimension in "
          f"{dimensions / reps:.1%}, some change prompt in {any_item / reps:.1%}")
    print(f"   one item shifted:   called changed in {single / reps:.1%} of pairs")

    print(f"\n3. Agreement on uniform random answers: share of items called high / moderate ({reps} groups each; "
          "goal ≤ 5 % high)")
    for n in (2, 3, 4, 5, 8, 10, 15, 20, 30):
        bands = []
        for _ in range(reps):
            entry = summary([answers(rng, n, "uniform")])["rounds"][0]
            bands += [item["agreement"] for item in entry["items"]]
        shown = [band for band in bands if band is not None]
        if not shown:
            print(f"   n = {n:2d}: no band (too few to tell agreement from chance)")
            continue
        high, moderate = shown.count("high") / len(shown), shown.count("moderate") / len(shown)
        exact = exact_high(n)
        ok &= exact <= 0.05 and high <= 0.05 + 2 * np.sqrt(0.05 * 0.95 / len(shown))
        print(f"   n = {n:2d}: high {high:5.1%} (the null's own probability {exact:5.2%}), moderate {moderate:5.1%}, "
              f"unclear {shown.count('unclear') / len(shown):5.1%}")

    print(f"\n4. Other prompts on noise ({reps} rounds each):")
    for n in (5, 10, 30):
        for kind in ("uniform", "centred"):
            low = sum("lowest" in kinds(summary([answers(rng, n, kind)])) for _ in range(reps))
            print(f"   rated low, {kind} answers around the middle, n = {n}: {low / reps:.1%}")
            ok &= low / reps <= 0.05 + 2 * np.sqrt(0.05 * 0.95 / reps)
    found = 0
    for _ in range(reps):
        shift = np.zeros(9)
        shift[0] = -2.0
        found += any(prompt["kind"] == "lowest" and prompt["item"] == INSTRUMENT.items[0].key
                     for prompt in summary([answers(rng, 20, "centred", shift=shift)])["prompts"])
    print(f"   power: one item two points below the middle (the others around it), n = 20: rated low in "
          f"{found / reps:.1%}")
    for n in (5, 15):
        gap = 0
        for _ in range(reps):
            rounds = [answers(rng, 3 * n, "centred")]
            gap += "gap" in kinds(summary(rounds, professions=[np.repeat([1, 2, 3], n)]))
        print(f"   professions differ, three professions of {n} answering alike: {gap / reps:.1%}")
        ok &= gap / reps <= 0.05 + 2 * np.sqrt(0.05 * 0.95 / reps)

    print(f"\n5. Who answered: round 1 from units A (low) and B, round 2 from B and C (high), no change within a "
          f"unit ({reps} pairs):")
    fired = 0
    for _ in range(reps):
        a, b1, b2, c = (answers(rng, 10, "centred", shift=s) for s in (-2.0, 0.0, 0.0, 2.0))
        result = summary([np.vstack([a, b1]), np.vstack([b2, c])],
                         units=[np.repeat([1, 2], 10), np.repeat([2, 3], 10)])
        fired += "change" in kinds(result)
    print(f"   pairs with a change prompt: {fired / reps:.1%} (it compares within unit B, which answered both)")
    ok &= fired / reps <= 0.05 + 2 * np.sqrt(0.05 * 0.95 / reps)

    print(f"\n{time.perf_counter() - started:.0f} s; goals {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
