"""Forms for setting up a programme: the programme itself, units, professions, rounds and links."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp, ValidationError


class ProgrammeForm(FlaskForm):
    """A new measurement programme."""

    name = StringField(_l("Name"), validators=[InputRequired(_l("Give the programme a name.")), Length(max=200)])
    slug = StringField(
        _l("Short name for addresses"),
        description=_l("Lower-case letters, digits and hyphens, e.g. stis-ytterstaden."),
        validators=[
            InputRequired(_l("Give the programme a short name.")),
            Regexp(r"^[a-z0-9][a-z0-9-]{0,63}$", message=_l("Use only a–z, 0–9 and hyphens.")),
        ],
    )
    instrument = SelectField(_l("Instrument"), validators=[InputRequired()])
    min_group_size = IntegerField(
        _l("Minimum group size"),
        default=3,
        description=_l("No figure is shown for a group with fewer respondents than this."),
        validators=[
            InputRequired(_l("Give a whole number.")),
            NumberRange(1, 100, message=_l("Give a whole number from 1 to 100.")),
        ],
    )


class UnitForm(FlaskForm):
    """A unit to add."""

    name = StringField(_l("Unit name"), validators=[InputRequired(_l("Give the unit a name.")), Length(max=200)])


class ProfessionForm(FlaskForm):
    """A profession to add."""

    name = StringField(
        _l("Profession (Swedish)"), validators=[InputRequired(_l("Give the profession a name.")), Length(max=200)]
    )
    name_en = StringField(_l("Profession (English)"), validators=[Optional(), Length(max=200)])


class RoundForm(FlaskForm):
    """A new round."""

    title = StringField(
        _l("Title"),
        description=_l("e.g. Mätning 7 (vt 2021)"),
        validators=[InputRequired(_l("Give the round a title.")), Length(max=200)],
    )
    opens_on = DateField(_l("Opens on"), validators=[Optional()])
    closes_on = DateField(_l("Closes on"), validators=[Optional()])

    def validate_closes_on(self, field):
        """The round cannot close before it opens."""
        if field.data and self.opens_on.data and field.data < self.opens_on.data:
            raise ValidationError(_l("The closing date must not be before the opening date."))


class LinkForm(FlaskForm):
    """A link bound to one unit."""

    unit = SelectField(_l("Unit"), coerce=str, validators=[InputRequired(_l("Choose a unit."))])


class ConfirmForm(FlaskForm):
    """A button that changes something: only its CSRF token is checked."""
