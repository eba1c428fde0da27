"""The respondent form, built at run time from the instrument."""

from __future__ import annotations

import functools
import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, Optional, Regexp

from spindeln.instrument import Instrument
from spindeln.programmes.models import Programme, Unit

#: The form value of "cannot assess"; it is stored as no number at all.
CANNOT_ASSESS = "x"
MAX_COMMENT_LENGTH = 2000


class ResponseForm(FlaskForm):
    """Base of the respondent form; `make_response_form` adds the instrument's items."""

    #: One-time key of this form page, so that a second press of submit stores nothing. Its label is
    #: never shown; without one WTForms translates a made-up one, reading its message catalogue
    #: from disk on every request.
    submission_key = HiddenField("submission key", validators=[InputRequired(), Regexp(r"^[A-Za-z0-9_-]{16,64}$")])
    comment = TextAreaField(
        _l("Comment (optional)"),
        description=_l("Do not write names or anything else that can identify a person."),
        validators=[
            Optional(),
            Length(max=MAX_COMMENT_LENGTH, message=_l("Keep the comment under %(max)d characters.")),
        ],
    )

    item_fields: list[str] = []

    def answers(self) -> list[int | None]:
        """The answers in instrument order: a scale value, or None for "cannot assess"."""
        values = [self[name].data for name in self.item_fields]
        return [None if value == CANNOT_ASSESS else int(value) for value in values]


def new_submission_key() -> str:
    """A fresh one-time key for a form page."""
    return secrets.token_urlsafe(24)


def make_response_form(
    instrument: Instrument, programme: Programme, fixed_unit: Unit | None, language: str, **kwargs
) -> ResponseForm:
    """The respondent form for a round: one radio group per item, unit (unless fixed) and profession."""
    units = None if fixed_unit is not None else tuple((unit.key, unit.name) for unit in programme.units)
    professions = tuple((p.key, p.display_name(language)) for p in programme.professions)
    return response_form_class(instrument, language, units, professions)(**kwargs)


@functools.lru_cache(maxsize=256)
def response_form_class(
    instrument: Instrument,
    language: str,
    units: tuple[tuple[str, str], ...] | None,
    professions: tuple[tuple[str, str], ...],
) -> type[ResponseForm]:
    """The form class for `instrument` in `language` with these (key, name) units and professions.

    Built once and reused, not again for every request. Everything the class shows is in the
    arguments, so a renamed unit or a new profession is another class; `units` is None when the
    link is bound to a unit and the form does not ask for one.
    """

    class Form(ResponseForm):
        pass

    scale_choices = [str(value) for value in instrument.scale.values]
    for item in instrument.items:
        field = RadioField(
            item.text.get(language),
            choices=[SelectChoice(value) for value in scale_choices]
            + [SelectChoice(CANNOT_ASSESS, instrument.cannot_assess.get(language))],
            validate_choice=False,
            validators=[
                InputRequired(_l("Answer this statement, or choose “%(cannot)s”.", cannot=instrument.cannot_assess.get(language))),
                AnyOf(scale_choices + [CANNOT_ASSESS], message=_l("Choose one of the values on the scale.")),
            ],
        )
        setattr(Form, item.key, field)
    Form.item_fields = list(instrument.item_keys)

    if units is not None:
        Form.unit = SelectField(
            _l("Your unit"),
            choices=[SelectChoice("", _l("Choose…"))] + [SelectChoice(key, name) for key, name in units],
            validate_choice=False,
            validators=[
                InputRequired(_l("Choose your unit.")),
                AnyOf([key for key, _name in units], message=_l("Choose your unit from the list.")),
            ],
        )
    Form.profession = RadioField(
        _l("Your profession"),
        choices=[SelectChoice(key, name) for key, name in professions],
        validate_choice=False,
        validators=[
            InputRequired(_l("Choose your profession.")),
            AnyOf([key for key, _name in professions], message=_l("Choose your profession from the list.")),
        ],
    )
    return Form
