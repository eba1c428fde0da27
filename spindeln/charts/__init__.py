"""Charts built from analysis results, returned as SVG or PNG bytes with a text alternative.

Every builder takes the analysis results, the `Instrument` they were collected with, `language` ("sv" or
"en", for the instrument's texts) and `gettext` (for the chart's own words; pass Flask-Babel's) and returns
a `Chart`: the matplotlib figure, a one-sentence `summary` and a data table (`table_headers`,
`table_rows`). `chart.render("svg")` or `chart.render("png")` gives the bytes::

    chart = radar_chart([round_entry], instrument, gettext=gettext)
    svg = chart.render("svg")            # text kept as <text>, same bytes for the same input
    alt, headers, rows = chart.summary, chart.table_headers, chart.table_rows
"""

from spindeln.charts.base import MIMETYPES, Chart, format_number, render
from spindeln.charts.dispersion import dispersion_chart
from spindeln.charts.radar import MAX_OVERLAY, radar_chart, small_multiples_chart
from spindeln.charts.trend import dumbbell_chart, trend_chart

__all__ = [
    "MAX_OVERLAY",
    "MIMETYPES",
    "Chart",
    "dispersion_chart",
    "dumbbell_chart",
    "format_number",
    "radar_chart",
    "render",
    "small_multiples_chart",
    "trend_chart",
]
