"""Dispersion, trend and before/after charts: content checked on the figure."""

from __future__ import annotations

import math

import numpy as np
import pytest

from spindeln.charts import dispersion_chart, dumbbell_chart, trend_chart
from tests.charts.factories import legend_texts, round_entry, trend_data


def chart_axes(chart):
    """The axes holding the chart (the last axes is the footer with legend and note)."""
    return [ax for ax in chart.figure.axes if ax.axison]


def annotations(ax):
    return [text.get_text() for text in ax.texts]


def test_dispersion_bars_follow_the_counts(instrument):
    entry = round_entry(3)
    [ax] = chart_axes(dispersion_chart(entry, instrument))
    labels = [tick.get_text() for tick in ax.get_yticklabels()]
    assert labels == [item.label.sv for item in instrument.items]
    first = entry["items"][0]
    counts = [first["counts"][str(value)] for value in range(1, 11) if first["counts"][str(value)]]
    y = ax.get_yticks()[0]
    widths = [patch.get_width() for patch in ax.patches if math.isclose(patch.get_y() + patch.get_height() / 2, y)]
    assert np.allclose(widths, np.array(counts) / sum(counts))
    # White borders between the segments: the values stay apart in black and white.
    assert all(patch.get_edgecolor()[:3] == (1, 1, 1) for patch in ax.patches)


def test_dispersion_prints_n_cannot_assess_and_agreement(instrument, swedish):
    entry = round_entry(3)
    chart = dispersion_chart(entry, instrument, gettext=swedish)
    [ax] = chart_axes(chart)
    texts = annotations(ax)
    first = entry["items"][0]
    assert "Kan inte\nbedöma" in texts
    expected = f"{'måttlig' if first['agreement'] == 'moderate' else 'hög'} ({first['rwg']:.2f})".replace(".", ",")
    assert expected in texts
    row = chart.table_rows[0]
    assert row[2:4] == [str(first["n"]), str(first["cannot_assess"])]
    assert chart.table_headers[3] == "Kan inte bedöma"
    assert "rwg" in chart.summary and "," in chart.summary


def test_dispersion_marks_hidden_items(instrument, swedish):
    chart = dispersion_chart(round_entry(3, hidden=("q9",)), instrument, gettext=swedish)
    [ax] = chart_axes(chart)
    assert ax.get_yticklabels()[-1].get_text() == "Brukarnas inflytande (dold)"
    assert "Dolt: för få svar" in annotations(ax)
    hatched = [patch for patch in ax.patches if patch.get_hatch()]
    assert len(hatched) == 1
    assert chart.table_rows[-1][2] == "Dolt: för få svar"


def test_trend_by_dimension_has_a_line_per_dimension_on_the_whole_scale(instrument):
    chart = trend_chart(trend_data(), instrument, round_labels={1: "Mätning 1 (vt 2018)"})
    [ax] = chart_axes(chart)
    assert len(ax.containers) == 4  # one errorbar container per dimension
    assert ax.get_ylim() == (0.75, 10.25)
    ticks = [tick.get_text() for tick in ax.get_xticklabels()]
    assert ticks[0] == "Mätning 1\n(vt 2018)"
    assert ticks[1] == "Round 2"
    legend = legend_texts(chart)
    assert legend == ["Regelverk", "Organisation", "Synsätt och kunskap", "Sammanhang"]
    with_all = trend_chart(trend_data(), instrument, include_all=True)
    assert len(chart_axes(with_all)[0].containers) == 5


def test_trend_leaves_hidden_rounds_as_gaps(instrument):
    chart = trend_chart(trend_data(hidden_rounds=(2,)), instrument)
    [ax] = chart_axes(chart)
    line = ax.containers[0].lines[0]
    assert math.isnan(line.get_ydata()[1])
    assert "Hidden: too few answers" in [text.replace("\n", " ") for text in annotations(ax)]
    hidden_rows = [row for row in chart.table_rows if row[1] == "Round 2"]
    assert all(row[2] == "Hidden: too few answers" for row in hidden_rows)


def test_trend_by_item_has_a_panel_per_dimension(instrument):
    chart = trend_chart(trend_data(), instrument, level="items", language="en")
    axes = chart_axes(chart)
    assert [ax.get_title(loc="left") for ax in axes] == ["Rules", "Organisation", "Perspectives and knowledge",
                                                         "Context"]
    assert [len(ax.containers) for ax in axes] == [2, 3, 2, 2]
    assert "Management support 4.1 → 5.2" in chart.summary
    with pytest.raises(ValueError):
        trend_chart(trend_data(), instrument, level="units")


def test_trend_table_has_intervals_with_decimal_comma(instrument):
    chart = trend_chart(trend_data(), instrument)
    assert chart.table_headers == ["Dimension or item", "Round", "Mean", "95 % interval", "n"]
    assert len(chart.table_rows) == 4 * 6
    mean, interval = chart.table_rows[0][2:4]
    assert "," in mean and "–" in interval and "." not in interval


def test_dumbbell_shows_both_rounds_and_the_change(instrument):
    before, after = round_entry(1, n=30), round_entry(6, n=40, hidden=("q5",))
    chart = dumbbell_chart(before, after, instrument)
    [ax] = chart_axes(chart)
    labels = [tick.get_text() for tick in ax.get_yticklabels()]
    assert labels[4] == "Flexibel organisation (partly hidden)"
    texts = annotations(ax)
    change = after["items"][0]["mean"] - before["items"][0]["mean"]
    assert f"+{change:.1f}".replace(".", ",") in texts
    assert "–" in texts  # the hidden item's change
    assert ax.get_xlim() == (0.75, 10.25)
    legend = legend_texts(chart)
    assert legend == ["Mätning 1 (vt 2018) (n = 30)", "Mätning 6 (vt 2021) (n = 40)"]
    assert chart.summary.startswith("From Mätning 1 (vt 2018) to Mätning 6 (vt 2021)")
    assert chart.table_rows[4][3] == "Hidden: too few answers"
