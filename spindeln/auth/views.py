"""Login, logout and password change; the role guard for every other blueprint."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from spindeln.auth.forms import LoginForm, PasswordChangeForm
from spindeln.auth.models import Role
from spindeln.auth.operations import user_by_email
from spindeln.db import db

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


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with e-mail address and password."""
    form = LoginForm()
    if form.validate_on_submit():
        user = user_by_email(form.email.data)
        if user is not None and user.is_active and user.check_password(form.password.data):
            next_page = _safe_next(request.args.get("next"))
            # A new session at login: nothing from before the login survives into it.
            language = session.get("lang")
            session.clear()
            if language:
                session["lang"] = language
            login_user(user)
            return redirect(next_page)
        form.password.errors.append(_("The e-mail address or the password is wrong."))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """Log out and forget the session."""
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's own password."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("That is not your current password."))
        else:
            current_user.set_password(form.new.data)
            db.session.commit()
            flash(_("Your password has been changed."))
            return redirect(url_for("programmes.index"))
    return render_template("auth/password.html", form=form)
