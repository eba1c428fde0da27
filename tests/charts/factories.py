"""Hand-built analysis results in the shape `spindeln.analysis.summary.summarise` returns, for chart tests."""

from __future__ import annotations

import numpy as np

from spindeln.instrument import load_instrument, shipped_instrument_files

INSTRUMENT = load_instrument(shipped_instrument_files()[0])

#: Realistic means per item (q1..q9) for six rounds: management support low, knowing each other rising.
MEANS = {
    1: [5.6, 5.2, 4.1, 5.0, 4.6, 5.5, 6.0, 5.1, 4.3],
    2: [5.9, 5.5, 4.3, 5.6, 4.8, 6.3, 6.2, 5.6, 4.4],
    3: [6.4, 5.8, 4.1, 6.2, 5.1, 7.8, 6.6, 6.3, 4.8],
    4: [6.5, 6.1, 4.6, 6.6, 5.3, 7.9, 6.9, 6.6, 5.0],
    5: [6.7, 6.3, 4.9, 6.9, 5.5, 8.1, 7.1, 6.9, 5.2],
    6: [6.9, 6.4, 5.2, 7.2, 5.7, 8.2, 7.3, 7.1, 5.4],
}
LABELS = {1: "Mätning 1 (vt 2018)", 2: "Mätning 2 (ht 2018)", 3: "Mätning 3 (ht 2019)",
          4: "Mätning 4 (vt 2020)", 5: "Mätning 5 (ht 2020)", 6: "Mätning 6 (vt 2021)"}


def _answers(mean: float, n: int, rng: np.random.Generator) -> np.ndarray:
    """n answers on 1..10 around `mean`."""
    return np.clip(np.rint(rng.normal(mean, 1.8, n)), 1, 10).astype(int)


def _agreement(rwg: float | None) -> str | None:
    if rwg is None:
        return None
    return "high" if rwg >= 0.7 else "moderate" if rwg >= 0.5 else "low"


def item_result(key: str, mean: float, n: int, cannot_assess: int = 1, seed: int = 0) -> dict:
    """One item's figures computed from simulated answers."""
    rng = np.random.default_rng(seed)
    answers = _answers(mean, n, rng)
    sd = float(answers.std(ddof=1))
    rwg = max(0.0, 1 - sd**2 / ((10**2 - 1) / 12))
    return {
        "key": key,
        "dimension": INSTRUMENT.items[INSTRUMENT.item_keys.index(key)].dimension,
        "suppressed": False,
        "n": n,
        "cannot_assess": cannot_assess,
        "counts": {str(v): int((answers == v).sum()) for v in range(1, 11)},
        "mean": round(float(answers.mean()), 2),
        "sd": round(sd, 2),
        "median": float(np.median(answers)),
        "q1": float(np.percentile(answers, 25)),
        "q3": float(np.percentile(answers, 75)),
        "min": int(answers.min()),
        "max": int(answers.max()),
        "ad_m": round(float(np.abs(answers - np.median(answers)).mean()), 2),
        "rwg": round(rwg, 2),
        "agreement": _agreement(rwg),
    }


def hidden_item(key: str) -> dict:
    """A suppressed item: every figure null."""
    fields = ("n", "cannot_assess", "counts", "mean", "sd", "median", "q1", "q3", "min", "max", "ad_m", "rwg",
              "agreement")
    result = {"key": key, "dimension": INSTRUMENT.items[INSTRUMENT.item_keys.index(key)].dimension,
              "suppressed": True}
    result.update(dict.fromkeys(fields))
    return result


def round_entry(number: int = 3, n: int = 41, label: str | None = None, hidden: tuple[str, ...] = (),
                means: list[float] | None = None, seed: int = 0) -> dict:
    """A round entry with nine items; items in `hidden` are suppressed."""
    means = means or MEANS[number]
    items = []
    for index, key in enumerate(INSTRUMENT.item_keys):
        if key in hidden:
            items.append(hidden_item(key))
        else:
            cannot = (index * 7 + number + seed) % 4
            items.append(item_result(key, means[index], n - cannot, cannot, seed=seed * 100 + number * 10 + index))
    return {"number": number, "label": label or LABELS.get(number, f"Mätning {number}"), "n_respondents": n,
            "suppressed": False, "items": items, "dimensions": []}


def hidden_round(number: int = 2, label: str | None = None) -> dict:
    """A round too small to show anything."""
    return {"number": number, "label": label or LABELS.get(number, f"Mätning {number}"), "n_respondents": None,
            "suppressed": True, "items": [hidden_item(key) for key in INSTRUMENT.item_keys], "dimensions": []}


def trend_data(rounds=(1, 2, 3, 4, 5, 6), hidden_rounds=(), n=(30, 34, 41, 38, 44, 40)) -> dict:
    """Trend data for items and dimensions over rounds, with 95 % intervals."""
    def point(number, mean, count, spread):
        if number in hidden_rounds:
            return {"round": number, "mean": None, "ci_low": None, "ci_high": None, "n": None, "suppressed": True}
        half = 1.96 * spread / np.sqrt(count)
        return {"round": number, "mean": round(mean, 2), "ci_low": round(mean - half, 2),
                "ci_high": round(mean + half, 2), "n": count, "suppressed": False}

    items = []
    for index, key in enumerate(INSTRUMENT.item_keys):
        items.append({"key": key, "points": [point(r, MEANS[r][index], c, 1.9) for r, c in zip(rounds, n)]})
    dimensions = []
    for dimension in INSTRUMENT.dimensions:
        indices = [i for i, item in enumerate(INSTRUMENT.items) if item.dimension == dimension.key]
        dimensions.append({"key": dimension.key, "points": [
            point(r, float(np.mean([MEANS[r][i] for i in indices])), c, 1.6) for r, c in zip(rounds, n)]})
    dimensions.append({"key": "all", "points": [point(r, float(np.mean(MEANS[r])), c, 1.4)
                                                for r, c in zip(rounds, n)]})
    return {"items": items, "dimensions": dimensions}


def legend_texts(chart) -> list[str]:
    """The texts of the chart's legend in its footer (the axes without axis lines)."""
    [footer] = [ax for ax in chart.figure.axes if not ax.axison and ax.name != "polar"]
    return [text.get_text() for text in footer.get_legend().get_texts()]
