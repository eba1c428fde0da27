"""Radar (spider) charts: one round, two or three overlaid, or small multiples of units or professions.

A series is a round entry as `spindeln.analysis.summary.summarise` returns it (or the same shape for a
profession or a unit within a round): a `label`, `n_respondents`, `suppressed` and nine `items` with
`mean`, `q1`, `q3`, `n`. The radial scale always runs from the instrument's scale minimum (centre) to its
maximum (outer circle), so charts can be laid side by side and compared.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from spindeln.charts.base import (
    MUTED,
    SERIES_STYLES,
    Chart,
    Gettext,
    check_same_instrument,
    extremes_sentence,
    fill_footer,
    figure_of,
    format_number,
    hidden_text,
    identity,
    new_figure,
    is_hidden,
    items_by_key,
    series_title,
    styled,
    wrap,
)
from spindeln.instrument import Instrument

#: More series than this in one radar cannot be told apart; they become small multiples.
MAX_OVERLAY = 3
#: Light fills for the dimension sectors, in dimension order. They stay behind the series and differ from
#: each other a little; the sector lines and names carry the grouping in black and white.
SECTOR_FILLS = ("#e8eef5", "#f5efe3", "#e7f2ec", "#f1e9f2", "#eeeeee", "#f6f0e8")
SECTOR_RING_FILLS = ("#c9d8e8", "#e9dcc0", "#c6e2d2", "#dfcde2", "#d6d6d6", "#eadfce")
#: Where, as a fraction of the radius, the sector ring and the item labels sit outside the scale.
RING_INNER, RING_OUTER, LABEL_RADIUS = 1.0, 1.12, 1.18
#: Opacity of the q1–q3 band: visible on a projector, yet the grid and sectors show through.
SPREAD_ALPHA = 0.25


@styled
def radar_chart(
    series: Sequence[Mapping],
    instrument: Instrument,
    *,
    language: str = "sv",
    gettext: Gettext = identity,
    title: str | None = None,
    show_spread: bool | None = None,
    small_multiples: bool | None = None,
) -> Chart:
    """A radar of one to three series (rounds, or professions within a round) on the instrument's scale.

    Each series has its own colour, line style and marker; the legend gives n per series. The mean is a
    line with markers and the middle half of the answers (q1–q3) a translucent band. `show_spread`
    defaults to a band for a single series only: overlapping bands of three series hide the lines.
    More than three series, or `small_multiples=True`, give `small_multiples_chart` instead.
    """
    series = list(series)
    if not series:
        raise ValueError("a radar chart needs at least one series")
    if small_multiples is None:
        small_multiples = len(series) > MAX_OVERLAY
    if small_multiples:
        return small_multiples_chart(
            series, instrument, language=language, gettext=gettext, title=title,
            show_spread=True if show_spread is None else show_spread,
        )
    if len(series) > MAX_OVERLAY:
        raise ValueError(f"at most {MAX_OVERLAY} series fit in one radar; ask for small multiples")
    check_same_instrument(series, instrument)
    if show_spread is None:
        show_spread = len(series) == 1

    figure, [ax], footer = _radar_figure([""], 1, LARGE, footer_lines=len(series) + show_spread)
    handles = _draw_radar(ax, series, instrument, language, gettext, show_spread=show_spread, size=LARGE)
    figure.suptitle(title or instrument.name.get(language), y=1 - 0.25 / figure.get_figheight(), va="top")
    fill_footer(footer, handles, _scale_note(instrument, language, gettext))
    headers, rows = _radar_table(series, instrument, language, gettext)
    return Chart(figure, _radar_summary(series, instrument, language, gettext), headers, rows)


@styled
def small_multiples_chart(
    panels: Sequence[Mapping],
    instrument: Instrument,
    *,
    language: str = "sv",
    gettext: Gettext = identity,
    title: str | None = None,
    show_spread: bool = True,
    columns: int | None = None,
) -> Chart:
    """One radar per unit or profession on one figure, on the same scale, each titled with its name and n."""
    panels = list(panels)
    if not panels:
        raise ValueError("small multiples need at least one panel")
    check_same_instrument(panels, instrument)
    columns = columns or (len(panels) if len(panels) <= 3 else 2 if len(panels) == 4 else 3)

    figure, axes, footer = _radar_figure([series_title(entry, gettext) for entry in panels], columns, SMALL,
                                         footer_lines=show_spread)
    spread_handle = None
    for ax, entry in zip(axes, panels):
        handles = _draw_radar(ax, [entry], instrument, language, gettext, show_spread=show_spread, size=SMALL)
        # Panels share one style, so the legend only needs to explain the band, once.
        spread_handle = spread_handle or next((h for h in handles if isinstance(h, Patch)), None)
    figure.suptitle(title or instrument.name.get(language), y=1 - 0.25 / figure.get_figheight(), va="top")
    fill_footer(footer, [spread_handle] if spread_handle else [], _scale_note(instrument, language, gettext))
    headers, table_rows = _radar_table(panels, instrument, language, gettext)
    return Chart(figure, _radar_summary(panels, instrument, language, gettext), headers, table_rows)


# --- drawing -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RadarSize:
    """Text sizes (points) and label wrap width (characters) of one radar; `panel` is its title size."""

    label: float
    label_width: int
    sector: float
    tick: float
    panel: float
    #: Width and height (inches) of the cell one radar gets, labels and panel title included.
    cell: tuple[float, float]


#: A radar alone on a slide, and one panel of small multiples.
LARGE = RadarSize(label=15, label_width=16, sector=13, tick=12, panel=17, cell=(12, 9.8))
SMALL = RadarSize(label=12, label_width=14, sector=10.5, tick=10, panel=17, cell=(6.8, 6.2))
#: Heights (inches) of the figure title band, one footer line and the reading note.
TITLE_HEIGHT, FOOTER_LINE, NOTE_HEIGHT = 0.8, 0.42, 0.55


def _radar_figure(panel_titles: Sequence[str], columns: int, size: RadarSize, footer_lines: int):
    """A figure with a polar axes per panel title in a grid of cells, and a footer axes for legend and note.

    One empty title gives a single radar without a panel title.
    The radars are placed by hand: the item labels lie outside the polar axes, where the layout
    engines do not look, so room for them is reserved from the label size and wrap width.
    """
    cell_width, cell_height = size.cell
    rows = math.ceil(len(panel_titles) / columns)
    panel_title = 2 * size.panel / 72 if any(panel_titles) else 0
    footer = NOTE_HEIGHT + FOOTER_LINE * footer_lines
    width = columns * cell_width
    height = TITLE_HEIGHT + rows * cell_height + footer
    figure = new_figure(width, height, layout=None)
    # DejaVu Sans averages about 0.55 em per character; three lines: two of label, one "(hidden)".
    label_width = size.label_width * 0.55 * size.label / 72
    label_height = 3 * 1.2 * size.label / 72
    radius = min(cell_width / 2 - label_width, (cell_height - panel_title) / 2 - label_height) / LABEL_RADIUS
    axes = []
    for index, text in enumerate(panel_titles):
        row, column = divmod(index, columns)
        centre_x = (column + 0.5) * cell_width
        cell_top = height - TITLE_HEIGHT - row * cell_height
        centre_y = cell_top - panel_title - (cell_height - panel_title) / 2
        rect = [(centre_x - radius) / width, (centre_y - radius) / height, 2 * radius / width, 2 * radius / height]
        axes.append(figure.add_axes(rect, projection="polar"))
        if text:
            figure.text(centre_x / width, (cell_top - 0.1) / height, text, ha="center", va="top",
                        fontsize=size.panel, fontweight="bold")
    footer_ax = figure.add_axes([0, 0.1 / height, 1, (footer - 0.1) / height])
    footer_ax.set_axis_off()
    return figure, axes, footer_ax

def _angles(count: int) -> np.ndarray:
    """Angles of the item axes, clockwise from the top (the axes set the direction and offset)."""
    return np.arange(count) * 2 * np.pi / count


def _dimension_runs(instrument: Instrument) -> list[tuple[str, int, int]]:
    """(dimension key, first item index, last item index) for each run of neighbouring items.

    The shipped instrument keeps each dimension's items together; an instrument that interleaves them
    simply gets more, smaller sectors.
    """
    runs: list[tuple[str, int, int]] = []
    for index, item in enumerate(instrument.items):
        if runs and runs[-1][0] == item.dimension:
            runs[-1] = (item.dimension, runs[-1][1], index)
        else:
            runs.append((item.dimension, index, index))
    if len(runs) > 1 and runs[0][0] == runs[-1][0]:
        # The circle closes: the last run and the first are one sector.
        key, first, _ = runs.pop()
        runs[0] = (key, first - len(instrument.items), runs[0][2])
    return runs


def _draw_radar(
    ax,
    series: Sequence[Mapping],
    instrument: Instrument,
    language: str,
    gettext: Gettext,
    *,
    show_spread: bool,
    size: RadarSize,
) -> list:
    """Draw sectors, scale, item labels and every series on polar `ax`; return the legend handles."""
    scale = instrument.scale
    count = len(instrument.items)
    angles = _angles(count)
    step = 2 * np.pi / count
    span = scale.max - scale.min

    def radius(fraction: float) -> float:
        return scale.min + fraction * span

    ax.set_theta_offset(np.pi / 2)
    ax.set_theta_direction(-1)
    ax.set_ylim(scale.min, scale.max)
    ax.set_autoscale_on(False)
    ax.set_xticks(angles, [""] * count)
    # The outer circle needs no number (the note names the scale's end points) and its number would
    # collide with the sector names on the ring.
    ticks = [tick for tick in MaxNLocator(5, integer=True).tick_values(scale.min, scale.max)
             if scale.min < tick < scale.max]
    ax.set_yticks(ticks, [format_number(tick, language, 0) for tick in ticks], fontsize=size.tick,
                  color=MUTED)
    ax.set_rlabel_position(np.degrees(step / 2))
    ax.grid(color="#bdbdbd", linewidth=0.8)
    ax.spines["polar"].set_color("#8c8c8c")
    ax.set_facecolor("white")

    # Sectors: a light wedge per dimension, a ring outside the scale with the dimension's name, and a
    # line between sectors, so the grouping reads without colour.
    dimension_order = [dimension.key for dimension in instrument.dimensions]
    for key, first, last in _dimension_runs(instrument):
        shade = dimension_order.index(key) % len(SECTOR_FILLS)
        start = (first - 0.5) * step
        width = (last - first + 1) * step
        centre = start + width / 2
        ax.bar(centre, span, width=width, bottom=scale.min, color=SECTOR_FILLS[shade], zorder=0,
               linewidth=0)
        ax.bar(centre, (RING_OUTER - RING_INNER) * span, width=width, bottom=radius(RING_INNER),
               color=SECTOR_RING_FILLS[shade], edgecolor="white", linewidth=2, clip_on=False, zorder=1)
        ax.plot([start, start], [scale.min, radius(RING_OUTER)], color="#5f5f5f", linewidth=1.4,
                clip_on=False, zorder=2)
        rotation = -np.degrees(centre) % 360
        if 90 < rotation < 270:
            rotation -= 180  # never upside down
        ax.text(centre, radius((RING_INNER + RING_OUTER) / 2), instrument.dimension(key).name.get(language),
                rotation=rotation, rotation_mode="anchor", ha="center", va="center", fontsize=size.sector,
                fontweight="bold", color="#333333", clip_on=False, zorder=3)

    # Item labels outside the ring, marked when the item is hidden in every series or in some of them.
    results = [items_by_key(entry) for entry in series]
    # A series hidden as a whole is named in the legend (or the centre message); marking every label
    # for it would say nothing more.
    partial = [result for entry, result in zip(series, results) if not _wholly_hidden(entry, result, instrument)]
    for angle, item in zip(angles, instrument.items):
        hidden = [is_hidden(result.get(item.key)) for result in partial] or [False]
        text = wrap(item.label.get(language), size.label_width)
        if all(hidden):
            text += "\n" + gettext("(hidden)")
        elif any(hidden):
            text += "\n" + gettext("(partly hidden)")
        x, y = np.sin(angle), np.cos(angle)
        ax.text(angle, radius(LABEL_RADIUS), text, fontsize=size.label, clip_on=False,
                ha="left" if x > 0.15 else "right" if x < -0.15 else "center",
                va="bottom" if y > 0.5 else "top" if y < -0.5 else "center",
                color=MUTED if any(hidden) else "black", fontstyle="italic" if any(hidden) else "normal",
                linespacing=1.15)

    # Series: the band first so every line lies on top of every band.
    closed = np.append(angles, 2 * np.pi)
    handles = []
    shown = []
    for entry, result, style in zip(series, results, SERIES_STYLES):
        means = [figure_of(result.get(key), "mean") for key in instrument.item_keys]
        if _wholly_hidden(entry, result, instrument):
            # Nothing to draw; the legend still names the series and says why it is missing.
            handles.append(Line2D([], [], linestyle="none", label=series_title(entry, gettext)))
            continue
        shown.append(style)
        if show_spread:
            low = np.array([figure_of(result.get(key), "q1") for key in instrument.item_keys] + [math.nan])
            high = np.array([figure_of(result.get(key), "q3") for key in instrument.item_keys] + [math.nan])
            low[-1], high[-1] = low[0], high[0]
            valid = ~(np.isnan(low) | np.isnan(high))
            ax.fill_between(closed, np.where(valid, low, scale.min), np.where(valid, high, scale.min),
                            where=valid, color=style.color, alpha=SPREAD_ALPHA, linewidth=0, zorder=4)
        # NaN breaks the line: a hidden item is a gap, never a zero.
        ax.plot(closed, means + means[:1], color=style.color, linestyle=style.linestyle, linewidth=3,
                marker=style.marker, markersize=9, markeredgecolor="white", markeredgewidth=1.2, zorder=6,
                clip_on=False, label=series_title(entry, gettext))
        handles.append(ax.lines[-1])

    if not shown:
        ax.text(0, scale.min, wrap(hidden_text(gettext), 18), ha="center", va="center", fontsize=size.label + 2,
                fontweight="bold", color="#333333", zorder=7,
                bbox={"boxstyle": "round,pad=0.6", "facecolor": "white", "edgecolor": "#8c8c8c"})
    elif show_spread:
        handles.append(Patch(facecolor=shown[0].color if len(shown) == 1 else "#9e9e9e", alpha=SPREAD_ALPHA,
                             label=gettext("Shaded band: middle half of the answers (q1–q3)")))
    return handles


def _wholly_hidden(entry: Mapping, result: Mapping, instrument: Instrument) -> bool:
    """Whether a series has nothing to show: suppressed as a whole, or every item hidden or without a mean."""
    return bool(entry.get("suppressed")) or all(
        math.isnan(figure_of(result.get(key), "mean")) for key in instrument.item_keys
    )


def _scale_note(instrument: Instrument, language: str, gettext: Gettext) -> str:
    """A caption naming the scale's end points, so the chart can be read without the questionnaire."""
    scale = instrument.scale
    return gettext("Scale: {min} = {min_label}, {max} = {max_label}. Line: mean.").format(
        min=scale.min, min_label=scale.min_label.get(language), max=scale.max,
        max_label=scale.max_label.get(language),
    )


# --- text alternative --------------------------------------------------------------------------------

def _radar_table(series: Sequence[Mapping], instrument: Instrument, language: str, gettext: Gettext):
    """Headers and rows: one row per item (and series, when there are several)."""
    several = len(series) > 1
    headers = [gettext("Item"), gettext("Dimension"), gettext("Mean"), gettext("Middle half (q1–q3)"),
               gettext("n"), gettext("Cannot assess")]
    if several:
        headers.insert(0, gettext("Series"))
    rows = []
    for entry in series:
        result = items_by_key(entry)
        for item in instrument.items:
            row = [item.label.get(language), instrument.dimension(item.dimension).name.get(language)]
            item_result = result.get(item.key)
            if is_hidden(item_result):
                row += [hidden_text(gettext), "–", "–", "–"]
            else:
                row += [
                    format_number(figure_of(item_result, "mean"), language),
                    f"{format_number(figure_of(item_result, 'q1'), language)}–"
                    f"{format_number(figure_of(item_result, 'q3'), language)}",
                    str(item_result.get("n", "–")),
                    str(item_result.get("cannot_assess", "–")),
                ]
            if several:
                row.insert(0, series_title(entry, gettext))
            rows.append(row)
    return headers, rows


def _radar_summary(series: Sequence[Mapping], instrument: Instrument, language: str, gettext: Gettext) -> str:
    """One sentence per series naming the highest and lowest rated item."""
    sentences = []
    for entry in series:
        result = items_by_key(entry)
        pairs = [(item.label.get(language), figure_of(result.get(item.key), "mean")) for item in instrument.items]
        sentence = extremes_sentence(pairs, language, gettext)
        sentences.append(f"{series_title(entry, gettext)}: {sentence}" if len(series) > 1 else sentence)
    return " ".join(sentences)
