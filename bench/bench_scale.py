"""The summary at the scale of a national programme, on SQLite and on PostgreSQL, against a bare floor.

300 municipalities with ten units each, the instrument's three professions, two rounds a year for ten
years (20 closed rounds) and about 30 staff per unit and round: about 1.8 million responses. Timed with
the app's own code path (`build_summary` in an app context, as the pages, API and exports call it):

1. the whole programme (every round, every unit),
2. one round (every unit),
3. one unit (every round).

Each is timed on its first read (closed rounds are packed into `round_arrays` then) and warm (the median
of `--repeat` reads). The floors, measured in the same run: bare numpy computing the mean and SD of
every item per round over the same rows, already in memory (for the warm reads), and a bare SELECT of
the same rows through the database driver (for the first read). Goal: each warm summary under a second.

    .venv/bin/python bench/bench_scale.py [--backend sqlite|postgresql|both] [--responses-per-unit 30]
                                          [--municipalities 300] [--rounds 20] [--repeat 5]

The SQLite database is a temporary file (WAL, as the app configures it); the PostgreSQL one a scratch
database on 127.0.0.1:5432 that is created and dropped. Exit status 1 when a warm goal is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, delete, func, insert, make_url, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from spindeln import create_app  # noqa: E402
from spindeln.analysis.data import RoundInfo  # noqa: E402
from spindeln.analysis.loader import build_summary, load_responses  # noqa: E402
from spindeln.analysis.summary import summarise  # noqa: E402
from spindeln.db import db  # noqa: E402
from spindeln.migrate import upgrade  # noqa: E402
from spindeln.programmes.models import DEFAULT_PROFESSIONS, Profession, Programme, Unit  # noqa: E402
from spindeln.survey.models import CANNOT_ASSESS_BYTE, Round, RoundArrays, RoundState  # noqa: E402
from spindeln.web import instruments  # noqa: E402

POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
INSTRUMENT = ("spindeln-stis", "1")
ITEMS = 9
POINTS = 10
GOAL_SECONDS = 1.0
#: Rows per executemany / COPY batch: large enough that the driver's per-call cost vanishes.
BATCH = 100_000


# --- the programme -------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """How large the generated programme is."""

    municipalities: int
    units_per_municipality: int
    rounds: int
    responses_per_unit: int
    seed: int = 2017

    @property
    def units(self) -> int:
        """Units in the programme."""
        return self.municipalities * self.units_per_municipality


@dataclass
class Generated:
    """A programme's responses as arrays, positions into `unit_keys`, professions and rounds (not ids)."""

    unit_keys: list[str]
    unit_names: list[str]
    round_dates: list[dt.date]
    #: Per response: round position, unit position, profession position, answer codes (n × items, uint8).
    round_index: np.ndarray
    unit_index: np.ndarray
    profession_index: np.ndarray
    codes: np.ndarray

    def __len__(self) -> int:
        return len(self.round_index)


def generate(shape: Shape) -> Generated:
    """Responses with a realistic shape: unit, municipality, profession and item effects, a slow drift
    upwards over the years, some "cannot assess" (more often for the context items), and units whose
    professions are sometimes only one or two people, so the anonymity rule has work to do."""
    rng = np.random.default_rng(shape.seed)
    unit_keys, unit_names = [], []
    for municipality in range(1, shape.municipalities + 1):
        for unit in range(1, shape.units_per_municipality + 1):
            unit_keys.append(f"kommun_{municipality:03d}_enhet_{unit:02d}")
            unit_names.append(f"Kommun {municipality:03d} – enhet {unit:02d}")
    n_units, n_professions = shape.units, len(DEFAULT_PROFESSIONS)
    # Spring and autumn rounds, ten years back from 2025.
    first_year = 2025 - (shape.rounds - 1) // 2
    round_dates = [dt.date(first_year + number // 2, 3 if number % 2 == 0 else 10, 15)
                   for number in range(shape.rounds)]

    # Parent advisers are few, open preschool staff many; a unit's mix stays roughly the same.
    profession_shares = rng.dirichlet([1.5, 4.0, 3.0], size=n_units)
    item_means = rng.uniform(4.5, 7.5, ITEMS)
    municipality_effect = np.repeat(rng.normal(0, 0.6, shape.municipalities), shape.units_per_municipality)
    unit_effect = municipality_effect + rng.normal(0, 0.5, n_units)
    profession_item_effect = rng.normal(0, 0.6, (n_professions, ITEMS))
    # "Cannot assess": 2–6 % on the core items, 8–15 % on the two context items, more for BVC/BMM on rules.
    cannot_assess = np.concatenate([rng.uniform(0.02, 0.06, ITEMS - 2), rng.uniform(0.08, 0.15, 2)])
    cannot_assess_by_profession = np.tile(cannot_assess, (n_professions, 1))
    cannot_assess_by_profession[2, :2] += 0.05

    parts = []
    for number in range(shape.rounds):
        staff = rng.poisson(shape.responses_per_unit, n_units)
        unit_index = np.repeat(np.arange(n_units), staff)
        count = len(unit_index)
        # Multinomial per unit by the unit's shares, drawn per respondent.
        cumulative = profession_shares.cumsum(axis=1)[unit_index]
        profession_index = (rng.random(count)[:, None] > cumulative[:, :-1]).sum(axis=1)
        mean = (item_means + 0.04 * number + unit_effect[unit_index, None]
                + profession_item_effect[profession_index])
        person = rng.normal(0, 0.8, count)[:, None]  # some people rate everything higher
        ratings = np.clip(np.rint(rng.normal(mean + person, 1.6)), 1, POINTS)
        codes = (ratings - 1).astype(np.uint8)
        codes[rng.random((count, ITEMS)) < cannot_assess_by_profession[profession_index]] = CANNOT_ASSESS_BYTE
        parts.append((np.full(count, number), unit_index, profession_index, codes))
    return Generated(
        unit_keys=unit_keys,
        unit_names=unit_names,
        round_dates=round_dates,
        round_index=np.concatenate([part[0] for part in parts]),
        unit_index=np.concatenate([part[1] for part in parts]),
        profession_index=np.concatenate([part[2] for part in parts]),
        codes=np.concatenate([part[3] for part in parts]),
    )


@dataclass
class Ids:
    """The database ids the generated positions became."""

    programme: int
    rounds: np.ndarray
    units: np.ndarray
    professions: np.ndarray


def create_programme(url: str, generated: Generated) -> Ids:
    """Migrate an empty database to the newest schema and add the programme, its units, professions and
    rounds (all closed); the responses come after, in bulk."""
    engine = create_engine(url)
    upgrade(engine)
    with engine.begin() as connection:
        programme_id = connection.execute(insert(Programme).values(
            name="Samverkan i hela landet", slug="nationellt", instrument_id=INSTRUMENT[0],
            instrument_version=INSTRUMENT[1], min_group_size=3).returning(Programme.id)).scalar_one()
        connection.execute(insert(Unit), [
            {"programme_id": programme_id, "key": key, "name": name}
            for key, name in zip(generated.unit_keys, generated.unit_names)])
        connection.execute(insert(Profession), [
            {"programme_id": programme_id, "key": key, "name": name, "name_en": name_en, "position": position}
            for position, (key, name, name_en) in enumerate(DEFAULT_PROFESSIONS)])
        connection.execute(insert(Round), [
            {"programme_id": programme_id, "number": number, "title": f"Mätning {number} ({date:%Y-%m})",
             "state": RoundState.closed, "instrument_id": INSTRUMENT[0], "instrument_version": INSTRUMENT[1],
             "opens_on": date, "closes_on": date + dt.timedelta(days=14)}
            for number, date in enumerate(generated.round_dates, start=1)])
        unit_ids = dict(connection.execute(select(Unit.key, Unit.id).where(Unit.programme_id == programme_id)).all())
        profession_ids = dict(connection.execute(
            select(Profession.key, Profession.id).where(Profession.programme_id == programme_id)).all())
        round_ids = dict(connection.execute(
            select(Round.number, Round.id).where(Round.programme_id == programme_id)).all())
    engine.dispose()
    return Ids(
        programme=programme_id,
        rounds=np.array([round_ids[number] for number in range(1, len(generated.round_dates) + 1)]),
        units=np.array([unit_ids[key] for key in generated.unit_keys]),
        professions=np.array([profession_ids[key] for key, _, _ in DEFAULT_PROFESSIONS]),
    )


def response_rows(generated: Generated, ids: Ids, start: int, stop: int) -> list[tuple]:
    """Rows (round_id, unit_id, profession_id, submitted_on, answers) of responses start..stop."""
    round_index = generated.round_index[start:stop]
    # Sent a few days into the round (the day is all a response keeps of when it came).
    dates = [date + dt.timedelta(days=3) for date in generated.round_dates]
    return list(zip(
        ids.rounds[round_index].tolist(),
        ids.units[generated.unit_index[start:stop]].tolist(),
        ids.professions[generated.profession_index[start:stop]].tolist(),
        [dates[index] for index in round_index.tolist()],
        [row.tobytes() for row in generated.codes[start:stop]],
    ))


def fill_sqlite(path: Path, generated: Generated, ids: Ids) -> None:
    """Insert the responses with executemany in large batches, in one transaction."""
    connection = sqlite3.connect(path)
    # A bulk load, not a respondent's submission: no fsync per batch. The app's own connections
    # still open the file with WAL and synchronous=FULL.
    connection.execute("PRAGMA synchronous=OFF")
    with connection:
        for start in range(0, len(generated), BATCH):
            rows = [(round_id, unit_id, profession_id, day.isoformat(), answers)
                    for round_id, unit_id, profession_id, day, answers
                    in response_rows(generated, ids, start, start + BATCH)]
            connection.executemany("INSERT INTO responses (round_id, unit_id, profession_id, submitted_on, answers)"
                                   " VALUES (?, ?, ?, ?, ?)", rows)
    connection.close()


def fill_postgresql(url: str, generated: Generated, ids: Ids) -> None:
    """COPY the responses in, then VACUUM ANALYZE, as autovacuum would soon after a bulk load."""
    import psycopg

    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as connection:
        try:
            # The generated rows are consistent by construction: skipping the foreign-key checks (a
            # superuser's right, on a scratch database) makes the load four times faster.
            connection.execute("SET session_replication_role = replica")
        except psycopg.Error:
            connection.rollback()
        with connection.cursor() as cursor:
            with cursor.copy("COPY responses (round_id, unit_id, profession_id, submitted_on, answers)"
                             " FROM STDIN") as copy:
                for start in range(0, len(generated), BATCH):
                    for row in response_rows(generated, ids, start, start + BATCH):
                        copy.write_row(row)
        connection.commit()
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE")


# --- the measurements ----------------------------------------------------------------------


def timed(function: Callable[[], object]) -> float:
    """Wall seconds of one call."""
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def median_time(function: Callable[[], object], repeat: int) -> float:
    """The median wall time of `repeat` calls."""
    return statistics.median(timed(function) for _ in range(repeat))


def bare_numpy(answers: np.ndarray, round_index: np.ndarray, rows: np.ndarray | None = None) -> None:
    """The floor of a warm summary: mean and SD of every item per round, over rows already in memory."""
    if rows is not None:
        answers, round_index = answers[rows], round_index[rows]
    order = np.argsort(round_index, kind="stable")
    bounds = np.searchsorted(round_index[order], np.unique(round_index), side="left").tolist() + [len(order)]
    for start, stop in zip(bounds, bounds[1:]):
        block = answers[order[start:stop]]
        np.nanmean(block, axis=0)
        np.nanstd(block, axis=0, ddof=1)


def bare_select(engine, where: str) -> int:
    """The floor of a first read: the same rows through the database driver, nothing decoded."""
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(f"SELECT round_id, unit_id, profession_id, answers FROM responses WHERE {where}")
        count = len(cursor.fetchall())
        cursor.close()
    finally:
        connection.close()
    return count


@dataclass
class Goal:
    """One summary timed: first read, warm reads, and its floors."""

    name: str
    first: float
    warm: float
    numpy_floor: float
    select_floor: float


def measure(url: str, generated: Generated, ids: Ids, repeat: int, instance: Path) -> list[Goal]:
    """Time the three summaries through the app's code path, and their floors."""
    app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": url}, instance_path=instance)
    answers = generated.codes.astype(np.float64) + 1
    answers[generated.codes == CANNOT_ASSESS_BYTE] = np.nan
    last_round = len(ids.rounds) - 1
    # A unit in the middle of the list, with a typical number of respondents.
    unit_position = len(ids.units) // 2 + 7
    unit_rows = generated.unit_index == unit_position
    round_rows = generated.round_index == last_round
    goals = []
    with app.app_context():
        session = db.session
        programme = session.get(Programme, ids.programme)
        unit = session.get(Unit, int(ids.units[unit_position]))
        registry = instruments()
        engine = db.engine
        selections = [
            ("whole programme", lambda: build_summary(session, programme, registry), None,
             f"round_id IN ({', '.join(map(str, ids.rounds.tolist()))})"),
            ("one round", lambda: build_summary(session, programme, registry, [last_round + 1]), round_rows,
             f"round_id = {int(ids.rounds[last_round])}"),
            ("one unit", lambda: build_summary(session, programme, registry, None, unit), unit_rows,
             f"round_id IN ({', '.join(map(str, ids.rounds.tolist()))})"),
        ]
        for name, summary, rows, where in selections:
            with engine.begin() as connection:
                connection.execute(delete(RoundArrays))
            session.rollback()
            first = timed(summary)
            session.rollback()
            packed = session.scalar(select(func.count()).select_from(RoundArrays))
            warm = median_time(summary, repeat)
            numpy_floor = median_time(lambda: bare_numpy(answers, generated.round_index, rows), repeat)
            select_floor = median_time(lambda: bare_select(engine, where), max(1, min(repeat, 3)))
            print(f"  {name:16s} first {first:7.3f} s ({packed} rounds packed), warm {warm:7.3f} s", flush=True)
            goals.append(Goal(name, first, warm, numpy_floor, select_floor))

        # Where a warm summary of the whole programme goes: reading the packed rounds, and the pure part.
        instrument = registry.get(*INSTRUMENT)
        numbers = list(range(1, len(ids.rounds) + 1))
        read = median_time(lambda: load_responses(session, programme, numbers, instrument), repeat)
        data = load_responses(session, programme, numbers, instrument)
        rounds = [RoundInfo(r.number, r.title, r.instrument_id, r.instrument_version) for r in session.scalars(
            select(Round).where(Round.programme_id == programme.id).order_by(Round.number))]
        units = dict(session.execute(select(Unit.id, Unit.name).where(Unit.programme_id == programme.id)
                                     .order_by(Unit.name)).all())
        professions = dict(session.execute(select(Profession.id, Profession.key)
                                           .where(Profession.programme_id == programme.id)
                                           .order_by(Profession.position)).all())
        pure = median_time(lambda: summarise(data, instrument, programme={"slug": programme.slug, "name": ""},
                                             rounds=rounds, min_group_size=programme.min_group_size, units=units,
                                             professions=professions), repeat)
        print(f"  whole programme, warm: reading {read:.3f} s (load_responses), summarising {pure:.3f} s (pure)",
              flush=True)
        db.engine.dispose()
    return goals


def report(backend: str, goals: list[Goal]) -> bool:
    """Print the times, the ratios and a verdict per goal; whether every warm goal is met."""
    print(f"\n{backend}: build_summary (warm: median of the repeats; first: one read, packing the rounds)")
    print(f"  {'selection':16s} {'first':>8s} {'/ SELECT':>9s} {'warm':>8s} {'/ numpy':>8s}"
          f"   floors: bare SELECT, bare numpy")
    met = True
    for goal in goals:
        print(f"  {goal.name:16s} {goal.first:7.3f}s {goal.first / goal.select_floor:8.1f}× {goal.warm:7.3f}s "
              f"{goal.warm / goal.numpy_floor:7.1f}×   {goal.select_floor:7.3f} s, {goal.numpy_floor:7.4f} s")
    print("  (one unit's numpy floor covers its own rows; its summary counts every unit of every round,"
          " since the anonymity rule is decided on whole rounds)")
    for goal in goals:
        ok = goal.warm < GOAL_SECONDS
        met &= ok
        print(f"  goal: {backend}, {goal.name}, warm under {GOAL_SECONDS:g} s: "
              f"{'met' if ok else 'NOT met'} ({goal.warm:.3f} s; first read {goal.first:.3f} s)")
    return met


def run_sqlite(generated: Generated, repeat: int) -> bool:
    """Generate into a temporary SQLite file, measure, remove it."""
    folder = Path(tempfile.mkdtemp(prefix="spindeln-bench-scale-"))
    try:
        path = folder / "spindeln.sqlite"
        url = f"sqlite:///{path}"
        start = time.perf_counter()
        ids = create_programme(url, generated)
        fill_sqlite(path, generated, ids)
        print(f"sqlite: {len(generated):,} responses written in {time.perf_counter() - start:.1f} s "
              f"({path.stat().st_size / 1e6:.0f} MB)", flush=True)
        return report("sqlite", measure(url, generated, ids, repeat, folder))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_postgresql(generated: Generated, repeat: int, server: str) -> bool:
    """Generate into a scratch PostgreSQL database, measure, drop it."""
    name = f"spindeln_bench_scale_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    folder = Path(tempfile.mkdtemp(prefix="spindeln-bench-scale-"))
    try:
        url = make_url(server).set(database=name).render_as_string(hide_password=False)
        start = time.perf_counter()
        ids = create_programme(url, generated)
        fill_postgresql(url, generated, ids)
        print(f"postgresql: {len(generated):,} responses written in {time.perf_counter() - start:.1f} s "
              f"(database {name}, VACUUM ANALYZE included)", flush=True)
        return report("postgresql", measure(url, generated, ids, repeat, folder))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    """Generate the programme, run the benchmark on each backend, print the verdicts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--municipalities", type=int, default=300)
    parser.add_argument("--units-per-municipality", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--responses-per-unit", type=int, default=30, help="staff answering per unit and round")
    parser.add_argument("--repeat", type=int, default=5, help="warm reads per summary; the median is reported")
    parser.add_argument("--postgres-server", default=POSTGRES_SERVER,
                        help="a database URL on the server; a scratch database is created next to it")
    args = parser.parse_args()

    shape = Shape(args.municipalities, args.units_per_municipality, args.rounds, args.responses_per_unit)
    start = time.perf_counter()
    generated = generate(shape)
    print(f"generated {len(generated):,} responses: {shape.units:,} units, {shape.rounds} rounds, "
          f"{len(DEFAULT_PROFESSIONS)} professions, in {time.perf_counter() - start:.1f} s", flush=True)
    met = True
    if args.backend in ("sqlite", "both"):
        met &= run_sqlite(generated, args.repeat)
    if args.backend in ("postgresql", "both"):
        met &= run_postgresql(generated, args.repeat, args.postgres_server)
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
