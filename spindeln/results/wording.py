"""Plain-language words for analysis results: agreement bands and discussion prompts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _

from spindeln.charts.base import agreement_text, format_number
from spindeln.instrument import Instrument
from spindeln.programmes.models import Programme


def agreement_words(band: str | None) -> str:
    """The agreement band as the meeting says it: "hög / måttlig / låg samstämmighet"."""
    words = {
        "high": _("high agreement"),
        "moderate": _("moderate agreement"),
        "low": _("low agreement"),
    }
    return words.get(band, "–")


@dataclass(frozen=True)
class Prompt:
    """One discussion prompt in words: a short heading, and a sentence with its figures and a question."""

    heading: str
    sentence: str


def prompt_sentence(prompt: dict, instrument: Instrument, professions: Mapping[str, str],
                    round_labels: Mapping[int, str], language: str) -> Prompt:
    """One discussion prompt of the summary in words, the same on the results page, the projector and paper.

    `professions` names the professions by key and `round_labels` the rounds by number, in `language`.
    """
    label = next(item.label.get(language) for item in instrument.items if item.key == prompt["item"])
    figures = prompt["figures"]

    def num(value, decimals=1, signed=False):
        return format_number(value, language, decimals, signed=signed)

    kind = prompt["kind"]
    if kind == "lowest":
        return Prompt(_("Rated lowest"), _(
            "“%(item)s” is among the lowest rated: mean %(mean)s (n = %(n)s). What makes it hard here, "
            "and what would help?", item=label, mean=num(figures["mean"]), n=figures["n"]))
    if kind == "disagreement":
        return Prompt(_("Least agreement"), _(
            "Opinions differ on “%(item)s”: %(band)s agreement (rwg %(rwg)s, SD %(sd)s). Why do we see "
            "it differently?", item=label, band=agreement_text(figures["agreement"], _),
            rwg=num(figures["rwg"], 2), sd=num(figures["sd"])))
    if kind == "change":
        values = {"item": label, "round": round_labels.get(figures["from_round"], str(figures["from_round"])),
                  "before": num(figures["from_mean"]), "after": num(figures["to_mean"]),
                  "change": num(figures["change"], signed=True)}
        if figures["change"] > 0:
            sentence = _("“%(item)s” rose from %(before)s in %(round)s to %(after)s (%(change)s). What lies "
                         "behind the change?", **values)
        else:
            sentence = _("“%(item)s” fell from %(before)s in %(round)s to %(after)s (%(change)s). What lies "
                         "behind the change?", **values)
        if figures.get("small_sample"):
            sentence += " " + _("Few answers: read the change with care.")
        return Prompt(_("Largest change"), sentence)
    first, second = figures["between"]
    return Prompt(_("Largest difference between professions"), _(
        "The professions differ most on “%(item)s”: %(first)s %(first_mean)s, %(second)s %(second_mean)s. "
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
