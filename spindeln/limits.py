"""Rate limits: slowing down password guessing at the login, and scripts at the respondent links.

The counters live in the storage named by RATELIMIT_STORAGE_URI: "memory://" by default, which is
per process and forgotten on restart. A deployment with several worker processes, or several
servers, sets a shared storage, e.g. RATELIMIT_STORAGE_URI = "redis://localhost:6379" in
config.toml (the moving window needs redis; memcached does not support it). Each limit can be set
in config.toml too, in the limits notation ("10 per minute;50 per hour").

Counters are keyed by the client's address (as the server sees it) or by the respondent link, and
expire with their window; no address is ever written to the database or a log by Spindeln. The
per-account login limit is keyed by a hash of the e-mail address typed in, not the address itself.
"""

from __future__ import annotations

import hashlib
import math
from functools import wraps

from flask import Flask, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter import Limiter, RateLimitExceeded
from limits import parse_many
from sqlalchemy.exc import DataError
from werkzeug.middleware.proxy_fix import ProxyFix

#: Defaults of the configuration keys this module reads; config.toml may set any of them.
DEFAULTS = {
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    #: Failed log-ins from one address: enough for a whole office behind one address to mistype.
    "LOGIN_LIMIT_PER_ADDRESS": "10 per minute;50 per hour",
    #: Failed log-ins on one account: after 3 a minute's pause (slowing down), after 5 a block of
    #: up to 15 minutes, after 20 in a day a block for the rest of the day.
    "LOGIN_LIMIT_PER_ACCOUNT": "3 per minute;5 per 15 minutes;20 per day",
    #: Submissions to one link: a meeting of 500 answering in the same minute stays below it.
    "RESPONSE_LIMIT_PER_LINK": "600 per minute",
    #: Submissions from one address. Not lower, because a whole meeting room often reaches the
    #: internet through one address (the venue's wifi): a meeting of 500 pressing "send" within a
    #: minute must all get through. A script from one address is held to ten a second.
    "RESPONSE_LIMIT_PER_ADDRESS": "600 per minute",
    #: Reverse proxies in front of the app that set X-Forwarded-For/-Proto (0: none, the address
    #: of the connection is the client's). Behind one nginx: 1. Never more than there really are,
    #: or clients can pick their own address for the counters.
    "TRUSTED_PROXIES": 0,
}
LIMIT_KEYS = ("LOGIN_LIMIT_PER_ADDRESS", "LOGIN_LIMIT_PER_ACCOUNT", "RESPONSE_LIMIT_PER_LINK", "RESPONSE_LIMIT_PER_ADDRESS")


def client_address() -> str:
    """The address the request came from: the connection's, or the proxy's report of it (TRUSTED_PROXIES)."""
    return request.remote_addr or "unknown"


#: One limiter object for the decorators; `init_app` gives every app a storage of its own.
limiter = Limiter(
    key_func=client_address,
    strategy="moving-window",
    key_prefix="spindeln",
    headers_enabled=False,
    swallow_errors=False,
    fail_on_first_breach=True,
)


def _configured(key: str):
    return lambda: current_app.config[key]


def attempted_account() -> str:
    """The counter key of the account a log-in tries: a hash of the e-mail address as typed."""
    email = request.form.get("email", "")[:320].strip().lower()
    return "account-" + hashlib.sha256(email.encode("utf-8", "replace")).hexdigest()[:32]


def respondent_link() -> str:
    """The counter key of the respondent link in the URL."""
    return "link-" + str((request.view_args or {}).get("token", ""))[:64]


def login_failed(response) -> bool:
    """Whether a log-in attempt failed: a successful one redirects."""
    return response.status_code != 302


#: Decorators for the log-in view: count failed attempts per address and per account.
login_limits = (
    limiter.limit(_configured("LOGIN_LIMIT_PER_ADDRESS"), methods=["POST"], deduct_when=login_failed),
    limiter.limit(
        _configured("LOGIN_LIMIT_PER_ACCOUNT"), key_func=attempted_account, methods=["POST"], deduct_when=login_failed
    ),
)
#: Decorators for the respondent form: submissions per link and per address.
response_limits = (
    limiter.limit(_configured("RESPONSE_LIMIT_PER_LINK"), key_func=respondent_link, methods=["POST"]),
    limiter.limit(_configured("RESPONSE_LIMIT_PER_ADDRESS"), methods=["POST"]),
)


def limit_login(view):
    """Apply the log-in limits to `view`."""
    for decorator in login_limits:
        view = decorator(view)
    return view


def limit_responses(view):
    """Apply the respondent submission limits to `view`."""
    for decorator in response_limits:
        view = decorator(view)
    return view


def single_clean_values(view):
    """Refuse (400) a POST whose form repeats a field: no browser sends one for these forms.

    A repeated field would otherwise be read as its first value, silently.
    """

    @wraps(view)
    def checked(*args, **kwargs):
        if request.method == "POST":
            for _key, values in request.form.lists():
                if len(values) > 1:
                    abort(400)
        return view(*args, **kwargs)

    return checked


def refuse_nul_characters() -> None:
    """Refuse (400) a request with a NUL character in its address, query or form: no browser sends one.

    PostgreSQL cannot store it and SQLite would; refusing it here treats it the same everywhere.
    A form larger than MAX_CONTENT_LENGTH is a file upload whose view raises the limit itself:
    it is left to that view (and to the database's refusal) rather than read here too early.
    """
    if "\x00" in request.path or any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
        abort(400)
    if request.method != "POST" or (request.content_length or 0) > (current_app.config["MAX_CONTENT_LENGTH"] or 0):
        return
    if any("\x00" in key or "\x00" in value for key, value in request.form.items(multi=True)):
        abort(400)


def _refused_by_database(error: DataError):
    # A value the database cannot hold (a NUL character, a number out of range) came from the
    # request: it is the client's error, and nothing was stored.
    from spindeln.db import db

    db.session.rollback()
    message = _("The request could not be understood. Go back and try again.")
    return render_template("error.html", code=400, message=message), 400


def wait_message(error: RateLimitExceeded) -> tuple[str, int]:
    """How long to wait after hitting `error`'s limit, as a sentence, and in seconds (the window: an upper bound)."""
    seconds = int(error.limit.limit.get_expiry())
    minutes = max(1, math.ceil(seconds / 60))
    if minutes <= 90:
        return ngettext("Wait %(num)d minute and try again.", "Wait %(num)d minutes and try again.", minutes), seconds
    hours = math.ceil(minutes / 60)
    return ngettext("Wait %(num)d hour and try again.", "Wait %(num)d hours and try again.", hours), seconds


def too_many_requests(error: RateLimitExceeded):
    """The 429 page: how long to wait, and for respondents that their answers are still in the form."""
    wait, seconds = wait_message(error)
    if request.blueprint == "survey":
        # The respondent did nothing wrong: many answers arrive from the same network at once.
        message = _(
            "Many answers are arriving from the same network right now. Your answers were not saved yet: "
            "go back to the form, where they are kept, wait a moment and send them again."
        )
    else:
        message = _("Too many attempts.") + " " + wait
    response = render_template("error.html", code=429, message=message)
    return response, 429, {"Retry-After": str(seconds)}


def init_app(app: Flask) -> None:
    """Give `app` the rate limits with a fresh counter storage of its own, and its 429 page."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    for key in LIMIT_KEYS:
        parse_many(app.config[key])  # a mistyped limit stops the start, not a request
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    # A new storage per app: tests, and two apps in one process, never share counters.
    limiter.init_app(app)
    app.register_error_handler(RateLimitExceeded, too_many_requests)
    app.register_error_handler(DataError, _refused_by_database)
    app.before_request(refuse_nul_characters)
