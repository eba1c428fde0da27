"""Rendering: SVG keeps text as text, PNG is wide enough for slides, output is deterministic."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from spindeln.charts import MIMETYPES, Chart, dispersion_chart, dumbbell_chart, radar_chart, render, trend_chart
from spindeln.charts.base import format_number
from tests.charts.factories import round_entry, trend_data


def every_chart(instrument):
    """One chart of every kind, with Swedish instrument texts."""
    return [
        radar_chart([round_entry(3)], instrument),
        radar_chart([round_entry(1), round_entry(3), round_entry(6)], instrument),
        radar_chart([round_entry(number) for number in range(1, 6)], instrument),
        dispersion_chart(round_entry(3), instrument),
        trend_chart(trend_data(), instrument),
        trend_chart(trend_data(), instrument, level="items"),
        dumbbell_chart(round_entry(1), round_entry(6), instrument),
    ]


def test_svg_keeps_text_as_text_with_swedish_letters(instrument):
    svg = radar_chart([round_entry(3)], instrument).render("svg").decode("utf-8")
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert texts, "text was drawn as paths"
    joined = " ".join(texts)
    for word in ("Ledningens stöd", "Synsätt och kunskap", "Mätning 3", "Instämmer"):
        assert word in joined
    assert "DejaVu Sans" in svg


def test_png_is_wide_enough_for_a_slide(instrument):
    for chart in every_chart(instrument):
        with Image.open(io.BytesIO(chart.render("png"))) as image:
            assert image.format == "PNG"
            assert image.width >= 1600


def test_same_input_gives_same_bytes(instrument):
    for format in MIMETYPES:
        first = radar_chart([round_entry(1), round_entry(3)], instrument).render(format)
        second = radar_chart([round_entry(1), round_entry(3)], instrument).render(format)
        assert first == second
    svg = dispersion_chart(round_entry(3), instrument).render("svg")
    assert b"<dc:date>" not in svg


def test_render_refuses_unknown_formats(instrument):
    chart = radar_chart([round_entry(3)], instrument)
    with pytest.raises(ValueError):
        render(chart.figure, "pdf")
    assert Chart.mimetype("svg") == "image/svg+xml"


def test_every_chart_has_a_text_alternative(instrument):
    for chart in every_chart(instrument):
        assert chart.summary.endswith(".")
        assert chart.table_headers
        assert chart.table_rows
        assert all(len(row) == len(chart.table_headers) for row in chart.table_rows)
        assert all(isinstance(cell, str) for row in chart.table_rows for cell in row)


@pytest.mark.parametrize(
    ("value", "language", "options", "expected"),
    [
        (6.4, "sv", {}, "6,4"),
        (6.4, "en", {}, "6.4"),
        (0.56, "sv", {"decimals": 2}, "0,56"),
        (-0.8, "sv", {"signed": True}, "\u22120,8"),
        (1.25, "sv", {"signed": True}, "+1,2"),
        (None, "sv", {}, "–"),
        (float("nan"), "en", {}, "–"),
    ],
)
def test_format_number(value, language, options, expected):
    assert format_number(value, language, **options) == expected


def test_rendering_from_several_threads_gives_the_same_bytes(instrument):
    """The style lock keeps one request's rc settings from leaking into another's drawing."""
    from concurrent.futures import ThreadPoolExecutor

    charts = every_chart(instrument)
    expected = [chart.render("svg") for chart in charts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        rendered = list(pool.map(lambda chart: chart.render("svg"), charts))
    assert rendered == expected
    assert all(b"<text" in svg for svg in rendered)
