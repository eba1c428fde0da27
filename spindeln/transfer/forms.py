"""The upload form for importing responses collected elsewhere."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField
from wtforms.validators import InputRequired


class ImportForm(FlaskForm):
    """A file of responses and the programme it belongs to."""

    programme = SelectField(_l("Programme"), validators=[InputRequired(_l("Choose a programme."))])
    file = FileField(
        _l("File"),
        description=_l("CSV (semicolon or comma separated, as Excel saves it) or an Excel workbook (.xlsx); "
                       "one row per response."),
        validators=[FileRequired(_l("Choose a file."))],
    )
