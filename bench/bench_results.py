"""Results page speed: a round's page cold (charts rendered) and warm (charts from the cache).

Reported as ratios against one bare matplotlib radar render (polar axes, nine spokes, one line, SVG) in
the same run, so the numbers mean the same on a fast and a slow machine. The page shows five charts; a
warm view should render none of them.

    .venv/bin/python bench/bench_results.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import io
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from click.testing import CliRunner  # noqa: E402

from spindeln import create_app  # noqa: E402
from spindeln.cli import main  # noqa: E402
from tests.conftest import IsolatedClient, login  # noqa: E402

PAGE = "/results/stis-ytterstaden/rounds/6/"


def bare_radar() -> float:
    """Seconds for one plain matplotlib radar rendered to SVG: the floor."""
    started = time.perf_counter()
    figure = Figure(figsize=(10, 10))
    ax = figure.add_subplot(projection="polar")
    angles = np.linspace(0, 2 * np.pi, 9, endpoint=False)
    values = np.array([5.4, 6.9, 5.4, 7.2, 5.7, 7.8, 7.9, 7.0, 5.5])
    ax.plot(np.append(angles, angles[0]), np.append(values, values[0]), marker="o")
    ax.fill_between(np.append(angles, angles[0]), np.append(values, values[0]) - 1, np.append(values, values[0]) + 1,
                    alpha=0.25)
    ax.set_xticks(angles, [f"Fråga {i}" for i in range(1, 10)])
    ax.set_ylim(1, 10)
    figure.savefig(io.BytesIO(), format="svg")
    return time.perf_counter() - started


def main_bench(repeat: int) -> None:
    """Time the page cold and warm, and the floor, and print the ratios."""
    folder = Path(tempfile.mkdtemp(prefix="spindeln-bench-"))
    try:
        runner = CliRunner()
        for args in (["init"], ["demo"]):
            result = runner.invoke(main, ["--instance", str(folder), *args])
            assert result.exit_code == 0, result.output
        app = create_app(instance_path=folder)
        app.test_client_class = IsolatedClient
        client = app.test_client()
        login(client, "demo@example.org", "spindeln-demo")
        bare_radar()  # warm up matplotlib's font cache
        floor = statistics.median(bare_radar() for _ in range(repeat))
        cold, warm = [], []
        for _ in range(repeat):
            shutil.rmtree(folder / "cache", ignore_errors=True)
            app.extensions.pop("spindeln.render_version", None)
            started = time.perf_counter()
            assert client.get(PAGE).status_code == 200
            cold.append(time.perf_counter() - started)
            started = time.perf_counter()
            assert client.get(PAGE).status_code == 200
            warm.append(time.perf_counter() - started)
        cold_time, warm_time = statistics.median(cold), statistics.median(warm)
        print(f"bare matplotlib radar (floor): {floor * 1000:7.1f} ms")
        print(f"results page, cold:            {cold_time * 1000:7.1f} ms  = {cold_time / floor:5.1f} × floor")
        print(f"results page, warm:            {warm_time * 1000:7.1f} ms  = {warm_time / floor:5.1f} × floor")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    main_bench(parser.parse_args().repeat)
