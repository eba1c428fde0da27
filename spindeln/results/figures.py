"""Which summaries and charts a results selection shows, for the pages, the downloads and the CLI alike."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
from flask import current_app
from sqlalchemy import select

import spindeln.charts
from spindeln.analysis.loader import round_fingerprints
from spindeln.analysis.schema import Summary
from spindeln.charts import (
    MAX_OVERLAY,
    Chart,
    dispersion_chart,
    dumbbell_chart,
    radar_chart,
    small_multiples_chart,
    trend_chart,
)
from spindeln.db import db
from spindeln.instrument import Instrument
from spindeln.programmes.models import Profession, Programme, Unit
from spindeln.results import gate
from spindeln.results.chart_cache import ChartCache, TextAlternative
from spindeln.results.gate import SelectionError
from spindeln.survey.models import Round
from spindeln.web import instrument_of

#: Chart kinds of a round's results; "compare" overlays earlier rounds, "professions" the professions.
ROUND_CHARTS = ("radar", "compare", "professions", "dispersion", "trend")
FORMATS = ("svg", "png")
#: The units chart draws one radar per unit; past this many it is unreadable (and costly): choose a unit.
MAX_UNIT_PANELS = 12


@dataclass
class Selection:
    """What a results page, download or CLI call looks at: one round, optionally one unit and profession."""

    programme: Programme
    round: Round
    unit: Unit | None = None
    profession: Profession | None = None
    #: Rounds to compare this one with; empty: the previous closed round and the first.
    compare: list[int] = field(default_factory=list)

    @property
    def instrument(self) -> Instrument:
        """The instrument this round was collected with."""
        return instrument_of(self.round)

    def title(self, language: str) -> str:
        """The round, unit and profession this selection shows, for chart titles."""
        parts = [self.round.title]
        if self.unit is not None:
            parts.append(self.unit.name)
        if self.profession is not None:
            parts.append(self.profession.display_name(language))
        return " · ".join(parts)


def comparison_rounds(selection: Selection) -> list[int]:
    """The rounds overlaid with this one: the chosen ones, else the first and the previous comparable round."""
    if selection.compare:
        return gate.chosen_comparison(selection.programme, selection.round, selection.compare, MAX_OVERLAY - 1)
    return gate.default_comparison(selection.programme, selection.round)


def summary_of(
    selection: Selection, round_numbers: Sequence[int], unit: Unit | None = None, profession: Profession | None = None
) -> Summary:
    """The summary (through the gate) of some rounds of the selection's programme, unit and profession.

    `unit` or `profession` narrow a selection that has none, for one panel of a chart of every unit or
    every profession.
    """
    return gate.summary(
        selection.programme,
        list(round_numbers),
        unit if unit is not None else selection.unit,
        profession if profession is not None else selection.profession,
    )


def _labelled(entry: dict, label: str) -> dict:
    return {**entry, "label": label}


def chart_rounds(kind: str, selection: Selection) -> list[int]:
    """The rounds a chart of this kind draws on."""
    number = selection.round.number
    if kind == "compare":
        return comparison_rounds(selection) + [number]
    if kind == "dumbbell":
        rounds = comparison_rounds(selection)[:1] + [number]
        if len(rounds) < 2:
            raise SelectionError("there is no earlier round to compare with")
        return rounds
    if kind == "trend":
        return [n for n in gate.readable_numbers(selection.programme) if n <= number]
    if kind == "professions" and selection.profession is not None:
        raise SelectionError("the professions chart compares all professions; choose no profession")
    if kind == "units" and selection.unit is not None:
        raise SelectionError("the units chart shows every unit; choose no unit")
    if kind == "units" and not selection.programme.units:
        raise SelectionError("the programme has no units to show")
    if kind == "units" and len(selection.programme.units) > MAX_UNIT_PANELS:
        raise SelectionError(f"the units chart shows at most {MAX_UNIT_PANELS} units; choose one unit instead")
    if kind not in ("radar", "dispersion", "professions", "units"):
        raise SelectionError(f"unknown chart kind {kind!r}")
    return [number]


def data_fingerprint(programme: Programme, round_numbers: Sequence[int]) -> list:
    """A cheap stand-in for the data of some rounds: what changes whenever their charts could change.

    Each round's response count and highest response id (see `round_fingerprints`), and the names, the
    minimum group size and the instruments, because charts show them.
    """
    rounds = list(db.session.scalars(
        select(Round).where(Round.programme_id == programme.id, Round.number.in_(list(round_numbers)))
        .order_by(Round.number)
    ))
    responses = round_fingerprints(db.session, [r.id for r in rounds])
    return [
        [[r.id, r.number, r.title, r.state.value, r.instrument_id, r.instrument_version, *responses[r.id]]
         for r in rounds],
        programme.min_group_size,
        [[unit.id, unit.name] for unit in programme.units],
        [[p.id, p.key, p.name, p.name_en] for p in programme.professions],
    ]


def chart_spec(kind: str, selection: Selection, language: str, gettext: Callable[[str], str]):
    """The cache inputs and the builder of one chart of a selection: `(inputs, build)`.

    The inputs are cheap to find (a fingerprint of the data, not the data); the summaries behind the
    chart are only computed when `build` runs, on a cache miss.
    """
    instrument = selection.instrument
    title = selection.title(language)
    rounds = chart_rounds(kind, selection)
    common = {"language": language, "gettext": gettext}

    def build() -> Chart:
        if kind in ("radar", "dispersion"):
            [entry] = summary_of(selection, rounds)["rounds"]
            if kind == "radar":
                return radar_chart([entry], instrument, title=title, **common)
            return dispersion_chart(entry, instrument, title=title, **common)
        if kind == "compare":
            return radar_chart(summary_of(selection, rounds)["rounds"], instrument, title=title, **common)
        if kind == "professions":
            panels = [
                _labelled(summary_of(selection, rounds, profession=profession)["rounds"][0],
                          profession.display_name(language))
                for profession in selection.programme.professions
            ]
            return radar_chart(panels, instrument, title=title, **common)
        if kind == "units":
            panels = [
                _labelled(summary_of(selection, rounds, unit=unit)["rounds"][0], unit.name)
                for unit in selection.programme.units
            ]
            return small_multiples_chart(panels, instrument, title=title, **common)
        if kind == "trend":
            summary = summary_of(selection, rounds)
            labels = {entry["number"]: entry["label"] for entry in summary["rounds"]}
            subtitle = " · ".join(filter(None, [
                selection.unit and selection.unit.name,
                selection.profession and selection.profession.display_name(language),
            ]))
            return trend_chart(summary["trend"], instrument, level="dimensions", round_labels=labels,
                               title=subtitle or None, **common)
        before, after = summary_of(selection, rounds)["rounds"]
        return dumbbell_chart(before, after, instrument, title=title, **common)

    inputs = {
        "render": render_version(),
        "kind": kind,
        "instrument": [instrument.id, instrument.version],
        "language": language,
        "title": title,
        "unit": selection.unit.id if selection.unit else None,
        "profession": selection.profession.id if selection.profession else None,
        "rounds": rounds,
        "data": data_fingerprint(selection.programme, rounds),
    }
    return inputs, build


def render_version() -> str:
    """What, besides the data, decides how a chart looks: the chart code, the translations, matplotlib.

    Part of every cache key, so an upgrade or a new translation never serves a chart rendered before it.
    """
    version = current_app.extensions.get("spindeln.render_version")
    if version is None:
        digest = hashlib.sha256(matplotlib.__version__.encode())
        package = Path(spindeln.charts.__file__).parent
        translations = Path(current_app.config["BABEL_TRANSLATION_DIRECTORIES"])
        for path in sorted(package.glob("*.py")) + sorted(translations.glob("*/LC_MESSAGES/*.mo")):
            digest.update(path.read_bytes())
        version = current_app.extensions["spindeln.render_version"] = digest.hexdigest()[:16]
    return version


def chart_cache() -> ChartCache:
    """The app's chart cache, in the instance folder unless CHART_CACHE_DIR says otherwise."""
    folder = current_app.config.get("CHART_CACHE_DIR") or Path(current_app.instance_path) / "cache" / "charts"
    return ChartCache(Path(folder))


def chart_image(kind: str, selection: Selection, format: str, language: str, gettext) -> bytes:
    """A chart of the selection as SVG or PNG bytes, from the cache when its data did not change."""
    if format not in FORMATS:
        raise SelectionError(f"unknown format {format!r}")
    inputs, build = chart_spec(kind, selection, language, gettext)
    cache = chart_cache()
    return cache.image(cache.key(**inputs), format, build)


def chart_text(kind: str, selection: Selection, language: str, gettext) -> TextAlternative:
    """The text alternative of a chart of the selection (rendering the chart on a cache miss)."""
    inputs, build = chart_spec(kind, selection, language, gettext)
    cache = chart_cache()
    return cache.text(cache.key(**inputs), build)


def prepare_round_charts(programme: Programme, measurement_round: Round, language: str, gettext) -> None:
    """Render the charts people look at first when a round has closed into the cache, in `language`.

    They are the round results page's (which the handout shares) and meeting mode's comparison with
    the previous round. Called when a round is closed, so that the results in the meeting and the first
    handout do not wait for matplotlib. A chart that cannot be made is skipped: the cache only saves time.
    """
    previous = gate.previous_round(programme, measurement_round)
    selections = [(Selection(programme, measurement_round), kind) for kind in ROUND_CHARTS
                  if kind != "compare" or previous is not None]
    if previous is not None:
        selections.append((Selection(programme, measurement_round, compare=[previous.number]), "compare"))
    for selection, kind in selections:
        try:
            chart_text(kind, selection, language, gettext)
        except SelectionError:
            continue
