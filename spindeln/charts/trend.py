"""Change over time: means across rounds with 95 % intervals, and a before/after (dumbbell) chart.

Trend data is `{"items": [...], "dimensions": [...]}`, each entry a `key` and `points` with `round`,
`mean`, `ci_low`, `ci_high`, `n`, `suppressed`. The value axis always spans the whole scale, as in the
radar: a narrow axis would make small changes look large.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from spindeln.charts.base import (
    MUTED,
    SERIES_STYLES,
    Chart,
    Gettext,
    check_same_instrument,
    figure_of,
    figure_with_footer,
    fill_footer,
    format_number,
    hidden_text,
    identity,
    is_hidden,
    items_by_key,
    series_label,
    series_title,
    styled,
    wrap,
)
from spindeln.instrument import Instrument

#: Key of the all-items dimension in analysis results.
ALL_ITEMS = "all"


@styled
def trend_chart(
    trend: Mapping,
    instrument: Instrument,
    *,
    level: str = "dimensions",
    round_labels: Mapping[int, str] | None = None,
    include_all: bool = False,
    language: str = "sv",
    gettext: Gettext = identity,
    title: str | None = None,
) -> Chart:
    """Means across rounds with 95 % intervals as error bars; x is the rounds, labelled from `round_labels`.

    `level="dimensions"` draws one line per dimension in one panel (`include_all` adds the all-items
    mean); `level="items"` draws one panel per dimension with a line per item. Hidden points are gaps.
    """
    if level not in ("dimensions", "items"):
        raise ValueError(f"level must be 'dimensions' or 'items', not {level!r}")
    rounds = sorted({point["round"] for entries in trend.values() for entry in entries for point in entry["points"]})
    round_labels = {number: (round_labels or {}).get(number) or gettext("Round {number}").format(number=number)
                    for number in rounds}
    by_key = {entry["key"]: entry for entry in trend.get(level, [])}
    if level == "dimensions":
        keys = [dimension.key for dimension in instrument.dimensions] + ([ALL_ITEMS] if include_all else [])
        panels = [(None, [key for key in keys if key in by_key])]
    else:
        panels = [(dimension.name.get(language), [item.key for item in instrument.items_of(dimension.key)
                                                  if item.key in by_key])
                  for dimension in instrument.dimensions]
        panels = [(name, keys) for name, keys in panels if keys]
    names = _names(instrument, language, gettext)

    columns = 1 if len(panels) == 1 else 2
    rows = math.ceil(len(panels) / columns)
    panel_height = 7.2 if len(panels) == 1 else 5.2
    most_lines = max(len(keys) for _, keys in panels)
    legend_lines = math.ceil(most_lines / 2) if len(panels) == 1 else 0
    figure, body, footer = figure_with_footer(15 if columns == 1 else 17, panel_height * rows,
                                              0.45 + 0.45 * legend_lines)
    grid = body.subgridspec(rows, columns)
    positions = np.arange(len(rounds), dtype=float)
    tick_labels = [wrap(round_labels[number], 11) for number in rounds]
    for index, (panel_name, keys) in enumerate(panels):
        ax = figure.add_subplot(grid[index // columns, index % columns])
        # Lines side by side, a little apart, so the error bars of one round do not hide each other.
        dodge = np.linspace(-0.12, 0.12, len(keys)) if len(keys) > 1 else [0.0]
        points_of = {key: {point["round"]: point for point in by_key[key]["points"]} for key in keys}
        # A round hidden for every line gets one note on the chart; one hidden for some is named per line.
        all_hidden = [number for number in rounds
                      if all(is_hidden(points_of[key].get(number)) for key in keys)]
        for key, shift, style in zip(keys, dodge, SERIES_STYLES):
            points = points_of[key]
            means = np.array([figure_of(points.get(number), "mean") for number in rounds])
            low = np.array([figure_of(points.get(number), "ci_low") for number in rounds])
            high = np.array([figure_of(points.get(number), "ci_high") for number in rounds])
            hidden = [round_labels[number] for number in rounds
                      if is_hidden(points.get(number)) and number not in all_hidden]
            label = names[key]
            if hidden:
                label += " (" + gettext("hidden in {rounds}").format(rounds=", ".join(hidden)) + ")"
            ax.errorbar(positions + shift, means, yerr=[means - low, high - means], color=style.color,
                        linestyle=style.linestyle, marker=style.marker, markersize=9, linewidth=2.6,
                        elinewidth=1.6, capsize=5, markeredgecolor="white", label=label)
        for position, number in zip(positions, rounds):
            if number in all_hidden:
                ax.text(position, (instrument.scale.min + instrument.scale.max) / 2, wrap(hidden_text(gettext), 10),
                        ha="center", va="center", fontsize=12, fontstyle="italic", color=MUTED)
        _value_axis(ax, instrument, language)
        ax.set_xticks(positions, tick_labels)
        ax.set_xlim(-0.5, len(rounds) - 0.5)
        if panel_name:
            ax.set_title(panel_name, loc="left")
            ax.legend(loc="best", fontsize=12, frameon=True, framealpha=0.9, ncols=2)
    default_title = gettext("Change over time by dimension") if level == "dimensions" else \
        gettext("Change over time by item")
    figure.suptitle(title or default_title)
    # One panel: its lines are explained in the footer; several panels each carry their own legend.
    handles = ax.get_legend_handles_labels()[0] if len(panels) == 1 else []
    note = gettext("Points: mean. Bars: 95 % confidence interval. Scale {min}–{max}.").format(
        min=instrument.scale.min, max=instrument.scale.max)
    fill_footer(footer, handles, note, ncols=2)
    headers, table_rows = _trend_table(panels, by_key, rounds, round_labels, names, language, gettext)
    summary = _trend_summary(panels, by_key, rounds, round_labels, names, language, gettext)
    return Chart(figure, summary, headers, table_rows)


@styled
def dumbbell_chart(
    before: Mapping,
    after: Mapping,
    instrument: Instrument,
    *,
    language: str = "sv",
    gettext: Gettext = identity,
    title: str | None = None,
) -> Chart:
    """Each item's mean in two rounds as two dots joined by a line (open: before, filled: after), with the
    change printed beside it; items hidden in either round are marked."""
    check_same_instrument([before, after], instrument)
    before_items, after_items = items_by_key(before), items_by_key(after)
    items = list(instrument.items)
    figure, body, footer = figure_with_footer(15, 0.68 * len(items) + 1.2, 0.9)
    ax = figure.add_subplot(body)
    positions = np.arange(len(items), dtype=float)
    first, second = SERIES_STYLES[0], SERIES_STYLES[1]
    labels = []
    for position, item in zip(positions, items):
        old = figure_of(before_items.get(item.key), "mean")
        new = figure_of(after_items.get(item.key), "mean")
        label = item.label.get(language)
        if math.isnan(old) and math.isnan(new):
            label += " " + gettext("(hidden)")
        elif math.isnan(old) or math.isnan(new):
            # The round that is shown keeps its dot; the label says the pair is incomplete.
            label += " " + gettext("(partly hidden)")
        else:
            ax.plot([old, new], [position, position], color="#8c8c8c", linewidth=3.5, solid_capstyle="round",
                    zorder=1)
        labels.append(label)
        change = new - old
        ax.annotate(format_number(change, language, signed=True), (1, position),
                    xycoords=("axes fraction", "data"), xytext=(40, 0), textcoords="offset points",
                    ha="center", va="center", fontsize=14)
    old_means = [figure_of(before_items.get(item.key), "mean") for item in items]
    new_means = [figure_of(after_items.get(item.key), "mean") for item in items]
    ax.plot(old_means, positions, linestyle="none", marker="o", markersize=13, markerfacecolor="white",
            markeredgecolor=first.color, markeredgewidth=2.5, label=series_title(before, gettext), zorder=2)
    ax.plot(new_means, positions, linestyle="none", marker=second.marker, markersize=12, color=second.color,
            markeredgecolor="white", label=series_title(after, gettext), zorder=3)
    ax.annotate(gettext("Change"), (1, -0.9), xycoords=("axes fraction", "data"), xytext=(40, 0),
                textcoords="offset points", ha="center", va="center", fontsize=13, fontweight="bold")
    ax.set_yticks(positions, labels, fontsize=14)
    for tick, old, new in zip(ax.get_yticklabels(), old_means, new_means):
        if math.isnan(old) or math.isnan(new):
            tick.set_color(MUTED)
            tick.set_fontstyle("italic")
    ax.set_ylim(len(items) - 0.5, -1.3)
    ax.tick_params(axis="y", length=0)
    _value_axis(ax, instrument, language, axis="x")
    figure.suptitle(title or gettext("Before and after"))
    note = gettext("Mean per item; {min} = {min_label}, {max} = {max_label}.").format(
        min=instrument.scale.min, min_label=instrument.scale.min_label.get(language),
        max=instrument.scale.max, max_label=instrument.scale.max_label.get(language))
    fill_footer(footer, ax.get_legend_handles_labels()[0], note, ncols=2)
    headers = [gettext("Item"), gettext("Dimension"), series_title(before, gettext), series_title(after, gettext),
               gettext("Change")]
    rows = [[item.label.get(language), instrument.dimension(item.dimension).name.get(language),
             _mean_cell(old, gettext, language), _mean_cell(new, gettext, language),
             format_number(new - old, language, signed=True)]
            for item, old, new in zip(items, old_means, new_means)]
    summary = _change_summary([(item.label.get(language), new - old) for item, old, new in
                               zip(items, old_means, new_means)], before, after, language, gettext)
    return Chart(figure, summary, headers, rows)


# --- shared pieces -----------------------------------------------------------------------------------

def _value_axis(ax, instrument: Instrument, language: str, axis: str = "y") -> None:
    """The value axis over the whole scale, with integer ticks and light grid lines along it."""
    scale = instrument.scale
    ticks = [value for value in scale.values if scale.points <= 11 or value % max(1, scale.points // 10) == 0]
    labels = [format_number(value, language, 0) for value in ticks]
    # A little room beyond the ends so markers at the scale's ends are not cut in half.
    limits = (scale.min - 0.25, scale.max + 0.25)
    if axis == "y":
        ax.set_ylim(*limits)
        ax.set_yticks(ticks, labels)
    else:
        ax.set_xlim(*limits)
        ax.set_xticks(ticks, labels)
    ax.grid(axis=axis, color="#d9d9d9", linewidth=0.9)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _names(instrument: Instrument, language: str, gettext: Gettext) -> dict[str, str]:
    """Display names of every dimension and item key, and of the all-items mean."""
    names = {dimension.key: dimension.name.get(language) for dimension in instrument.dimensions}
    names.update({item.key: item.label.get(language) for item in instrument.items})
    names[ALL_ITEMS] = gettext("All items")
    return names


def _mean_cell(value: float, gettext: Gettext, language: str) -> str:
    """A mean for a table cell, or the hidden note."""
    return hidden_text(gettext) if math.isnan(value) else format_number(value, language)


def _trend_table(panels, by_key, rounds, round_labels, names, language, gettext):
    """One row per line and round: mean, 95 % interval and n."""
    headers = [gettext("Dimension or item"), gettext("Round"), gettext("Mean"), gettext("95 % interval"),
               gettext("n")]
    rows = []
    for _, keys in panels:
        for key in keys:
            points = {point["round"]: point for point in by_key[key]["points"]}
            for number in rounds:
                point = points.get(number)
                if is_hidden(point):
                    rows.append([names[key], round_labels[number], hidden_text(gettext), "–", "–"])
                    continue
                interval = (f"{format_number(figure_of(point, 'ci_low'), language)}–"
                            f"{format_number(figure_of(point, 'ci_high'), language)}")
                rows.append([names[key], round_labels[number], format_number(figure_of(point, "mean"), language),
                             interval, str(point.get("n", "–"))])
    return headers, rows


def _trend_summary(panels, by_key, rounds, round_labels, names, language, gettext) -> str:
    """ "From round A to round B: Regelverk 5,8 → 6,4, …" over each line's first and last shown round."""
    changes = []
    for _, keys in panels:
        for key in keys:
            shown = [point for point in sorted(by_key[key]["points"], key=lambda p: p["round"])
                     if not is_hidden(point) and point.get("mean") is not None]
            if len(shown) >= 2:
                changes.append(f"{names[key]} {format_number(shown[0]['mean'], language)} → "
                               f"{format_number(shown[-1]['mean'], language)}")
    if not changes:
        return gettext("Too few shown rounds to show a change.")
    return gettext("From {first} to {last}: {changes}.").format(
        first=round_labels[rounds[0]], last=round_labels[rounds[-1]], changes=", ".join(changes))


def _change_summary(changes: Sequence[tuple[str, float]], before, after, language, gettext) -> str:
    """One sentence naming the largest rise and the largest fall between two rounds."""
    shown = [(label, change) for label, change in changes if not math.isnan(change)]
    if not shown:
        return gettext("All results are hidden: too few answers.")
    rise = max(shown, key=lambda pair: pair[1])
    fall = min(shown, key=lambda pair: pair[1])
    words = {"before": series_label(before, gettext), "after": series_label(after, gettext),
             "rise": rise[0], "rise_value": format_number(rise[1], language, signed=True),
             "fall": fall[0], "fall_value": format_number(fall[1], language, signed=True)}
    if rise[1] > 0 and fall[1] < 0:
        sentence = gettext("From {before} to {after} the largest rise is {rise} ({rise_value}) and the largest "
                           "fall {fall} ({fall_value}).")
    elif rise[1] > 0:
        sentence = gettext("From {before} to {after} no item fell; the largest rise is {rise} ({rise_value}).")
    elif fall[1] < 0:
        sentence = gettext("From {before} to {after} no item rose; the largest fall is {fall} ({fall_value}).")
    else:
        sentence = gettext("From {before} to {after} no item changed.")
    return sentence.format(**words)
