"""What every chart shares: the house style, the `Chart` result, rendering to bytes and number formatting.

Charts are built on `matplotlib.figure.Figure` objects, never through `pyplot`, whose global state is not
safe in a web server. Settings that matplotlib only reads from the global `rcParams` (the SVG font type and
hash salt, default fonts) are applied with `rc_context` under one lock, so two requests rendering at the same
time cannot undo each other's settings half-way through a drawing.
"""

from __future__ import annotations

import functools
import io
import math
import textwrap
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

Gettext = Callable[[str], str]


def identity(text: str) -> str:
    """The default `gettext`: the chart's own words stay in English."""
    return text


#: Mime type of each output format `render` knows.
MIMETYPES = {"svg": "image/svg+xml", "png": "image/png"}
#: Slides are 1920 px wide; a PNG narrower than this looks blurred when the projector scales it up.
PNG_MIN_WIDTH = 1600

#: The house style. `svg.fonttype = none` keeps text as <text>: screen readers can read it and WeasyPrint
#: lays it out quickly (path text makes PDF rendering very slow). The hash salt makes SVG ids, and thereby
#: the bytes, the same for the same input, so rendered charts can be cached by content hash.
STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 14,
    "axes.titlesize": 17,
    "axes.titleweight": "bold",
    "axes.labelsize": 14,
    "xtick.labelsize": 13,
    "ytick.labelsize": 13,
    "legend.fontsize": 14,
    "figure.titlesize": 20,
    "figure.titleweight": "bold",
    "svg.fonttype": "none",
    "svg.hashsalt": "spindeln",
    "axes.unicode_minus": True,
    "hatch.linewidth": 0.8,
    # Hinted glyphs change width unevenly with the resolution, so a label laid out at one dpi could
    # stick out of the figure at another; unhinted text scales exactly.
    "text.hinting": "no_hinting",
}

#: Colours of light grey "nothing to show here" areas and of secondary text.
MUTED = "#6b6b6b"
HIDDEN_FILL = "#f2f2f2"


@dataclass(frozen=True)
class SeriesStyle:
    """How one series is drawn: colour, line style and marker, so series differ in black and white too."""

    color: str
    linestyle: str | tuple
    marker: str


#: Okabe & Ito's colour-blind-safe palette, each colour paired with its own line style and marker.
SERIES_STYLES = (
    SeriesStyle("#0072B2", "-", "o"),  # blue
    SeriesStyle("#D55E00", "--", "s"),  # vermillion
    SeriesStyle("#009E73", "-.", "^"),  # bluish green
    SeriesStyle("#CC79A7", (0, (1, 1.2)), "D"),  # reddish purple, dotted
    SeriesStyle("#000000", (0, (6, 2, 1, 2, 1, 2)), "v"),  # black
)


_STYLE_LOCK = threading.RLock()


@contextmanager
def chart_style() -> Iterator[None]:
    """Apply the house style while building or rendering a chart (thread-safe, re-entrant)."""
    with _STYLE_LOCK, matplotlib.rc_context(STYLE):
        yield


def styled(builder):
    """Decorate a chart builder so every artist it creates picks up the house style."""

    @functools.wraps(builder)
    def build(*args, **kwargs):
        with chart_style():
            return builder(*args, **kwargs)

    return build


def new_figure(width: float, height: float, layout: str | None = "constrained") -> Figure:
    """A figure of `width` × `height` inches, by default with constrained layout, and an Agg canvas attached."""
    figure = Figure(figsize=(width, height), layout=layout)
    if layout == "constrained":
        # Text grows a little wider than linearly with the PNG resolution (glyph hinting); a margin of
        # 0.1 inch keeps the outermost labels inside the figure at every dpi.
        figure.get_layout_engine().set(w_pad=0.1, h_pad=0.1)
    # An attached canvas lets matplotlib measure text while the layout is worked out.
    FigureCanvasAgg(figure)
    return figure


def figure_with_footer(width: float, body_height: float, footer_height: float):
    """A figure with a body area and a footer axes below it for the legend and the reading note.

    Returns the figure, the body's `SubplotSpec` (make the chart's axes inside it) and the footer axes.
    The footer is an axes of its own, so the layout engine keeps legend and note apart from the chart.
    """
    figure = new_figure(width, body_height + footer_height)
    body, footer = figure.add_gridspec(2, 1, height_ratios=[body_height, footer_height])
    footer_ax = figure.add_subplot(footer)
    footer_ax.set_axis_off()
    return figure, body, footer_ax


def fill_footer(footer_ax, handles: Sequence, note: str, ncols: int = 1, fontsize: float = 15) -> None:
    """Put the legend (when there are `handles`) at the top of the footer and the note at its bottom."""
    if handles:
        footer_ax.legend(handles=handles, loc="upper center", ncols=ncols, frameon=False, fontsize=fontsize,
                         borderaxespad=0)
    footer_ax.text(0.5, 0, note, transform=footer_ax.transAxes, ha="center", va="bottom", fontsize=13,
                   color=MUTED)


def render(figure: Figure, format: str = "svg") -> bytes:
    """The figure as SVG (text kept as text) or PNG (at least `PNG_MIN_WIDTH` pixels wide) bytes.

    The same figure always gives the same bytes: no date in SVG metadata, a fixed hash salt for SVG ids
    and no software version in PNG metadata.
    """
    if format not in MIMETYPES:
        raise ValueError(f"unknown chart format {format!r}; expected one of {', '.join(MIMETYPES)}")
    buffer = io.BytesIO()
    with chart_style():
        if format == "svg":
            figure.savefig(buffer, format="svg", metadata={"Date": None})
        else:
            # One pixel to spare: width × dpi is a float that savefig truncates.
            dpi = math.ceil((PNG_MIN_WIDTH + 1) / figure.get_figwidth())
            figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


@dataclass
class Chart:
    """A built chart with its text alternative.

    `figure` is the matplotlib figure (tests inspect it; `render` turns it into bytes). `summary` is one
    sentence saying what the chart shows; `table_headers` and `table_rows` (plain strings, numbers formatted
    for the language) carry the same data as a table, for screen readers and for anyone who cannot see the
    chart.
    """

    figure: Figure
    summary: str
    table_headers: list[str]
    table_rows: list[list[str]]

    def __post_init__(self):
        # Constrained layout starts each draw from the last one's positions, so a second render of the
        # same figure could differ by a fraction of a point. Lay out once here and keep the positions:
        # every render of a chart is then the same.
        with chart_style():
            self.figure.draw_without_rendering()
            self.figure.set_layout_engine("none")

    def render(self, format: str = "svg") -> bytes:
        """The chart as SVG or PNG bytes; see `render`."""
        return render(self.figure, format)

    @staticmethod
    def mimetype(format: str) -> str:
        """The mime type of an output format ("svg" or "png")."""
        return MIMETYPES[format]


# --- numbers and words -------------------------------------------------------------------------------

def format_number(value: float | None, language: str = "sv", decimals: int = 1, signed: bool = False) -> str:
    """A number for people: decimal comma in Swedish ("6,4"), a true minus sign, "–" for no value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:+.{decimals}f}" if signed else f"{value:.{decimals}f}"
    text = text.replace("-", "\u2212")
    return text.replace(".", ",") if language == "sv" else text


def wrap(text: str, width: int) -> str:
    """`text` broken into lines of at most `width` characters (words are never split)."""
    return "\n".join(textwrap.wrap(text, width, break_long_words=False)) or text


def hidden_text(gettext: Gettext) -> str:
    """What a hidden (suppressed) figure says, in charts and tables."""
    return gettext("Hidden: too few answers")


def agreement_text(band: str | None, gettext: Gettext, no_band: str | None = None) -> str:
    """The name of an agreement band ("high", "moderate", "unclear", "low", "split"); "too few" where
    there are too few answers to tell agreement from chance; "–" when there is nothing."""
    names = {"high": gettext("high"), "moderate": gettext("moderate"), "unclear": gettext("unclear"),
             "low": gettext("low"), "split": gettext("split")}
    if band is None and no_band == "too_few":
        return gettext("too few to tell")
    return names.get(band, "–")


def series_label(entry: Mapping, gettext: Gettext) -> str:
    """The name of a series: its `label`, else "Round <number>"."""
    if entry.get("label"):
        return entry["label"]
    return gettext("Round {number}").format(number=entry.get("number", "?"))


def series_title(entry: Mapping, gettext: Gettext) -> str:
    """A series' name with its number of respondents, "Mätning 3 (n = 41)", or a note that it is hidden."""
    if entry.get("suppressed") or entry.get("n_respondents") is None:
        return f"{series_label(entry, gettext)} ({gettext('hidden: too few answers')})"
    return f"{series_label(entry, gettext)} (n = {entry['n_respondents']})"


# --- reading analysis results ------------------------------------------------------------------------

def items_by_key(entry: Mapping) -> dict[str, Mapping]:
    """The item results of a round entry, by item key."""
    return {item["key"]: item for item in entry.get("items") or []}


def figure_of(result: Mapping | None, field: str) -> float:
    """One figure of an item or dimension result; NaN when it is hidden or missing, never zero."""
    if not result or result.get("suppressed"):
        return math.nan
    value = result.get(field)
    return math.nan if value is None else float(value)


def is_hidden(result: Mapping | None) -> bool:
    """Whether a result is suppressed, or missing altogether (shown the same way: nothing to show)."""
    return not result or bool(result.get("suppressed"))


def check_same_instrument(entries: Sequence[Mapping], instrument) -> None:
    """Refuse results whose items are not the instrument's items (comparing different instruments is wrong)."""
    known = set(instrument.item_keys)
    for entry in entries:
        unknown = set(items_by_key(entry)) - known
        if unknown:
            raise ValueError(
                f"results hold items {', '.join(sorted(unknown))} that instrument "
                f"{instrument.id} version {instrument.version} does not have"
            )


def extremes_sentence(labelled_values: Sequence[tuple[str, float]], language: str, gettext: Gettext) -> str:
    """ "Highest rated: A (7,8); lowest: B (4,1)." from (label, value) pairs; NaN values are left out."""
    shown = [(label, value) for label, value in labelled_values if not math.isnan(value)]
    if not shown:
        return gettext("All results are hidden: too few answers.")
    high = max(shown, key=lambda pair: pair[1])
    low = min(shown, key=lambda pair: pair[1])
    if len(shown) == 1:
        return gettext("Only {item} is shown: {value}.").format(item=high[0], value=format_number(high[1], language))
    if high[1] == low[1]:
        return gettext("All shown items are rated {value}.").format(value=format_number(high[1], language))
    return gettext("Highest rated: {high} ({high_value}); lowest: {low} ({low_value}).").format(
        high=high[0],
        high_value=format_number(high[1], language),
        low=low[0],
        low_value=format_number(low[1], language),
    )
