"""Managing a programme behind a login: units, professions, rounds, links, QR code and live count."""

from sqlalchemy import select

from spindeln.db import db
from spindeln.programmes.models import Programme
from spindeln.programmes.operations import active_link
from spindeln.survey.models import Round, RoundState
from tests.conftest import csrf_token, hidden_fields, login, text_of


def test_management_needs_a_login(client, programme):
    for path in ("/manage/", "/manage/stis/", "/manage/new", "/manage/stis/rounds/1/count.json"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/login" in response.headers["Location"]


def test_an_admin_creates_a_programme_with_the_default_professions(client, admin):
    login(client)
    token = csrf_token(client, "/manage/new")
    response = client.post(
        "/manage/new",
        data={"csrf_token": token, "name": "Familjecentraler Farsta", "slug": "fc-farsta",
              "instrument": "spindeln-stis@1", "min_group_size": "4"},
    )
    assert response.status_code == 302
    programme = db.session.scalar(select(Programme).where(Programme.slug == "fc-farsta"))
    assert programme.min_group_size == 4
    assert [p.key for p in programme.professions] == ["foraldraradgivare", "oppna_forskolan", "bvc_bmm"]


def test_a_bad_programme_form_keeps_what_was_typed_and_says_what_is_wrong(client, admin, programme):
    login(client)
    token = csrf_token(client, "/manage/new")
    response = client.post(
        "/manage/new",
        data={"csrf_token": token, "name": "Ny satsning", "slug": "Stor Bokstav", "instrument": "spindeln-stis@1",
              "min_group_size": "0"},
    )
    assert response.status_code == 200
    page = text_of(response.data)
    assert "Använd bara a–z, 0–9 och bindestreck." in page
    assert "Ange ett heltal från 1 till 100." in page
    assert 'value="Ny satsning"' in response.data.decode()
    duplicate = client.post(
        "/manage/new",
        data={"csrf_token": token, "name": "Igen", "slug": "stis", "instrument": "spindeln-stis@1", "min_group_size": "3"},
    )
    assert "already a programme" in text_of(duplicate.data)
    reserved = client.post(
        "/manage/new",
        data={"csrf_token": token, "name": "Användare", "slug": "users", "instrument": "spindeln-stis@1",
              "min_group_size": "3"},
    )
    assert "taken by a page of its own" in text_of(reserved.data)
    assert len(list(db.session.scalars(select(Programme)))) == 1


def test_units_professions_and_rounds_are_added_from_the_programme_page(client, admin, programme):
    login(client)
    token = csrf_token(client, "/manage/stis/")
    assert client.post("/manage/stis/units", data={"csrf_token": token, "name": "Spånga-Tensta"}).status_code == 302
    twice = client.post("/manage/stis/units", data={"csrf_token": token, "name": "  spånga-tensta "})
    assert twice.status_code == 400 and "already a unit" in text_of(twice.data)
    empty = client.post("/manage/stis/units", data={"csrf_token": token, "name": ""})
    assert empty.status_code == 400 and "Ge enheten ett namn." in text_of(empty.data)
    assert client.post(
        "/manage/stis/professions", data={"csrf_token": token, "name": "Kurator", "name_en": "Counsellor"}
    ).status_code == 302
    bad_dates = client.post(
        "/manage/stis/rounds",
        data={"csrf_token": token, "title": "Mätning 1", "opens_on": "2021-03-20", "closes_on": "2021-03-01"},
    )
    assert bad_dates.status_code == 400
    assert "Slutdatum får inte vara före startdatum." in text_of(bad_dates.data)
    assert 'value="Mätning 1"' in bad_dates.data.decode()
    made = client.post(
        "/manage/stis/rounds",
        data={"csrf_token": token, "title": "Mätning 1", "opens_on": "2021-03-01", "closes_on": "2021-03-20"},
    )
    assert made.status_code == 302 and made.headers["Location"].endswith("/manage/stis/rounds/1/")
    db.session.rollback()
    assert [u.name for u in programme.units] == ["Farsta", "Hässelby-Vällingby", "Skärholmen", "Spånga-Tensta"]
    assert programme.professions[-1].display_name("en") == "Counsellor"
    [new_round] = programme.rounds
    assert new_round.state is RoundState.draft and len(new_round.links) == 1


def test_a_round_is_opened_and_closed_and_its_link_qr_and_count_shown(client, admin, programme):
    from spindeln.programmes.operations import add_round

    add_round(programme, "Mätning 1")
    db.session.commit()
    login(client)
    page = client.get("/manage/stis/rounds/1/")
    token = hidden_fields(page.data)["csrf_token"]
    assert client.post("/manage/stis/rounds/1/open", data={"csrf_token": token}).status_code == 302
    db.session.rollback()
    measurement_round = db.session.scalar(select(Round))
    assert measurement_round.state is RoundState.open
    link = active_link(measurement_round)
    page = client.get("/manage/stis/rounds/1/").data.decode()
    assert f"http://localhost/r/{link.token}" in page
    qr = client.get(f"/manage/stis/rounds/1/links/{link.id}/qr.svg")
    assert qr.mimetype == "image/svg+xml" and b"<svg" in qr.data
    assert client.get("/manage/stis/rounds/1/count.json").get_json() == {"count": 0, "state": "open"}

    respondent = client.application.test_client()
    form = respondent.get(f"/r/{link.token}")
    answers = {f"q{i}": "5" for i in range(1, 10)} | {"unit": "farsta", "profession": "bvc_bmm"}
    respondent.post(f"/r/{link.token}", data=hidden_fields(form.data) | answers)
    assert client.get("/manage/stis/rounds/1/count.json").get_json()["count"] == 1

    assert client.post("/manage/stis/rounds/1/close", data={"csrf_token": token}).status_code == 302
    again = client.post("/manage/stis/rounds/1/close", data={"csrf_token": token}, follow_redirects=True)
    assert "only an open round can be closed" in text_of(again.data)
    db.session.rollback()
    assert measurement_round.state is RoundState.closed


def test_a_unit_link_is_made_and_a_link_replaced(client, admin, programme, open_round):
    login(client)
    token = csrf_token(client, "/manage/stis/rounds/1/")
    assert client.post("/manage/stis/rounds/1/links", data={"csrf_token": token, "unit": "skarholmen"}).status_code == 302
    unknown = client.post("/manage/stis/rounds/1/links", data={"csrf_token": token, "unit": "gotham"})
    assert unknown.status_code == 400
    db.session.rollback()
    unit_link = next(l for l in open_round.links if l.unit is not None)
    assert unit_link.unit.name == "Skärholmen"
    old_token = unit_link.token
    assert client.post(f"/manage/stis/rounds/1/links/{unit_link.id}/replace", data={"csrf_token": token}).status_code == 302
    assert client.get(f"/r/{old_token}").status_code == 404
    db.session.rollback()
    assert [l.unit.name for l in open_round.links if l.unit and not l.revoked] == ["Skärholmen"]


def test_unknown_programmes_and_rounds_are_404(client, admin, programme):
    login(client)
    assert client.get("/manage/nope/").status_code == 404
    assert client.get("/manage/stis/rounds/9/").status_code == 404
    assert client.get("/manage/stis/rounds/99999999999999999999999/").status_code == 404
    assert client.get("/manage/stis/rounds/-1/").status_code == 404


def test_round_dates_are_written_for_people_in_each_language(client, admin, programme):
    import datetime as dt

    from spindeln.programmes.operations import add_round

    add_round(programme, "Mätning 1", dt.date(2026, 10, 5), dt.date(2026, 10, 23))
    db.session.commit()
    login(client)
    assert "5 okt. 2026 – 23 okt. 2026" in text_of(client.get("/manage/stis/").data)
    assert "Oct 5, 2026 – Oct 23, 2026" in text_of(client.get("/manage/stis/rounds/1/?lang=en").data)
