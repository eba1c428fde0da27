"""Output safety (every user-given name escaped in pages and charts) and the anonymity audit."""

from __future__ import annotations

from sqlalchemy import Date, inspect, select

from spindeln.db import Base, db
from spindeln.demo import DEMO_SLUG
from spindeln.programmes.models import Unit
from spindeln.programmes.operations import active_link
from spindeln.survey.models import Response
from tests.conftest import hidden_fields
from tests.security.conftest import ADMIN, COORDINATOR, RESEARCHER, client_as, make_demo
from tests.security.test_routes import build_path, routes

UNIT_ATTACK = "<script>alert(1)</script>"
PROGRAMME_ATTACK = '"><img src=x onerror=alert(1)>'
#: How Jinja writes them: the markup is text, not tags.
UNIT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
PROGRAMME_ESCAPED = "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"


def _hostile_names(demo):
    farsta = next(unit for unit in demo.programme.units if unit.key == "farsta")
    farsta.name = UNIT_ATTACK
    demo.programme.name = PROGRAMME_ATTACK
    db.session.commit()


def test_hostile_names_are_escaped_in_every_page_and_chart(sqlite_app, monkeypatch):
    # Escaping does not depend on the database: SQLite only, since this walks every page three times.
    app = sqlite_app
    monkeypatch.setattr("spindeln.reports.views.make_handout", lambda *args, **kwargs: b"%PDF-1.7", raising=False)
    _hostile_names(make_demo())
    client = client_as(app, ADMIN)
    ctx = {"closed_round": 6, "open_round": 7, "target_user": 1}
    shown_unit = shown_programme = 0
    for rule, methods in routes(app):
        if "GET" not in methods:
            continue
        base = build_path(rule, ctx)
        for query in ("", "?unit=farsta", "?lang=en"):
            response = client.get(base + query)
            assert response.status_code < 500, base + query
            if response.mimetype not in ("text/html", "image/svg+xml"):
                continue
            body = response.get_data(as_text=True)
            assert UNIT_ATTACK not in body, base + query
            assert "<img src=x" not in body, base + query
            shown_unit += UNIT_ESCAPED in body
            shown_programme += PROGRAMME_ESCAPED in body
    assert shown_unit and shown_programme  # the names were on the pages, escaped


def test_the_respondent_form_escapes_unit_and_programme_names(app, demo):
    _hostile_names(demo)
    client = app.test_client()
    html = client.get(f"/r/{active_link(demo.programme.rounds[-1]).token}").get_data(as_text=True)
    assert UNIT_ATTACK not in html and UNIT_ESCAPED in html
    assert "<img src=x" not in html


def test_a_chart_of_a_hostile_unit_has_its_name_as_text(app, demo):
    _hostile_names(demo)
    client = client_as(app, ADMIN)
    for kind in ("radar", "units", "professions"):
        response = client.get(f"/results/{DEMO_SLUG}/rounds/6/{kind}.svg?unit=farsta")
        if response.status_code == 404:
            continue  # not a chart of this selection
        svg = response.get_data(as_text=True)
        assert "<script" not in svg and "onerror" not in svg.replace("onerror=alert(1)&gt;", "")


# --- anonymity audit --------------------------------------------------------------------------------


def test_a_response_row_holds_nothing_that_singles_out_a_person(app):
    columns = {column["name"]: column["type"] for column in inspect(db.engine).get_columns("responses")}
    assert set(columns) == {"id", "round_id", "unit_id", "profession_id", "submitted_on", "answers", "comment"}
    # The day, never the time of day.
    assert isinstance(Response.__table__.c.submitted_on.type, Date)


def test_address_and_browser_of_a_respondent_are_stored_nowhere(app, demo):
    client = app.test_client()
    path = f"/r/{active_link(demo.programme.rounds[-1]).token}"
    spy = {
        "User-Agent": "Mozilla/5.0 (Spaningstest 7.31; Rare Phone X1)",
        "X-Forwarded-For": "203.0.113.77",
        "X-Real-IP": "203.0.113.78",
    }
    environ = {"REMOTE_ADDR": "198.51.100.99"}
    page = client.get(path, headers=spy, environ_base=environ)
    answers = {f"q{i}": "6" for i in range(1, 10)} | {"unit": "farsta", "profession": "oppna_forskolan"}
    sent = client.post(path, data=hidden_fields(page.data) | answers, headers=spy, environ_base=environ)
    assert sent.status_code == 302
    db.session.rollback()
    telltales = ["Spaningstest", "Rare Phone", "203.0.113.77", "203.0.113.78", "198.51.100.99"]
    for table in Base.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            for value in row:
                text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
                for telltale in telltales:
                    assert telltale not in text, f"{telltale!r} found in table {table.name}"


def _summary(client, **params):
    query = "&".join(f"round={n}" for n in range(1, 7))
    for key, value in params.items():
        query += f"&{key}={value}"
    response = client.get(f"/api/v1/programmes/{DEMO_SLUG}/summary?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _hidden_items(summary) -> list[dict[str, bool]]:
    """Per round: item key → hidden."""
    return [{item["key"]: item["suppressed"] for item in entry["items"]} for entry in summary["rounds"]]


def test_the_two_in_skarholmen_cannot_be_seen_or_worked_out_by_any_role(app, demo):
    programme = demo.programme
    professions = [p.key for p in programme.professions]
    units = [u.name for u in programme.units]
    for role in (ADMIN, RESEARCHER, COORDINATOR):
        client = client_as(app, role)
        # The group itself: hidden in every round, in the API and on the page.
        small = _summary(client, unit="Skärholmen", profession="bvc_bmm")
        for entry in small["rounds"]:
            assert entry["suppressed"] and entry["n_respondents"] is None
            assert all(item["mean"] is None and item["n"] is None for item in entry["items"])
        page = client.get(f"/results/{DEMO_SLUG}/rounds/6/?unit=skarholmen&profession=bvc_bmm&lang=en")
        assert "Too few answers for this selection" in page.get_data(as_text=True)

        # Subtraction within the unit: Skärholmen's total minus its other professions.
        unit_total = _hidden_items(_summary(client, unit="Skärholmen"))
        by_profession = {p: _hidden_items(_summary(client, unit="Skärholmen", profession=p)) for p in professions}
        for number, items in enumerate(unit_total):
            for key, unit_hidden in items.items():
                hidden = [p for p in professions if by_profession[p][number][key]]
                assert "bvc_bmm" in hidden
                assert unit_hidden or len(hidden) >= 2, (role, number + 1, key, hidden)

        # Subtraction across units: BVC/BMM in all districts minus the other districts' BVC/BMM.
        profession_total = _hidden_items(_summary(client, profession="bvc_bmm"))
        by_unit = {u: _hidden_items(_summary(client, unit=u, profession="bvc_bmm")) for u in units}
        for number, items in enumerate(profession_total):
            for key, total_hidden in items.items():
                hidden = [u for u in units if by_unit[u][number][key]]
                assert "Skärholmen" in hidden
                assert total_hidden or len(hidden) >= 2, (role, number + 1, key, hidden)


def test_professions_side_by_side_never_show_the_small_group(app, demo):
    client = client_as(app, ADMIN)
    summary = _summary(client, unit="Skärholmen")
    for entry in summary["professions"]:
        for item in entry["items"]:
            assert item["means"]["bvc_bmm"] is None and item["n"]["bvc_bmm"] is None
    unit = db.session.scalar(select(Unit).where(Unit.name == "Skärholmen"))
    assert unit is not None
