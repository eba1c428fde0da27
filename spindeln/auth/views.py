"""Login, logout, password change and the admins' user accounts page; the role guard for every other blueprint."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded
from flask_login import current_user, login_required, login_user, logout_user
from wtforms import SelectChoice

from spindeln.auth import operations
from spindeln.auth.forms import (
    ROLE_NAMES,
    AssignmentForm,
    ConfirmForm,
    LoginForm,
    NewUserForm,
    PasswordChangeForm,
    RoleForm,
)
from spindeln.auth.models import Role, User
from spindeln.auth.operations import AccountError, user_by_email
from spindeln.db import db
from spindeln.limits import limit_login, too_many_requests, wait_message
from spindeln.programmes.queries import all_programmes

bp = Blueprint("auth", __name__)


def role_required(*roles: Role):
    """Allow the view only to logged-in users with one of `roles`."""

    def decorator(view):
        @wraps(view)
        @login_required
        def guarded(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return decorator


def _safe_next(target: str | None) -> str:
    # Only a local path: an attacker's ?next=https://elsewhere must not send people away.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("programmes.index")


def _start_session(user: User) -> None:
    """A new session for `user`: nothing from before (a planted session, its CSRF token) carries over."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
@limit_login
def login():
    """Log in with e-mail address and password."""
    form = LoginForm()
    if form.validate_on_submit():
        user = user_by_email(form.email.data)
        if user is not None and user.is_active and user.check_password(form.password.data):
            next_page = _safe_next(request.args.get("next"))
            _start_session(user)
            return redirect(next_page)
        form.password.errors.append(_("The e-mail address or the password is wrong."))
    return render_template("auth/login.html", form=form)


@bp.errorhandler(RateLimitExceeded)
def _too_many_attempts(error: RateLimitExceeded):
    """Too many failed log-ins: the login page again, saying how long to wait; the password is not checked."""
    if request.endpoint != "auth.login":
        return too_many_requests(error)
    wait, seconds = wait_message(error)
    form = LoginForm()
    return (
        render_template("auth/login.html", form=form, blocked=_("Too many failed attempts to log in.") + " " + wait),
        429,
        {"Retry-After": str(seconds)},
    )


@bp.route("/logout", methods=["POST"])
def logout():
    """Log out and forget the session."""
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's own password; the person's other sessions end."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("That is not your current password."))
        else:
            user = current_user._get_current_object()
            user.set_password(form.new.data)
            db.session.commit()
            # The session holds a fingerprint of the password: renew this one, the others end.
            _start_session(user)
            flash(_("Your password has been changed."))
            return redirect(url_for("programmes.index"))
    return render_template("auth/password.html", form=form)


# --- user accounts (admins) ---------------------------------------------------------------------


def _user_or_404(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


@bp.route("/manage/users/", methods=["GET", "POST"])
@role_required(Role.admin)
def users():
    """Every account, and a form to add one."""
    form = NewUserForm()
    status = 200
    if form.validate_on_submit():
        if user_by_email(form.email.data) is not None:
            form.email.errors.append(_("There is already an account with this e-mail address."))
        else:
            try:
                user = operations.add_user(form.email.data, form.password.data, Role(form.role.data))
            except AccountError:
                form.email.errors.append(_("Enter an e-mail address like name@example.se."))
            else:
                db.session.commit()
                flash(_("The account %(email)s was added.", email=user.email))
                return redirect(url_for(".user", user_id=user.id))
    if request.method == "POST":
        status = 400
    return render_template("auth/users.html", users=operations.all_users(), form=form, role_names=ROLE_NAMES), status


def _assignment_form(user: User, submitted: bool = False) -> AssignmentForm:
    if submitted:
        form = AssignmentForm()
    else:
        form = AssignmentForm(formdata=None, programmes=[p.id for p in user.programmes])
    form.programmes.choices = [SelectChoice(p.id, p.name) for p in all_programmes()]
    return form


def _user_page(user: User, status: int = 200, **forms):
    forms.setdefault("role_form", RoleForm(formdata=None, role=user.role.value))
    forms.setdefault("assignment_form", _assignment_form(user))
    forms.setdefault("confirm_form", ConfirmForm())
    return render_template("auth/user.html", user=user, role_names=ROLE_NAMES, **forms), status


@bp.route("/manage/users/<number:user_id>/")
@role_required(Role.admin)
def user(user_id):
    """One account: its role, the programmes of a coordinator, deactivation."""
    return _user_page(_user_or_404(user_id))


@bp.route("/manage/users/<number:user_id>/role", methods=["POST"])
@role_required(Role.admin)
def change_role(user_id):
    """Give an account another role."""
    user = _user_or_404(user_id)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            operations.change_role(user, Role(form.role.data), current_user)
        except AccountError as error:
            form.role.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The role of %(email)s was changed.", email=user.email))
            return redirect(url_for(".user", user_id=user.id))
    return _user_page(user, 400, role_form=form)


@bp.route("/manage/users/<number:user_id>/programmes", methods=["POST"])
@role_required(Role.admin)
def assign_programmes(user_id):
    """Set the programmes a coordinator manages."""
    user = _user_or_404(user_id)
    form = _assignment_form(user, submitted=True)
    if form.validate_on_submit():
        chosen = set(form.programmes.data or [])
        try:
            operations.assign_programmes(user, [p for p in all_programmes() if p.id in chosen])
        except AccountError as error:
            form.programmes.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The programmes of %(email)s were saved.", email=user.email))
            return redirect(url_for(".user", user_id=user.id))
    return _user_page(user, 400, assignment_form=form)


@bp.route("/manage/users/<number:user_id>/<any(deactivate, reactivate):action>", methods=["POST"])
@role_required(Role.admin)
def set_active(user_id, action):
    """Deactivate an account (log-in refused, open sessions end) or reactivate it."""
    user = _user_or_404(user_id)
    if ConfirmForm().validate_on_submit():
        try:
            operations.set_active(user, action == "reactivate", current_user)
        except AccountError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            if user.active:
                flash(_("%(email)s can log in again.", email=user.email))
            else:
                flash(_("%(email)s can no longer log in.", email=user.email))
    return redirect(url_for(".user", user_id=user.id))
