"""The floor of the meeting load test: a bare Flask + SQLAlchemy app that only stores nine integers.

It answers the same three requests as Spindeln's respondent path (a form page with the two hidden
inputs the load test reads, a POST that stores a row and redirects to a thank-you page, and that
page), on the same kind of database with the same durability settings (WAL, synchronous=FULL, a
busy timeout), served the same way. Whatever Spindeln does on top of this (CSRF, the session,
the form built from the instrument, templates, the double-submission receipt) is the difference
the load test measures.

    gunicorn --workers 4 'bench.floor_app:create_app("/tmp/floor.sqlite")'
"""

from __future__ import annotations

import os
import secrets
import sqlite3

from flask import Flask, redirect, request
from sqlalchemy import Integer, String, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

PAGE = """<!doctype html><html lang="en"><title>Floor</title>
<form method="post"><input type="hidden" name="csrf_token" value="{token}">
<input type="hidden" name="submission_key" value="{key}"><button>Send</button></form></html>"""


class Base(DeclarativeBase):
    """Base of the floor's one table."""


class Answer(Base):
    """Nine integers and the respondent's marker, nothing else."""

    __tablename__ = "answers"
    id: Mapped[int] = mapped_column(primary_key=True)
    q1: Mapped[int] = mapped_column(Integer)
    q2: Mapped[int] = mapped_column(Integer)
    q3: Mapped[int] = mapped_column(Integer)
    q4: Mapped[int] = mapped_column(Integer)
    q5: Mapped[int] = mapped_column(Integer)
    q6: Mapped[int] = mapped_column(Integer)
    q7: Mapped[int] = mapped_column(Integer)
    q8: Mapped[int] = mapped_column(Integer)
    q9: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(String(200))


def _durable(dbapi_connection, connection_record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=10000"):
            dbapi_connection.execute(f"PRAGMA {pragma}")


def create_app(database: str | None = None) -> Flask:
    """The floor app on the SQLite file `database` (or $FLOOR_DATABASE); the table is made if missing."""
    path = database or os.environ["FLOOR_DATABASE"]
    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _durable)
    Base.metadata.create_all(engine)
    app = Flask(__name__)

    @app.route("/r/<token>", methods=["GET", "POST"])
    def respond(token):
        if request.method == "GET":
            return PAGE.format(token=secrets.token_urlsafe(16), key=secrets.token_urlsafe(24))
        values = {f"q{i}": int(request.form.get(f"q{i}", "0").replace("x", "0")) for i in range(1, 10)}
        with Session(engine) as session:
            session.add(Answer(comment=request.form.get("comment"), **values))
            session.commit()
        return redirect(f"/r/{token}/tack")

    @app.route("/r/<token>/tack")
    def thanks(token):
        return "<!doctype html><html lang='en'><title>Thanks</title><p>Thanks.</p></html>"

    return app


def stored(database: str) -> list[str]:
    """The markers (comments) of the rows the floor stored."""
    with sqlite3.connect(database) as connection:
        return [row[0] for row in connection.execute("SELECT comment FROM answers")]
