"""Builders shared by the analysis tests: instruments of any scale and random response data."""

from __future__ import annotations

import numpy as np

from spindeln.analysis.data import ResponseData, RoundInfo
from spindeln.instrument import Instrument, load_instrument, shipped_instrument_files, parse_instrument

UNITS = {11: "Enskede-Årsta-Vantör", 12: "Farsta", 13: "Hässelby-Vällingby"}
PROFESSIONS = {21: "foraldraradgivare", 22: "oppna_forskolan", 23: "bvc_bmm"}
PROGRAMME = {"slug": "stis", "name": "STIS"}


def text(value: str) -> dict:
    return {"sv": value, "en": value}


def make_instrument(points: int = 10, scale_min: int = 1, dimension_sizes: tuple[int, ...] = (2, 3),
                    version: str = "1", instrument_id: str = "test") -> Instrument:
    """An instrument with `points` scale points and dimensions of the given numbers of items."""
    dimensions = [{"key": f"d{index}", "name": text(f"D{index}"), "description": text("-")}
                  for index in range(len(dimension_sizes))]
    items = []
    for index, size in enumerate(dimension_sizes):
        for _ in range(size):
            number = len(items) + 1
            items.append({"key": f"q{number}", "dimension": f"d{index}", "label": text(f"Q{number}"),
                          "text": text(f"Question {number}")})
    return parse_instrument({
        "id": instrument_id, "version": version, "name": text("Test"),
        "scale": {"min": scale_min, "max": scale_min + points - 1, "min_label": text("low"), "max_label": text("high")},
        "cannot_assess": {"label": text("cannot assess")},
        "dimensions": dimensions, "items": items,
    })


def shipped_instrument() -> Instrument:
    """The instrument Spindeln ships: nine items on a 1–10 scale."""
    return load_instrument(next(path for path in shipped_instrument_files() if path.name == "spindeln-stis-1.toml"))


def random_answers(rng: np.random.Generator, n: int, instrument: Instrument, cannot_assess: float) -> np.ndarray:
    """Random scale values with a share of "cannot assess" (NaN)."""
    scale = instrument.scale
    answers = rng.integers(scale.min, scale.max + 1, size=(n, len(instrument.items))).astype(np.float64)
    answers[rng.random(answers.shape) < cannot_assess] = np.nan
    return answers


def table_data(instrument: Instrument, table: dict[tuple[int, int, int], int], seed: int = 0,
               cannot_assess: float = 0.0) -> ResponseData:
    """Responses with the given head count per (round, unit id, profession id)."""
    rng = np.random.default_rng(seed)
    rounds, units, professions, answers = [], [], [], []
    for (round_number, unit_id, profession_id), count in table.items():
        rounds += [round_number] * count
        units += [unit_id] * count
        professions += [profession_id] * count
        answers.append(random_answers(rng, count, instrument, cannot_assess))
    stacked = np.vstack(answers) if answers else np.empty((0, len(instrument.items)))
    return ResponseData(stacked, np.array(rounds), np.array(units), np.array(professions))


def round_infos(numbers, instrument: Instrument) -> list[RoundInfo]:
    return [RoundInfo(number, f"Mätning {number}", instrument.id, instrument.version) for number in numbers]
