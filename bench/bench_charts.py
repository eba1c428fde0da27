"""Time building and rendering each chart kind with realistic data: `python bench/bench_charts.py`."""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from spindeln.charts import dispersion_chart, dumbbell_chart, radar_chart, trend_chart  # noqa: E402
from tests.charts.factories import INSTRUMENT, round_entry, trend_data  # noqa: E402

DISTRICTS = ["Enskede-Årsta-Vantör", "Farsta", "Hässelby-Vällingby", "Rinkeby-Kista", "Skarpnäck", "Skärholmen",
             "Spånga-Tensta"]

CHARTS = {
    "radar, one round": lambda: radar_chart([round_entry(3)], INSTRUMENT),
    "radar, three rounds": lambda: radar_chart([round_entry(1), round_entry(3), round_entry(6)], INSTRUMENT),
    "small multiples, seven districts": lambda: radar_chart(
        [round_entry(3, n=8 + i, label=name, seed=i) for i, name in enumerate(DISTRICTS)], INSTRUMENT),
    "dispersion": lambda: dispersion_chart(round_entry(3), INSTRUMENT),
    "trend by dimension": lambda: trend_chart(trend_data(), INSTRUMENT),
    "trend by item": lambda: trend_chart(trend_data(), INSTRUMENT, level="items"),
    "before/after": lambda: dumbbell_chart(round_entry(1), round_entry(6), INSTRUMENT),
}


def main() -> None:
    """Print build, SVG and PNG times and sizes per chart kind."""
    print(f"{'chart':34} {'build':>7} {'svg':>7} {'png':>7} {'svg kB':>7} {'png kB':>7}")
    for name, build in CHARTS.items():
        start = time.perf_counter()
        chart = build()
        built = time.perf_counter()
        svg = chart.render("svg")
        rendered_svg = time.perf_counter()
        png = chart.render("png")
        rendered_png = time.perf_counter()
        print(f"{name:34} {built - start:7.2f} {rendered_svg - built:7.2f} {rendered_png - rendered_svg:7.2f} "
              f"{len(svg) / 1000:7.0f} {len(png) / 1000:7.0f}")


if __name__ == "__main__":
    main()
