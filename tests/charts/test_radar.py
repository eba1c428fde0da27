"""Radar charts: content checked on the figure, not on pixels."""

from __future__ import annotations

import math

import numpy as np
import pytest
from matplotlib.collections import PolyCollection

from spindeln.charts import MAX_OVERLAY, radar_chart, small_multiples_chart
from tests.charts.factories import hidden_round, legend_texts, round_entry


def polar_axes(chart):
    return [ax for ax in chart.figure.axes if ax.name == "polar"]


def series_lines(ax):
    """The mean lines: the plotted lines with markers (sector lines have none)."""
    return [line for line in ax.get_lines() if line.get_marker() not in (None, "None", "")]


def label_texts(ax):
    return [text.get_text() for text in ax.texts]


def test_radar_axes_labels_in_instrument_order_and_fixed_scale(instrument):
    chart = radar_chart([round_entry(3)], instrument)
    [ax] = polar_axes(chart)
    assert ax.get_ylim() == (instrument.scale.min, instrument.scale.max)
    texts = label_texts(ax)
    positions = [next(i for i, text in enumerate(texts) if text.replace("\n", " ").startswith(item.label.sv))
                 for item in instrument.items]
    assert positions == sorted(positions)
    # Angles run clockwise from the top, one item every 40 degrees.
    assert ax.get_theta_direction() == -1
    assert np.allclose(ax.get_xticks(), np.arange(9) * 2 * np.pi / 9)


def test_radar_scale_is_not_auto_scaled_for_low_ratings(instrument):
    chart = radar_chart([round_entry(3, means=[2.0] * 9)], instrument)
    [ax] = polar_axes(chart)
    assert ax.get_ylim() == (1, 10)


def test_radar_names_every_dimension_sector(instrument):
    texts = label_texts(polar_axes(radar_chart([round_entry(3)], instrument))[0])
    for dimension in instrument.dimensions:
        assert dimension.name.sv in texts
    english = label_texts(polar_axes(radar_chart([round_entry(3)], instrument, language="en"))[0])
    assert "Perspectives and knowledge" in english


def test_radar_draws_mean_and_spread_band(instrument):
    entry = round_entry(3)
    [ax] = polar_axes(radar_chart([entry], instrument))
    [line] = series_lines(ax)
    radii = line.get_ydata()
    assert len(radii) == 10  # nine items and the closing point
    assert radii[0] == radii[-1]
    assert list(radii[:9]) == [item["mean"] for item in entry["items"]]
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 1


def test_hidden_item_is_a_gap_and_a_marked_label_never_zero(instrument, swedish):
    chart = radar_chart([round_entry(3, hidden=("q3",))], instrument, gettext=swedish)
    [ax] = polar_axes(chart)
    [line] = series_lines(ax)
    radii = line.get_ydata()
    assert math.isnan(radii[2])
    assert not np.any(np.nan_to_num(radii, nan=5) == 0)
    assert "Ledningens stöd\n(dold)" in label_texts(ax)
    row = next(row for row in chart.table_rows if row[0] == "Ledningens stöd")
    assert row[2] == "Dolt: för få svar"


def test_fully_hidden_series_shows_a_message_instead_of_a_line(instrument, swedish):
    chart = radar_chart([hidden_round(2)], instrument, gettext=swedish)
    [ax] = polar_axes(chart)
    assert series_lines(ax) == []
    assert any("Dolt: för få" in text for text in label_texts(ax))
    assert "för få svar" in chart.summary


def test_overlay_series_differ_in_colour_style_and_marker_and_legend_gives_n(instrument):
    chart = radar_chart([round_entry(1, n=30), round_entry(3, n=41), round_entry(6, n=40)], instrument)
    [ax] = polar_axes(chart)
    lines = series_lines(ax)
    assert len(lines) == 3
    for attribute in ("get_color", "get_linestyle", "get_marker"):
        assert len({getattr(line, attribute)() for line in lines}) == 3
    labels = legend_texts(chart)
    assert "Mätning 1 (vt 2018) (n = 30)" in labels
    assert "Mätning 3 (ht 2019) (n = 41)" in labels
    # Overlaid bands would hide the lines: none by default, on request they come back.
    assert not [c for c in ax.collections if isinstance(c, PolyCollection)]
    chart = radar_chart([round_entry(1), round_entry(3)], instrument, show_spread=True)
    assert len([c for c in polar_axes(chart)[0].collections if isinstance(c, PolyCollection)]) == 2


def test_overlay_with_a_hidden_round_names_it_in_the_legend(instrument, swedish):
    chart = radar_chart([round_entry(1), hidden_round(2)], instrument, gettext=swedish)
    [ax] = polar_axes(chart)
    assert len(series_lines(ax)) == 1
    labels = legend_texts(chart)
    assert "Mätning 2 (ht 2018) (dold: för få svar)" in labels
    # Only the whole round is hidden: the item labels are not marked for it.
    assert not any("dold" in text for text in label_texts(ax))


def test_item_hidden_in_some_series_is_marked_partly_hidden(instrument, swedish):
    chart = radar_chart([round_entry(1), round_entry(3, hidden=("q9",))], instrument, gettext=swedish)
    flat = [text.replace("\n", " ") for text in label_texts(polar_axes(chart)[0])]
    assert "Brukarnas inflytande (delvis dold)" in flat


def test_more_than_three_series_become_small_multiples(instrument):
    series = [round_entry(number) for number in range(1, MAX_OVERLAY + 2)]
    chart = radar_chart(series, instrument)
    axes = polar_axes(chart)
    assert len(axes) == len(series)
    assert all(ax.get_ylim() == (1, 10) for ax in axes)
    assert all(len(series_lines(ax)) == 1 for ax in axes)
    with pytest.raises(ValueError):
        radar_chart(series, instrument, small_multiples=False)


def test_small_multiples_are_titled_with_name_and_n(instrument):
    panels = [round_entry(3, n=8, label="Hässelby-Vällingby"), round_entry(3, n=6, label="Spånga-Tensta", seed=2),
              hidden_round(3, label="Skärholmen")]
    chart = small_multiples_chart(panels, instrument)
    titles = [text.get_text() for text in chart.figure.texts]
    assert "Hässelby-Vällingby (n = 8)" in titles
    assert "Spånga-Tensta (n = 6)" in titles
    assert "Skärholmen (hidden: too few answers)" in titles
    svg = chart.render("svg").decode("utf-8")
    assert "Hässelby-Vällingby (n = 8)" in svg


def test_radar_text_alternative(instrument, swedish):
    chart = radar_chart([round_entry(3)], instrument, gettext=swedish)
    assert chart.summary == "Högst skattade: Kunskap om varandra (7,8); lägst: Ledningens stöd (4,3)."
    assert chart.table_headers[:3] == ["Fråga", "Dimension", "Medelvärde"]
    assert [row[0] for row in chart.table_rows] == [item.label.sv for item in instrument.items]
    assert all("," in row[2] and "." not in row[2] for row in chart.table_rows)
    english = radar_chart([round_entry(3)], instrument, language="en")
    assert english.summary == "Highest rated: Knowing each other's work (7.8); lowest: Management support (4.3)."


def test_several_series_table_has_a_row_per_series_and_item(instrument):
    chart = radar_chart([round_entry(1), round_entry(3)], instrument)
    assert chart.table_headers[0] == "Series"
    assert len(chart.table_rows) == 18


def test_results_of_another_instrument_are_refused(instrument):
    entry = round_entry(3)
    entry["items"][0] = dict(entry["items"][0], key="q99")
    with pytest.raises(ValueError, match="q99"):
        radar_chart([entry], instrument)


def test_summary_with_a_single_shown_item(instrument):
    hidden = tuple(key for key in instrument.item_keys if key != "q6")
    chart = radar_chart([round_entry(3, hidden=hidden)], instrument)
    assert chart.summary == "Only Kunskap om varandra is shown: 7,8."
