"""Plain-language words for analysis results: agreement bands and discussion prompts."""

from __future__ import annotations

from flask_babel import gettext as _

from spindeln.instrument import Instrument
from spindeln.programmes.models import Programme
from spindeln.web import number


def agreement_words(band: str | None) -> str:
    """The agreement band as the meeting says it: "hög / måttlig / låg samstämmighet"."""
    words = {
        "high": _("high agreement"),
        "moderate": _("moderate agreement"),
        "low": _("low agreement"),
    }
    return words.get(band, "–")


def prompt_sentence(prompt: dict, instrument: Instrument, programme: Programme, language: str) -> str:
    """One discussion prompt as a sentence with the numbers behind it."""
    item = next(i for i in instrument.items if i.key == prompt["item"])
    label = item.label.get(language)
    figures = prompt["figures"]
    if prompt["kind"] == "lowest":
        return _("Among the lowest rated: %(item)s (mean %(mean)s, n = %(n)d).",
                 item=label, mean=number(figures["mean"]), n=figures["n"])
    if prompt["kind"] == "disagreement":
        return _("Little agreement on %(item)s (rwg %(rwg)s, SD %(sd)s): people see it differently.",
                 item=label, rwg=number(figures["rwg"], 2), sd=number(figures["sd"]))
    if prompt["kind"] == "change":
        values = {"round": figures["from_round"], "item": label,
                  "before": number(figures["from_mean"]), "after": number(figures["to_mean"])}
        if figures["change"] > 0:
            sentence = _("Rose since round %(round)d: %(item)s (%(before)s → %(after)s).", **values)
        else:
            sentence = _("Fell since round %(round)d: %(item)s (%(before)s → %(after)s).", **values)
        if figures["small_sample"]:
            sentence += " " + _("Few answers: read the change with care.")
        return sentence
    names = {p.key: p.display_name(language) for p in programme.professions}
    first, second = figures["between"]
    return _("The professions differ on %(item)s: %(first)s %(first_mean)s, %(second)s %(second_mean)s.",
             item=label, first=names.get(first, first), first_mean=number(figures["means"][first]),
             second=names.get(second, second), second_mean=number(figures["means"][second]))
