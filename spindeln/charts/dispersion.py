"""The dispersion chart: how the answers to each item spread over the scale, and how far people agree.

One horizontal bar per item, split into the share of answers at each scale value. The colours run from
dark (scale minimum) to light (maximum) in a colour-blind-safe sequential map (viridis), whose lightness
rises steadily, so the order survives black-and-white print; white borders keep neighbouring values apart.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import to_rgb
from matplotlib.patches import Patch

from spindeln.charts.base import (
    HIDDEN_FILL,
    MUTED,
    Chart,
    Gettext,
    agreement_text,
    check_same_instrument,
    figure_with_footer,
    fill_footer,
    format_number,
    hidden_text,
    identity,
    is_hidden,
    items_by_key,
    series_title,
    styled,
    wrap,
)
from spindeln.instrument import Instrument

#: Segments narrower than this share of a bar get no count printed in them: it would not fit.
MIN_LABELLED_SHARE = 0.045


@styled
def dispersion_chart(
    entry: Mapping,
    instrument: Instrument,
    *,
    language: str = "sv",
    gettext: Gettext = identity,
    title: str | None = None,
) -> Chart:
    """Stacked bars of the answer distribution per item of one round (or group), with n, the number who
    could not assess, and the agreement index (rwg and its band) beside each bar; hidden items marked."""
    check_same_instrument([entry], instrument)
    scale = instrument.scale
    values = list(scale.values)
    colours = [colormaps["viridis"](fraction) for fraction in np.linspace(0.0, 0.97, len(values))]
    results = items_by_key(entry)

    # Rows from the top: a heading row per dimension, then its items, with air between groups.
    rows: list[tuple[float, str, object]] = []  # (y, kind, payload)
    y = 0.0
    for dimension in instrument.dimensions:
        items = instrument.items_of(dimension.key)
        if not items:
            continue
        rows.append((y, "dimension", dimension))
        y += 0.85
        for item in items:
            rows.append((y, "item", item))
            y += 1
        y += 0.35

    figure, body, footer = figure_with_footer(16, 0.62 * y + 1.2, 1.35)
    ax = figure.add_subplot(body)
    item_rows = [(position, item) for position, kind, item in rows if kind == "item"]
    labels = []
    segments: list[tuple[float, float, float, object, int]] = []  # (y, left, share, colour, count)
    for position, item in item_rows:
        result = results.get(item.key)
        label = wrap(item.label.get(language), 24)
        if is_hidden(result):
            label += " " + gettext("(hidden)")
            _hidden_bar(ax, position, hidden_text(gettext))
        elif not result.get("n"):
            _hidden_bar(ax, position, gettext("No ratings"))
        else:
            segments += _segments(position, result, values, colours)
        labels.append(label)
    _distribution_bars(ax, segments)
    ax.set_yticks([position for position, _ in item_rows], labels, fontsize=14)
    for tick, (_, item) in zip(ax.get_yticklabels(), item_rows):
        if is_hidden(results.get(item.key)):
            tick.set_color(MUTED)
            tick.set_fontstyle("italic")
    for position, kind, dimension in rows:
        if kind == "dimension":
            ax.annotate(dimension.name.get(language), (0, position), xycoords=("axes fraction", "data"),
                        xytext=(-10, 0), textcoords="offset points", ha="right", va="center",
                        fontsize=15, fontweight="bold")

    ax.set_ylim(y - 0.35, -0.6)
    ax.set_xlim(0, 1)
    ax.set_xticks(np.linspace(0, 1, 6), [f"{int(share * 100)} %" for share in np.linspace(0, 1, 6)])
    ax.set_xlabel(gettext("Share of those who answered"))
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)

    # Beside each bar: n, cannot assess, agreement. Offsets in points keep the columns apart whatever
    # the figure size.
    columns = [(28, gettext("n")), (100, wrap(instrument.cannot_assess.get(language), 12)),
               (205, wrap(gettext("Agreement (rwg)"), 14))]
    for offset, header in columns:
        ax.annotate(header, (1, -0.6), xycoords=("axes fraction", "data"), xytext=(offset, 4),
                    textcoords="offset points", ha="center", va="bottom", fontsize=13, fontweight="bold")
    for position, item in item_rows:
        result = results.get(item.key)
        cells = ["–", "–", "–"] if is_hidden(result) else [
            str(result.get("n", "–")), str(result.get("cannot_assess", "–")), _agreement_cell(result, language, gettext)]
        for (offset, _), cell in zip(columns, cells):
            ax.annotate(cell, (1, position), xycoords=("axes fraction", "data"), xytext=(offset, 0),
                        textcoords="offset points", ha="center", va="center", fontsize=14)

    figure.suptitle(title or f"{gettext('Spread of the answers')}: {series_title(entry, gettext)}")
    handles = [Patch(facecolor=colour, edgecolor="white", label=str(value)) for value, colour in zip(values, colours)]
    note = gettext("{min} = {min_label}, {max} = {max_label}. Numbers in the bars: how many gave that answer.").format(
        min=scale.min, min_label=scale.min_label.get(language), max=scale.max, max_label=scale.max_label.get(language))
    fill_footer(footer, handles, note, ncols=len(values))
    headers, table_rows = _dispersion_table(results, instrument, language, gettext)
    return Chart(figure, _dispersion_summary(results, instrument, language, gettext), headers, table_rows)


def _segments(position: float, result: Mapping, values: list[int], colours: list) -> list[tuple]:
    """One item's answers as bar segments: (y, left, share, colour, count) for every value given."""
    counts = result.get("counts") or {}
    numbers = [int(counts.get(str(value), counts.get(value, 0)) or 0) for value in values]
    total = sum(numbers) or 1
    segments, left = [], 0.0
    for number, colour in zip(numbers, colours):
        share = number / total
        if share:
            segments.append((position, left, share, colour, number))
        left += share
    return segments


def _distribution_bars(ax, segments: list[tuple]) -> None:
    """Every item's segments in one call, each with its count when there is room.

    One `barh` for all segments rather than one per segment: a chart has some seventy, and each call
    costs a container and a re-scaling. The counts lie inside the axes, so the layout need not measure them.
    """
    if not segments:
        return
    y, left, share, colour, _ = zip(*segments)
    ax.barh(y, share, left=left, height=0.72, color=colour, edgecolor="white", linewidth=1.5)
    for position, start, width, fill, number in segments:
        if width >= MIN_LABELLED_SHARE:
            ax.text(start + width / 2, position, str(number), ha="center", va="center", fontsize=12,
                    color="white" if _is_dark(fill) else "black", in_layout=False)


def _hidden_bar(ax, position: float, text: str) -> None:
    """An empty, hatched bar saying why it is empty: hidden is never drawn as zero."""
    ax.barh(position, 1, height=0.72, color=HIDDEN_FILL, edgecolor="#bdbdbd", hatch="//", linewidth=1)
    ax.text(0.5, position, text, ha="center", va="center", fontsize=13, fontstyle="italic", color="#333333",
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 2}, in_layout=False)


def _is_dark(colour) -> bool:
    """Whether white text reads better than black on this colour (relative luminance below 0.4)."""
    red, green, blue = to_rgb(colour)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue < 0.4


def _agreement_cell(result: Mapping, language: str, gettext: Gettext) -> str:
    """ "moderate (0,56)", or "–" when there is no agreement index."""
    if result.get("rwg") is None:
        return "–"
    band = agreement_text(result.get("agreement"), gettext, result.get("no_band"))
    return f"{band} ({format_number(result['rwg'], language, 2)})"


def _dispersion_table(results: Mapping, instrument: Instrument, language: str, gettext: Gettext):
    """Headers and one row per item: n, cannot assess, the count at every scale value, rwg and band."""
    values = list(instrument.scale.values)
    headers = [gettext("Item"), gettext("Dimension"), gettext("n"), instrument.cannot_assess.get(language)]
    headers += [str(value) for value in values] + [gettext("rwg"), gettext("Agreement")]
    rows = []
    for item in instrument.items:
        result = results.get(item.key)
        row = [item.label.get(language), instrument.dimension(item.dimension).name.get(language)]
        if is_hidden(result):
            row += [hidden_text(gettext)] + ["–"] * (len(headers) - 3)
        else:
            counts = result.get("counts") or {}
            row += [str(result.get("n", "–")), str(result.get("cannot_assess", "–"))]
            row += [str(counts.get(str(value), counts.get(value, 0))) for value in values]
            row += [format_number(result.get("rwg"), language, 2),
                    agreement_text(result.get("agreement"), gettext, result.get("no_band"))]
        rows.append(row)
    return headers, rows


def _dispersion_summary(results: Mapping, instrument: Instrument, language: str, gettext: Gettext) -> str:
    """One sentence naming the items with the most and the least agreement."""
    shown = [(item.label.get(language), results[item.key]["rwg"]) for item in instrument.items
             if not is_hidden(results.get(item.key)) and results[item.key].get("rwg") is not None]
    if not shown:
        return gettext("No agreement index can be shown: too few answers.")
    most = max(shown, key=lambda pair: pair[1])
    least = min(shown, key=lambda pair: pair[1])
    return gettext("Most agreement: {most} (rwg {most_value}); least: {least} (rwg {least_value}).").format(
        most=most[0], most_value=format_number(most[1], language, 2),
        least=least[0], least_value=format_number(least[1], language, 2),
    )
