"""Plain-language words for analysis results: agreement bands and discussion prompts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _

from spindeln.charts.base import agreement_text, format_number
from spindeln.instrument import Instrument
from spindeln.programmes.models import Programme


def agreement_words(band: str | None, no_band: str | None = None) -> str:
    """The agreement band as the meeting says it: "hög / måttlig / låg samstämmighet", "oklar", "delad grupp"."""
    words = {
        "high": _("high agreement"),
        "moderate": _("moderate agreement"),
        "unclear": _("unclear: random answers agree as much"),
        "low": _("low agreement"),
        "split": _("split: more spread than random answers"),
    }
    if band is None and no_band == "too_few":
        return _("too few answers to tell agreement from chance")
    return words.get(band, "–")


@dataclass(frozen=True)
class Prompt:
    """One discussion prompt in words: a short heading, and a sentence with its figures and a question."""

    heading: str
    sentence: str
    #: The prompt's kind ("lowest", "disagreement", "change", "no_clear_change", "gap").
    kind: str = ""


def prompt_sentence(prompt: dict, instrument: Instrument, professions: Mapping[str, str],
                    round_labels: Mapping[int, str], language: str) -> Prompt:
    """One discussion prompt of the summary in words, the same on the results page, the projector and paper.

    `professions` names the professions by key and `round_labels` the rounds by number, in `language`.
    """
    worded = _worded(prompt, instrument, professions, round_labels, language)
    return Prompt(worded.heading, worded.sentence, prompt["kind"])


def _worded(prompt: dict, instrument: Instrument, professions: Mapping[str, str], round_labels: Mapping[int, str],
            language: str) -> Prompt:
    figures = prompt["figures"]
    kind = prompt["kind"]

    def num(value, decimals=1, signed=False):
        return format_number(value, language, decimals, signed=signed)

    if kind == "no_clear_change":
        round_label = round_labels.get(figures["from_round"], str(figures["from_round"]))
        sentence = _("No statement changed clearly since %(round)s: the differences are no larger than chance "
                     "gives with this many answers.", round=round_label)
        if figures.get("composition_differs"):
            sentence += " " + _("Not the same units answered both rounds.")
        return Prompt(_("No clear change"), sentence)
    label = next(item.label.get(language) for item in instrument.items if item.key == prompt["item"])
    if kind == "lowest":
        return Prompt(_("Rated low"), _(
            "“%(item)s” is rated clearly on the low side: %(below)s of %(rated)s answers lie below the middle "
            "of the scale (mean %(mean)s). What makes it hard here, and what would help?", item=label,
            below=figures["below"], rated=figures["below"] + figures["above"], mean=num(figures["mean"])))
    if kind == "disagreement":
        if figures["agreement"] == "split":
            return Prompt(_("Split views"), _(
                "Views on “%(item)s” are split: the answers are more spread than random ones would be "
                "(SD %(sd)s). Why do some of us see it so differently?", item=label, sd=num(figures["sd"])))
        return Prompt(_("Least agreement"), _(
            "Opinions differ on “%(item)s”: %(band)s agreement (rwg %(rwg)s, SD %(sd)s). Why do we see "
            "it differently?", item=label, band=agreement_text(figures["agreement"], _),
            rwg=num(figures["rwg"], 2), sd=num(figures["sd"])))
    if kind == "change":
        values = {"item": label, "round": round_labels.get(figures["from_round"], str(figures["from_round"])),
                  "before": num(figures["from_mean"]), "after": num(figures["to_mean"]),
                  "change": num(figures["change"], signed=True)}
        if figures["change"] > 0:
            sentence = _("“%(item)s” rose from %(before)s in %(round)s to %(after)s (%(change)s), more than "
                         "chance explains. What lies behind the change?", **values)
        else:
            sentence = _("“%(item)s” fell from %(before)s in %(round)s to %(after)s (%(change)s), more than "
                         "chance explains. What lies behind the change?", **values)
        if figures.get("common_units"):
            sentence += " " + _("Compared within the units that answered both rounds: %(units)s.",
                                units=", ".join(figures["common_units"]))
        elif figures.get("composition_differs"):
            sentence += " " + _("Not the same units answered both rounds: part of the change may be who answered.")
        if figures.get("small_sample"):
            sentence += " " + _("Few answers: read the change with care.")
        return Prompt(_("Clear change"), sentence)
    first, second = figures["between"]
    return Prompt(_("Professions differ"), _(
        "The professions see “%(item)s” clearly differently: %(first)s %(first_mean)s, %(second)s %(second_mean)s. "
        "How do our views differ?", item=label, first=professions.get(first, first),
        first_mean=num(figures["means"][first]), second=professions.get(second, second),
        second_mean=num(figures["means"][second])))


def round_prompts(summary: dict, number: int, instrument: Instrument, programme: Programme,
                  language: str) -> list[Prompt]:
    """The summary's discussion prompts for round `number`, in words."""
    professions = {p.key: p.display_name(language) for p in programme.professions}
    labels = {entry["number"]: entry["label"] for entry in summary["rounds"]}
    return [prompt_sentence(prompt, instrument, professions, labels, language)
            for prompt in summary["prompts"] if prompt["round"] == number]
