"""Fixtures: an app on a fresh database per test, on SQLite and on PostgreSQL, and small factories."""

from __future__ import annotations

import contextlib
import contextvars
import os
import re
import uuid
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from spindeln import create_app
from spindeln.auth.models import Role
from spindeln.cli import main as spindeln_command
from spindeln.auth.operations import add_user
from spindeln.db import Base, db
from spindeln.instrument import DEFAULT_INSTRUMENT
from spindeln.programmes.operations import add_round, add_unit, create_programme
from spindeln.web import instruments

#: The PostgreSQL server the suite also runs against; in CI it must be there.
POSTGRES_URL = os.environ.get("SPINDELN_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = [b for b in os.environ.get("SPINDELN_TEST_BACKENDS", "sqlite,postgresql").split(",") if b]
PASSWORD = "correct horse battery"


@contextlib.contextmanager
def scratch_postgres_database(prefix: str):
    """A new, empty database on the test PostgreSQL server, dropped afterwards; yields its URL.

    Where the server cannot be reached the test is skipped, except in CI, where it fails: CI must run
    the PostgreSQL tests, not skip them.
    """
    server = make_url(POSTGRES_URL)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001 - any failure to reach the server
        admin.dispose()
        message = f"PostgreSQL at {server.render_as_string()} is not reachable: {error}"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI must run the PostgreSQL tests, not skip them)")
        pytest.skip(message)
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url():
    """A database of its own on the PostgreSQL server for this test session, dropped at the end."""
    with scratch_postgres_database("spindeln_test") as url:
        engine = create_engine(url)
        Base.metadata.create_all(engine)
        engine.dispose()
        yield url


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    """A fresh, empty database of the schema: a new SQLite file, or the PostgreSQL one emptied."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'spindeln.sqlite'}"
        engine = create_engine(url)
        Base.metadata.create_all(engine)
        engine.dispose()
        return url
    url = request.getfixturevalue("postgres_url")
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in an app context of its own, as in production.

    Flask reuses an app context that is already pushed; without this, a request would share the
    test's `g` and database session, and hide bugs that only a real server shows.
    """

    def open(self, *args, **kwargs):
        """Send the request from an empty context."""
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def app(database_url, tmp_path):
    """The app on a fresh database, with an app context pushed for the test's own reads and writes."""
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": database_url},
        instance_path=tmp_path / "instance",
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.rollback()
        db.session.close()
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture
def client(app):
    """A test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A runner for the app's CLI commands."""
    return app.test_cli_runner()


@pytest.fixture
def instrument(app):
    """The shipped default instrument."""
    return instruments().get(*DEFAULT_INSTRUMENT)


@pytest.fixture
def programme(app, instrument):
    """A programme with three districts and the three default professions."""
    programme = create_programme("STIS ytterstaden", "stis", instrument)
    for name in ("Farsta", "Hässelby-Vällingby", "Skärholmen"):
        add_unit(programme, name)
    db.session.commit()
    return programme


@pytest.fixture
def open_round(programme):
    """An open round of the programme, with its general link."""
    measurement_round = add_round(programme, "Mätning 1 (vt 2018)")
    measurement_round.open()
    db.session.commit()
    return measurement_round


@pytest.fixture
def admin(app):
    """An admin account (password: PASSWORD)."""
    user = add_user("admin@example.org", PASSWORD, Role.admin)
    db.session.commit()
    return user


class _Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input" and attributes.get("type") == "hidden" and attributes.get("name"):
            self.fields[attributes["name"]] = attributes.get("value") or ""


def hidden_fields(html: bytes | str) -> dict[str, str]:
    """The hidden inputs of a page (CSRF token, submission key), as a browser would send them."""
    parser = _Inputs()
    parser.feed(html.decode() if isinstance(html, bytes) else html)
    return parser.fields


def csrf_token(client, path: str) -> str:
    """The CSRF token of the form at `path`."""
    return hidden_fields(client.get(path).data)["csrf_token"]


def login(client, email: str = "admin@example.org", password: str = PASSWORD):
    """Log in through the login form."""
    token = csrf_token(client, "/login")
    return client.post("/login", data={"csrf_token": token, "email": email, "password": password})


def text_of(html: bytes) -> str:
    """The visible text of a page, tags removed and spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.decode()))


def run_cli(instance, *args: str, input: str | None = None, env: dict | None = None):
    """`spindeln --instance INSTANCE ARGS…` through click's test runner; its result."""
    return CliRunner().invoke(spindeln_command, ["--instance", str(instance), *args], input=input, env=env)


@pytest.fixture
def demo_instance(tmp_path):
    """An initialised SQLite instance folder with the demo programme."""
    instance = tmp_path / "stad"
    assert run_cli(instance, "init").exit_code == 0
    assert run_cli(instance, "demo").exit_code == 0
    return instance
