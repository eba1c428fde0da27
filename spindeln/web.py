"""What every request shares: extensions, language, security headers and error pages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Flask, current_app, redirect, render_template, request, session, url_for
from flask_babel import Babel, format_date, format_decimal, format_percent, get_locale
from flask_babel import gettext as _
from flask_login import LoginManager
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from spindeln.db import db
from spindeln.instrument import Instrument, InstrumentRegistry

LANGUAGES = ("sv", "en")
csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()

#: No inline script or style anywhere, no framing, and the link token never leaves in a Referer.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


class NumberConverter(IntegerConverter):
    """A positive whole number that fits every database's integer column; larger ones are a 404."""

    def __init__(self, map, *args, **kwargs):
        super().__init__(map, min=0, max=2**31 - 1)


def select_locale() -> str:
    """Swedish first: the language chosen with ?lang= (remembered in the session), else Swedish."""
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        session["lang"] = chosen
        return chosen
    return session.get("lang", "sv")


def language() -> str:
    """The language of the current request, "sv" or "en"."""
    return str(get_locale() or "sv")


def instruments() -> InstrumentRegistry:
    """The instruments the app knows: shipped ones and those in the instance's instruments/ folder."""
    return current_app.extensions["spindeln.instruments"]


def instrument_of(owner) -> Instrument:
    """The instrument a programme or round was set up with."""
    return instruments().get(owner.instrument_id, owner.instrument_version)


def number(value: float | None, decimals: int = 1) -> str:
    """A number formatted for the current language (decimal comma in Swedish); a dash when missing."""
    if value is None:
        return "–"
    return format_decimal(round(value, decimals), format="#,##0." + "0" * decimals if decimals else "#,##0")


def percent(value: float | None) -> str:
    """A share as a whole percentage for the current language ("8 %", "8%"); a dash when missing."""
    return "–" if value is None else format_percent(value, format="#,##0 %" if str(get_locale()) == "sv" else "#,##0%")


def day(value: dt.date | None) -> str:
    """A date for people, in the current language ("5 okt. 2020", "Oct 5, 2020"); empty when missing."""
    return "" if value is None else format_date(value, "medium")


def _load_user(user_id: str):
    from spindeln.auth.models import User, user_from_session

    # Deactivated accounts and sessions from before a password change are logged out here.
    return user_from_session(user_id, lambda key: db.session.get(User, key))


def _security_headers(response):
    for header, value in SECURITY_HEADERS.items():
        response.headers.setdefault(header, value)
    if request.endpoint != "static":
        # Every page, chart, download and API answer may carry results or someone's answers, often on
        # a shared device: nothing of it is kept by the browser or anything in between, and the back
        # button never brings the previous person's form back.
        response.headers["Cache-Control"] = "no-store"
    if current_app.config["PUBLIC_URL"].startswith("https://"):
        # Served over https: browsers must never fall back to plain http for a year.
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def _error_page(error: HTTPException):
    messages = {
        400: _("The request could not be understood. Go back and try again."),
        403: _("You do not have access to this page."),
        404: _("There is no page at this address. Check the link you were given."),
        405: _("That is not something this page can do."),
        413: _("What you sent is too large."),
        429: _("Too many attempts. Wait a moment and try again."),
    }
    message = messages.get(error.code, _("Something went wrong on our side. Try again in a moment."))
    return render_template("error.html", code=error.code, message=message), error.code


def _csrf_error(error: CSRFError):
    message = _("The form had expired or was sent twice. Reload the page and send it again.")
    return render_template("error.html", code=400, message=message), 400


def _server_error(error):
    db.session.rollback()
    current_app.logger.exception("Unhandled error")
    message = _("Something went wrong on our side. Try again in a moment.")
    return render_template("error.html", code=500, message=message), 500


def _home():
    return redirect(url_for("programmes.index"))


def init_app(app: Flask) -> None:
    """Attach extensions, the instrument registry, template helpers and error pages to `app`."""
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    # The API answers 401 (as JSON), not a redirect to the login page.
    login_manager.blueprint_login_views = {"api": None}
    login_manager.login_message = None
    login_manager.session_protection = "strong"
    login_manager.user_loader(_load_user)
    app.extensions["spindeln.instruments"] = InstrumentRegistry([Path(app.instance_path) / "instruments"])
    app.url_map.converters["number"] = NumberConverter
    app.add_url_rule("/", "home", _home)
    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _error_page)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(500, _server_error)
    app.jinja_env.globals.update(language=language, number=number, percent=percent, day=day, LANGUAGES=LANGUAGES)
