"""Fixtures for the security tests: the demo programme with one account of every role, and a SQLite-only app."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from spindeln import create_app
from spindeln.auth.models import Role
from spindeln.auth.operations import add_user
from spindeln.db import Base, db
from spindeln.demo import DEMO_USER, create_demo
from spindeln.instrument import DEFAULT_INSTRUMENT
from spindeln.programmes.models import Programme
from spindeln.programmes.operations import add_unit, create_programme
from spindeln.web import instruments
from tests.conftest import PASSWORD, IsolatedClient, login

#: The roles the route table speaks of; "anonymous" is no login at all.
ADMIN, RESEARCHER, COORDINATOR, OTHER_COORDINATOR, ANONYMOUS = (
    "admin", "researcher", "coordinator", "other_coordinator", "anonymous"
)
ROLES = (ADMIN, RESEARCHER, COORDINATOR, OTHER_COORDINATOR, ANONYMOUS)
EMAILS = {
    ADMIN: "admin@example.org",
    RESEARCHER: "forskare@example.org",
    COORDINATOR: "samordnare@example.org",
    OTHER_COORDINATOR: "annan.samordnare@example.org",
}


@dataclass
class Demo:
    """The demo programme, a second programme, and the accounts."""

    programme: Programme
    other: Programme
    emails: dict


def make_demo() -> Demo:
    """The demo (six closed rounds and an open one), another programme, and an account per role.

    The coordinator manages the demo programme; the other coordinator only the other programme.
    """
    programme, _user = create_demo(today=dt.date.today())
    other = create_programme("Familjecentraler i söder", "familjecentraler", instruments().get(*DEFAULT_INSTRUMENT))
    add_unit(other, "Familjecentralen Skärholmen")
    add_user(EMAILS[ADMIN], PASSWORD, Role.admin)
    add_user(EMAILS[RESEARCHER], PASSWORD, Role.researcher)
    add_user(EMAILS[COORDINATOR], PASSWORD, Role.coordinator).programmes = [programme]
    add_user(EMAILS[OTHER_COORDINATOR], PASSWORD, Role.coordinator).programmes = [other]
    db.session.commit()
    assert DEMO_USER[0] not in EMAILS.values()
    return Demo(programme, other, EMAILS)


@pytest.fixture
def demo(app) -> Demo:
    """The demo on the app of the test (SQLite and PostgreSQL)."""
    return make_demo()


def client_as(app, role: str):
    """A fresh client logged in with `role` (or not logged in at all)."""
    client = app.test_client()
    if role != ANONYMOUS:
        response = login(client, email=EMAILS[role])
        assert response.status_code == 302, f"could not log in as {role}"
    return client


@pytest.fixture
def sqlite_app(tmp_path):
    """An app on a SQLite file of its own, for tests that send many requests (fuzzing)."""
    url = f"sqlite:///{tmp_path / 'fuzz.sqlite'}"
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": url}, instance_path=tmp_path / "instance"
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        Base.metadata.create_all(db.engine)
        yield app
        db.session.rollback()
        db.session.close()
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture
def another_app(database_url, tmp_path):
    """A factory of further apps on the test's database, with their own configuration; closed at the end."""
    made = []

    def make(name: str = "another", **config):
        app = create_app(
            {"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": database_url, **config},
            instance_path=tmp_path / name,
        )
        app.test_client_class = IsolatedClient
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose()
