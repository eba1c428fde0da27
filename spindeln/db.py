"""The database: declarative base, engine settings and the Flask extension."""

from __future__ import annotations

import inspect
import sqlite3

import flask_sqlalchemy_lite
from flask import Flask
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

#: Named constraints from the first migration on: Alembic needs names to alter them on SQLite.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class SQLAlchemy(flask_sqlalchemy_lite.SQLAlchemy):
    """Flask-SQLAlchemy-Lite without the teardown of async sessions, which Spindeln never opens."""

    def init_app(self, app: Flask) -> None:
        """Register the engines and the session teardown on `app`."""
        super().init_app(app)
        if app.config.get("SQLALCHEMY_ASYNC_ENGINES"):
            return
        # Flask runs an async teardown through asgiref, which starts a thread and an event loop for
        # it at the end of every request: about 2 ms each, for sessions that never exist here.
        app.teardown_appcontext_funcs[:] = [
            teardown
            for teardown in app.teardown_appcontext_funcs
            if not (inspect.iscoroutinefunction(teardown) and teardown.__module__.startswith("flask_sqlalchemy_lite"))
        ]


db = SQLAlchemy()


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record) -> None:
    """Make SQLite durable and strict: WAL, fsync on commit, a busy timeout, foreign keys, secure delete."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    # An acknowledged response must survive a power cut: synchronous=FULL, not NORMAL.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    # What is deleted is overwritten with zeros: a round's responses written again in id order when it
    # closes leave no copy in their order of arrival in the file.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def engine_options(url: str) -> dict:
    """Engine options suited to the database behind `url`."""
    options: dict = {"url": url}
    if url.startswith("postgresql"):
        options["pool_pre_ping"] = True
    return options
