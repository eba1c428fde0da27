"""Rendered charts on disk, keyed on the data they show.

Rendering a radar costs about a tenth of a second; a repeated view of a round whose data did not change
should render nothing. The key is a hash of everything the chart shows (the analysis results, the
instrument, the language, the kind and the format), so a cached chart can never be stale: new data is
a new key. The cache lives in the instance folder, not in process memory, so every worker process on
the machine shares it; another machine simply renders its own copy.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from spindeln.charts import Chart


@dataclass(frozen=True)
class TextAlternative:
    """What a chart shows, for people who read rather than look: one sentence and a data table."""

    summary: str
    headers: list[str]
    rows: list[list[str]]


class ChartCache:
    """A folder of rendered charts (`<key>.svg`, `<key>.png`) and their text alternatives (`<key>.json`)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    @staticmethod
    def key(**inputs) -> str:
        """The cache key of a chart: a hash of everything it shows."""
        canonical = json.dumps(inputs, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def image(self, key: str, format: str, build: Callable[[], Chart]) -> bytes:
        """The chart as `format` bytes, rendered (and its text alternative stored) only on a miss."""
        path = self.folder / f"{key}.{format}"
        if path.is_file():
            return path.read_bytes()
        chart = build()
        self._store_text(key, chart)
        body = chart.render(format)
        self._write(path, body)
        return body

    def text(self, key: str, build: Callable[[], Chart]) -> TextAlternative:
        """The chart's text alternative; on a miss the chart is built and its SVG rendered too."""
        path = self.folder / f"{key}.json"
        if path.is_file():
            return TextAlternative(**json.loads(path.read_text(encoding="utf-8")))
        chart = build()
        # The page that asks for the text shows the SVG next: render it now, from the same build.
        self._write(self.folder / f"{key}.svg", chart.render("svg"))
        return self._store_text(key, chart)

    def _store_text(self, key: str, chart: Chart) -> TextAlternative:
        text = TextAlternative(chart.summary, chart.table_headers, chart.table_rows)
        payload = json.dumps(text.__dict__, ensure_ascii=False).encode("utf-8")
        self._write(self.folder / f"{key}.json", payload)
        return text

    def _write(self, path: Path, body: bytes) -> None:
        # Write then rename: another process never reads half a file.
        self.folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(body)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
