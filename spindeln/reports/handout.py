"""The PDF handout of a closed round: title page, charts, tables, discussion prompts and comments.

Every figure, count and comment comes through the gate (`spindeln.results.gate`), from the
rounds' releases; this module only picks the rounds, words the figures and lays them out. The charts are the results pages' (built with
`spindeln.charts` from the same summaries, and cached by `spindeln.results.figures`), kept in
memory as SVG and handed to WeasyPrint by `ChartFetcher`, which serves nothing else: WeasyPrint
never reads a file or the network while it renders a handout.

`make_handout` must run inside a request context whose locale is the handout's language (the
download view has one; the CLI makes one with `force_locale`), so that `gettext` speaks it.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import weasyprint
from flask import render_template
from markupsafe import Markup
from flask_babel import format_date
from flask_babel import gettext as _
from weasyprint.urls import URLFetcher, URLFetcherResponse

from spindeln.analysis.groups import RespondentGroups
from spindeln.analysis.schema import Summary
from spindeln.charts import format_number
from spindeln.charts.base import agreement_text, hidden_text
from spindeln.charts.radar import MAX_OVERLAY
from spindeln.instrument import Instrument
from spindeln.programmes.models import Profession, Programme, Unit
from spindeln.results import figures, gate
from spindeln.results.wording import Prompt, round_prompts
from spindeln.survey.models import Round, RoundState
from spindeln.web import instrument_of

#: The made-up URL scheme of the charts embedded in a handout; the fetcher serves only these.
CHART_SCHEME = "spindeln-chart"
#: Rounds compared with the handout's round at most: the overlay radar holds MAX_OVERLAY series.
MAX_COMPARED = MAX_OVERLAY - 1


class HandoutError(Exception):
    """A handout that cannot be made; the message says why, in words for people."""

    #: The HTTP status the download answers with.
    status = 400


class RoundNotClosed(HandoutError):
    """The round is a draft or still open: its figures are not final, so there is no handout."""

    status = 409


class GroupHidden(HandoutError):
    """The chosen group has too few respondents in the round to show any figure."""

    status = 409


class NothingToShow(HandoutError):
    """Nobody in the chosen group answered the round."""

    status = 409


class RefusedURL(ValueError):
    """A URL the handout's fetcher does not serve (anything but the handout's own charts)."""


class ChartFetcher(URLFetcher):
    """Serves the handout's charts (SVG bytes by `chart_url`) to WeasyPrint and refuses every other URL.

    A refused URL stops the rendering (`fail_on_errors`) rather than leaving a quiet gap, so
    nothing in a handout can make the server read a file or reach out to the network.
    """

    def __init__(self, charts: Mapping[str, bytes]):
        super().__init__(allowed_protocols=(CHART_SCHEME,), fail_on_errors=True)
        self._charts = dict(charts)

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        """The chart at `url`; `RefusedURL` for anything else."""
        if url in self._charts:
            return URLFetcherResponse(url, self._charts[url], {"Content-Type": "image/svg+xml"})
        raise RefusedURL(f"the handout serves only its own charts, not {url[:100]!r}")


def chart_url(name: str) -> str:
    """The URL a chart named `name` is embedded under."""
    return f"{CHART_SCHEME}:{name}"


def render_pdf(html: str, charts: Mapping[str, bytes]) -> bytes:
    """The PDF of the handout's HTML, with `charts` (name → SVG bytes) as its only outside resources."""
    fetcher = ChartFetcher({chart_url(name): svg for name, svg in charts.items()})
    return weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()


def css_string(text: str) -> Markup:
    """`text` as a quoted CSS string, safe inside a <style> element (for page headers and footers)."""
    escaped = "".join(
        f"\\{ord(char):x} " if char in '\\"<>&' or ord(char) < 0x20 else char for char in text
    )
    return Markup(f'"{escaped}"')


# --- what the template renders ---------------------------------------------------------------


@dataclass
class ChartFigure:
    """A chart in the handout: where it is fetched from and the sentence that says what it shows."""

    url: str
    summary: str


@dataclass
class Handout:
    """Everything the handout template shows, as words and formatted numbers."""

    language: str
    programme: str
    round_title: str
    round_number: int
    dates: str
    selection: str
    instrument: str
    scale: str
    min_group_size: int
    agreement_note: str
    counts: list[tuple[str, str]]
    total: str
    any_hidden_count: bool
    radar: ChartFigure
    dimension_rows: list[list[str]] = field(default_factory=list)
    compared_labels: list[str] = field(default_factory=list)
    overlay: ChartFigure | None = None
    change_headers: list[str] = field(default_factory=list)
    change_rows: list[dict] = field(default_factory=list)
    not_comparable: list[str] = field(default_factory=list)
    trend: ChartFigure | None = None
    trend_headers: list[str] = field(default_factory=list)
    trend_rows: list[list[str]] = field(default_factory=list)
    dispersion: ChartFigure | None = None
    item_rows: list[dict] = field(default_factory=list)
    prompts: list[Prompt] = field(default_factory=list)
    comments: list[tuple[str, int]] = field(default_factory=list)


# --- making a handout ------------------------------------------------------------------------


def make_handout(programme: Programme, number: int, *, unit: Unit | None = None,
                 profession: Profession | None = None, compare: Sequence[int] = (),
                 language: str = "sv") -> bytes:
    """The PDF handout of closed round `number` of `programme`, for one unit and/or profession if given.

    The comparison is with `compare` (earlier closed rounds, at most two), else with the previous
    and the first closed round. Raises `HandoutError` (with a message for people) when the round
    is missing, not closed, or the group is hidden.
    """
    with collector_paused():
        handout, charts = collect(programme, number, unit=unit, profession=profession, compare=compare,
                                  language=language)
        html = render_template("reports/handout.html", h=handout, css_string=css_string)
        return render_pdf(html, charts)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a handout is made, and collect once afterwards.

    Matplotlib and WeasyPrint allocate hundreds of thousands of small objects, which makes the collector
    walk the whole heap of the server again and again: a quarter of a handout's time went to that. What
    one handout leaves behind is a few megabytes, freed in one collection at the end.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            gc.collect(1)


def collect(programme: Programme, number: int, *, unit: Unit | None = None,
            profession: Profession | None = None, compare: Sequence[int] = (),
            language: str = "sv") -> tuple[Handout, dict[str, bytes]]:
    """The handout's words and numbers, and its charts as SVG bytes by name."""
    rounds = gate.readable_rounds(programme, up_to=number)
    this_round = _closed_round(programme, number, rounds)
    instrument = instrument_of(this_round)
    compared = _compared_rounds(programme, this_round, rounds, compare)

    summary = _summary(programme, [r.number for r in rounds], unit, profession)
    entry = summary["rounds"][-1]
    if entry["suppressed"]:
        raise GroupHidden(_("Fewer than %(min)d people in this group answered round %(number)d, so it has no "
                            "handout. Choose a larger group.", min=programme.min_group_size, number=number))
    if not entry["n_respondents"]:
        raise NothingToShow(_("Nobody in this group answered round %(number)d: there is nothing to hand out.",
                              number=number))
    labels = {round_entry["number"]: round_entry["label"] for round_entry in summary["rounds"]}

    # The charts are the results pages' own, from their cache when the data has not changed since.
    selection = figures.Selection(programme, this_round, unit, profession, [r.number for r in compared])
    charts: dict[str, bytes] = {}

    def add_chart(name: str, kind: str) -> ChartFigure:
        try:
            text = figures.chart_text(kind, selection, language, _)
            charts[name] = figures.chart_image(kind, selection, "svg", language, _)
        except figures.SelectionError as error:
            raise HandoutError(str(error)) from error
        return ChartFigure(chart_url(name), text.summary)

    groups = gate.groups(programme, this_round)
    counts, total, any_hidden = _respondent_counts(programme, groups, unit, profession, entry, language)
    handout = Handout(
        language=language,
        programme=programme.name,
        round_title=this_round.title,
        round_number=number,
        dates=_dates(this_round),
        selection=_selection_text(unit, profession, language),
        instrument=_("%(name)s, version %(version)s", name=instrument.name.get(language), version=instrument.version),
        scale=_("%(min)d = %(min_label)s, %(max)d = %(max_label)s", min=instrument.scale.min,
                min_label=instrument.scale.min_label.get(language), max=instrument.scale.max,
                max_label=instrument.scale.max_label.get(language)),
        min_group_size=programme.min_group_size,
        agreement_note=_agreement_note(summary["agreement"], language),
        counts=counts,
        total=total,
        any_hidden_count=any_hidden,
        radar=add_chart("radar", "radar"),
    )

    if compared:
        comparison = _summary(programme, [r.number for r in compared] + [number], unit, profession)
        series = comparison["rounds"]
        handout.compared_labels = [series_entry["label"] for series_entry in series[:-1]]
        handout.overlay = add_chart("overlay", "compare")
        changes = [c for c in comparison["comparisons"] if c["to_round"] == number]
        changes.sort(key=lambda change: change["from_round"])
        handout.not_comparable = [c["reason"] for c in changes if not c["comparable"]]
        shown = [c for c in changes if c["comparable"]]
        if shown:
            handout.change_headers, handout.change_rows = _change_table(
                shown, labels | {e["number"]: e["label"] for e in series}, instrument, language)

    handout.dimension_rows = _dimension_rows(entry, instrument, language)
    if len(summary["trend"]["dimensions"]) and len(summary["trend"]["dimensions"][0]["points"]) > 1:
        handout.trend = add_chart("trend", "trend")
        handout.trend_headers, handout.trend_rows = _trend_table(summary["trend"], labels, instrument, language)
    handout.dispersion = add_chart("dispersion", "dispersion")
    handout.item_rows = _item_rows(entry, instrument, language)
    handout.prompts = round_prompts(summary, number, instrument, programme, language)
    handout.comments = gate.shown_comments(programme, this_round, unit, profession, groups)
    return handout, charts


def _summary(programme: Programme, round_numbers: list[int], unit: Unit | None,
             profession: Profession | None) -> Summary:
    return gate.summary(programme, round_numbers, unit, profession)


def _closed_round(programme: Programme, number: int, rounds: list[Round]) -> Round:
    """The handout's round, which must be closed."""
    for measurement_round in rounds:
        if measurement_round.number == number:
            return measurement_round
    other = next((r for r in programme.rounds if r.number == number), None)
    if other is None:
        raise HandoutError(_("There is no round %(number)d in %(programme)s.", number=number,
                             programme=programme.name))
    state = _("still open") if other.state is RoundState.open else _("a draft")
    raise RoundNotClosed(_("Round %(number)d is %(state)s. A handout can be made once the round is closed.",
                           number=number, state=state))


def _compared_rounds(programme: Programme, this_round: Round, rounds: list[Round],
                     compare: Sequence[int]) -> list[Round]:
    """The rounds to compare with: those asked for, else the first and the previous comparable round."""
    by_number = {r.number: r for r in rounds}
    if not compare:
        return [by_number[number] for number in gate.default_comparison(programme, this_round)]
    wanted = sorted(set(compare))
    if len(wanted) > MAX_COMPARED:
        raise HandoutError(_("A handout compares with at most %(count)d earlier rounds.", count=MAX_COMPARED))
    for number in wanted:
        if number not in by_number or number >= this_round.number:
            raise HandoutError(_("Round %(number)d is not an earlier closed round: a handout compares only with "
                                 "those.", number=number))
        if not gate.comparable(by_number[number], this_round):
            raise HandoutError(_("Round %(number)d used another instrument and cannot be compared.", number=number))
    return [by_number[number] for number in wanted]


def _dates(measurement_round: Round) -> str:
    if measurement_round.opens_on is None or measurement_round.closes_on is None:
        return "–"
    return f"{format_date(measurement_round.opens_on, 'long')} – {format_date(measurement_round.closes_on, 'long')}"


def _agreement_note(agreement: dict, language: str) -> str:
    """How the agreement bands are drawn, with the summary's own thresholds."""
    bands = agreement["bands"]
    return _("Agreement is high from rwg %(high)s and moderate from %(moderate)s, each only where random answers "
             "would agree that much less than one time in 20 with this many answers (else: unclear); low below "
             "%(moderate)s; split where the answers are more spread than random ones. With fewer than "
             "%(fewest)d answers no agreement is given.", high=format_number(bands["high"]["rwg_min"], language, 2),
             moderate=format_number(bands["moderate"]["rwg_min"], language, 2),
             fewest=agreement["fewest_for_a_band"])


def _selection_text(unit: Unit | None, profession: Profession | None, language: str) -> str:
    if unit is not None and profession is not None:
        return _("%(profession)s in %(unit)s", profession=profession.display_name(language), unit=unit.name)
    if unit is not None:
        return unit.name
    if profession is not None:
        return _("%(profession)s in all units", profession=profession.display_name(language))
    return _("All units and professions")


def _respondent_counts(programme: Programme, groups: RespondentGroups, unit: Unit | None,
                       profession: Profession | None, entry: dict,
                       language: str) -> tuple[list[tuple[str, str]], str, bool]:
    """Respondents per profession in the group, as the anonymity rule lets them be shown, and the total."""
    hidden = _("fewer than %(min)d", min=programme.min_group_size)
    rows: list[tuple[str, str]] = []
    any_hidden = False
    unit_id = None if unit is None else unit.id
    for candidate in [profession] if profession is not None else programme.professions:
        count = groups.count(unit_id, candidate.id)
        if count is None:
            # A hidden group may be a cover for a smaller one: its count is not shown either.
            rows.append((candidate.display_name(language), hidden + "*"))
            any_hidden = True
        else:
            rows.append((candidate.display_name(language), str(count)))
    return rows, str(entry["n_respondents"]), any_hidden


def _change_table(changes: list[dict], labels: Mapping[int, str], instrument: Instrument,
                  language: str) -> tuple[list[str], list[dict]]:
    """Headers and rows of the change table: the means of the compared rounds, this round's, and the changes."""
    this_number = changes[0]["to_round"]
    headers = [labels[c["from_round"]] for c in changes] + [labels[this_number]]
    headers += [_("Change since %(round)s", round=labels[c["from_round"]]) for c in changes]

    def row(label: str, kind: str, results: list[dict | None]) -> dict:
        means = [format_number(None if r is None else r["from_mean"], language) for r in results]
        means.append(format_number(next((r["to_mean"] for r in results if r and r["to_mean"] is not None), None),
                                   language))
        cells = []
        for result in results:
            if result is None or result["suppressed"] or result["change"] is None:
                cells.append({"change": _("(hidden)") if result and result["suppressed"] else "–",
                              "interval": "", "few": False, "clear": False})
                continue
            interval = _("cannot be estimated") if result["ci_low"] is None else \
                _("%(low)s to %(high)s", low=format_number(result["ci_low"], language),
                  high=format_number(result["ci_high"], language))
            cells.append({
                "change": format_number(result["change"], language, signed=True),
                "interval": interval,
                "few": bool(result["small_sample"]),
                "clear": bool(result.get("changed")),
            })
        return {"label": label, "kind": kind, "means": means, "changes": cells}

    rows = []
    for item in instrument.items:
        results = [next((r for r in c["items"] if r["key"] == item.key), None) for c in changes]
        rows.append(row(item.label.get(language), "item", results))
    for dimension in list(instrument.dimensions) + [None]:
        key = "all" if dimension is None else dimension.key
        label = _("All items") if dimension is None else dimension.name.get(language)
        results = [next((r for r in c["dimensions"] if r["key"] == key), None) for c in changes]
        rows.append(row(label, "dimension", results))
    return headers, rows


def _dimension_name(key: str, instrument: Instrument, language: str) -> str:
    return _("All items") if key == "all" else instrument.dimension(key).name.get(language)


def _dimension_rows(entry: dict, instrument: Instrument, language: str) -> list[list[str]]:
    """Each dimension's (and all items') mean, n and agreement in the round, for the table under the radar."""
    rows = []
    for figures in entry["dimensions"]:
        name = _dimension_name(figures["key"], instrument, language)
        if figures["suppressed"]:
            rows.append([name, hidden_text(_), "–", "–"])
            continue
        agreement = "–" if figures["rwg_j_star"] is None else \
            f"{agreement_text(figures['agreement'], _, figures['no_band'])} " \
            f"({format_number(figures['rwg_j_star'], language, 2)})"
        rows.append([name, format_number(figures["mean"], language), str(figures["n"]), agreement])
    return rows


def _trend_table(trend: dict, labels: Mapping[int, str], instrument: Instrument,
                 language: str) -> tuple[list[str], list[list[str]]]:
    """The dimension means of every round in the trend: one row per dimension, one column per round."""
    numbers = [point["round"] for point in trend["dimensions"][0]["points"]]
    rows = []
    for line in trend["dimensions"]:
        points = {point["round"]: point for point in line["points"]}
        cells = [_("(hidden)") if points[number]["suppressed"] else format_number(points[number]["mean"], language)
                 for number in numbers]
        rows.append([_dimension_name(line["key"], instrument, language)] + cells)
    return [labels.get(number, str(number)) for number in numbers], rows


def _item_rows(entry: dict, instrument: Instrument, language: str) -> list[dict]:
    """The rows of the item statistics table: each dimension's heading row, then its items."""
    items = {item["key"]: item for item in entry["items"]}
    dimensions = {dimension["key"]: dimension for dimension in entry["dimensions"]}
    rows = []
    for dimension in instrument.dimensions:
        members = instrument.items_of(dimension.key)
        if not members:
            continue
        figures = dimensions.get(dimension.key, {})
        if figures.get("suppressed"):
            note = hidden_text(_)
        else:
            note = _("dimension mean %(mean)s, r*wg(J) %(rwg)s, agreement: %(band)s",
                     mean=format_number(figures.get("mean"), language),
                     rwg=format_number(figures.get("rwg_j_star"), language, 2),
                     band=agreement_text(figures.get("agreement"), _, figures.get("no_band")))
        rows.append({"kind": "dimension", "label": dimension.name.get(language), "note": note})
        for item in members:
            result = items.get(item.key)
            row = {"kind": "item", "label": item.label.get(language), "hidden": not result or result["suppressed"]}
            if not row["hidden"]:
                row["cells"] = [
                    str(result["n"]),
                    str(result["cannot_assess"]),
                    format_number(result["mean"], language),
                    format_number(result["median"], language),
                    format_number(result["sd"], language),
                    f"{format_number(result['q1'], language)}–{format_number(result['q3'], language)}",
                    f"{format_number(result['min'], language, 0)}–{format_number(result['max'], language, 0)}",
                    format_number(result["rwg"], language, 2),
                    agreement_text(result["agreement"], _, result["no_band"]),
                ]
            rows.append(row)
    return rows
