"""Login, password and user administration forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField, SelectChoice, SelectMultipleField
from wtforms.validators import EqualTo, InputRequired, Length, Regexp
from wtforms.widgets import CheckboxInput, ListWidget


class LoginForm(FlaskForm):
    """E-mail address and password."""

    email = EmailField(_l("E-mail address"), validators=[InputRequired(_l("Enter your e-mail address.")), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[InputRequired(_l("Enter your password.")), Length(max=1024)])


class PasswordChangeForm(FlaskForm):
    """The current password and a new one, twice."""

    current = PasswordField(_l("Current password"), validators=[InputRequired(_l("Enter your current password."))])
    new = PasswordField(
        _l("New password"),
        validators=[
            InputRequired(_l("Enter a new password.")),
            Length(min=10, max=1024, message=_l("The new password must be at least 10 characters long.")),
        ],
    )
    repeat = PasswordField(
        _l("New password again"),
        validators=[EqualTo("new", message=_l("The two new passwords are not the same."))],
    )


#: Short names of the roles, for lists.
ROLE_NAMES = {"admin": _l("Admin"), "researcher": _l("Researcher"), "coordinator": _l("Coordinator")}
#: The roles with what they may do, for the forms.
ROLE_LABELS = {
    "admin": _l("Admin: everything, including user accounts"),
    "researcher": _l("Researcher: reads every programme, exports raw responses"),
    "coordinator": _l("Coordinator: manages the programmes given to them"),
}


def _role_field():
    return RadioField(
        _l("Role"),
        choices=[SelectChoice(value, label) for value, label in ROLE_LABELS.items()],
        validators=[InputRequired(_l("Choose a role."))],
    )


class NewUserForm(FlaskForm):
    """A new account: e-mail address, role and a first password the person changes after logging in."""

    email = EmailField(
        _l("E-mail address"),
        validators=[
            InputRequired(_l("Enter an e-mail address.")),
            Length(max=254, message=_l("The e-mail address is too long.")),
            Regexp(r"^[^@\s]+@[^@\s]+$", message=_l("Enter an e-mail address like name@example.se.")),
        ],
    )
    role = _role_field()
    password = PasswordField(
        _l("First password"),
        description=_l("At least 10 characters. Give it to the person in a safe way; they can change it."),
        validators=[
            InputRequired(_l("Enter a first password.")),
            Length(min=10, max=1024, message=_l("The password must be at least 10 characters long.")),
        ],
    )


class RoleForm(FlaskForm):
    """Change a user's role."""

    role = _role_field()


class AssignmentForm(FlaskForm):
    """The programmes a coordinator manages; the choices are set by the view."""

    programmes = SelectMultipleField(
        _l("Programmes this coordinator manages"),
        coerce=int,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )


class ConfirmForm(FlaskForm):
    """A button that only needs the CSRF token."""
