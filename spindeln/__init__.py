"""Spindeln: measure the conditions for collaboration, round after round."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from flask import Flask

DEFAULT_INSTANCE = "instances/demo"
CONFIG_FILE = "config.toml"


class InstanceNotReady(RuntimeError):
    """The instance folder has no configuration yet: `spindeln init` makes one."""


def templates_folder() -> str:
    """The templates: `templates/` of a source checkout, or the copy packaged into the wheel."""
    packaged = Path(__file__).parent / "templates"
    if packaged.is_dir():
        return str(packaged)
    return str(Path(__file__).parent.parent / "templates")


def resolve_instance(path: str | os.PathLike | None = None) -> Path:
    """The instance folder: `path`, else $SPINDELN_INSTANCE, else instances/demo."""
    return Path(path or os.environ.get("SPINDELN_INSTANCE") or DEFAULT_INSTANCE).resolve()


def create_app(test_config: dict | None = None, instance_path: str | os.PathLike | None = None) -> Flask:
    """Build the app: defaults, then the instance's config.toml, then $DATABASE_URL, then `test_config`."""
    instance = resolve_instance(instance_path)
    app = Flask(
        __name__,
        instance_path=str(instance),
        instance_relative_config=True,
        template_folder=templates_folder(),
    )
    app.config.from_mapping(
        SECRET_KEY=None,
        DATABASE_URL=f"sqlite:///{instance / 'spindeln.sqlite'}",
        #: Absolute address respondents reach the app at, e.g. "https://spindeln.example.se";
        #: used for QR codes when the app runs behind a proxy. Empty: taken from the request.
        PUBLIC_URL="",
        BABEL_DEFAULT_LOCALE="sv",
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).parent / "translations"),
        MAX_CONTENT_LENGTH=64 * 1024,
        MAX_FORM_MEMORY_SIZE=64 * 1024,
        #: None: secure (https only) exactly when PUBLIC_URL is https; Flask's own default is False.
        SESSION_COOKIE_SECURE=None,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
    )
    config_file = instance / CONFIG_FILE
    if config_file.is_file():
        app.config.from_file(CONFIG_FILE, load=tomllib.load, text=False)
    if os.environ.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = os.environ["DATABASE_URL"]
    if test_config is not None:
        app.config.from_mapping(test_config)
    if not app.config["SECRET_KEY"]:
        raise InstanceNotReady(
            f"No configuration in {instance}: run `spindeln --instance {instance} init` first."
        )
    if app.config.get("SESSION_COOKIE_SECURE") is None:
        app.config["SESSION_COOKIE_SECURE"] = app.config["PUBLIC_URL"].startswith("https://")
    app.config.setdefault("REMEMBER_COOKIE_SECURE", app.config["SESSION_COOKIE_SECURE"])

    from spindeln import web
    from spindeln.db import db, engine_options

    app.config["SQLALCHEMY_ENGINES"] = {"default": engine_options(app.config["DATABASE_URL"])}
    db.init_app(app)
    web.init_app(app)
    from spindeln import limits

    limits.init_app(app)

    from spindeln.auth.views import bp as auth_bp
    from spindeln.meeting.views import bp as meeting_bp
    from spindeln.programmes.views import bp as programmes_bp
    from spindeln.results.api import bp as api_bp
    from spindeln.results.views import bp as results_bp
    from spindeln.survey.views import bp as survey_bp

    app.register_blueprint(survey_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(programmes_bp)
    app.register_blueprint(results_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(meeting_bp)
    from spindeln.reports.views import bp as reports_bp  # noqa: E402
    app.register_blueprint(reports_bp)
    from spindeln.transfer.views import bp as transfer_bp  # noqa: E402
    app.register_blueprint(transfer_bp)
    return app
