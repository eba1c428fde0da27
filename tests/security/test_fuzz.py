"""Fuzzing every route of app.url_map: nothing a client sends gives a 500, and a refusal stores nothing.

Each route gets a small number of generated requests (wrong types, missing and repeated fields,
huge values, random unicode and bytes, no CSRF token, another session's token or a made-up one),
as an admin (who gets furthest into every view) on the demo programme. SQLite only: the point is
the app's handling of input, and it keeps the suite fast (the database-specific refusals, such as
a NUL character, are tested on both databases in test_hostile_input.py).
"""

from __future__ import annotations

import tempfile
from urllib.parse import quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from spindeln import create_app
from spindeln.auth.models import Role
from spindeln.auth.operations import add_user
from spindeln.db import Base, db
from tests.conftest import PASSWORD, IsolatedClient, csrf_token, login
from tests.security.conftest import ADMIN, EMAILS, make_demo
from tests.security.test_routes import build_path


def _rules():
    """(endpoint, rule, methods) of every route but `static`, from an app that is never served."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SECRET_KEY": "x", "DATABASE_URL": "sqlite://"}, instance_path=folder)
        found = []
        for rule in app.url_map.iter_rules():
            if rule.endpoint != "static":
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    found.append(pytest.param(rule.rule, method, id=f"{method} {rule.rule}"))
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose()
        return found


#: Field names the app's forms use, and a few it does not.
FIELD_NAMES = (
    "csrf_token", "name", "name_en", "slug", "instrument", "min_group_size", "title", "opens_on", "closes_on",
    "unit", "profession", "comment", "submission_key", *[f"q{i}" for i in range(1, 12)], "email", "password",
    "current", "new", "repeat", "role", "programmes", "compare", "round", "rounds", "file", "programme", "download",
)
values = st.one_of(
    st.text(max_size=40).map(str.encode),
    st.binary(max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(lambda n: str(n).encode()),
    st.sampled_from([b"", b"x", b"0", b"-1", b"11", b"1e309", b"NaN", b"2018-02-30", b"admin", b"farsta", b"bvc_bmm"]),
    st.text(min_size=500, max_size=3000).map(str.encode),
    st.just(b"A" * 70_000),
)
names = st.one_of(st.sampled_from(FIELD_NAMES), st.text(min_size=1, max_size=12))
pairs = st.lists(st.tuples(names, values), max_size=12)
csrf_kinds = st.sampled_from(["valid", "missing", "other-session", "made-up"])


def _encode(fields) -> bytes:
    return "&".join(f"{quote_from_bytes(k.encode())}={quote_from_bytes(v)}" for k, v in fields).encode()


def _row_counts() -> dict[str, int]:
    db.session.rollback()
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory):
    """One SQLite app with the demo for the whole module (the fuzzing only adds to it).

    PDFs are not made (seconds each; tested in tests/reports), and the rate limits are raised:
    they are tested in test_accounts.py and test_hostile_input.py, here they would only stop the fuzzing.
    """
    folder = tmp_path_factory.mktemp("fuzz")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": f"sqlite:///{folder / 'fuzz.sqlite'}",
            "LOGIN_LIMIT_PER_ADDRESS": "100000 per minute",
            "LOGIN_LIMIT_PER_ACCOUNT": "100000 per minute",
            "RESPONSE_LIMIT_PER_ADDRESS": "100000 per minute",
        },
        instance_path=folder / "instance",
    )
    app.test_client_class = IsolatedClient
    with pytest.MonkeyPatch.context() as patch, app.app_context():
        patch.setattr("spindeln.reports.views.make_handout", lambda *args, **kwargs: b"%PDF-1.7", raising=False)
        Base.metadata.create_all(db.engine)
        demo = make_demo()
        target = add_user("kollega@example.org", PASSWORD, Role.coordinator)
        db.session.commit()
        yield app, demo, target.id
        db.session.rollback()
        db.session.close()
        for engine in db.engines.values():
            engine.dispose()


@pytest.mark.parametrize(("rule_text", "method"), _rules())
def test_no_request_gives_a_server_error_or_stores_anything_when_refused(fuzz_app, rule_text, method):
    app, demo, target_id = fuzz_app
    [rule] = [r for r in app.url_map.iter_rules() if r.rule == rule_text]
    ctx = {"closed_round": 6, "open_round": 7, "target_user": target_id}
    client = app.test_client()
    login(client, email=EMAILS[ADMIN])
    stranger = app.test_client()
    other_token = csrf_token(stranger, "/login")

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(form=pairs, query=pairs, csrf=csrf_kinds)
    def fuzz(form, query, csrf):
        path = build_path(rule, ctx) + "?" + _encode(query).decode()
        before = _row_counts()
        if method == "GET":
            response = client.get(path)
        else:
            fields = [(k, v) for k, v in form if k != "csrf_token"]
            token = {"valid": csrf_token(client, "/login"), "other-session": other_token, "made-up": "abc.def"}.get(csrf)
            if token is not None:
                fields.insert(0, ("csrf_token", token.encode()))
            response = client.post(path, data=_encode(fields), content_type="application/x-www-form-urlencoded")
        assert response.status_code < 500, f"{method} {path}: {response.status_code}"
        if response.status_code >= 400:
            assert _row_counts() == before, f"{method} {path} was refused ({response.status_code}) but stored something"
        if method == "POST" and csrf != "valid":
            assert response.status_code in (302, 400, 413, 429), f"{method} {path} without a valid CSRF token"
            assert _row_counts() == before

    fuzz()
