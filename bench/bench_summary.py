"""Time `build_summary` on a large programme, read included, against bare numpy on the same arrays.

    .venv/bin/python bench/bench_summary.py [--responses N] [--repeat R]

The database (SQLite, six rounds, seven districts, three professions) is generated once and
cached under bench/out/, which git ignores.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, delete, select
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from spindeln.analysis.loader import build_summary, load_responses  # noqa: E402
from spindeln.analysis.summary import summarise  # noqa: E402
from spindeln.analysis.data import RoundInfo  # noqa: E402
from spindeln.instrument import InstrumentRegistry  # noqa: E402
from spindeln.models import Base, Profession, Programme, Round, RoundArrays, Unit  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
ROUNDS = 6
DISTRICTS = ("Enskede-Årsta-Vantör", "Farsta", "Hässelby-Vällingby", "Rinkeby-Kista", "Skarpnäck",
             "Skärholmen", "Spånga-Tensta")
PROFESSIONS = ("foraldraradgivare", "oppna_forskolan", "bvc_bmm")
ITEMS = 9


def generate(path: Path, responses: int) -> None:
    """Write a programme with `responses` responses, round after round, to a new SQLite file."""
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    engine.dispose()
    rng = np.random.default_rng(2017)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute("INSERT INTO programmes (id, name, slug, instrument_id, instrument_version, min_group_size)"
                       " VALUES (1, 'STIS ytterstaden', 'stis', 'spindeln-stis', '1', 3)")
    for number in range(1, ROUNDS + 1):
        connection.execute("INSERT INTO rounds (id, programme_id, number, title, state, instrument_id,"
                           " instrument_version) VALUES (?, 1, ?, ?, 'closed', 'spindeln-stis', '1')",
                           (number, number, f"Mätning {number}"))
    for index, name in enumerate(DISTRICTS, start=1):
        connection.execute("INSERT INTO units (id, programme_id, key, name) VALUES (?, 1, ?, ?)",
                           (index, f"d{index}", name))
    for index, key in enumerate(PROFESSIONS, start=1):
        connection.execute("INSERT INTO professions (id, programme_id, key, name, position) VALUES (?, 1, ?, ?, ?)",
                           (index, key, key, index))
    # Rounds one after the other, as they happen; ratings drift upwards and differ by item.
    per_round = np.full(ROUNDS, responses // ROUNDS)
    per_round[: responses % ROUNDS] += 1
    for number, count in enumerate(per_round, start=1):
        item_means = rng.uniform(4, 8, ITEMS) + 0.2 * number
        codes = np.clip(np.rint(rng.normal(item_means, 2.0, size=(count, ITEMS))), 1, 10).astype(np.uint8) - 1
        codes[rng.random(codes.shape) < 0.05] = 255
        units = rng.integers(1, len(DISTRICTS) + 1, count)
        professions = rng.integers(1, len(PROFESSIONS) + 1, count)
        rows = ((number, int(u), int(p), "2020-01-01", codes[i].tobytes())
                for i, (u, p) in enumerate(zip(units, professions)))
        connection.executemany("INSERT INTO responses (round_id, unit_id, profession_id, submitted_on, answers)"
                               " VALUES (?, ?, ?, ?, ?)", rows)
    connection.commit()
    connection.close()


def bare_numpy(answers: np.ndarray, round_number: np.ndarray) -> None:
    """The floor: mean, SD and percentiles of every item per round, on the raw arrays."""
    for number in np.unique(round_number):
        block = answers[round_number == number]
        np.nanmean(block, axis=0)
        np.nanstd(block, axis=0, ddof=1)
        np.nanpercentile(block, [25, 50, 75], axis=0)


def timed(function, repeat: int) -> float:
    """The median wall time of `repeat` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    """Run the benchmark and print the times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    OUT.mkdir(exist_ok=True)
    path = OUT / f"bench-{args.responses}.sqlite"
    if not path.exists():
        start = time.perf_counter()
        generate(path.with_suffix(".tmp"), args.responses)
        path.with_suffix(".tmp").rename(path)
        print(f"generated {args.responses:,} responses in {time.perf_counter() - start:.1f} s: {path}")

    registry = InstrumentRegistry()
    engine = create_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        programme = session.scalars(select(Programme).where(Programme.slug == "stis")).one()
        numbers = list(range(1, ROUNDS + 1))
        instrument = registry.get(programme.instrument_id, programme.instrument_version)
        session.execute(delete(RoundArrays))
        session.commit()
        start = time.perf_counter()
        data = load_responses(session, programme, numbers, instrument)
        first_read = time.perf_counter() - start
        units = {u.id: u.name for u in session.scalars(select(Unit).order_by(Unit.name))}
        professions = {p.id: p.key for p in session.scalars(select(Profession).order_by(Profession.position))}
        infos = [RoundInfo(r.number, r.title, r.instrument_id, r.instrument_version)
                 for r in session.scalars(select(Round).order_by(Round.number))]

        whole = timed(lambda: build_summary(session, programme, registry), args.repeat)
        read = timed(lambda: load_responses(session, programme, numbers, instrument), args.repeat)
        compute = timed(lambda: summarise(
            data, instrument, programme={"slug": "stis", "name": ""}, rounds=infos, min_group_size=3,
            units=units, professions=professions), args.repeat)
        one_unit = timed(lambda: summarise(
            data, instrument, programme={"slug": "stis", "name": ""}, rounds=infos, min_group_size=3,
            unit=(2, units[2]), units=units, professions=professions), args.repeat)
        floor = timed(lambda: bare_numpy(data.answers, data.round_number), args.repeat)
    engine.dispose()

    print(f"responses:                    {len(data):>10,}")
    print(f"first read, packing the closed rounds: {first_read:6.3f} s (once per round and change)")
    print(f"build_summary, whole programme: {whole:8.3f} s   ({whole / floor:5.1f} × bare numpy)")
    print(f"  of which read (load_responses, packed rounds): {read:6.3f} s")
    print(f"  of which summarise (pure):      {compute:6.3f} s   ({compute / floor:5.1f} × bare numpy)")
    print(f"summarise, one unit:            {one_unit:8.3f} s")
    print(f"bare numpy (nanmean, nanstd, nanpercentile per round): {floor:.3f} s")
    print("goal: build_summary under 1 s:", "met" if whole < 1 else "NOT met")


if __name__ == "__main__":
    main()
